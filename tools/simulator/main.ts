/**
 * `npm run simulate -- <stack> --profile <name|file.csv> [--days N]
 *   [--compare a,b] [--fleet name] [--start YYYY-MM-DD] [--tz zone]
 *   [--base-rpm N] [--unit-rpm N] [--launch-delay seconds]
 *   [--spot-interruptions fraction-per-day] [--noise fraction] [--seed N]
 *   [--out-dir dir] [--no-chart] [--json] [--prices file] [--out cdktf.out]`
 *
 * Replays a traffic profile minute by minute against one Auto Scaling group
 * of a synthesized stack, prints what it cost and how it kept up, and draws
 * load vs capacity and cost over time. `--profile batch` instead replays a
 * day's batch jobs against the stack's batch tier (batch.ts).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_PRICE_FILE, loadPriceTable, onDemandHourly, spotHourly, type PriceTable } from '../synth-model/price-table';
import { readStack, type Fleet } from '../synth-model/stack-model';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';
import { DEFAULT_OUTDIR, ensureSynthOutput, readSynthesizedStack, ROOT } from '../synth-model/synth-output';
import { readBatch } from '../synth-model/batch-model';
import { defaultBatchInputs, readBatchInputs, type BatchInputs } from '../synth-model/batch-inputs';
import { simulateBatch } from './batch';
import { renderBatchRun, type BatchRun } from './batch-report';
import { writeChart } from './chart';
import { cpuTargetOf, simulate, type FleetPrices, type SimulationSettings } from './engine';
import { builtInProfiles, csvProfile, LocalClock, type LoadProfile } from './profiles';
import { renderResults, type NamedResult, type SimulationRun } from './report';
import { renderSeedComparison, seedComparison } from './seed-comparison';
import { isVariant, VARIANTS, variantOf, type VariantName } from './variants';

const REGION_ZONES: Record<string, string> = {
  'ap-northeast-2': 'Asia/Seoul',
  'ap-northeast-1': 'Asia/Tokyo',
  'us-east-1': 'America/New_York',
};

/** A Monday in November: four weeks from it hold the month's end and Black Friday. */
const DEFAULT_START = '2025-11-03';

export interface SimulateOptions {
  stack: string;
  profile: string;
  fleet?: string;
  days: number;
  start?: string;
  timeZone?: string;
  baseRpm?: number;
  unitRpm: number;
  launchDelaySeconds: number;
  spotInterruptionsPerDay: number;
  noise: number;
  seed: number;
  variants: VariantName[];
  outdir: string;
  outDir: string;
  chart: boolean;
  json: boolean;
  pricesFile: string;
}

export const SIMULATE_COMMAND = defineCommand({
  usage: 'npm run simulate -- <stack> --profile <name|file.csv> [options]',
  summary:
    'Replays a traffic profile minute by minute against one Auto Scaling group of a synthesized stack, prints what it cost and how it kept up, ' +
    'and draws load against capacity and cost over time.',
  allowPositionals: true,
  options: {
    profile: { type: 'string', valueName: '<name|file.csv>', description: 'evening-peak, weekend, month-end, black-friday, a CSV of requests or multipliers per minute, or batch (the stack\'s batch tier).' },
    days: { type: 'string', default: '28', valueName: '<n>', description: 'Days to simulate.' },
    compare: { type: 'string', valueName: '<a,b>', description: `Variants to compare (${VARIANTS.join(', ')}).` },
    fleet: { type: 'string', valueName: '<name>', description: 'The group, when the stack has several (a standby region).' },
    start: { type: 'string', valueName: '<YYYY-MM-DD>', description: 'First day, local midnight.' },
    tz: { type: 'string', valueName: '<zone>', description: "Time zone of the profile; default: the group's schedules' zone, or its region's." },
    'base-rpm': { type: 'string', valueName: '<n>', description: 'Off-peak requests per minute; default: 80 % of the CPU target on the minimum size.' },
    'unit-rpm': { type: 'string', default: '1000', valueName: '<n>', description: 'Requests per minute one capacity unit serves at 100 % CPU.' },
    'launch-delay': { type: 'string', default: '180', valueName: '<seconds>', description: 'From launch to serving (with --profile batch: to the job starting).' },
    'spot-interruptions': { type: 'string', default: '0.02', valueName: '<fraction>', description: 'Share of Spot instances interrupted per day.' },
    noise: { type: 'string', default: '0.05', valueName: '<fraction>', description: 'Random variation of the load.' },
    seed: { type: 'string', default: '1', valueName: '<n>', description: 'Seed of the noise and interruptions.' },
    'out-dir': { type: 'string', default: 'simulations', valueName: '<dir>', description: 'Where charts go.' },
    'no-chart': { type: 'boolean', default: false, description: 'Draw no chart.' },
    json: { type: 'boolean', default: false, description: 'Print JSON.' },
    prices: { type: 'string', default: DEFAULT_PRICE_FILE, valueName: '<file>', description: 'The price table.' },
    out: { type: 'string', default: DEFAULT_OUTDIR, valueName: '<dir>', description: 'The synth output.' },
  },
});

