/**
 * The autoscaling simulator against small traces whose outcome can be worked
 * by hand, then the CLI on the synthesized prod stack: predictive scaling
 * must beat target tracking alone on the evening peak.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fleet, PredictivePolicy, ScalingPolicy } from '../../../tools/synth-model/stack-model';
import { localMidnight, parseSimulateArgs, predictiveVerdict, runSimulation } from '../../../tools/simulator/main';
import { writeChart } from '../../../tools/simulator/chart';
import { forecastHourLoad, seededRandom, simulate, type FleetPrices, type SimulationSettings } from '../../../tools/simulator/engine';
import { blackFriday, builtInProfiles, csvProfile, LocalClock, type LoadProfile } from '../../../tools/simulator/profiles';
import { seedComparison } from '../../../tools/simulator/seed-comparison';
import { synthApp } from '../../support/synth';

const PRICES: FleetPrices = { onDemand: { 'a.small': 0.1 }, spot: { 'a.small': 0.03 } };
const START = Date.UTC(2025, 10, 3); // Monday 2025-11-03 00:00 UTC

const cpuTarget: ScalingPolicy = { kind: 'target-tracking', name: 'cpu', metric: 'cpu', target: 70, disableScaleIn: false };

function fleet(overrides: Partial<Fleet> = {}): Fleet {
  return {
    address: 'aws_autoscaling_group.g',
    path: 't/g',
    name: 'web',
    region: 'test-east-1',
    minSize: 1,
    maxSize: 10,
    desiredCapacity: 1,
    defaultWarmupSeconds: 120,
    defaultCooldownSeconds: 300,
    capacityRebalance: true,
    distribution: { onDemandBase: 1, onDemandPercentAboveBase: 0, onDemandStrategy: 'prioritized', spotStrategy: 'capacity-optimized' },
    overrides: [{ type: 'a.small', weight: 1 }],
    volumeGbPerInstance: 0,
    policies: [cpuTarget],
    schedules: [],
    ...overrides,
  };
}

function settings(overrides: Partial<SimulationSettings> = {}): SimulationSettings {
  return { start: START, minutes: 240, baseRpm: 500, unitRpm: 1000, launchDelayMinutes: 3, spotInterruptionsPerDay: 0, noise: 0, seed: 1, ...overrides };
}

/** ×`peak` from minute `from` (inclusive) to `to` (exclusive) of the run, else ×1. */
function stepProfile(from: number, to: number, peak: number): LoadProfile {
  return { name: 'step', description: 'step', multiplier: (t) => ((t - START) / 60_000 >= from && (t - START) / 60_000 < to ? peak : 1) };
}

describe('target tracking', () => {
  // 500 req/min on one unit = 50 % CPU; ×4 at minute 60 → 200 % on one unit.
  const run = simulate(fleet(), stepProfile(60, 120, 4), settings(), PRICES);

  it('a step load shows the lag: 3 alarm minutes, then 3 minutes of launch, before capacity catches up', () => {
    // Minutes 60, 61, 62 breach; the alarm fires at 62 and asks for ceil(1 × 200 / 70) = 3 units.
    expect(run.activities[0]).toEqual({ minute: 62, cause: 'target tracking cpu', from: 1, to: 3 });
    // The new instances take traffic at 65: 2000 / 3000 = 66.7 % ≤ 70.
    expect(run.timeline[64]!.cpu).toBeCloseTo(200, 6);
    expect(run.timeline[65]!.cpu).toBeCloseTo(200 / 3, 6);
    expect(run.summary.minutesOverTarget).toBe(5);
    expect(run.summary.reactionMinutes).toEqual([5]);
    // Billed from launch: 3 units from minute 62.
    expect(run.timeline[62]!.onDemandUnits + run.timeline[62]!.spotUnits).toBe(3);
  });

  it('scales in only after 15 minutes under 90 % of the target, to what the load needs', () => {
    // Back to 500 req/min at 120: 500 / 3000 = 16.7 %; the 15th low minute is 134 → ceil(3 × 16.7 / 70) = 1.
    expect(run.activities[1]).toEqual({ minute: 134, cause: 'target tracking scale-in', from: 3, to: 1 });
    expect(run.activities).toHaveLength(2);
  });

  it('bills on-demand and Spot by the split: base 1 on-demand, the rest Spot', () => {
    // 3 units from 62 to 134: 1 on-demand + 2 Spot for 72 minutes; 1 on-demand otherwise.
    expect(run.summary.spotInstanceHours).toBeCloseTo((2 * 72) / 60, 9);
    expect(run.summary.onDemandInstanceHours).toBeCloseTo(240 / 60, 9);
    expect(run.summary.cost).toBeCloseTo((240 / 60) * 0.1 + ((2 * 72) / 60) * 0.03, 9);
  });

  it('does not scale in while instances warm up', () => {
    // Peak of 2 minutes: the low streak would end at 63+15, but warm-up runs to 62+3+2 = 67 — later anyway;
    // a longer warm-up (30 min) must hold the scale-in until it ends.
    const slow = simulate(fleet({ defaultWarmupSeconds: 1800 }), stepProfile(60, 63, 4), settings(), PRICES);
    const scaleIn = slow.activities.find((a) => a.cause === 'target tracking scale-in')!;
    expect(scaleIn.minute).toBe(62 + 3 + 30);
  });
});

