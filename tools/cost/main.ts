/**
 * `npm run cost -- [stack…] [--json] [--compare <dir>] [--out <dir>]
 *   [--prices <file>] [--assume key=value,…] [--capacity scheduled|desired|min|max|N]
 *   [--spot-discount type=0.6,…]`
 *
 * A monthly estimate of each synthesized stack (synthesizing first when
 * cdktf.out is missing), or with --compare a cost diff against another synth
 * output — the base branch's, in a pull request. With --guide, the guide's
 * section 7 before/after table from examples/guide-before.ts and
 * examples/guide-after.ts (guide.ts).
 */
import { resolve } from 'node:path';
import { readBatchInputs, type BatchInputs } from '../synth-model/batch-inputs';
import { DEFAULT_ASSUMPTIONS, estimateStack, type Assumptions, type CapacityBasis, type StackEstimate } from '../synth-model/estimate';
import { DEFAULT_PRICE_FILE, loadPriceTable, type PriceTable } from '../synth-model/price-table';
import { diffEstimates, renderBasis, renderDiff, renderEstimate } from '../synth-model/cost-report';
import { readStack } from '../synth-model/stack-model';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';
import { guideTable, readGuideSources, renderGuideTable } from './guide';
import { DEFAULT_OUTDIR, ensureSynthOutput, readSynthesizedStack, stackNames } from '../synth-model/synth-output';

export interface CostOptions {
  stacks: string[];
  outdir: string;
  compare?: string;
  json: boolean;
  /** Print the guide's section 7 table instead of the stacks' estimates. */
  guide: boolean;
  pricesFile: string;
  assumptions: Assumptions;
  capacity: CapacityBasis;
  spotDiscounts: Record<string, number>;
  /** Each environment's batch.expected, by stack name (read from environments/ by main); absent, the schema's defaults. */
  batchInputs?: ReadonlyMap<string, BatchInputs>;
}

export const COST_COMMAND = defineCommand({
  usage: 'npm run cost -- [stack...] [options]',
  summary:
    'A monthly estimate of each synthesized stack (all of them when none is named; cdktf.out is synthesized first when missing), ' +
    'or with --compare a cost diff against another synth output: the base branch\'s, in a pull request.',
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false, description: 'Print JSON instead of tables.' },
    guide: { type: 'boolean', default: false, description: "The guide's section 7 before/after table, from examples/guide-before.ts and guide-after.ts (synthesized here)." },
    compare: { type: 'string', valueName: '<dir>', description: 'Another synth output to diff against (the base).' },
    out: { type: 'string', default: DEFAULT_OUTDIR, valueName: '<dir>', description: 'The synth output to price.' },
    prices: { type: 'string', default: DEFAULT_PRICE_FILE, valueName: '<file>', description: 'The price table.' },
    assume: { type: 'string', multiple: true, default: [], valueName: '<key=value,...>', description: `Usage assumptions (${Object.keys(DEFAULT_ASSUMPTIONS).join(', ')}).` },
    capacity: { type: 'string', default: 'scheduled', valueName: '<basis>', description: 'Fleet size priced: scheduled, desired, min, max, or a number of capacity units.' },
    'spot-discount': { type: 'string', multiple: true, default: [], valueName: '<type=fraction,...>', description: 'Spot discount per instance type, e.g. m5.large=0.6.' },
  },
});

export function parseCostArgs(argv: string[]): CostOptions {
  const { values, positionals } = parseCommand(COST_COMMAND, argv);
  const assumptions: Assumptions = { ...DEFAULT_ASSUMPTIONS };
  for (const [key, value] of pairs(values.assume, '--assume')) {
    if (!(key in assumptions)) throw new UsageError(`--assume: unknown key ${key} (known: ${Object.keys(assumptions).join(', ')})`);
    if (value < 0) throw new UsageError(`--assume ${key}: must be ≥ 0`);
    assumptions[key as keyof Assumptions] = value;
  }
  const spotDiscounts: Record<string, number> = {};
  for (const [type, value] of pairs(values['spot-discount'], '--spot-discount')) {
    if (value < 0 || value >= 1) throw new UsageError(`--spot-discount ${type}: a fraction in [0, 1), e.g. 0.7 for 70 % off on-demand`);
    spotDiscounts[type] = value;
  }
  return {
    stacks: positionals,
    outdir: resolve(values.out),
    ...(values.compare ? { compare: resolve(values.compare) } : {}),
    json: values.json,
    guide: values.guide,
    pricesFile: resolve(values.prices),
    assumptions,
    capacity: parseCapacity(values.capacity),
    spotDiscounts,
  };
}

