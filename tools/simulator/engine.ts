/**
 * Minute-by-minute replay of a load against one Auto Scaling group as
 * synthesized: its sizes, split, scheduled actions and scaling policies.
 *
 * The model, and where it simplifies AWS (docs/cost-and-simulator.md
 * says the same):
 * - Load is requests per minute; one capacity unit serves `unitRpm` at
 *   100 % CPU, and load spreads evenly over in-service instances.
 * - An instance is billed from launch and takes traffic `launchDelayMinutes`
 *   later; for the group's instance warm-up after that its metrics do not
 *   count and the group does not scale in.
 * - Target tracking: its high alarm is 3 one-minute datapoints above the
 *   target, its low alarm 15 below 90 % of it (what AWS creates); a breach
 *   sets desired to ceil(in-service units × metric / target). Scale-in needs
 *   every policy that may scale in to agree.
 * - Step and simple policies read their own alarm (period, M of N) each
 *   minute; step scaling does not add again what is still warming up,
 *   simple scaling waits for its cooldown after the activity completes.
 * - Predictive scaling forecasts each hour's mean load from the previous
 *   days (same hour of the week once a week of history exists, same hour of
 *   the day before that, nothing in the first 24 h) and holds that capacity
 *   as a floor from `scheduling_buffer_time` before the hour; it never scales in.
 * - Spot interruptions hit each Spot instance with a fixed daily probability;
 *   the notice comes 2 minutes before termination; with capacity rebalance
 *   the replacement launches at the notice, without it at termination.
 */
import { instancesFor, onDemandOverride, splitCapacity, spotPools } from '../synth-model/split';
import type { Fleet, PolicyAlarm, PredictivePolicy, StepPolicy } from '../synth-model/stack-model';
import { applyScheduledAction, scheduleEvents, type Sizes } from '../synth-model/schedule';
import type { LoadProfile } from './profiles';
import type { TimelinePoint } from './timeline';

export interface SimulationSettings {
  /** Start of the run, epoch ms (rounded down to the minute). */
  start: number;
  minutes: number;
  /** Off-peak requests per minute: a profile multiplier of 1. */
  baseRpm: number;
  /** Requests per minute one capacity unit serves at 100 % CPU. */
  unitRpm: number;
  /** Minutes from launch until an instance takes traffic. */
  launchDelayMinutes: number;
  /** Fraction of running Spot instances interrupted per day. */
  spotInterruptionsPerDay: number;
  /** Relative amplitude of per-minute load noise (0.05 = ±5 %). */
  noise: number;
  /** Seed of every random choice: the same seed gives the same run. */
  seed: number;
}

/** Hourly USD for each instance type, by purchase option. */
export interface FleetPrices {
  onDemand: Record<string, number>;
  spot: Record<string, number>;
}

export interface ScalingActivity {
  minute: number;
  cause: string;
  from: number;
  to: number;
}

export interface SimulationSummary {
  minutes: number;
  cpuTarget: number;
  onDemandInstanceHours: number;
  spotInstanceHours: number;
  onDemandCost: number;
  spotCost: number;
  cost: number;
  minutesOverTarget: number;
  minutesOver90: number;
  /** Minutes with load but no instance in service. */
  minutesWithoutCapacity: number;
  /** Minutes from the first minute over the CPU target to the first back at or under it, per episode. */
  reactionMinutes: number[];
  peakDemandUnits: number;
  peakCapacityUnits: number;
  spotInterruptions: number;
  /** Max capacity on-demand for the whole run. */
  staticPeakCost: number;
  /** Enough on-demand capacity for the run's peak demand, for the whole run. */
  staticRightSizedCost: number;
  /** Hours for which predictive scaling forecast (and, in ForecastAndScale, acted). */
  forecastHours: number;
}

export interface SimulationResult {
  timeline: TimelinePoint[];
  activities: ScalingActivity[];
  summary: SimulationSummary;
}