describe('scheduled actions', () => {
  it('fire at their local time: 08:00 and 20:00 in Seoul are 23:00 and 11:00 UTC', () => {
    const start = localMidnight('2025-11-03', 'Asia/Seoul');
    expect(new Date(start).toISOString()).toBe('2025-11-02T15:00:00.000Z');
    const schedules = [
      { name: 'wake', recurrence: '0 8 * * 1-5', timeZone: 'Asia/Seoul', desiredCapacity: 3 },
      { name: 'sleep', recurrence: '0 20 * * 1-5', timeZone: 'Asia/Seoul', desiredCapacity: 1 },
    ];
    const run = simulate(fleet({ policies: [], schedules }), stepProfile(0, 0, 1), settings({ start, minutes: 7 * 1440 }), PRICES);
    const fired = run.activities.map((a) => [a.minute, a.cause, a.to]);
    // Monday to Friday, at 480 and 1200 minutes into each local day; nothing at the weekend.
    const expected = [0, 1, 2, 3, 4].flatMap((d) => [
      [d * 1440 + 480, 'schedule wake', 3],
      [d * 1440 + 1200, 'schedule sleep', 1],
    ]);
    expect(fired).toEqual(expected);
  });

  it('a run that starts mid-schedule starts at the sizes the last action left', () => {
    const start = localMidnight('2025-11-03', 'Asia/Seoul') + 12 * 3_600_000; // Monday noon
    const schedules = [{ name: 'wake', recurrence: '0 8 * * 1-5', timeZone: 'Asia/Seoul', desiredCapacity: 3 }];
    const run = simulate(fleet({ policies: [], schedules }), stepProfile(0, 0, 1), settings({ start, minutes: 10 }), PRICES);
    expect(run.timeline[0]!.onDemandUnits + run.timeline[0]!.spotUnits).toBe(3);
  });
});

describe('step and simple policies', () => {
  it('a step policy adds the step its breach falls in, and not again what is still warming', () => {
    const step: ScalingPolicy = {
      kind: 'step',
      name: 'burst',
      adjustmentType: 'ChangeInCapacity',
      steps: [
        { lower: 0, upper: 10, adjustment: 1 },
        { lower: 10, upper: 20, adjustment: 3 },
        { lower: 20, adjustment: 5 },
      ],
      alarm: { metric: 'cpu', metricName: 'CPUUtilization', comparison: '>=', threshold: 80, evaluationPeriods: 2, datapointsToAlarm: 2, periodSeconds: 60 },
    };
    // 2 units at 500 req/min = 25 %; ×3.8 → 95 % = threshold + 15 → +3, once the alarm has 2 datapoints (minute 61).
    const run = simulate(fleet({ policies: [step], minSize: 2, desiredCapacity: 2 }), stepProfile(60, 240, 3.8), settings(), PRICES);
    expect(run.activities[0]).toEqual({ minute: 61, cause: 'step burst', from: 2, to: 5 });
    // While the 3 new units warm (to 61+3+2 = 66), the still-breaching alarm adds nothing more.
    expect(run.activities.filter((a) => a.minute < 66)).toHaveLength(1);
    // In service at 64: 1900 / 5000 = 38 %, under the threshold for good.
    expect(run.activities).toHaveLength(1);
  });

  it('a simple policy waits out its cooldown between adjustments', () => {
    const simple: ScalingPolicy = {
      kind: 'simple',
      name: 'idle',
      adjustmentType: 'ChangeInCapacity',
      adjustment: -1,
      cooldownSeconds: 600,
      alarm: { metric: 'cpu', metricName: 'CPUUtilization', comparison: '<=', threshold: 20, evaluationPeriods: 5, datapointsToAlarm: 5, periodSeconds: 60 },
    };
    // 6 units at 500 req/min = 8.3 % CPU: the alarm holds from minute 4; one unit goes every 10 minutes
    // until 2 units run at 25 %, over the 20 % threshold, and the alarm clears.
    const run = simulate(fleet({ policies: [simple], desiredCapacity: 6 }), stepProfile(0, 0, 1), settings({ minutes: 120 }), PRICES);
    expect(run.activities.map((a) => [a.minute, a.to])).toEqual([
      [4, 5],
      [14, 4],
      [24, 3],
      [34, 2],
    ]);
  });
});

