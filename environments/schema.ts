/**
 * The contract every file in `environments/` satisfies.
 *
 * Field-level rules live in the zod schema; rules that relate two fields
 * (min vs max, subnets vs VPC, AZs vs region) live in `crossFieldRules`, so
 * one validation pass reports every problem with its full path.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { contains, defaultSubnetLayout, overlaps, parseCidr } from '../modules/network/cidr';

/** Longest `${project}-${name}`: keeps `-alb-logs-` bucket prefixes within S3's 37 characters. */
export const MAX_QUALIFIED_NAME = 24;

const slug = z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be lowercase letters, digits and dashes');
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IPv4 network CIDR (a.b.c.d/n with no host bits)`,
});
const count = (max = 1000) => z.number().int().min(0).max(max);

function inRange(min: number, max: number) {
  return z.number().refine((v) => v >= min && v <= max, {
    error: (issue) => `${String(issue.input)} is outside ${min}–${max}`,
  });
}

const instanceTypeSchema = z.strictObject({
  /** EC2 instance type, e.g. `t3.medium`. */
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'is not an EC2 instance type like t3.medium'),
  /** Capacity units one instance counts for (`weighted_capacity`). */
  weight: z
    .number()
    .int()
    .refine((w) => w > 0, { error: (issue) => `weight ${String(issue.input)} must be > 0` })
    .refine((w) => w <= 999, { error: 'weight must be ≤ 999' }),
});

/** Metrics that scaling alarms can watch; the stack maps each to namespace and dimensions. */
export const alarmMetrics = ['cpu', 'requestCountPerTarget', 'targetResponseTime'] as const;
const alarmMetric = z.enum(alarmMetrics);
const comparison = z.enum(['above', 'below']);
const adjustmentType = z.enum(['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity']);

const stepSchema = z.strictObject({
  /** Lower bound of the breach size this step covers (metric − threshold); omit for −∞. */
  lower: z.number().optional(),
  /** Upper bound; omit for +∞. */
  upper: z.number().optional(),
  /** Instances (or percent, per adjustmentType) to add; negative removes. */
  adjustment: z.number().int(),
});

/** What step and simple policies share: a named alarm on a metric, and how it adjusts. */
function alarmPolicyFields(defaultPeriod: number) {
  return {
    name: slug,
    metric: alarmMetric.default('cpu'),
    threshold: z.number(),
    /** Which side of the threshold breaches. */
    comparison: comparison.default('above'),
    evaluationPeriods: z.number().int().min(1).default(2),
    /** Seconds per evaluation period. */
    period: z.number().int().min(10).default(defaultPeriod),
    adjustmentType: adjustmentType.default('ChangeInCapacity'),
  };
}

const stepPolicySchema = z
  .strictObject({
    ...alarmPolicyFields(60),
    steps: z.array(stepSchema).min(1),
    estimatedInstanceWarmup: z.number().int().min(0).optional(),
  })
  .superRefine((policy, ctx) => checkSteps(policy, (message) => ctx.addIssue({ code: 'custom', message, path: ['steps'] })));

/** The seed's simple policy: 2 × 120 s periods, then a 300 s cooldown. */
const simplePolicySchema = z.strictObject({
  ...alarmPolicyFields(120),
  adjustment: z.number().int(),
  cooldown: z.number().int().min(0).default(300),
});

const scheduleSchema = z
  .strictObject({
    name: slug,
    /** Five-field cron, evaluated in `timeZone`. */
    recurrence: z.string().superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid cron expression: ${problem}` });
    }),
    timeZone: z
      .string()
      .refine(isTimeZone, { error: (issue) => `"${String(issue.input)}" is not an IANA time zone` })
      .default('Etc/UTC'),
    minSize: count().optional(),
    maxSize: count().optional(),
    desiredCapacity: count().optional(),
  })
  .superRefine((schedule, ctx) => checkScheduleSizes(schedule, (message) => ctx.addIssue({ code: 'custom', message })));