function parseCapacity(value: string): CapacityBasis {
  if (value === 'scheduled' || value === 'desired' || value === 'min' || value === 'max') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--capacity: scheduled, desired, min, max or a whole number of capacity units, not ${value}`);
  return n;
}

function pairs(items: string[], flag: string): Array<[string, number]> {
  return items
    .flatMap((item) => item.split(','))
    .filter(Boolean)
    .map((item) => {
      const [key, raw] = item.split('=');
      const value = Number(raw);
      if (!key || raw === undefined || !Number.isFinite(value)) throw new UsageError(`${flag}: expected key=number, got ${item}`);
      return [key.trim(), value];
    });
}

/** The price table with the command line's Spot discounts applied in every region. */
export function withSpotDiscounts(table: PriceTable, discounts: Record<string, number>): PriceTable {
  if (Object.keys(discounts).length === 0) return table;
  const regions = Object.fromEntries(
    Object.entries(table.regions).map(([name, prices]) => [name, { ...prices, spotDiscount: { ...prices.spotDiscount, ...discounts } }]),
  );
  return { ...table, regions };
}

export function estimateOutdir(outdir: string, stacks: string[], table: PriceTable, options: Pick<CostOptions, 'assumptions' | 'capacity' | 'batchInputs'>): StackEstimate[] {
  const names = stacks.length > 0 ? stacks : stackNames(outdir);
  return names.map((name) => {
    const batch = options.batchInputs?.get(name);
    return estimateStack(readStack(name, readSynthesizedStack(outdir, name)), table, options.assumptions, options.capacity, batch ? { batch } : {});
  });
}

/** Everything the command prints, as a string: the golden test compares it. */
export function costReport(options: CostOptions): string {
  const table = withSpotDiscounts(loadPriceTable(options.pricesFile), options.spotDiscounts);
  const capacity = typeof options.capacity === 'number' ? `${options.capacity} units` : options.capacity;
  const basis = renderBasis(table, options.pricesFile === DEFAULT_PRICE_FILE ? 'data/prices.json' : options.pricesFile, options.assumptions, capacityText(capacity));
  const after = estimateOutdir(options.outdir, options.stacks, table, options);
  if (options.compare) {
    const baseNames = new Set(stackNames(options.compare));
    const names = options.stacks.length > 0 ? options.stacks : [...new Set([...baseNames, ...after.map((e) => e.stack)])].sort();
    const before = estimateOutdir(options.compare, names.filter((n) => baseNames.has(n)), table, options);
    const diffs = names.map((n) => diffEstimates(n, before.find((e) => e.stack === n), after.find((e) => e.stack === n)));
    if (options.json) return JSON.stringify({ prices: { date: table.date, source: table.source }, assumptions: options.assumptions, diffs }, null, 2);
    return `Cost diff: ${options.compare} → ${options.outdir}\n\n${renderDiff(diffs)}\n\n${basis}`;
  }
  if (options.json) {
    return JSON.stringify({ prices: { date: table.date, source: table.source }, assumptions: options.assumptions, capacity: options.capacity, stacks: after }, null, 2);
  }
  return `${after.map(renderEstimate).join('\n\n')}\n\n${basis}`;
}

function capacityText(capacity: string): string {
  if (capacity === 'scheduled') return 'desired capacity, changed by each group\'s scheduled actions over a week';
  return capacity;
}

async function main(): Promise<void> {
  const options = parseCostArgs(process.argv.slice(2));
  if (options.guide) {
    if (options.stacks.length > 0 || options.compare) throw new UsageError('--guide prices the two guide examples: give no stack and no --compare');
    const { before, after } = await readGuideSources();
    const table = guideTable(before, after, withSpotDiscounts(loadPriceTable(options.pricesFile), options.spotDiscounts), options.pricesFile === DEFAULT_PRICE_FILE ? 'data/prices.json' : options.pricesFile, options.assumptions);
    process.stdout.write(`${options.json ? JSON.stringify(table, null, 2) : renderGuideTable(table)}\n`);
    return;
  }
  ensureSynthOutput(options.outdir);
  // batch.expected is a cost input, not infrastructure: it comes from the environment files, not the stacks.
  const batchInputs = await readBatchInputs();
  process.stdout.write(`${costReport({ ...options, batchInputs })}\n`);
}

if (require.main === module) runCommand('cost', main);
