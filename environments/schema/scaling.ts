/** How the group scales: target tracking, predictive, step and simple policies, and schedules. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { alarmPeriod } from '../aws-limits';
import { count, ranged, isTimeZone, reportDuplicates, slug, type ItemReport, type Report } from './primitives';

/** An IANA time zone a recurrence is read in; UTC when omitted. */
export const timeZone = z
  .string()
  .refine(isTimeZone, { error: (issue) => `"${String(issue.input)}" is not an IANA time zone` })
  .default('Etc/UTC');

/** Metrics that scaling alarms can watch; the stack maps each to namespace and dimensions. */
export const alarmMetrics = ['cpu', 'requestCountPerTarget', 'targetResponseTime'] as const;
const alarmMetric = z.enum(alarmMetrics);
const comparison = z.enum(['above', 'below']);
const adjustmentType = z.enum(['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity']);

const stepSchema = z.strictObject({
  /** Lower bound of the breach size this step covers (metric − threshold); omit for −∞. */
  lower: z.number().optional().meta({ description: 'Lower bound of the breach (metric − threshold) this step covers, inclusive; omitted, −∞.' }),
  /** Upper bound; omit for +∞. */
  upper: z.number().optional().meta({ description: 'Upper bound of the breach this step covers, exclusive; omitted, +∞.' }),
  /** Instances (or percent, per adjustmentType) to add; negative removes. */
  adjustment: z.number().int().meta({ description: 'Capacity units (or percent, or the exact capacity, per adjustmentType) to add; negative removes.' }),
});

/** What step and simple policies share: a named alarm on a metric, and how it adjusts. */
function alarmPolicyFields(defaultPeriod: number) {
  return {
    name: slug.meta({ description: 'Policy name, a slug; unique among step and simple policies.' }),
    metric: alarmMetric.default('cpu').meta({ description: 'Metric the alarm watches: ASG average CPU (percent), ALB requests per target, or target response time (seconds).' }),
    threshold: z.number().meta({ description: 'Alarm threshold, in the metric\'s unit.' }),
    /** Which side of the threshold breaches. */
    comparison: comparison.default('above').meta({ description: 'Which side of the threshold breaches: `above` scales out, `below` scales in.' }),
    evaluationPeriods: z.number().int().min(1).default(2).meta({ description: 'Consecutive breaching periods before the alarm fires; at least 1.' }),
    /** Seconds per evaluation period: 10, 20, 30 or whole minutes. */
    period: alarmPeriod.default(defaultPeriod).meta({ description: 'Seconds per evaluation period: 10, 20, 30 or a multiple of 60.' }),
    adjustmentType: adjustmentType
      .default('ChangeInCapacity')
      .meta({ description: 'How `adjustment` reads: capacity units to add, percent of current capacity, or the exact capacity to set.' }),
  };
}

const stepPolicySchema = z
  .strictObject({
    ...alarmPolicyFields(60),
    steps: z
      .array(stepSchema.meta({ description: 'One step: a range of breach sizes and its adjustment.' }))
      .min(1)
      .meta({ description: 'Contiguous, non-overlapping steps; an `above` policy starts at ≥ 0 and its last step has no upper bound, a `below` one mirrors that.' }),
    estimatedInstanceWarmup: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Seconds before a new instance counts towards the metric; omitted, the group\'s default.' }),
  })
  .superRefine((policy, ctx) => checkSteps(policy, (message) => ctx.addIssue({ code: 'custom', message, path: ['steps'] })))
  .meta({ description: 'A step scaling policy: an alarm and adjustments sized by how far the metric breaches.' });

/** The seed's simple policy: 2 × 120 s periods, then a 300 s cooldown. */
const simplePolicySchema = z
  .strictObject({
    ...alarmPolicyFields(120),
    adjustment: z.number().int().meta({ description: 'Capacity units (or percent, or exact capacity, per adjustmentType) to add when the alarm fires; negative removes.' }),
    cooldown: z.number().int().min(0).default(300).meta({ description: 'Seconds after an adjustment before the policy may act again.' }),
  })
  .meta({ description: 'A simple scaling policy: one alarm, one adjustment, then a cooldown (default periods 2 × 120 s).' });