const predictiveSchema = z.strictObject({
  mode: z.enum(['ForecastAndScale', 'ForecastOnly']).default('ForecastAndScale'),
  /** Seconds ahead of the forecast to launch capacity. Seed: 300. */
  schedulingBufferTime: z.number().int().min(0).max(3600).default(300),
  maxCapacityBreachBehavior: z.enum(['HonorMaxCapacity', 'IncreaseMaxCapacity']).default('HonorMaxCapacity'),
  /** Percent above max capacity allowed with IncreaseMaxCapacity. */
  maxCapacityBuffer: z.number().int().min(0).max(100).optional(),
  /** What the forecast is built on. */
  metric: z.enum(['cpu', 'requests']).default('cpu'),
});

/** The seed's fleet: burstable and general-purpose, weighted by vCPU. */
export const SEED_INSTANCE_TYPES = [
  { type: 't3.medium', weight: 1 },
  { type: 't3a.medium', weight: 1 },
  { type: 'm5.large', weight: 2 },
  { type: 'm5a.large', weight: 2 },
];

const DEFAULT_USER_DATA = [
  '#!/bin/bash',
  'set -euo pipefail',
  'dnf install -y httpd',
  'echo ok > /var/www/html/health',
  'systemctl enable --now httpd',
  '',
].join('\n');

export const environmentSchema = z.strictObject({
  /** Project slug; prefixes every resource name. */
  project: slug.max(16),
  /** Environment name; also the stack name (`cdktf deploy <name>`). */
  name: slug.max(12),
  /** AWS region, e.g. `ap-northeast-2`. */
  region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'is not an AWS region like ap-northeast-2'),
  /** Explicit AZs (no data-source lookup, so plans work offline). At least 2. */
  availabilityZones: z
    .array(z.string())
    .refine((azs) => azs.length >= 2, { error: (issue) => `needs at least 2 AZs, got ${(issue.input as string[]).length}` }),
  network: z.strictObject({
    vpcCidr: cidr,
    /** `single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency). */
    natMode: z.enum(['single', 'per-az']).default('single'),
    /** Prefix length of generated subnets. */
    subnetPrefixLength: z.number().int().min(16).max(28).default(24),
    /** Explicit public subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    publicSubnets: z.array(cidr).optional(),
    /** Explicit private subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    privateSubnets: z.array(cidr).optional(),
    /** S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways. */
    s3GatewayEndpoint: z.boolean().default(true),
  }),
  instanceTypes: z
    .array(instanceTypeSchema)
    .refine((list) => list.length > 0, { error: 'needs at least one instance type' })
    .default(SEED_INSTANCE_TYPES),
  /** In weighted capacity units. */
  capacity: z
    .strictObject({
      minSize: count(),
      maxSize: count(),
      desiredCapacity: count().optional(),
    })
    .default({ minSize: 2, maxSize: 30 }),
  mixedInstances: z
    .strictObject({
      onDemandBaseCapacity: count().default(2),
      onDemandPercentageAboveBaseCapacity: z.number().int().pipe(inRange(0, 100)).default(20),
      spotAllocationStrategy: z
        .enum(['capacity-optimized', 'price-capacity-optimized', 'capacity-optimized-prioritized', 'lowest-price'])
        .default('capacity-optimized'),
    })
    .default({ onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 20, spotAllocationStrategy: 'capacity-optimized' }),
  app: z
    .strictObject({
      port: z.number().int().pipe(inRange(1, 65535)).default(80),
      healthPath: z.string().regex(/^\/\S*$/, 'must start with /').default('/health'),
      userData: z.string().default(DEFAULT_USER_DATA),
      /** AMI ID or `resolve:ssm:` parameter. */
      imageId: z.string().default('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'),
    })
    .default({ port: 80, healthPath: '/health', userData: DEFAULT_USER_DATA, imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }),
  /** ACM certificate for the HTTPS listener; must be in `region`. */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'is not an ACM certificate ARN'),
  loadBalancer: z
    .strictObject({
      ingressCidrs: z.array(cidr).min(1).default(['0.0.0.0/0']),
      accessLogRetentionDays: z.number().int().min(1).default(90),
    })
    .default({ ingressCidrs: ['0.0.0.0/0'], accessLogRetentionDays: 90 }),
  scaling: z
    .strictObject({
      /** Target-tracking ASG average CPU, percent. Seed: 70. */
      cpuTarget: z.number().pipe(inRange(1, 100)).default(70),
      /** Target-tracking ALB requests per target; omitted = no request policy. */
      requestsPerTarget: z.number().positive().optional(),
      predictive: predictiveSchema.optional(),
      stepPolicies: z.array(stepPolicySchema).default([]),
      simplePolicies: z.array(simplePolicySchema).default([]),
      schedules: z.array(scheduleSchema).default([]),
    })
    .default({ cpuTarget: 70, stepPolicies: [], simplePolicies: [], schedules: [] }),
  flowLogs: z
    .strictObject({
      enabled: z.boolean().default(true),
      retentionDays: z.number().int().min(1).default(90),
    })
    .default({ enabled: true, retentionDays: 90 }),
  /** ALB deletion protection. */
  deletionProtection: z.boolean().default(true),
  /** Cost-allocation tags, applied to every resource through provider default_tags. */
  costTags: z.strictObject({
    CostCenter: z.string().min(1),
    Team: z.string().min(1),
    /** Defaults to `project`. */
    Project: z.string().min(1).optional(),
  }),
});

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type StepPolicySpec = EnvironmentSpec['scaling']['stepPolicies'][number];
export type SimplePolicySpec = EnvironmentSpec['scaling']['simplePolicies'][number];
export type ScheduleSpec = EnvironmentSpec['scaling']['schedules'][number];
export type AlarmMetric = (typeof alarmMetrics)[number];

