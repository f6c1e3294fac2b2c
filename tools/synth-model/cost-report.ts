/** Plain-text and JSON renderings of cost estimates and cost diffs. */
import type { Assumptions, LineItem, StackEstimate } from './estimate';
import type { PriceTable } from './price-table';
import { cents } from './split';

export function usd(value: number): string {
  const sign = value < 0 ? '-' : '';
  return `${sign}$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Unit prices keep their significant digits: $0.0052 must not print as $0.01. */
export function unitUsd(value: number): string {
  const digits = value >= 1 ? 2 : Math.min(6, Math.max(4, 2 - Math.floor(Math.log10(value || 1)) + 1));
  return `$${Number(value.toFixed(digits)).toString()}`;
}

export function quantity(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 1 ? 3 : 1 });
}

/** Percent saved going from `baseline` to `actual`, one decimal. */
export function savedPercent(baseline: number, actual: number): string {
  return baseline > 0 ? `${(((baseline - actual) / baseline) * 100).toFixed(1)}%` : '–';
}

export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function lineRow(l: LineItem): string[] {
  return [l.resource, l.region, `${quantity(l.quantity)}${l.assumed ? '*' : ''}`, l.unit, unitUsd(l.unitPrice), usd(l.monthly)];
}

/** The table of one stack, its totals and what it saves against the static baselines. */
export function renderEstimate(estimate: StackEstimate): string {
  const rows = estimate.lines.map(lineRow);
  rows.push(['Total per month', '', '', '', '', usd(estimate.monthly)]);
  const out = [`■ ${estimate.stack}`, table(['Resource', 'Region', 'Quantity', 'Unit', 'Unit price', 'Monthly'], rows, new Set([2, 4, 5]))];
  for (const fleet of estimate.fleets) {
    out.push(
      `Fleet ${fleet.name} (${fleet.region}): ${quantity(fleet.averageUnits)} capacity units on average; ${fleet.prices.basis}; ` +
        `${unitUsd(fleet.prices.onDemandPerUnitHour)} on-demand vs ${unitUsd(fleet.prices.spotPerUnitHour)} Spot per unit-hour.`,
    );
  }
  for (const batch of estimate.batch ?? []) {
    out.push(
      batch.runner === 'workflow'
        ? `Batch tier (${batch.region}, workflow): ${quantity(batch.instanceHours)} Spot instance-hours a month for ${usd(batch.instanceMonthly)}, ${batch.transitionsPerRun} state transitions a run; expected work from ${batch.inputs}.`
        : `Batch tier (${batch.region}, Spot Fleet, 24/7): ${quantity(batch.instanceHours)} instance-hours a month for ${usd(batch.instanceMonthly)}; bucket usage from ${batch.inputs}.`,
    );
  }
  const { staticPeak, allOnDemand } = estimate.baselines;
  out.push(
    `Against static peak (every fleet at max capacity, on-demand, 24/7): ${usd(staticPeak)} → saves ${usd(cents(staticPeak - estimate.monthly))} (${savedPercent(staticPeak, estimate.monthly)}).`,
    `Against the same capacity all on-demand: ${usd(allOnDemand)} → saves ${usd(cents(allOnDemand - estimate.monthly))} (${savedPercent(allOnDemand, estimate.monthly)}).`,
  );
  if (estimate.usageOnly.length > 0) out.push(`Billed by usage, not estimated: ${estimate.usageOnly.join('; ')}.`);
  return out.join('\n');
}

/** What every figure rests on; printed under the tables. */
export function renderBasis(prices: PriceTable, pricesFile: string, assumptions: Assumptions, capacity: string): string {
  return [
    `Prices: ${pricesFile}, dated ${prices.date} (where each figure comes from, and which are unverified: its "source" field). Month = ${prices.hoursPerMonth} h.`,
    `Fleets priced at: ${capacity}. * = assumed usage: ${Object.entries(assumptions)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')} (override with --assume key=value).`,
    'Not applied: free tiers (3 dashboards, 10 alarms per account), KMS rotation charges after the first year, data transfer.',
  ].join('\n');
}

export interface CostDiff {
  stack: string;
  before: number;
  after: number;
  changes: Array<{ resource: string; unit: string; before: number; after: number }>;
}

/** Line-by-line difference between two estimates of the same stack (either may be absent). */
export function diffEstimates(stack: string, before: StackEstimate | undefined, after: StackEstimate | undefined): CostDiff {
  const key = (l: LineItem): string => `${l.resource}\u0000${l.unit}`;
  const old = new Map((before?.lines ?? []).map((l) => [key(l), l]));
  const now = new Map((after?.lines ?? []).map((l) => [key(l), l]));
  const changes: CostDiff['changes'] = [];
  for (const k of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(k)?.monthly ?? 0;
    const b = now.get(k)?.monthly ?? 0;
    if (a !== b) {
      const l = (now.get(k) ?? old.get(k))!;
      changes.push({ resource: l.resource, unit: l.unit, before: a, after: b });
    }
  }
  changes.sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before) || x.resource.localeCompare(y.resource));
  return { stack, before: before?.monthly ?? 0, after: after?.monthly ?? 0, changes };
}

export function signedUsd(value: number): string {
  return value > 0 ? `+${usd(value)}` : usd(value);
}

export function renderDiff(diffs: CostDiff[]): string {
  const rows = diffs.map((d) => [d.stack, usd(d.before), usd(d.after), signedUsd(cents(d.after - d.before))]);
  const total = diffs.reduce((acc, d) => ({ before: acc.before + d.before, after: acc.after + d.after }), { before: 0, after: 0 });
  rows.push(['Total', usd(cents(total.before)), usd(cents(total.after)), signedUsd(cents(total.after - total.before))]);
  const out = [table(['Stack', 'Before', 'After', 'Monthly change'], rows, new Set([1, 2, 3]))];
  for (const d of diffs.filter((x) => x.changes.length > 0)) {
    out.push(`\n${d.stack}:`);
    for (const c of d.changes) out.push(`  ${signedUsd(cents(c.after - c.before)).padStart(11)}  ${c.resource} — ${c.unit} (${usd(c.before)} → ${usd(c.after)})`);
  }
  return out.join('\n');
}
