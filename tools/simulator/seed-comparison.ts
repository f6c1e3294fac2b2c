/**
 * The guide's web-tier before/after line ($1,401 → $420), recomputed: once
 * for the stack that was simulated, and once for the guide's own fleet
 * (ten m5.xlarge in us-east-1) under the same traffic.
 */
import { onDemandHourly } from '../synth-model/price-table';
import { savedPercent, usd } from '../synth-model/cost-report';
import { SEED_M5_XLARGE_US_EAST_1, SEED_WEB_TIER } from '../synth-model/seed-figures';
import { instancesFor } from '../synth-model/split';
import type { Fleet } from '../synth-model/stack-model';
import { simulate } from './engine';
import { monthly, type SimulationRun } from './report';
import { variantOf } from './variants';

export interface SeedComparison {
  stack: string;
  fleet: string;
  region: string;
  hoursPerMonth: number;
  /** The stack as configured: a static on-demand tier for the simulated peak, and the simulated fleet. */
  project: { staticInstances: number; instanceType: string; before: number; after: number };
  /** The guide's fleet (10 × m5.xlarge, base 2 + 20 %, target 70 + predictive) under the same profile, at the guide's prices. */
  guideFleet: { before: number; after: number; onDemandShare: number };
  notes: string[];
}

/** The guide's web tier as a group: ten m5.xlarge at peak, two on-demand always. */
function guideFleet(like: Fleet): Fleet {
  return variantOf(
    {
      ...like,
      name: 'guide web tier',
      region: SEED_WEB_TIER.region,
      minSize: SEED_WEB_TIER.onDemandBase,
      maxSize: SEED_WEB_TIER.staticInstances,
      desiredCapacity: SEED_WEB_TIER.onDemandBase,
      distribution: { onDemandBase: SEED_WEB_TIER.onDemandBase, onDemandPercentAboveBase: 20, onDemandStrategy: 'prioritized', spotStrategy: 'capacity-optimized' },
      overrides: [{ type: SEED_WEB_TIER.instanceType, weight: 1 }],
      policies: like.policies.filter((p) => p.kind === 'target-tracking' && p.metric === 'cpu'),
      schedules: [],
    },
    'target+predictive',
  );
}

export function seedComparison(run: SimulationRun): SeedComparison {
  const configured = run.results.find((r) => r.label === 'as-configured') ?? run.results[0]!;
  const s = configured.result.summary;
  const hours = run.table.hoursPerMonth;
  const od = run.fleet.overrides[0]!;
  const staticInstances = instancesFor(Math.ceil(s.peakDemandUnits - 1e-9), od.weight);

  // The guide's fleet: the same traffic shape, scaled so its peak needs exactly its ten servers at the target.
  const seedOnDemand = SEED_M5_XLARGE_US_EAST_1[0].hourly;
  const seedSpot = SEED_M5_XLARGE_US_EAST_1[3].hourly;
  const fleet = guideFleet(run.fleet);
  const peakMultiplier = maxMultiplier(run);
  const settings = { ...run.settings, baseRpm: (SEED_WEB_TIER.staticInstances * run.settings.unitRpm * (s.cpuTarget / 100)) / peakMultiplier / (1 + run.settings.noise) };
  const guide = simulate(fleet, run.profile, settings, { onDemand: { [SEED_WEB_TIER.instanceType]: seedOnDemand }, spot: { [SEED_WEB_TIER.instanceType]: seedSpot } }).summary;

  const seoulXl = safe(() => onDemandHourly(run.table, run.fleet.region, SEED_WEB_TIER.instanceType));
  const notes = [
    `The guide's before is ${SEED_WEB_TIER.staticInstances} × ${SEED_WEB_TIER.instanceType} on-demand all month in ${SEED_WEB_TIER.region} (${SEED_WEB_TIER.staticInstances} × $${seedOnDemand} × ${hours} h = ${usd(SEED_WEB_TIER.staticInstances * seedOnDemand * hours)}); its after ($${SEED_WEB_TIER.after}) is stated, not derived.`,
    `This project's before is a static on-demand tier just big enough for the simulated peak at the CPU target (${staticInstances} × ${od.type}); its after is the simulated group, Spot at the price table's average discount.`,
    `Region: ${run.fleet.region}${seoulXl === undefined ? '' : `, where ${SEED_WEB_TIER.instanceType} costs $${seoulXl}/h (${(((seoulXl - seedOnDemand) / seedOnDemand) * 100).toFixed(0)}% more than in ${SEED_WEB_TIER.region})`}; the capacity unit is a ${od.type}, not an ${SEED_WEB_TIER.instanceType}, so dollar figures differ even where the percentages agree.`,
    `The guide's own fleet under this profile keeps ${(guide.onDemandInstanceHours / (guide.onDemandInstanceHours + guide.spotInstanceHours) * 100).toFixed(0)}% of its instance-hours on-demand: off-peak it runs only its 2-instance on-demand base, which is most of the month, so the saving comes from not running 10 instances all day more than from Spot.`,
    'The guide\'s extra "schedule scaling −30%" line is not applied: the e-commerce profile has no idle nights to schedule away beyond what target tracking already removes.',
  ];
  return {
    // A group's construct path starts with its stack's name.
    stack: run.fleet.path.split('/')[0]!,
    fleet: run.fleet.name,
    region: run.fleet.region,
    hoursPerMonth: hours,
    project: {
      staticInstances,
      instanceType: od.type,
      before: staticInstances * onDemandHourly(run.table, run.fleet.region, od.type) * hours,
      after: monthly(s.cost, s.minutes, hours),
    },
    guideFleet: {
      before: SEED_WEB_TIER.staticInstances * seedOnDemand * hours,
      after: monthly(guide.cost, guide.minutes, hours),
      onDemandShare: guide.onDemandInstanceHours / (guide.onDemandInstanceHours + guide.spotInstanceHours),
    },
    notes,
  };
}

function maxMultiplier(run: SimulationRun): number {
  let peak = 1;
  for (let m = 0; m < run.settings.minutes; m += 5) peak = Math.max(peak, run.profile.multiplier(run.settings.start + m * 60_000));
  return peak;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export function renderSeedComparison(c: SeedComparison): string {
  const line = (name: string, before: number, after: number): string => `  ${name.padEnd(44)} ${usd(before).padStart(10)} → ${usd(after).padStart(9)}   saves ${savedPercent(before, after)}`;
  return [
    `The guide's web-tier line ("웹 서버 10대 → ASG (2 온디맨드 + 스팟)"), per ${c.hoursPerMonth} h month:`,
    line('Guide, as printed', SEED_WEB_TIER.before, SEED_WEB_TIER.after),
    line('Guide\'s fleet, simulated on this profile', c.guideFleet.before, c.guideFleet.after),
    line(`${c.stack} (${c.fleet}), simulated`, c.project.before, c.project.after),
    ...c.notes.map((n) => `  · ${n}`),
  ].join('\n');
}