const scheduleSchema = z
  .strictObject({
    name: slug.meta({ description: 'Schedule name, a slug; unique among schedules.' }),
    /** Five-field cron, evaluated in `timeZone`. */
    recurrence: cronRecurrence().meta({ description: 'Five-field cron (minute hour day-of-month month day-of-week), evaluated in timeZone.' }),
    timeZone: timeZone.meta({ description: 'IANA time zone the recurrence is read in, e.g. Europe/Berlin.' }),
    minSize: count().optional().meta({ description: 'Group minSize from this time on, in capacity units; omitted, unchanged.' }),
    maxSize: count().optional().meta({ description: 'Group maxSize from this time on, in capacity units; omitted, unchanged.' }),
    desiredCapacity: count().optional().meta({ description: 'Desired capacity set at this time, in capacity units; omitted, unchanged.' }),
  })
  .superRefine((schedule, ctx) => checkScheduleSizes(schedule, (message) => ctx.addIssue({ code: 'custom', message })))
  .meta({ description: 'A scheduled action: sizes set on a cron recurrence; at least one of minSize, maxSize, desiredCapacity.' });

const predictiveSchema = z
  .strictObject({
    mode: z
      .enum(['ForecastAndScale', 'ForecastOnly'])
      .default('ForecastAndScale')
      .meta({ description: '`ForecastAndScale` acts on the forecast; `ForecastOnly` only publishes it (to evaluate first).' }),
    /** Seconds ahead of the forecast to launch capacity. Seed: 300. */
    schedulingBufferTime: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .meta({ description: 'Seconds (0–3600) ahead of the forecast to launch capacity. Seed: 300.' }),
    maxCapacityBreachBehavior: z
      .enum(['HonorMaxCapacity', 'IncreaseMaxCapacity'])
      .default('HonorMaxCapacity')
      .meta({ description: 'Whether a forecast above capacity.maxSize is capped (`HonorMaxCapacity`) or may raise it (`IncreaseMaxCapacity`).' }),
    /** Percent above max capacity allowed with IncreaseMaxCapacity. */
    maxCapacityBuffer: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .meta({ description: 'Percent (0–100) above maxSize the forecast may raise it to; only with IncreaseMaxCapacity.' }),
    /** What the forecast is built on. */
    metric: z
      .enum(['cpu', 'requests'])
      .default('cpu')
      .meta({ description: 'What the forecast is built on: CPU (target scaling.cpuTarget) or requests (target scaling.requestsPerTarget, then required).' }),
  })
  .meta({ description: 'Predictive scaling from the daily and weekly load pattern; omitted, none.' });

const statistic = z.enum(['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount']);
/** CloudWatch's standard units. */
const CLOUDWATCH_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits',
  'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second',
  'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;
/** Policy names the tier gives its own target-tracking and predictive policies. */
export const RESERVED_POLICY_NAMES = ['cpu-target', 'requests-target', 'predictive'] as const;

/** CloudWatch metric fields: namespace and name 1–255 (a namespace not starting with `:`), up to 30 dimensions. */
function metricFields() {
  return {
    namespace: z
      .string()
      .regex(/^[^:].{0,254}$/, 'must be 1–255 characters, not starting with ":"')
      .meta({ description: 'CloudWatch namespace, e.g. `Orders` or `AWS/SQS`.' }),
    metricName: z.string().min(1).max(255).meta({ description: 'Metric name, e.g. `InFlightOrders`.' }),
    statistic: statistic.meta({ description: 'How the metric is aggregated: `Average`, `Minimum`, `Maximum`, `Sum` or `SampleCount`.' }),
    dimensions: z
      .record(z.string().min(1).max(255), z.string().min(1).max(1024))
      .refine((d) => Object.keys(d).length <= 30, { error: 'at most 30 dimensions' })
      .optional()
      .meta({ description: "Dimensions, name to value, exactly as the metric is published (e.g. `{ AutoScalingGroupName: '<project>-<name>-web' }`); omitted, none." }),
  };
}