describe('predictive scaling', () => {
  const predictive: PredictivePolicy = {
    kind: 'predictive',
    name: 'forecast',
    mode: 'ForecastAndScale',
    metric: 'cpu',
    target: 70,
    bufferSeconds: 300,
    maxCapacityBreach: 'HonorMaxCapacity',
    maxCapacityBufferPercent: 0,
  };
  // Every day ×5 from 20:00 to 22:00 UTC: 2,500 req/min needs ceil(2500 / 700) = 4 units.
  const daily: LoadProfile = { name: 'daily', description: 'daily', multiplier: (t) => (new Date(t).getUTCHours() >= 20 && new Date(t).getUTCHours() < 22 ? 5 : 1) };
  const three = settings({ minutes: 3 * 1440 });
  const withForecast = simulate(fleet({ policies: [cpuTarget, predictive] }), daily, three, PRICES);
  const trackingOnly = simulate(fleet(), daily, three, PRICES);

  it('forecasts nothing in the first 24 hours', () => {
    expect(withForecast.activities.filter((a) => a.minute < 1440 && a.cause.startsWith('predictive'))).toEqual([]);
  });

  it('pre-scales scheduling_buffer_time before a recurring peak, from the previous days', () => {
    const at = 1440 + 20 * 60 - 5; // day 2, 19:55
    expect(withForecast.activities).toContainEqual({ minute: at, cause: 'predictive forecast', from: 1, to: 4 });
    // In service at 19:58, ahead of the peak: no minute over target on day 2 or 3, where target tracking alone has its lag.
    const over = (r: typeof withForecast, day: number): number => r.timeline.slice(day * 1440, (day + 1) * 1440).filter((p) => p.cpu > 70).length;
    expect(over(withForecast, 1)).toBe(0);
    expect(over(withForecast, 2)).toBe(0);
    expect(over(trackingOnly, 1)).toBe(5);
    // Day 1 had no forecast: both lag alike.
    expect(over(withForecast, 0)).toBe(over(trackingOnly, 0));
  });

  it('HonorMaxCapacity caps the forecast at max; IncreaseMaxCapacity lifts max by the buffer for the forecast hour', () => {
    // ×20 at 20:00 needs ceil(10000 / 700) = 15 units; max is 10.
    const huge: LoadProfile = { name: 'huge', description: 'huge', multiplier: (t) => (new Date(t).getUTCHours() === 20 ? 20 : 1) };
    const two = settings({ minutes: 2 * 1440 });
    const capped = simulate(fleet({ policies: [cpuTarget, predictive] }), huge, two, PRICES);
    expect(capped.activities).toContainEqual({ minute: 1440 + 1195, cause: 'predictive forecast', from: 1, to: 10 });
    expect(capped.summary.peakCapacityUnits).toBe(10);
    const lifted = simulate(fleet({ policies: [cpuTarget, { ...predictive, maxCapacityBreach: 'IncreaseMaxCapacity', maxCapacityBufferPercent: 10 }] }), huge, two, PRICES);
    expect(lifted.activities).toContainEqual({ minute: 1440 + 1195, cause: 'predictive forecast', from: 1, to: 15 });
  });

  it('forecasts the mean of the same hour on previous days, or of the same hour last week once a week exists', () => {
    const day = 1440;
    const loads = Array.from({ length: 9 * day }, (_, m) => (m < 7 * day ? (Math.floor(m / day) + 1) * 100 : 0));
    // After 2 days: mean of day 1 and day 2's hour → (100 + 200) / 2.
    expect(forecastHourLoad(loads, 2 * day - 5, 2 * day)).toBe(150);
    // After 8 days: the same hour 7 days back (day 2: 200) — one week of history.
    expect(forecastHourLoad(loads, 8 * day - 5, 8 * day + 60)).toBe(200);
    expect(forecastHourLoad(loads, day - 1, day)).toBeUndefined();
  });
});

