/**
 * The batch profile: the seeded arrival pattern keeps the environment's daily
 * count on average, jobs are billed per second of boot and run (at least a
 * minute), interruptions relaunch up to the retry count, and the 24/7 fleet is
 * sized for the run's peak; then the command on the synthesized staging stack.
 */
import { describe, expect, it } from 'vitest';
import { arrivalRate, BATCH_ARRIVAL_SHAPE, simulateBatch, type BatchPrices, type BatchSimulationSettings } from '../../../tools/simulator/batch';
import { renderBatchRun } from '../../../tools/simulator/batch-report';
import { parseSimulateArgs, runBatchSimulation } from '../../../tools/simulator/main';
import { LocalClock } from '../../../tools/simulator/profiles';
import { synthApp } from '../../support/synth';

const START = Date.UTC(2025, 10, 3); // Monday 2025-11-03 00:00 UTC
const clock = new LocalClock('Etc/UTC');
const PRICES: BatchPrices = { instanceType: 'a.large', onDemandHourly: 0.2, spotHourly: 0.06 };

function settings(overrides: Partial<BatchSimulationSettings> = {}): BatchSimulationSettings {
  return { start: START, days: 7, jobsPerDay: 48, minutesPerJob: 15, bootSeconds: 120, spotInterruptionsPerDay: 0, interruptionRetries: 2, seed: 1, ...overrides };
}

describe('arrivals', () => {
  it('a week of expected arrivals is seven days of jobsPerDay, weekdays busier than weekends', () => {
    let week = 0;
    for (let m = 0; m < 7 * 1440; m++) week += arrivalRate(clock, START + m * 60_000, 48);
    expect(week).toBeCloseTo(7 * 48, 6);
    const day = (d: number): number => Array.from({ length: 1440 }, (_, m) => arrivalRate(clock, START + (d * 1440 + m) * 60_000, 48)).reduce((a, b) => a + b, 0);
    // Monday against Saturday: the weekend carries half.
    expect(day(5)).toBeCloseTo(day(0) / 2, 6);
  });

  it('follows the daily shape: the nightly export hour is the busiest, early morning the quietest', () => {
    const at = (hour: number): number => arrivalRate(clock, START + hour * 3_600_000, 48);
    expect(BATCH_ARRIVAL_SHAPE).toHaveLength(24);
    expect(at(2)).toBeGreaterThan(at(10));
    expect(at(4)).toBeLessThan(at(10));
  });

  it('is seeded: the same seed gives the same jobs, another seed others', () => {
    const a = simulateBatch(clock, settings(), PRICES);
    expect(simulateBatch(clock, settings(), PRICES).jobs).toEqual(a.jobs);
    expect(simulateBatch(clock, settings({ seed: 2 }), PRICES).jobs).not.toEqual(a.jobs);
    // Poisson around the mean: 336 expected in the week.
    expect(a.summary.jobs).toBeGreaterThan(336 * 0.8);
    expect(a.summary.jobs).toBeLessThan(336 * 1.2);
  });
});

describe('Spot only when needed against a 24/7 fleet', () => {
  it('without interruptions, each job bills its boot and its run, once', () => {
    const run = simulateBatch(clock, settings(), PRICES);
    expect(run.jobs.every((j) => j.attempts === 1 && j.completed && j.billedSeconds === 120 + 15 * 60)).toBe(true);
    expect(run.summary.whenNeeded.instanceHours).toBeCloseTo((run.jobs.length * 1020) / 3600, 9);
    expect(run.summary.whenNeeded.cost).toBeCloseTo(run.summary.whenNeeded.instanceHours * 0.06, 9);
  });

  it('bills at least a minute per launch', () => {
    const run = simulateBatch(clock, settings({ minutesPerJob: 0.1, bootSeconds: 0 }), PRICES);
    expect(run.jobs.every((j) => j.billedSeconds === 60)).toBe(true);
  });

  it('sizes the fleet for the most jobs running at once, and prices it every hour of the run', () => {
    const run = simulateBatch(clock, settings(), PRICES);
    expect(run.summary.peakConcurrent).toBe(Math.max(...run.concurrency));
    expect(run.summary.peakConcurrent).toBeGreaterThanOrEqual(2);
    expect(run.summary.fleet24x7).toEqual({
      instances: run.summary.peakConcurrent,
      instanceHours: run.summary.peakConcurrent * 168,
      onDemandCost: run.summary.peakConcurrent * 168 * 0.2,
      spotCost: run.summary.peakConcurrent * 168 * 0.06,
    });
    expect(run.summary.whenNeeded.cost).toBeLessThan(run.summary.fleet24x7.spotCost);
  });

  it('relaunches an interrupted job up to the retry count; with no retries it fails', () => {
    const stormy = settings({ spotInterruptionsPerDay: 50, minutesPerJob: 60 });
    const retried = simulateBatch(clock, stormy, PRICES);
    expect(retried.summary.interruptions).toBeGreaterThan(0);
    expect(Math.max(...retried.jobs.map((j) => j.attempts))).toBe(3);
    const none = simulateBatch(clock, { ...stormy, interruptionRetries: 0 }, PRICES);
    expect(none.jobs.every((j) => j.attempts === 1)).toBe(true);
    expect(none.summary.completed).toBeLessThan(none.summary.jobs);
  });
});

describe('npm run simulate -- staging --profile batch', () => {
  it('replays staging\'s expected jobs on its batch tier and prints the comparison', async () => {
    const { outdir } = await synthApp();
    const options = parseSimulateArgs(['staging', '--profile', 'batch', '--days', '7', '--out', outdir]);
    const run = await runBatchSimulation(options);
    expect(run.batch.runner).toBe('workflow');
    expect(run.settings.jobsPerDay).toBe(run.inputs.expected.jobsPerDay);
    expect(run.inputs.source).toContain('staging.batch.expected');
    const text = renderBatchRun(run);
    expect(text).toContain('Spot only when needed (one instance per job)');
    expect(text).toMatch(/24\/7 fleet for the peak, on demand +\d+ +[\d,.]+ +\$[\d,.]+ +\$[\d,.]+ +\d+\.\d%/);
    // Given other inputs, the run follows them.
    const doubled = await runBatchSimulation(options, { ...run.inputs, expected: { ...run.inputs.expected, jobsPerDay: run.inputs.expected.jobsPerDay * 2 } });
    expect(doubled.result.summary.jobs).toBeGreaterThan(run.result.summary.jobs * 1.5);
  }, 120_000);

  it('refuses a stack without a batch tier', async () => {
    const { outdir } = await synthApp();
    await expect(runBatchSimulation(parseSimulateArgs(['dev', '--profile', 'batch', '--out', outdir]))).rejects.toThrow(/dev has no batch tier/);
  }, 120_000);
});