/** Typed identity: gives environment files completion and type errors, nothing more. */
export function defineEnvironment(spec: EnvironmentInput): EnvironmentInput {
  return spec;
}

type Report = (path: (string | number)[], message: string) => void;

/**
 * Rules that relate fields to each other; each reports with a path. They run
 * on whatever sections parsed, so one bad field does not hide other problems.
 */
export function crossFieldRules(env: Partial<EnvironmentSpec>, report: Report): void {
  checkNaming(env, report);
  checkCapacity(env, report);
  checkInstanceTypes(env, report);
  checkNetwork(env, report);
  checkCertificate(env, report);
  checkScaling(env, report);
}

function checkNaming(env: Partial<EnvironmentSpec>, report: Report): void {
  if (env.project === undefined || env.name === undefined) return;
  const qualified = `${env.project}-${env.name}`;
  if (qualified.length > MAX_QUALIFIED_NAME) {
    report(['name'], `"${qualified}" is ${qualified.length} characters; project + name must fit in ${MAX_QUALIFIED_NAME}`);
  }
  if (env.name === 'state-backend') report(['name'], '"state-backend" is reserved for the state backend stack');
}

function checkCapacity(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.capacity) return;
  const { minSize, maxSize, desiredCapacity } = env.capacity;
  if (minSize > maxSize) report(['capacity'], `minSize ${minSize} > maxSize ${maxSize}`);
  if (desiredCapacity !== undefined && (desiredCapacity < minSize || desiredCapacity > maxSize)) {
    report(['capacity'], `desiredCapacity ${desiredCapacity} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  }
  if (!env.mixedInstances) return;
  const base = env.mixedInstances.onDemandBaseCapacity;
  if (base > maxSize) report(['mixedInstances'], `onDemandBaseCapacity ${base} > capacity.maxSize ${maxSize}`);
}

function checkInstanceTypes(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.instanceTypes) return;
  const seen = new Set<string>();
  env.instanceTypes.forEach(({ type }, i) => {
    if (seen.has(type)) report(['instanceTypes', i, 'type'], `duplicate instance type ${type}`);
    seen.add(type);
  });
}

function checkNetwork(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.region || !env.availabilityZones || !env.network) return;
  const azPattern = new RegExp(`^${env.region}(-[a-z]+-\\d)?[a-z]$`);
  const seen = new Set<string>();
  env.availabilityZones.forEach((az, i) => {
    if (!azPattern.test(az)) report(['availabilityZones', i], `${az} is not an availability zone of ${env.region}`);
    if (seen.has(az)) report(['availabilityZones', i], `duplicate availability zone ${az}`);
    seen.add(az);
  });

  const { vpcCidr, subnetPrefixLength, publicSubnets, privateSubnets } = env.network;
  const vpc = parseCidr(vpcCidr);
  if (!vpc) return; // already reported by the field rule
  const azCount = env.availabilityZones.length;
  if (!publicSubnets || !privateSubnets) {
    if (!defaultSubnetLayout(vpcCidr, subnetPrefixLength, azCount)) {
      report(
        ['network', 'subnetPrefixLength'],
        `${azCount} public + ${azCount} private /${subnetPrefixLength} subnets do not fit in VPC ${vpcCidr}`,
      );
    }
  }
  const explicit: [string, string[] | undefined][] = [
    ['publicSubnets', publicSubnets],
    ['privateSubnets', privateSubnets],
  ];
  const placed: { path: (string | number)[]; cidr: string }[] = [];
  for (const [field, list] of explicit) {
    if (!list) continue;
    if (list.length !== azCount) {
      report(['network', field], `has ${list.length} subnets for ${azCount} availability zones`);
    }
    list.forEach((subnet, i) => {
      const block = parseCidr(subnet);
      if (!block) return;
      if (!contains(vpc, block)) report(['network', field, i], `${subnet} does not fit in VPC ${vpcCidr}`);
      const clash = placed.find((p) => overlaps(parseCidr(p.cidr)!, block));
      if (clash) report(['network', field, i], `${subnet} overlaps ${clash.cidr} (network.${clash.path.join('.')})`);
      placed.push({ path: [field, i], cidr: subnet });
    });
  }
}

function checkCertificate(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.certificateArn || !env.region) return;
  const region = env.certificateArn.split(':')[3];
  if (region && region !== env.region) {
    report(['certificateArn'], `certificate is in ${region}; an ALB in ${env.region} needs one from ${env.region}`);
  }
}

function checkScaling(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.scaling) return;
  const { predictive, stepPolicies, simplePolicies, schedules, requestsPerTarget } = env.scaling;
  if (predictive?.metric === 'requests' && requestsPerTarget === undefined) {
    report(['scaling', 'predictive', 'metric'], 'forecasting on requests needs scaling.requestsPerTarget as its target');
  }
  if (predictive?.maxCapacityBreachBehavior === 'HonorMaxCapacity' && predictive.maxCapacityBuffer !== undefined) {
    report(['scaling', 'predictive', 'maxCapacityBuffer'], 'only applies with maxCapacityBreachBehavior IncreaseMaxCapacity');
  }
  const names = new Set<string>();
  const policyNames = [...stepPolicies.map((p) => p.name), ...simplePolicies.map((p) => p.name)];
  policyNames.forEach((name) => {
    if (names.has(name)) report(['scaling'], `duplicate scaling policy name ${name}`);
    names.add(name);
  });
  const scheduleNames = new Set<string>();
  schedules.forEach((schedule, i) => {
    if (scheduleNames.has(schedule.name)) report(['scaling', 'schedules', i, 'name'], `duplicate schedule name ${schedule.name}`);
    scheduleNames.add(schedule.name);
  });
}

type ItemReport = (message: string) => void;

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

function cronProblem(expression: string): string | undefined {
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

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