describe('Spot interruptions', () => {
  const spotFleet = fleet({ distribution: { onDemandBase: 0, onDemandPercentAboveBase: 0, onDemandStrategy: 'prioritized', spotStrategy: 'capacity-optimized' }, desiredCapacity: 4, minSize: 4, policies: [] });
  const often = settings({ minutes: 2 * 1440, spotInterruptionsPerDay: 0.5, seed: 7 });

  it('are reproducible from the seed, and differ with another seed', () => {
    const a = simulate(spotFleet, stepProfile(0, 0, 1), often, PRICES).summary;
    const b = simulate(spotFleet, stepProfile(0, 0, 1), often, PRICES).summary;
    const c = simulate(spotFleet, stepProfile(0, 0, 1), { ...often, seed: 8 }, PRICES).summary;
    expect(a).toEqual(b);
    expect(a.spotInterruptions).toBeGreaterThan(0);
    expect(c.spotInterruptions).not.toBe(a.spotInterruptions);
  });

  it('with capacity rebalance the replacement launches at the notice; without, capacity drops until it is in service', () => {
    const rebalanced = simulate(spotFleet, stepProfile(0, 0, 1), often, PRICES);
    const not = simulate({ ...spotFleet, capacityRebalance: false }, stepProfile(0, 0, 1), often, PRICES);
    // 500 req/min on 4 units is 12.5 %: any minute above it ran short of serving capacity.
    const short = (r: typeof rebalanced): number => r.timeline.filter((p) => p.cpu > 12.5 + 1e-9).length;
    expect(short(rebalanced)).toBeLessThan(short(not));
    expect(short(not)).toBeGreaterThan(0);
  });

  it('the seeded generator is deterministic', () => {
    const r = seededRandom(42);
    const s = seededRandom(42);
    expect([r(), r(), r()]).toEqual([s(), s(), s()]);
  });
});

describe('profiles', () => {
  it("the seed's cases: evening ×5, weekend ×3, month-end ×4, Black Friday ×10", () => {
    const clock = new LocalClock('Asia/Seoul');
    const byName = Object.fromEntries(builtInProfiles(clock).map((p) => [p.name, p]));
    const seoul = (iso: string): number => Date.parse(`${iso}+09:00`);
    expect(byName['evening-peak']!.multiplier(seoul('2025-11-05T21:00:00'))).toBe(5);
    expect(byName['evening-peak']!.multiplier(seoul('2025-11-05T12:00:00'))).toBe(1);
    expect(byName['evening-peak']!.multiplier(seoul('2025-11-05T19:52:30'))).toBeCloseTo(1 + (4 * 7) / 15, 9);
    expect(byName.weekend!.multiplier(seoul('2025-11-08T12:00:00'))).toBe(3);
    expect(byName.weekend!.multiplier(seoul('2025-11-05T12:00:00'))).toBe(1);
    expect(byName['month-end']!.multiplier(seoul('2025-11-29T12:00:00'))).toBe(4);
    expect(byName['month-end']!.multiplier(seoul('2025-11-27T12:00:00'))).toBe(1);
    expect(byName['black-friday']!.multiplier(seoul('2025-11-28T12:00:00'))).toBe(10);
    expect(blackFriday(2025)).toEqual({ month: 11, day: 28 });
    expect(blackFriday(2024)).toEqual({ month: 11, day: 29 });
  });

  it('a CSV of requests per minute or of multipliers, repeated past its end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-'));
    const requests = join(dir, 'requests.csv');
    writeFileSync(requests, 'minute,requests\n0,100\n1,200\n3,400\n');
    const p = csvProfile(requests, START);
    expect(p.absolute).toBe(true);
    expect([0, 1, 2, 3, 4].map((m) => p.multiplier(START + m * 60_000))).toEqual([100, 200, 200, 400, 100]);
    const multipliers = join(dir, 'multipliers.csv');
    writeFileSync(multipliers, 'time,multiplier\n2025-11-03T00:00:00Z,1\n2025-11-03T00:01:00Z,2.5\n');
    expect(csvProfile(multipliers, START).multiplier(START + 60_000)).toBe(2.5);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'minute,requests\n0,lots\n');
    expect(() => csvProfile(bad, START)).toThrow(/bad\.csv:2/);
  });
});

