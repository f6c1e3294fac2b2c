/** What `--profile batch` prints: Spot only when needed against a 24/7 fleet sized for the peak. */
import { quantity, savedPercent, table, usd } from '../synth-model/cost-report';
import type { BatchModel } from '../synth-model/batch-model';
import type { BatchInputs } from '../synth-model/batch-inputs';
import type { PriceTable } from '../synth-model/price-table';
import { SEED_COST_CASE } from '../synth-model/seed-figures';
import { BATCH_ARRIVAL_SHAPE, type BatchPrices, type BatchSimulationResult, type BatchSimulationSettings } from './batch';
import { monthly } from './report';

export interface BatchRun {
  stack: string;
  batch: BatchModel;
  inputs: BatchInputs;
  timeZone: string;
  startDay: string;
  settings: BatchSimulationSettings;
  prices: BatchPrices;
  result: BatchSimulationResult;
  table: PriceTable;
  /** The stack's own fleet (runner spot-fleet): its size and on-demand part, priced 24/7. */
  configuredFleet?: { instances: number; onDemand: number; cost: number };
}

export function renderBatchRun(run: BatchRun): string {
  const s = run.result.summary;
  const hours = run.table.hoursPerMonth;
  const perMonth = (cost: number): number => monthly(cost, run.result.minutes, hours);
  const { settings: st, prices: p } = run;
  const busiest = BATCH_ARRIVAL_SHAPE.indexOf(Math.max(...BATCH_ARRIVAL_SHAPE));
  const header = [
    `Simulated ${run.stack} · batch tier (runner ${run.batch.runner}, ${run.batch.region}, ${p.instanceType}) · ${st.days} days from ${run.startDay} 00:00 ${run.timeZone} · seed ${st.seed}`,
    `Profile batch: ${quantity(st.jobsPerDay)} jobs a day on average (${run.inputs.source}), ${quantity(st.minutesPerJob)} min each, arriving through the working day ` +
      `with a nightly export at ${String(busiest).padStart(2, '0')}:00 and half as many at weekends (seeded Poisson arrivals).`,
    `Each job: its own Spot instance, ${st.bootSeconds} s from launch to the job starting, billed per second (at least 60 s) until terminated; ` +
      `Spot interruptions ${(st.spotInterruptionsPerDay * 100).toFixed(1)}% of running instances per day, ${st.interruptionRetries} relaunch${st.interruptionRetries === 1 ? '' : 'es'} at most. ` +
      `Prices: data/prices.json (${run.table.date}): ${p.instanceType} $${p.onDemandHourly}/h on demand, $${Number(p.spotHourly.toFixed(5))}/h Spot.`,
  ];
  const rows: string[][] = [
    ['Spot only when needed (one instance per job)', 'per job', quantity(s.whenNeeded.instanceHours), usd(s.whenNeeded.cost), usd(perMonth(s.whenNeeded.cost)), '–'],
    [
      `24/7 fleet for the peak, on demand`,
      String(s.fleet24x7.instances),
      quantity(s.fleet24x7.instanceHours),
      usd(s.fleet24x7.onDemandCost),
      usd(perMonth(s.fleet24x7.onDemandCost)),
      savedPercent(s.fleet24x7.onDemandCost, s.whenNeeded.cost),
    ],
    [
      `24/7 fleet for the peak, Spot`,
      String(s.fleet24x7.instances),
      quantity(s.fleet24x7.instanceHours),
      usd(s.fleet24x7.spotCost),
      usd(perMonth(s.fleet24x7.spotCost)),
      savedPercent(s.fleet24x7.spotCost, s.whenNeeded.cost),
    ],
  ];
  if (run.configuredFleet) {
    const f = run.configuredFleet;
    const fleetHours = f.instances * (run.result.minutes / 60);
    rows.push([`This stack's Spot Fleet (${f.onDemand} of ${f.instances} on demand), 24/7`, String(f.instances), quantity(fleetHours), usd(f.cost), usd(perMonth(f.cost)), savedPercent(f.cost, s.whenNeeded.cost)]);
  }
  const body = table(['', 'Instances', 'Instance-hours', 'Cost, whole run', `Per ${hours} h month`, 'Spot when needed saves'], rows, new Set([1, 2, 3, 4, 5]));
  const failed = s.jobs - s.completed;
  const utilization = (s.fleetUtilization * 100).toFixed(0);
  const notes = [
    `Jobs: ${s.jobs.toLocaleString('en-US')} arrived, ${s.completed.toLocaleString('en-US')} completed; ${s.interruptions} Spot interruption${s.interruptions === 1 ? '' : 's'} relaunched${failed > 0 ? `, ${failed} failed after every attempt` : ''}.`,
    `Peak: ${s.peakConcurrent} jobs running at once; a fleet that size starts every job on arrival but is busy ${utilization}% of its hours.`,
    `Spot only when needed pays for the work and the boots (${quantity(s.whenNeeded.instanceHours)} h), not the idle hours between them: it saves ${savedPercent(s.fleet24x7.onDemandCost, s.whenNeeded.cost)} against the on-demand fleet and ${savedPercent(s.fleet24x7.spotCost, s.whenNeeded.cost)} against the same fleet on Spot.`,
    `The guide's batch line ($${SEED_COST_CASE.rows.batch.before.toLocaleString('en-US')} → $${SEED_COST_CASE.rows.batch.after}, ${SEED_COST_CASE.rows.batch.savedPercent}%) is 10% of the before; at a 70% Spot discount that is work filling a third of the before fleet's hours. Here the work fills ${utilization}% of a fleet sized for the peak.`,
  ];
  return [...header, '', body, '', ...notes.map((n) => `· ${n}`)].join('\n');
}
