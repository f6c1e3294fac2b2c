/**
 * The batch profile (`npm run simulate -- <stack> --profile batch`): jobs
 * arrive over each day in a seeded pattern, each takes minutesPerJob, and
 * two ways of running them are priced against each other —
 *
 * - Spot only when needed (the workflow runner): one Spot instance launched
 *   per job, billed per second from launch to termination (boot + run, at
 *   least a minute), relaunched when Spot reclaims it;
 * - a 24/7 batch fleet sized for the run's peak (the guide's "before"), on
 *   demand and, for comparison, on Spot.
 */
import { seededRandom } from './engine';
import type { LocalClock } from './profiles';

/**
 * Share of a day's jobs arriving in each local hour: uploads follow the
 * working day (a morning rise, a lunch dip, an afternoon high), a nightly
 * export lands at 02:00, evenings trail off. Weekends carry half a weekday.
 */
export const BATCH_ARRIVAL_SHAPE: readonly number[] = [
  0.4, 0.4, 4.0, 1.0, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 3.0, 2.5, 1.5, 2.5, 3.0, 3.0, 2.5, 2.0, 1.5, 1.0, 0.8, 0.6, 0.5, 0.4,
];
const WEEKEND_FACTOR = 0.5;

export interface BatchSimulationSettings {
  /** Epoch ms of the first minute (local midnight). */
  start: number;
  days: number;
  /** Jobs a day on average over a week (weekdays carry more, weekends less): the environment's expected count. */
  jobsPerDay: number;
  minutesPerJob: number;
  /** From launch to the job starting on the instance (boot, SSM agent, the command sent). */
  bootSeconds: number;
  /** Share of running Spot instances reclaimed per day. */
  spotInterruptionsPerDay: number;
  /** Relaunches after an interruption; a job interrupted more often fails. */
  interruptionRetries: number;
  seed: number;
}

export interface BatchPrices {
  instanceType: string;
  onDemandHourly: number;
  spotHourly: number;
}

export interface BatchJob {
  /** Minute of the run it arrived in. */
  arrivedMinute: number;
  /** Instance launches it took (1 without interruption). */
  attempts: number;
  /** Seconds billed over all its instances. */
  billedSeconds: number;
  /** False when every attempt was interrupted. */
  completed: boolean;
}

export interface BatchSimulationResult {
  jobs: BatchJob[];
  minutes: number;
  /** Instances running the workflow's jobs, per minute (for the peak and a chart). */
  concurrency: number[];
  summary: {
    jobs: number;
    completed: number;
    interruptions: number;
    /** Spot only when needed. */
    whenNeeded: { instanceHours: number; cost: number };
    /** The most instances running at once: the size a 24/7 fleet needs to start every job on arrival. */
    peakConcurrent: number;
    /** A fleet of peakConcurrent instances, every hour of the run. */
    fleet24x7: { instances: number; instanceHours: number; onDemandCost: number; spotCost: number };
    /** Share of the fleet's hours spent running jobs. */
    fleetUtilization: number;
  };
}

/** Poisson-distributed count with mean `lambda` (Knuth; the means here are small). */
function poisson(lambda: number, random: () => number): number {
  if (lambda <= 0) return 0;
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Expected arrivals in the minute starting at `epochMs`. */
export function arrivalRate(clock: LocalClock, epochMs: number, jobsPerDay: number): number {
  const { hour, weekday } = clock.at(epochMs);
  const total = BATCH_ARRIVAL_SHAPE.reduce((a, b) => a + b, 0);
  // Normalized so a week averages jobsPerDay: five weekdays at w, two weekend days at w × factor.
  const weekdayDaily = (jobsPerDay * 7) / (5 + 2 * WEEKEND_FACTOR);
  const day = weekday === 0 || weekday === 6 ? weekdayDaily * WEEKEND_FACTOR : weekdayDaily;
  return (day * BATCH_ARRIVAL_SHAPE[hour]!) / total / 60;
}

export function simulateBatch(clock: LocalClock, settings: BatchSimulationSettings, prices: BatchPrices): BatchSimulationResult {
  const arrivals = seededRandom(settings.seed);
  const spot = seededRandom(settings.seed ^ 0x5f0f);
  const minutes = Math.round(settings.days * 1440);
  const runSeconds = settings.minutesPerJob * 60;
  // Concurrency per minute, with room for jobs that run past the end (their cost still counts).
  const concurrency = new Array<number>(minutes + Math.ceil((settings.bootSeconds + runSeconds) / 60) * (settings.interruptionRetries + 2)).fill(0);
  const occupy = (fromSecond: number, seconds: number): void => {
    for (let m = Math.floor(fromSecond / 60); m < Math.ceil((fromSecond + seconds) / 60) && m < concurrency.length; m++) concurrency[m]!++;
  };
  const jobs: BatchJob[] = [];
  let interruptions = 0;
  for (let minute = 0; minute < minutes; minute++) {
    const count = poisson(arrivalRate(clock, settings.start + minute * 60_000, settings.jobsPerDay), arrivals);
    for (let j = 0; j < count; j++) {
      let at = minute * 60 + Math.floor(arrivals() * 60);
      let attempts = 0;
      let billedSeconds = 0;
      let completed = false;
      while (attempts <= settings.interruptionRetries && !completed) {
        attempts++;
        const life = settings.bootSeconds + runSeconds;
        // Reclaims arrive at a constant rate per running instance: the chance this life is cut short, and where.
        const interruptedAfter = -Math.log(1 - spot()) * (86_400 / Math.max(settings.spotInterruptionsPerDay, 1e-12));
        const lived = settings.spotInterruptionsPerDay > 0 && interruptedAfter < life ? interruptedAfter : life;
        if (lived < life) interruptions++;
        else completed = true;
        // Linux instances bill per second, at least a minute per launch.
        billedSeconds += Math.max(60, Math.ceil(lived));
        occupy(at, lived);
        at += Math.ceil(lived);
      }
      jobs.push({ arrivedMinute: minute, attempts, billedSeconds, completed });
    }
  }
  const instanceHours = jobs.reduce((sum, j) => sum + j.billedSeconds, 0) / 3600;
  const peakConcurrent = Math.max(0, ...concurrency);
  const fleetHours = peakConcurrent * (minutes / 60);
  return {
    jobs,
    minutes,
    concurrency,
    summary: {
      jobs: jobs.length,
      completed: jobs.filter((j) => j.completed).length,
      interruptions,
      whenNeeded: { instanceHours, cost: instanceHours * prices.spotHourly },
      peakConcurrent,
      fleet24x7: { instances: peakConcurrent, instanceHours: fleetHours, onDemandCost: fleetHours * prices.onDemandHourly, spotCost: fleetHours * prices.spotHourly },
      fleetUtilization: fleetHours > 0 ? (jobs.filter((j) => j.completed).length * runSeconds) / 3600 / fleetHours : 0,
    },
  };
}