describe('npm run simulate on prod', () => {
  it('target+predictive has fewer minutes over target than target tracking alone on the evening peak', async () => {
    const { outdir } = await synthApp();
    const options = parseSimulateArgs(['prod', '--profile', 'evening-peak', '--compare', 'target-tracking-only,target+predictive', '--out', outdir]);
    const run = runSimulation(options);
    const [tt, predictive] = run.results.map((r) => r.result.summary);
    expect(predictive!.minutesOverTarget).toBeLessThan(tt!.minutesOverTarget);
    expect(predictiveVerdict(run.results)).toMatch(/cut the minutes over the CPU target/);
    // Both are far cheaper than the static peak, and the split keeps prod's two on-demand base.
    for (const r of run.results) {
      expect(r.result.summary.cost).toBeLessThan(r.result.summary.staticRightSizedCost);
      expect(Math.min(...r.result.timeline.map((p) => p.onDemandUnits))).toBeGreaterThanOrEqual(2);
    }

    const seed = seedComparison(run);
    expect(seed.guideFleet.before).toBeCloseTo(1401.6, 6);
    expect(seed.project.after).toBeLessThan(seed.project.before);

    const dir = mkdtempSync(join(tmpdir(), 'chart-'));
    const files = await writeChart(run.results.map((r) => ({ label: r.label, points: r.result.timeline })), { title: 'prod' }, join(dir, 'prod'));
    const svg = readFileSync(files.svg, 'utf8');
    expect(svg).toContain('target-tracking-only');
    expect(svg).toContain('target+predictive');
  });

  it('the same options give the same run', async () => {
    const { outdir } = await synthApp();
    const options = parseSimulateArgs(['prod', '--profile', 'black-friday', '--days', '28', '--out', outdir, '--spot-interruptions', '0.1']);
    const a = runSimulation(options).results[0]!.result.summary;
    const b = runSimulation(options).results[0]!.result.summary;
    expect(a).toEqual(b);
    // Black Friday ×10 needs more than the off-peak base, within max 30.
    expect(a.peakCapacityUnits).toBeGreaterThan(10);
    expect(a.peakCapacityUnits).toBeLessThanOrEqual(30);
  });

  it('runs as a command: a summary and a chart; a bad argument is one line and exit 2', async () => {
    const { outdir } = await synthApp();
    const charts = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const ok = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/simulator/main.ts', 'staging', '--profile', 'weekend', '--days', '7', '--out', outdir, '--out-dir', charts], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Profile weekend');
    expect(ok.stdout).toMatch(/Minutes over the CPU target +\d+/);
    expect(readFileSync(join(charts, 'staging-weekend.svg'), 'utf8')).toContain('<svg');
    const bad = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/simulator/main.ts', 'staging', '--profile', 'nope', '--out', outdir], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^simulate: --profile: nope is neither a built-in profile/)]);
  });

  it('names what is wrong with the arguments', () => {
    expect(() => parseSimulateArgs(['prod'])).toThrow(/--profile is required/);
    expect(() => parseSimulateArgs(['prod', '--profile', 'x', '--compare', 'magic'])).toThrow(/unknown variant magic/);
    expect(() => parseSimulateArgs(['prod', '--profile', 'x', '--days', '0'])).toThrow(/--days/);
  });
});
