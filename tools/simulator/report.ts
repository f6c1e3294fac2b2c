/** The simulator's printed summary, side by side when several variants ran. */
import { quantity, savedPercent, table, usd } from '../synth-model/cost-report';
import { median } from '../lib/stats';
import type { PriceTable } from '../synth-model/price-table';
import type { Fleet } from '../synth-model/stack-model';
import type { SimulationResult, SimulationSettings } from './engine';
import type { LoadProfile } from './profiles';

export interface NamedResult {
  label: string;
  result: SimulationResult;
}

/** Scales a run's cost to a 730-hour month. */
/** One simulated fleet under one profile, every variant's result. */
export interface SimulationRun {
  fleet: Fleet;
  profile: LoadProfile;
  timeZone: string;
  settings: SimulationSettings;
  results: NamedResult[];
  table: PriceTable;
}

export function monthly(cost: number, minutes: number, hoursPerMonth: number): number {
  return (cost * hoursPerMonth * 60) / minutes;
}

export function renderResults(results: NamedResult[], hoursPerMonth: number): string {
  const rows: Array<[string, (r: SimulationResult) => string]> = [
    ['On-demand instance-hours', (r) => `${quantity(r.summary.onDemandInstanceHours)} (${usd(r.summary.onDemandCost)})`],
    ['Spot instance-hours', (r) => `${quantity(r.summary.spotInstanceHours)} (${usd(r.summary.spotCost)})`],
    ['Fleet cost, whole run', (r) => usd(r.summary.cost)],
    [`Fleet cost per ${hoursPerMonth} h month`, (r) => usd(monthly(r.summary.cost, r.summary.minutes, hoursPerMonth))],
    ['Minutes over the CPU target', (r) => `${r.summary.minutesOverTarget} (${((r.summary.minutesOverTarget / r.summary.minutes) * 100).toFixed(2)}%)`],
    ['Minutes over 90% CPU', (r) => String(r.summary.minutesOver90)],
    ['Minutes with load and no instance', (r) => String(r.summary.minutesWithoutCapacity)],
    ['Back under target after (median / max)', (r) => reaction(r)],
    ['Peak demand / peak capacity (units)', (r) => `${quantity(r.summary.peakDemandUnits)} / ${r.summary.peakCapacityUnits}`],
    ['Scaling activities', (r) => String(r.activities.length)],
    ['Spot interruptions', (r) => String(r.summary.spotInterruptions)],
    ['Hours forecast by predictive scaling', (r) => String(r.summary.forecastHours)],
    ['Static peak (max capacity on-demand 24/7)', (r) => `${usd(r.summary.staticPeakCost)} → saves ${savedPercent(r.summary.staticPeakCost, r.summary.cost)}`],
    ['Static right-sized for the run\'s peak', (r) => `${usd(r.summary.staticRightSizedCost)} → saves ${savedPercent(r.summary.staticRightSizedCost, r.summary.cost)}`],
  ];
  const header = ['', ...results.map((r) => r.label)];
  const body = rows.map(([name, cell]) => [name, ...results.map((r) => cell(r.result))]);
  return table(header, body, new Set(results.map((_, i) => i + 1)));
}

function reaction(r: SimulationResult): string {
  const values = r.summary.reactionMinutes;
  if (values.length === 0) return 'never over target';
  return `${median(values)} / ${Math.max(...values)} min over ${values.length} episode${values.length === 1 ? '' : 's'}`;
}