interface Instance {
  option: 'on-demand' | 'spot';
  type: string;
  weight: number;
  launchedAt: number;
  inServiceAt: number;
  warmUntil: number;
  /** Minute the Spot instance is reclaimed, once its notice has come. */
  reclaimAt?: number;
}

/** A small seeded generator (mulberry32): runs are reproducible without a dependency. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMPARE: Record<PolicyAlarm['comparison'], (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

/** The CPU target the run is judged against: the CPU target-tracking policy's, else 70 (the seed's). */
export function cpuTargetOf(fleet: Fleet): number {
  const policy = fleet.policies.find((p) => (p.kind === 'target-tracking' || p.kind === 'predictive') && p.metric === 'cpu');
  return policy && (policy.kind === 'target-tracking' || policy.kind === 'predictive') ? policy.target : 70;
}

export function simulate(fleet: Fleet, profile: LoadProfile, settings: SimulationSettings, prices: FleetPrices): SimulationResult {
  const start = Math.floor(settings.start / 60_000) * 60_000;
  const loadRandom = seededRandom(settings.seed);
  const spotRandom = seededRandom(settings.seed ^ 0x5f0f);
  const poolRandom = seededRandom(settings.seed ^ 0x0a11);
  const cpuTarget = cpuTargetOf(fleet);
  // The same choice of types the cost estimate makes (split.ts).
  const odType = onDemandOverride(fleet, (type) => prices.onDemand[type]!);
  const pools = spotPools(fleet, (type) => prices.spot[type]!);
  const warmupMinutes = Math.ceil(fleet.defaultWarmupSeconds / 60);
  const interruptPerMinute = settings.spotInterruptionsPerDay / 1440;

  const events = scheduleEvents(fleet.schedules, start, start + settings.minutes * 60_000);
  let nextEvent = 0;
  let sizes: Sizes = { minSize: fleet.minSize, maxSize: fleet.maxSize, desiredCapacity: fleet.desiredCapacity };
  const instances: Instance[] = [];
  const timeline: TimelinePoint[] = [];
  const activities: ScalingActivity[] = [];
  const loads: number[] = [];
  const cpuHistory: number[] = [];
  const highStreak = new Map<string, number>();
  const lowStreak = new Map<string, number>();
  const cooldownUntil = new Map<string, number>();
  const summary: SimulationSummary = {
    minutes: settings.minutes,
    cpuTarget,
    onDemandInstanceHours: 0,
    spotInstanceHours: 0,
    onDemandCost: 0,
    spotCost: 0,
    cost: 0,
    minutesOverTarget: 0,
    minutesOver90: 0,
    minutesWithoutCapacity: 0,
    reactionMinutes: [],
    peakDemandUnits: 0,
    peakCapacityUnits: 0,
    spotInterruptions: 0,
    staticPeakCost: 0,
    staticRightSizedCost: 0,
    forecastHours: 0,
  };
  const predictive = fleet.policies.find((p): p is PredictivePolicy => p.kind === 'predictive');
  let forecastFloor = 0;
  let forecastMax = sizes.maxSize;
  let episodeStart: number | undefined;

  const launch = (option: Instance['option'], minute: number): void => {
    const pool = option === 'on-demand' ? odType : pools[Math.floor(poolRandom() * pools.length)]!;
    instances.push({
      option,
      type: pool.type,
      weight: pool.weight,
      launchedAt: minute,
      inServiceAt: minute + settings.launchDelayMinutes,
      warmUntil: minute + settings.launchDelayMinutes + warmupMinutes,
    });
  };
  const unitsOf = (list: Instance[]): number => list.reduce((sum, i) => sum + i.weight, 0);
  // What counts toward desired: instances not already under a Spot notice.
  const counted = (): Instance[] => instances.filter((i) => i.reclaimAt === undefined || !fleet.capacityRebalance);

  const setDesired = (minute: number, value: number, cause: string, max: number): void => {
    const next = Math.max(sizes.minSize, Math.min(max, Math.round(value)));
    if (next !== sizes.desiredCapacity) {
      activities.push({ minute, cause, from: sizes.desiredCapacity, to: next });
      sizes = { ...sizes, desiredCapacity: next };
    }
  };

  // The group exists before the run: the sizes its last scheduled action left, instances in service and warm.
  while (nextEvent < events.length && events[nextEvent]!.at < start) sizes = applyScheduledAction(sizes, events[nextEvent++]!.action);
  reconcile(-(settings.launchDelayMinutes + warmupMinutes));

  for (let minute = 0; minute < settings.minutes; minute++) {
    const now = start + minute * 60_000;

    while (nextEvent < events.length && events[nextEvent]!.at <= now) {
      const event = events[nextEvent++]!;
      const before = sizes.desiredCapacity;
      sizes = applyScheduledAction(sizes, event.action);
      if (sizes.desiredCapacity !== before) activities.push({ minute, cause: `schedule ${event.action.name}`, from: before, to: sizes.desiredCapacity });
    }

    const multiplier = profile.multiplier(now);
    const noise = settings.noise > 0 ? 1 + settings.noise * (loadRandom() * 2 - 1) : 1;
    const load = Math.max(0, (profile.absolute ? multiplier : settings.baseRpm * multiplier) * noise);
    loads.push(load);

    // Spot notices, then reclaims.
    for (const instance of instances) {
      if (instance.option === 'spot' && instance.reclaimAt === undefined && spotRandom() < interruptPerMinute) {
        instance.reclaimAt = minute + 2;
        summary.spotInterruptions++;
      }
    }
    for (let i = instances.length - 1; i >= 0; i--) if (instances[i]!.reclaimAt !== undefined && instances[i]!.reclaimAt! <= minute) instances.splice(i, 1);

    const serving = instances.filter((i) => i.inServiceAt <= minute);
    const servingUnits = unitsOf(serving);
    const cpu = servingUnits > 0 ? (load / (servingUnits * settings.unitRpm)) * 100 : load > 0 ? Number.POSITIVE_INFINITY : 0;
    cpuHistory.push(cpu);
    const warming = instances.some((i) => i.warmUntil > minute);
    const warmingUnits = unitsOf(instances.filter((i) => i.warmUntil > minute && i.reclaimAt === undefined));

    // Predictive: at `buffer` before each hour, forecast it and hold that capacity as a floor.
    if (predictive) {
      const bufferMinutes = Math.round(predictive.bufferSeconds / 60);
      const minuteOfHour = Math.floor((now % 3_600_000) / 60_000);
      if ((minuteOfHour + bufferMinutes) % 60 === 0) {
        const hourStart = minute + bufferMinutes;
        const forecast = forecastHourLoad(loads, minute, hourStart);
        if (forecast !== undefined) {
          summary.forecastHours++;
          const needed = Math.ceil(forecast / ((settings.unitRpm * predictive.target) / 100) - 1e-9);
          if (predictive.mode === 'ForecastAndScale') {
            forecastMax =
              predictive.maxCapacityBreach === 'IncreaseMaxCapacity'
                ? Math.max(sizes.maxSize, Math.ceil(needed * (1 + predictive.maxCapacityBufferPercent / 100)))
                : sizes.maxSize;
            forecastFloor = Math.min(needed, forecastMax);
          }
        }
      }
      if (forecastFloor > sizes.desiredCapacity) setDesired(minute, forecastFloor, `predictive ${predictive.name}`, forecastMax);
    }
    const max = Math.max(sizes.maxSize, predictive?.mode === 'ForecastAndScale' ? forecastMax : 0);

    // Target tracking.
    const proposals: number[] = [];
    let everyoneLow = true;
    let scaleInVoters = 0;
    for (const policy of fleet.policies) {
      if (policy.kind !== 'target-tracking' || policy.metric === 'other' || servingUnits === 0) continue;
      const metric = policy.metric === 'cpu' ? cpu : load / serving.length;
      const proposed =
        policy.metric === 'cpu'
          ? Math.ceil((servingUnits * metric) / policy.target - 1e-9)
          : Math.ceil(((serving.length * metric) / policy.target) * (servingUnits / serving.length) - 1e-9);
      const high = (highStreak.get(policy.name) ?? 0) + 1;
      const low = (lowStreak.get(policy.name) ?? 0) + 1;
      highStreak.set(policy.name, metric > policy.target ? high : 0);
      lowStreak.set(policy.name, metric < policy.target * 0.9 ? low : 0);
      if (metric > policy.target && high >= 3 && proposed > sizes.desiredCapacity) setDesired(minute, proposed, `target tracking ${policy.name}`, max);
      if (!policy.disableScaleIn) {
        scaleInVoters++;
        proposals.push(proposed);
        if (!(metric < policy.target * 0.9 && low >= 15)) everyoneLow = false;
      }
    }
    if (scaleInVoters > 0 && everyoneLow && !warming) {
      const proposed = Math.max(...proposals, forecastFloor);
      if (proposed < sizes.desiredCapacity) setDesired(minute, proposed, 'target tracking scale-in', max);
    }

    // Step and simple policies, each on its own alarm.
    for (const policy of fleet.policies) {
      if ((policy.kind !== 'step' && policy.kind !== 'simple') || !policy.alarm || policy.alarm.metric !== 'cpu') continue;
      const value = alarmValue(cpuHistory, policy.alarm);
      if (value === undefined) continue;
      if (policy.kind === 'step') {
        const step = matchingStep(policy, value - policy.alarm.threshold);
        if (!step) continue;
        const base = sizes.desiredCapacity - (step.adjustment > 0 ? warmingUnits : 0);
        const target = adjusted(policy.adjustmentType, base, step.adjustment);
        if (step.adjustment > 0 ? target > sizes.desiredCapacity : target < sizes.desiredCapacity && !warming) setDesired(minute, target, `step ${policy.name}`, max);
      } else if (minute >= (cooldownUntil.get(policy.name) ?? 0)) {
        const target = adjusted(policy.adjustmentType, sizes.desiredCapacity, policy.adjustment);
        if (target !== sizes.desiredCapacity) {
          setDesired(minute, target, `simple ${policy.name}`, max);
          const activity = policy.adjustment > 0 ? settings.launchDelayMinutes : 0;
          cooldownUntil.set(policy.name, minute + activity + Math.ceil(policy.cooldownSeconds / 60));
        }
      }
    }
    if (sizes.desiredCapacity > max) setDesired(minute, max, 'max capacity', max);

    reconcile(minute);

    // Bill the minute and record it.
    let odUnits = 0;
    let spotUnits = 0;
    let costPerHour = 0;
    for (const i of instances) {
      const hourly = i.option === 'on-demand' ? prices.onDemand[i.type]! : prices.spot[i.type]!;
      costPerHour += hourly;
      if (i.option === 'on-demand') {
        odUnits += i.weight;
        summary.onDemandInstanceHours += 1 / 60;
        summary.onDemandCost += hourly / 60;
      } else {
        spotUnits += i.weight;
        summary.spotInstanceHours += 1 / 60;
        summary.spotCost += hourly / 60;
      }
    }
    summary.cost += costPerHour / 60;
    const demandUnits = load / ((settings.unitRpm * cpuTarget) / 100);
    summary.peakDemandUnits = Math.max(summary.peakDemandUnits, demandUnits);
    summary.peakCapacityUnits = Math.max(summary.peakCapacityUnits, odUnits + spotUnits);
    if (cpu > cpuTarget) summary.minutesOverTarget++;
    if (cpu > 90) summary.minutesOver90++;
    if (servingUnits === 0 && load > 0) summary.minutesWithoutCapacity++;
    if (cpu > cpuTarget && episodeStart === undefined) episodeStart = minute;
    if (cpu <= cpuTarget && episodeStart !== undefined) {
      summary.reactionMinutes.push(minute - episodeStart);
      episodeStart = undefined;
    }
    timeline.push({
      minute,
      time: new Date(now).toISOString(),
      load,
      demandUnits,
      onDemandUnits: odUnits,
      spotUnits,
      cpu: Number.isFinite(cpu) ? cpu : 999,
      costPerHour,
      cumulativeCost: summary.cost,
    });
  }

  const hours = settings.minutes / 60;
  const odHourly = prices.onDemand[odType.type]!;
  summary.staticPeakCost = instancesFor(fleet.maxSize, odType.weight) * odHourly * hours;
  summary.staticRightSizedCost = instancesFor(Math.ceil(summary.peakDemandUnits - 1e-9), odType.weight) * odHourly * hours;
  return { timeline, activities, summary };

  /** Launches or terminates toward desired, keeping the on-demand / Spot split. */
  function reconcile(minute: number): void {
    const goal = splitCapacity(sizes.desiredCapacity, fleet.distribution);
    let current = counted();
    let odUnits = unitsOf(current.filter((i) => i.option === 'on-demand'));
    let total = unitsOf(current);
    while (odUnits < goal.onDemandUnits && total < sizes.desiredCapacity) {
      launch('on-demand', minute);
      odUnits += odType.weight;
      total += odType.weight;
    }
    while (total < sizes.desiredCapacity) {
      launch(goal.spotUnits > 0 ? 'spot' : 'on-demand', minute);
      total += instances[instances.length - 1]!.weight;
    }
    // Scale in: the option over its share first, newest (pending before in service) first.
    current = counted();
    while (total > sizes.desiredCapacity) {
      const spotOver = unitsOf(current.filter((i) => i.option === 'spot')) > goal.spotUnits;
      const candidates = current.filter((i) => i.option === (spotOver ? 'spot' : 'on-demand'));
      const pool = candidates.length > 0 ? candidates : current;
      const victim = pool.reduce((a, b) => (b.launchedAt > a.launchedAt ? b : a));
      // A heavy instance stays rather than take the group under desired.
      if (total - victim.weight < sizes.desiredCapacity) break;
      instances.splice(instances.indexOf(victim), 1);
      current = counted();
      total -= victim.weight;
    }
  }
}