export function parseSimulateArgs(argv: string[]): SimulateOptions {
  const { values, positionals } = parseCommand(SIMULATE_COMMAND, argv);
  const [stack, ...rest] = positionals;
  if (!stack || rest.length > 0) throw new UsageError('give exactly one stack: npm run simulate -- <stack> --profile <name|file.csv>');
  if (!values.profile) throw new UsageError('--profile is required: evening-peak, weekend, month-end, black-friday, batch, or a CSV file');
  const number = (flag: string, raw: string, min: number, max = Number.POSITIVE_INFINITY): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${flag}: expected a number in [${min}, ${max}], got ${raw}`);
    return n;
  };
  const variants = values.compare ? values.compare.split(',').map((v) => v.trim()) : ['as-configured'];
  for (const v of variants) if (!isVariant(v)) throw new UsageError(`--compare: unknown variant ${v} (known: ${VARIANTS.join(', ')})`);
  // One name compares it with the group as configured.
  if (variants.length === 1 && values.compare && variants[0] !== 'as-configured') variants.unshift('as-configured');
  return {
    stack,
    profile: values.profile,
    ...(values.fleet ? { fleet: values.fleet } : {}),
    days: number('days', values.days, 1, 366),
    ...(values.start ? { start: values.start } : {}),
    ...(values.tz ? { timeZone: values.tz } : {}),
    ...(values['base-rpm'] ? { baseRpm: number('base-rpm', values['base-rpm'], 0) } : {}),
    unitRpm: number('unit-rpm', values['unit-rpm'], 1),
    launchDelaySeconds: number('launch-delay', values['launch-delay'], 0),
    spotInterruptionsPerDay: number('spot-interruptions', values['spot-interruptions'], 0, 1),
    noise: number('noise', values.noise, 0, 0.5),
    seed: number('seed', values.seed, 0),
    variants: variants as VariantName[],
    outdir: resolve(values.out),
    outDir: resolve(values['out-dir']),
    chart: !values['no-chart'],
    json: values.json,
    pricesFile: resolve(values.prices),
  };
}

/** The group to simulate: the named one, or the stack's first (the primary tier). */
export function pickFleet(fleets: Fleet[], stack: string, name?: string): Fleet {
  if (fleets.length === 0) throw new UsageError(`${stack} has no Auto Scaling group to simulate`);
  if (!name) return fleets[0]!;
  const fleet = fleets.find((f) => f.name === name || f.path.includes(name));
  if (!fleet) throw new UsageError(`${stack} has no group ${name} (it has ${fleets.map((f) => f.name).join(', ')})`);
  return fleet;
}

export function fleetPrices(table: PriceTable, fleet: Fleet): FleetPrices {
  const entries = (price: typeof onDemandHourly): Record<string, number> =>
    Object.fromEntries(fleet.overrides.map((o) => [o.type, price(table, fleet.region, o.type)]));
  return { onDemand: entries(onDemandHourly), spot: entries(spotHourly) };
}

/** Midnight at the start of `day` (YYYY-MM-DD) in `timeZone`, as epoch ms. */
export function localMidnight(day: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(utcMidnight)) throw new UsageError(`--start: expected YYYY-MM-DD, got ${day}`);
  // The zone's offset at UTC midnight of that day; good unless a DST switch falls in between.
  const local = new LocalClock(timeZone).at(utcMidnight);
  const offset = Date.UTC(local.year, local.month - 1, local.day) + local.minuteOfDay * 60_000 - utcMidnight;
  return utcMidnight - offset;
}

export function resolveProfile(name: string, clock: LocalClock, start: number): LoadProfile {
  const builtIn = builtInProfiles(clock).find((p) => p.name === name);
  if (builtIn) return builtIn;
  if (name.endsWith('.csv')) return csvProfile(resolve(name), start);
  throw new UsageError(`--profile: ${name} is neither a built-in profile (${builtInProfiles(clock).map((p) => p.name).join(', ')}) nor a .csv file`);
}

export function runSimulation(options: SimulateOptions): SimulationRun {
  const table = loadPriceTable(options.pricesFile);
  const fleet = pickFleet(readStack(options.stack, readSynthesizedStack(options.outdir, options.stack)).fleets, options.stack, options.fleet);
  const timeZone = options.timeZone ?? fleet.schedules[0]?.timeZone ?? REGION_ZONES[fleet.region] ?? 'Etc/UTC';
  const start = localMidnight(options.start ?? DEFAULT_START, timeZone);
  const clock = new LocalClock(timeZone);
  const profile = resolveProfile(options.profile, clock, start);
  const settings: SimulationSettings = {
    start,
    minutes: Math.round(options.days * 1440),
    // Off-peak sits at 80 % of the CPU target on the group's minimum.
    baseRpm: options.baseRpm ?? Math.max(1, fleet.minSize) * options.unitRpm * (cpuTargetOf(fleet) / 100) * 0.8,
    unitRpm: options.unitRpm,
    launchDelayMinutes: Math.round(options.launchDelaySeconds / 60),
    spotInterruptionsPerDay: options.spotInterruptionsPerDay,
    noise: options.noise,
    seed: options.seed,
  };
  const prices = fleetPrices(table, fleet);
  const results = options.variants.map((v) => ({ label: v, result: simulate(variantOf(fleet, v), profile, settings, prices) }));
  return { fleet, profile, timeZone, settings, results, table };
}

/** The batch profile's name: it replays jobs against the stack's batch tier, not traffic against a group. */
export const BATCH_PROFILE = 'batch';

/**
 * Replays a day's jobs (repeated over --days) against the stack's batch tier:
 * `inputs` are the environment's batch.expected (read from its file when not given).
 */
export async function runBatchSimulation(options: SimulateOptions, inputs?: BatchInputs): Promise<BatchRun> {
  const table = loadPriceTable(options.pricesFile);
  const model = readStack(options.stack, readSynthesizedStack(options.outdir, options.stack));
  const [batch] = readBatch(model);
  if (!batch) throw new UsageError(`${options.stack} has no batch tier to simulate (no batch section in its environment)`);
  const given = inputs ?? (await readBatchInputs()).get(options.stack) ?? defaultBatchInputs();
  const timeZone = options.timeZone ?? REGION_ZONES[batch.region] ?? 'Etc/UTC';
  const startDay = options.start ?? DEFAULT_START;
  const start = localMidnight(startDay, timeZone);
  // The workflow's price is the first instance type's: createFleet tries it first, and the estimate prices it too.
  const instanceType = batch.instanceTypes[0]!;
  const prices = { instanceType, onDemandHourly: onDemandHourly(table, batch.region, instanceType), spotHourly: spotHourly(table, batch.region, instanceType) };
  const settings = {
    start,
    days: options.days,
    jobsPerDay: given.expected.jobsPerDay,
    minutesPerJob: given.expected.minutesPerJob,
    bootSeconds: options.launchDelaySeconds,
    spotInterruptionsPerDay: options.spotInterruptionsPerDay,
    interruptionRetries: given.interruptionRetries,
    seed: options.seed,
  };
  const result = simulateBatch(new LocalClock(timeZone), settings, prices);
  const hours = result.minutes / 60;
  const configuredFleet =
    batch.runner === 'spot-fleet'
      ? {
          instances: batch.targetCapacity,
          onDemand: batch.onDemandTargetCapacity,
          cost: hours * (batch.onDemandTargetCapacity * prices.onDemandHourly + (batch.targetCapacity - batch.onDemandTargetCapacity) * prices.spotHourly),
        }
      : undefined;
  return { stack: options.stack, batch, inputs: given, timeZone, startDay, settings, prices, result, table, ...(configuredFleet ? { configuredFleet } : {}) };
}

export function describeRun(run: SimulationRun, options: SimulateOptions): string {
  const s = run.settings;
  return [
    `Simulated ${options.stack} · ${run.fleet.name} (${run.fleet.region}, min ${run.fleet.minSize} / max ${run.fleet.maxSize} units) · ${options.days} days from ${options.start ?? DEFAULT_START} 00:00 ${run.timeZone} · seed ${s.seed}`,
    `Profile ${run.profile.name}: ${run.profile.description}.`,
    `Load: off-peak ${Math.round(s.baseRpm).toLocaleString('en-US')} requests/min ±${s.noise * 100}%; one capacity unit serves ${s.unitRpm.toLocaleString('en-US')} requests/min at 100% CPU; ` +
      `launch → in service ${s.launchDelayMinutes} min, then ${Math.ceil(run.fleet.defaultWarmupSeconds / 60)} min warm-up; Spot interruptions ${(s.spotInterruptionsPerDay * 100).toFixed(1)}% of Spot instances per day` +
      `${run.fleet.capacityRebalance ? ', capacity rebalance on' : ''}. Prices: data/prices.json (${run.table.date}).`,
  ].join('\n');
}

/** The verdict compare mode owes the reader: did predictive scaling cut the minutes over target? */
export function predictiveVerdict(results: NamedResult[]): string | undefined {
  const tt = results.find((r) => r.label === 'target-tracking-only');
  const predictive = results.find((r) => r.label === 'target+predictive');
  if (!tt || !predictive) return undefined;
  const a = tt.result.summary.minutesOverTarget;
  const b = predictive.result.summary.minutesOverTarget;
  if (b < a) return `Predictive scaling cut the minutes over the CPU target from ${a} to ${b} (${(((a - b) / a) * 100).toFixed(0)}% fewer).`;
  return (
    `Predictive scaling did NOT cut the minutes over the CPU target (${a} → ${b}). It forecast ${predictive.result.summary.forecastHours} hours; ` +
    'it needs 24 h of history before its first forecast, forecasts hourly means (a peak that starts mid-hour is under-forecast), and launches only scheduling_buffer_time ahead: a launch delay longer than the buffer leaves the start of each peak to target tracking.'
  );
}

async function main(): Promise<void> {
  const options = parseSimulateArgs(process.argv.slice(2));
  if (options.profile === BATCH_PROFILE) {
    ensureSynthOutput(options.outdir);
    const run = await runBatchSimulation(options);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ stack: run.stack, runner: run.batch.runner, profile: BATCH_PROFILE, inputs: run.inputs, settings: run.settings, prices: run.prices, summary: run.result.summary, configuredFleet: run.configuredFleet }, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${renderBatchRun(run)}\n`);
    return;
  }
  {
    ensureSynthOutput(options.outdir);
    const run = runSimulation(options);
    if (options.json) {
      const summaries = run.results.map((r) => ({ variant: r.label, summary: r.result.summary, activities: r.result.activities.length }));
      process.stdout.write(`${JSON.stringify({ stack: options.stack, fleet: run.fleet.name, profile: run.profile.name, settings: run.settings, results: summaries }, null, 2)}\n`);
      return;
    }
    const out = [describeRun(run, options), '', renderResults(run.results, run.table.hoursPerMonth)];
    const verdict = predictiveVerdict(run.results);
    if (verdict) out.push('', verdict);
    if (run.profile.name === 'evening-peak') out.push('', renderSeedComparison(seedComparison(run)));
    if (options.chart) {
      mkdirSync(options.outDir, { recursive: true });
      const base = join(options.outDir, `${options.stack}-${run.profile.name.replace(/[^A-Za-z0-9.-]+/g, '_')}${run.results.length > 1 ? '-compare' : ''}`);
      const files = await writeChart(
        run.results.map((r) => ({ label: r.label, points: r.result.timeline })),
        { title: `${options.stack} · ${run.profile.name} · ${options.days} days`, subtitle: `${run.fleet.name}, ${run.fleet.region}, seed ${run.settings.seed}` },
        base,
      );
      out.push('', `Chart: ${relative(files.svg)} and ${relative(files.png)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
}

function relative(file: string): string {
  return file.startsWith(`${ROOT}/`) ? file.slice(ROOT.length + 1) : file;
}

if (require.main === module) runCommand('simulate', main);