const targetMetricSchema = z
  .strictObject({
    ...metricFields(),
    unit: z.enum(CLOUDWATCH_UNITS).optional().meta({ description: "CloudWatch unit of the metric, e.g. `Count`; omitted, the metric's own." }),
  })
  .meta({ description: 'One CloudWatch metric, held at targetValue.' });

const metricQuerySchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z][A-Za-z0-9_]{0,254}$/, 'must start with a lowercase letter, then letters, digits, _')
      .meta({ description: 'Name the expressions use, e.g. `backlog`: a lowercase letter, then letters, digits, `_`.' }),
    expression: z.string().min(1).max(2048).optional().meta({ description: 'Metric-math expression over the other ids, e.g. `backlog / instances`.' }),
    label: z.string().max(2048).optional().meta({ description: 'Label shown for the query.' }),
    returnData: z.boolean().default(false).meta({ description: 'Whether this query is the value held at targetValue; exactly one query is.' }),
    metric: z.strictObject(metricFields()).optional().meta({ description: 'The metric this query reads; a query has this or expression.' }),
  })
  .superRefine((query, ctx) => {
    if ((query.expression === undefined) === (query.metric === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of expression, metric' });
  });

const customTargetSchema = z
  .strictObject({
    name: slug.meta({ description: `Policy name, a slug; unique among scaling policies, not ${RESERVED_POLICY_NAMES.join(', ')}.` }),
    targetValue: z.number().positive().meta({ description: 'Value of the metric to hold the group at, in its unit; > 0.' }),
    disableScaleIn: z.boolean().default(false).meta({ description: 'Only ever add capacity (leave scale-in to other policies).' }),
    metric: targetMetricSchema.optional(),
    metrics: z
      .array(metricQuerySchema)
      .min(1)
      .optional()
      .meta({ description: 'Metric math: queries over metrics, exactly one with returnData true (the value held at targetValue).' }),
  })
  .superRefine((target, ctx) => {
    if ((target.metric === undefined) === (target.metrics === undefined)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of metric, metrics' });
    if (!target.metrics) return;
    const returning = target.metrics.filter((q) => q.returnData).length;
    if (returning !== 1) ctx.addIssue({ code: 'custom', path: ['metrics'], message: `exactly one query returns data (returnData true); ${returning} do` });
    reportDuplicates(
      target.metrics.map((q) => q.id),
      (i, id) => ctx.addIssue({ code: 'custom', path: ['metrics', i, 'id'], message: `id ${id} is used twice` }),
    );
  })
  .meta({ description: 'Target tracking on a CloudWatch metric of your own (metric) or metric math (metrics): the group scales to hold it at targetValue.' });

export const scalingSchema = z
  .strictObject({
    /** Target-tracking ASG average CPU, percent. Seed: 70. */
    cpuTarget: ranged(z.number(), 1, 100)
      .default(70)
      .meta({ description: 'Target-tracking ASG average CPU, percent (1–100). Seed: 70.' }),
    /** Target-tracking ALB requests per target; omitted = no request policy. */
    requestsPerTarget: z
      .number()
      .positive()
      .optional()
      .meta({ description: 'Target-tracking ALB requests per target (per minute); omitted, no request-count policy.' }),
    predictive: predictiveSchema.optional(),
    stepPolicies: z.array(stepPolicySchema).default([]).meta({ description: 'Step scaling policies; names unique across step and simple policies.' }),
    simplePolicies: z.array(simplePolicySchema).default([]).meta({ description: 'Simple scaling policies; names unique across step and simple policies.' }),
    schedules: z.array(scheduleSchema).default([]).meta({ description: 'Scheduled actions, each with a unique name.' }),
    customTargets: z
      .array(customTargetSchema)
      .default([])
      .meta({ description: 'Target tracking on your own CloudWatch metrics or metric math, beside cpuTarget and requestsPerTarget. Default: none.' }),
  })
  .prefault({})
  .meta({ description: 'Scaling: target tracking on CPU (and requests), predictive, step and simple policies, schedules.' });

type ScalingSpec = z.output<typeof scalingSchema>;

/** Rules within scaling: predictive's options agree, and names are unique. */
export function checkScaling(env: { scaling?: ScalingSpec }, report: Report): void {
  if (!env.scaling) return;
  const { predictive, stepPolicies, simplePolicies, schedules, requestsPerTarget } = env.scaling;
  if (predictive?.metric === 'requests' && requestsPerTarget === undefined) {
    report(['scaling', 'predictive', 'metric'], 'forecasting on requests needs scaling.requestsPerTarget as its target');
  }
  if (predictive?.maxCapacityBreachBehavior === 'HonorMaxCapacity' && predictive.maxCapacityBuffer !== undefined) {
    report(['scaling', 'predictive', 'maxCapacityBuffer'], 'only applies with maxCapacityBreachBehavior IncreaseMaxCapacity');
  }
  const customTargets = env.scaling.customTargets ?? [];
  const policyNames = [...stepPolicies.map((p) => p.name), ...simplePolicies.map((p) => p.name), ...customTargets.map((p) => p.name)];
  reportDuplicates(policyNames, (_, name) => report(['scaling'], `duplicate scaling policy name ${name}`));
  customTargets.forEach(({ name }, i) => {
    if ((RESERVED_POLICY_NAMES as readonly string[]).includes(name)) report(['scaling', 'customTargets', i, 'name'], `${name} is the name of the tier's own policy`);
  });
  reportDuplicates(
    schedules.map((s) => s.name),
    (i, name) => report(['scaling', 'schedules', i, 'name'], `duplicate schedule name ${name}`),
  );
}

/** AWS rejects step adjustments that overlap, leave gaps, or point the wrong way. */
function checkSteps(policy: { comparison: 'above' | 'below'; steps: { lower?: number; upper?: number }[] }, report: ItemReport): void {
  const sorted = [...policy.steps].sort((a, b) => (a.lower ?? -Infinity) - (b.lower ?? -Infinity));
  sorted.forEach((step, i) => {
    const lower = step.lower ?? -Infinity;
    const upper = step.upper ?? Infinity;
    if (lower >= upper) report(`step [${lower}, ${upper}) is empty`);
    const next = sorted[i + 1];
    if (next && (next.lower ?? -Infinity) !== upper) {
      report(`steps must be contiguous: one ends at ${upper}, the next starts at ${next.lower ?? -Infinity}`);
    }
  });
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (policy.comparison === 'above') {
    if (first && (first.lower ?? -Infinity) < 0) report('a scale-out (above) policy needs lower bounds ≥ 0');
    if (last?.upper !== undefined) report('the last step needs no upper bound');
  } else {
    if (last && (last.upper ?? Infinity) > 0) report('a scale-in (below) policy needs upper bounds ≤ 0');
    if (first?.lower !== undefined) report('the first step needs no lower bound');
  }
}

/** A five-field cron string; `problem` says what is wrong with one, if anything. */
export function cronRecurrence(problem: (expression: string) => string | undefined = cronProblem) {
  return z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid cron expression: ${found}` });
  });
}

/** Why `expression` is not five-field cron, as cron-parser reads it; undefined when it is. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `has ${fields.length} fields, needs 5 (minute hour day-of-month month day-of-week)`;
  try {
    CronExpressionParser.parse(expression, { tz: 'Etc/UTC' });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function checkScheduleSizes(
  schedule: { minSize?: number; maxSize?: number; desiredCapacity?: number },
  report: ItemReport,
): void {
  const { minSize, maxSize, desiredCapacity } = schedule;
  if (minSize === undefined && maxSize === undefined && desiredCapacity === undefined) {
    report('sets none of minSize, maxSize, desiredCapacity');
  }
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize) report(`minSize ${minSize} > maxSize ${maxSize}`);
  if (desiredCapacity !== undefined) {
    if (minSize !== undefined && desiredCapacity < minSize) report(`desiredCapacity ${desiredCapacity} < minSize ${minSize}`);
    if (maxSize !== undefined && desiredCapacity > maxSize) report(`desiredCapacity ${desiredCapacity} > maxSize ${maxSize}`);
  }
}