/** Mean load AWS would forecast for the hour starting at `hourStart` (minutes), from what happened before `now`. */
export function forecastHourLoad(loads: readonly number[], now: number, hourStart: number): number | undefined {
  const day = 1440;
  const history = now; // minutes of history recorded so far
  if (history < day) return undefined;
  const lag = history >= 7 * day ? 7 * day : day;
  const periods = Math.min(lag === day ? 14 : 2, Math.floor((hourStart - 0) / lag));
  let sum = 0;
  let count = 0;
  for (let k = 1; k <= periods; k++) {
    const from = hourStart - k * lag;
    if (from < 0 || from + 60 > history) continue;
    for (let m = from; m < from + 60; m++) sum += loads[m]!;
    count += 60;
  }
  return count > 0 ? sum / count : undefined;
}

function alarmValue(history: readonly number[], alarm: PolicyAlarm): number | undefined {
  const period = Math.max(1, Math.round(alarm.periodSeconds / 60));
  if (history.length < period * alarm.evaluationPeriods) return undefined;
  const datapoints: number[] = [];
  for (let k = 0; k < alarm.evaluationPeriods; k++) {
    const end = history.length - k * period;
    const slice = history.slice(end - period, end).map((v) => (Number.isFinite(v) ? v : 100));
    datapoints.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  const breaching = datapoints.filter((v) => COMPARE[alarm.comparison](v, alarm.threshold)).length;
  return breaching >= alarm.datapointsToAlarm ? datapoints[0] : undefined;
}

function matchingStep(policy: StepPolicy, delta: number): StepPolicy['steps'][number] | undefined {
  return policy.steps.find((s) => (s.lower === undefined || delta >= s.lower) && (s.upper === undefined || delta < s.upper));
}

function adjusted(type: StepPolicy['adjustmentType'], current: number, adjustment: number): number {
  if (type === 'ExactCapacity') return adjustment;
  if (type === 'PercentChangeInCapacity') {
    const change = (current * adjustment) / 100;
    return current + (change > 0 ? Math.max(1, Math.floor(change)) : Math.min(-1, Math.ceil(change)));
  }
  return current + adjustment;
}
