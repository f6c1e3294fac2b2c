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
import { RULES } from '../modules/security/rules';
import {
  alarmPeriod,
  awsRegion as region,
  base64Length,
  ec2InstanceType,
  logRetentionDays,
  MAX_INSTANCE_TYPES,
  MAX_USER_DATA_BASE64,
  READINESS_SCRIPT_ALLOWANCE,
  ROUTE53_CHECKER_REGIONS,
  tagKeyProblem,
  tagValueProblem,
} from './aws-limits';

/** Longest `${project}-${name}`: keeps `-alb-logs-` bucket prefixes within S3's 37 characters. */
export const MAX_QUALIFIED_NAME = 24;

export const slug = z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be lowercase letters, digits and dashes');
const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IPv4 network CIDR (a.b.c.d/n with no host bits)`,
});
/** VPCs and their subnets are /16 to /28: AWS refuses larger and smaller blocks at apply. */
function sizedCidr(what: string) {
  return cidr.superRefine((value, ctx) => {
    const prefix = parseCidr(value)?.prefix;
    if (prefix !== undefined && (prefix < 16 || prefix > 28)) ctx.addIssue({ code: 'custom', message: `${value} is a /${prefix}; a ${what} must be /16 to /28` });
  });
}
const vpcCidr = sizedCidr('VPC');
const subnetCidr = sizedCidr('subnet');
const count = (max = 1000) => z.number().int().min(0).max(max);

function inRange(min: number, max: number) {
  return z.number().refine((v) => v >= min && v <= max, {
    error: (issue) => `${String(issue.input)} is outside ${min}–${max}`,
  });
}

const instanceTypeSchema = z.strictObject({
  /** EC2 instance type, e.g. `t3.medium`. */
  type: ec2InstanceType,
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
    /** Seconds per evaluation period: 10, 20, 30 or whole minutes. */
    period: alarmPeriod.default(defaultPeriod),
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

const availabilityZones = z
  .array(z.string())
  .refine((azs) => azs.length >= 2, { error: (issue) => `needs at least 2 AZs, got ${(issue.input as string[]).length}` });
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'is not a lowercase DNS name like app.example.com');
const certificateArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'is not an ACM certificate ARN');
const natMode = z.enum(['single', 'per-az']);

// A refinement, not an enum: a type error would hide inside healthCheck's `false | {…}` union as "Invalid input".
const checkerRegion = z.string().refine((r) => (ROUTE53_CHECKER_REGIONS as readonly string[]).includes(r), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a Route 53 checker region (${ROUTE53_CHECKER_REGIONS.join(', ')})`,
});

const healthCheckSchema = z.strictObject({
  /** Path checked over HTTPS on port 443. */
  path: z.string().regex(/^\/\S*$/, 'must start with /').default('/health'),
  /** Consecutive failures before the endpoint counts as down. */
  failureThreshold: z.number().int().min(1).max(10).default(3),
  /** Seconds between checks; Route 53 offers 10 (fast) or 30. */
  requestInterval: z.union([z.literal(10), z.literal(30)]).default(10),
  /** Checker regions, from Route 53's eight; it needs at least 3. */
  regions: z
    .array(checkerRegion)
    .min(3, 'Route 53 needs at least 3 checker regions')
    .superRefine((regions, ctx) => reportDuplicates(regions, (i, region) => ctx.addIssue({ code: 'custom', path: [i], message: `duplicate checker region ${region}` })))
    .default(['us-east-1', 'eu-west-1', 'ap-southeast-1']),
});

/** (a) The same modules at reduced capacity in a second region. */
const standbyRegionSchema = z.strictObject({
  kind: z.literal('standby-region'),
  region,
  availabilityZones,
  vpcCidr,
  natMode: natMode.default('single'),
  /** In weighted capacity units; at most the primary's. */
  capacity: z.strictObject({ minSize: count().default(1), maxSize: count(), desiredCapacity: count().optional() }),
  /**
   * One on-demand instance keeps the standby alive when Spot is scarce, which
   * is when a regional event is most likely; the rest is Spot.
   */
  mixedInstances: z
    .strictObject({
      onDemandBaseCapacity: count().default(1),
      onDemandPercentageAboveBaseCapacity: z.number().int().pipe(inRange(0, 100)).default(0),
      spotAllocationStrategy: z
        .enum(['capacity-optimized', 'price-capacity-optimized', 'capacity-optimized-prioritized', 'lowest-price'])
        .default('capacity-optimized'),
    })
    .prefault({}),
  /** Listener certificate in the standby region; issued by ACM when omitted. */
  certificateArn: certificateArn.optional(),
});

/** (b) A static page served by CloudFront from a private bucket. */
const maintenanceSiteSchema = z.strictObject({
  kind: z.literal('maintenance-site'),
  message: z.string().min(1).default('We are doing some maintenance and will be back shortly.'),
});

const dnsSchema = z.strictObject({
  /** The name users reach the environment by, e.g. `app.example.com`. */
  domain: hostname,
  zone: z.strictObject({
    /** Zone apex, e.g. `example.com`. */
    name: hostname,
    /** Existing public zone ID; omitted, the stack creates the zone. */
    id: z.string().regex(/^Z[A-Z0-9]{1,32}$/, 'is not a Route 53 hosted zone ID').optional(),
  }),
  /** HTTPS health check on the primary load balancer; `false` for none. */
  healthCheck: z.union([z.literal(false), healthCheckSchema]).prefault({}),
  /** What answers when the primary is unhealthy; omitted, a plain alias record. */
  failover: z.discriminatedUnion('kind', [standbyRegionSchema, maintenanceSiteSchema]).optional(),
  /** Who the health-check alarm e-mails. */
  alarmEmails: z.array(z.email()).default([]),
});

const subscriberSchema = z
  .strictObject({
    protocol: z.enum(['email', 'https']),
    /** An e-mail address or an HTTPS URL. */
    endpoint: z.string().min(3),
  })
  .superRefine(({ protocol, endpoint }, ctx) => {
    // SNS accepts either at subscribe time and then waits forever for a confirmation that cannot come.
    const wrong = protocol === 'email' ? !z.email().safeParse(endpoint).success : !isHttpsUrl(endpoint);
    if (wrong) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: `${JSON.stringify(endpoint)} is not ${protocol === 'email' ? 'an e-mail address' : 'an https:// URL'}` });
  });

/** Alarms, their topics and the dashboard (seed section 10). */
const monitoringSchema = z.strictObject({
  /** Subscribers to `alerts`: warnings and their recoveries. */
  alerts: z.array(subscriberSchema).default([]),
  /** Subscribers to `critical`: the 5xx error rate and Spot interruption storms. */
  critical: z.array(subscriberSchema).default([]),
  /** ASG average CPU, percent, for 3 × 60 s. Seed: 85. */
  cpuHighPercent: z.number().pipe(inRange(1, 100)).default(85),
  /** Target 5xx responses as a percent of requests, over 60 s. Seed: 5. */
  errorRatePercent: z.number().pipe(inRange(0.1, 100)).default(5),
  /** p95 target response time bound, seconds. */
  p95ResponseSeconds: z.number().positive().max(60).default(1),
  /** Spot interruptions in 5 minutes that page. Seed: 3. */
  spotInterruptionsPer5Minutes: z.number().int().min(1).default(3),
  /** Days to keep the Spot handler's logs; one of CloudWatch Logs' retentions. */
  logRetentionDays: logRetentionDays.default(90),
});

/** Spot interruption handling, lifecycle hooks and chaos (seed sections 2, 3, 8). */
const resilienceSchema = z.strictObject({
  spotInterruptionHandler: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Reserved concurrency. AWS keeps 10 executions of an account unreserved,
       * so an account limited to 10 cannot reserve any: `false` reserves none
       * (and needs a CKV_AWS_115 security exception).
       */
      reservedConcurrency: z
        .union([z.literal(false), z.number().int().min(1, 'must be at least 1 (0 would throttle every event); false reserves none').max(100)])
        .default(2),
    })
    .prefault({}),
  lifecycleHooks: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Seconds a launching instance may take to report ready. Seed: 600. */
      launchHeartbeatSeconds: z.number().int().min(30).max(7200).default(600),
      /** Seconds a terminating instance gets to drain and ship logs. Seed: 300. */
      terminateHeartbeatSeconds: z.number().int().min(30).max(7200).default(300),
    })
    .prefault({}),
  /** An AWS FIS experiment that interrupts Spot instances of this fleet. */
  chaos: z
    .strictObject({
      /** Spot instances to interrupt per run. */
      instances: z.number().int().min(1).max(10).default(2),
      /** ISO-8601 warning before the interruption, PT2M to PT15M. */
      warning: z.string().regex(/^PT([2-9]|1[0-5])M$/, 'must be PT2M to PT15M').default('PT2M'),
    })
    .optional(),
});

/** A rule of the security pack waived for one resource (and what it contains), with why. */
const securityExceptionSchema = z.strictObject({
  /** ID of the rule, e.g. `CKV2_AWS_11` (modules/security/rules.ts lists them). */
  rule: z.string().refine((id) => RULES.some((r) => r.id === id), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a rule of the security pack (e.g. CKV2_AWS_11)`,
  }),
  /** Construct path of the resource, below the stack, e.g. `primary/network/vpc`. */
  resource: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'is not a construct path like primary/network/vpc'),
  /** Why the rule does not apply here; read by whoever reviews the synth summary. */
  reason: z.string().min(20, 'must say why in at least 20 characters'),
});

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
  /** AWS account the environment lives in; key policies name it. */
  account: z.string().regex(/^\d{12}$/, 'is not a 12-digit AWS account ID'),
  /** AWS region, e.g. `ap-northeast-2`. */
  region,
  /** Explicit AZs (no data-source lookup, so plans work offline). At least 2. */
  availabilityZones,
  network: z.strictObject({
    vpcCidr,
    /** `single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency). */
    natMode: natMode.default('single'),
    /** Prefix length of generated subnets. */
    subnetPrefixLength: z.number().int().min(16).max(28).default(24),
    /** Explicit public subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    publicSubnets: z.array(subnetCidr).optional(),
    /** Explicit private subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    privateSubnets: z.array(subnetCidr).optional(),
    /** S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways. */
    s3GatewayEndpoint: z.boolean().default(true),
  }),
  instanceTypes: z
    .array(instanceTypeSchema)
    .refine((list) => list.length > 0, { error: 'needs at least one instance type' })
    .refine((list) => list.length <= MAX_INSTANCE_TYPES, {
      error: (issue) => `has ${(issue.input as unknown[]).length} instance types; a mixed-instances policy takes at most ${MAX_INSTANCE_TYPES}`,
    })
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
      /** AMI ID (`ami-` + 8 or 17 hex digits) or `resolve:ssm:/parameter/name`. */
      imageId: z
        .string()
        .regex(/^(ami-([0-9a-f]{8}|[0-9a-f]{17})|resolve:ssm:\/[A-Za-z0-9_.\-/]+(:[A-Za-z0-9_.-]+)?)$/, 'is not an AMI ID (ami- and 8 or 17 lowercase hex digits) or a resolve:ssm:/parameter reference')
        .default('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'),
    })
    .superRefine((app, ctx) => checkUserDataSize(app, (message) => ctx.addIssue({ code: 'custom', path: ['userData'], message })))
    .default({ port: 80, healthPath: '/health', userData: DEFAULT_USER_DATA, imageId: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }),
  /** ACM certificate for the HTTPS listener, in `region`; issued through `dns` when omitted. */
  certificateArn: certificateArn.optional(),
  /** Route 53 name, certificates, health check and failover. */
  dns: dnsSchema.optional(),
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
      /** Days to keep flow logs; one of CloudWatch Logs' retentions. */
      retentionDays: logRetentionDays.default(90),
    })
    .default({ enabled: true, retentionDays: 90 }),
  /** ALB deletion protection. */
  deletionProtection: z.boolean().default(true),
  monitoring: monitoringSchema.prefault({}),
  resilience: resilienceSchema.prefault({}),
  /** Security-pack rules waived, each for one resource and with a reason. */
  securityExceptions: z.array(securityExceptionSchema).default([]),
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
export type MonitoringSpec = EnvironmentSpec['monitoring'];
export type ResilienceSpec = EnvironmentSpec['resilience'];
export type SecurityException = EnvironmentSpec['securityExceptions'][number];
export type DnsSpec = NonNullable<EnvironmentSpec['dns']>;
export type StandbyRegionSpec = Extract<NonNullable<DnsSpec['failover']>, { kind: 'standby-region' }>;

/** Typed identity: gives environment files completion and type errors, nothing more. */
export function defineEnvironment(spec: EnvironmentInput): EnvironmentInput {
  return spec;
}

export type Report = (path: (string | number)[], message: string) => void;

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
  checkDns(env, report);
  checkScaling(env, report);
  checkResilience(env, report);
  checkTags(env, report);
}

function checkNaming(env: Partial<EnvironmentSpec>, report: Report): void {
  if (env.project === undefined || env.name === undefined) return;
  const qualified = `${env.project}-${env.name}`;
  if (qualified.length > MAX_QUALIFIED_NAME) {
    report(['name'], `"${qualified}" is ${qualified.length} characters; project + name must fit in ${MAX_QUALIFIED_NAME}`);
  }
  if (env.name === 'state-backend') report(['name'], '"state-backend" is reserved for the state backend stack');
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:' && value.startsWith('https://');
  } catch {
    return false;
  }
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
  reportDuplicates(
    env.instanceTypes.map(({ type }) => type),
    (i, type) => report(['instanceTypes', i, 'type'], `duplicate instance type ${type}`),
  );
}

/** Calls `report` for every item equal to an earlier one. */
function reportDuplicates(items: readonly string[], report: (index: number, item: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item)) report(i, item);
    seen.add(item);
  });
}

/**
 * EC2 counts user data after base64 encoding, and the fleet appends its
 * readiness script (and the health path it polls) when lifecycle hooks are on;
 * the allowance is counted either way, so turning hooks on never breaks it.
 */
function checkUserDataSize(app: { userData: string; healthPath: string }, report: ItemReport): void {
  const bytes = Buffer.byteLength(app.userData) + READINESS_SCRIPT_ALLOWANCE + Buffer.byteLength(app.healthPath);
  const encoded = base64Length(bytes);
  if (encoded > MAX_USER_DATA_BASE64) {
    report(
      `${Buffer.byteLength(app.userData)} bytes, plus ${READINESS_SCRIPT_ALLOWANCE} for the readiness script, encode to ${encoded} base64 characters; EC2 takes ${MAX_USER_DATA_BASE64} (16 KB)`,
    );
  }
}

/**
 * costTags become provider default_tags, so every resource carries them, with
 * Environment and Project (which defaults to the project slug; ManagedBy is a
 * constant): each is checked as AWS checks tags and reported at the field it
 * comes from. The keys are fixed today; they are checked as well because a
 * key added here would reach every resource.
 */
function checkTags(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.costTags) return;
  const { Project, CostCenter, Team } = env.costTags;
  const tags: [key: string, value: string | undefined, path: (string | number)[]][] = [
    ['Environment', env.name, ['name']],
    ['Project', Project ?? env.project, Project === undefined ? ['project'] : ['costTags', 'Project']],
    ['CostCenter', CostCenter, ['costTags', 'CostCenter']],
    ['Team', Team, ['costTags', 'Team']],
  ];
  for (const [key, value, path] of tags) {
    const problem = tagKeyProblem(key) ?? (value === undefined ? undefined : tagValueProblem(key, value));
    if (problem) report(path, problem);
  }
}

function checkNetwork(env: Partial<EnvironmentSpec>, report: Report): void {
  if (!env.region || !env.availabilityZones || !env.network) return;
  checkAvailabilityZones(env.region, env.availabilityZones, (path, message) => report(['availabilityZones', ...path], message));

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
  if (!('certificateArn' in env)) return; // malformed: reported by its field rule
  if (!env.certificateArn) {
    if (!env.dns && !('dns' in env)) return; // dns itself failed to parse: reported there
    if (!env.dns) report(['certificateArn'], 'is required unless dns is configured (ACM then issues one)');
    return;
  }
  if (env.region) checkCertificateRegion(env.certificateArn, env.region, ['certificateArn'], report);
  checkCertificateAccount(env.certificateArn, env.account, ['certificateArn'], report);
}

function checkCertificateAccount(arn: string, account: string | undefined, path: (string | number)[], report: Report): void {
  const owner = arn.split(':')[4];
  if (account && owner && owner !== account) report(path, `certificate belongs to account ${owner}, not the environment's ${account}`);
}

function checkCertificateRegion(arn: string, expected: string, path: (string | number)[], report: Report): void {
  const region = arn.split(':')[3];
  if (region && region !== expected) report(path, `certificate is in ${region}; an ALB in ${expected} needs one from ${expected}`);
}

function checkDns(env: Partial<EnvironmentSpec>, report: Report): void {
  const dns = env.dns;
  if (!dns) return;
  const { domain, zone, failover, healthCheck } = dns;
  if (domain !== zone.name && !domain.endsWith(`.${zone.name}`)) {
    report(['dns', 'domain'], `${domain} is not inside zone ${zone.name}`);
  }
  if (failover && healthCheck === false) {
    report(['dns', 'healthCheck'], `failover to a ${failover.kind} needs a health check on the primary`);
  }
  if (failover?.kind !== 'standby-region') return;
  const at = (path: (string | number)[], message: string) => report(['dns', 'failover', ...path], message);
  if (env.region && failover.region === env.region) {
    at(['region'], `${failover.region} is the primary region; the standby must be in another`);
  }
  checkAvailabilityZones(failover.region, failover.availabilityZones, (path, message) => at(['availabilityZones', ...path], message));
  if (!defaultSubnetLayout(failover.vpcCidr, 24, failover.availabilityZones.length)) {
    at(['vpcCidr'], `${failover.availabilityZones.length} public + ${failover.availabilityZones.length} private /24 subnets do not fit in ${failover.vpcCidr}`);
  }
  const { minSize, maxSize, desiredCapacity } = failover.capacity;
  if (minSize > maxSize) at(['capacity'], `minSize ${minSize} > maxSize ${maxSize}`);
  if (desiredCapacity !== undefined && (desiredCapacity < minSize || desiredCapacity > maxSize)) {
    at(['capacity'], `desiredCapacity ${desiredCapacity} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  }
  if (env.capacity) {
    if (maxSize > env.capacity.maxSize) at(['capacity'], `standby maxSize ${maxSize} > primary maxSize ${env.capacity.maxSize}`);
    if (minSize > env.capacity.minSize) at(['capacity'], `standby minSize ${minSize} > primary minSize ${env.capacity.minSize}`);
  }
  if (failover.mixedInstances.onDemandBaseCapacity > maxSize) {
    at(['mixedInstances'], `onDemandBaseCapacity ${failover.mixedInstances.onDemandBaseCapacity} > capacity.maxSize ${maxSize}`);
  }
  if (failover.certificateArn) {
    checkCertificateRegion(failover.certificateArn, failover.region, ['dns', 'failover', 'certificateArn'], report);
    checkCertificateAccount(failover.certificateArn, env.account, ['dns', 'failover', 'certificateArn'], report);
  }
}

function checkAvailabilityZones(region: string, azs: readonly string[], report: Report): void {
  const azPattern = new RegExp(`^${region}(-[a-z]+-\\d)?[a-z]$`);
  azs.forEach((az, i) => {
    if (!azPattern.test(az)) report([i], `${az} is not an availability zone of ${region}`);
  });
  reportDuplicates(azs, (i, az) => report([i], `duplicate availability zone ${az}`));
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
  const policyNames = [...stepPolicies.map((p) => p.name), ...simplePolicies.map((p) => p.name)];
  reportDuplicates(policyNames, (_, name) => report(['scaling'], `duplicate scaling policy name ${name}`));
  reportDuplicates(
    schedules.map((s) => s.name),
    (i, name) => report(['scaling', 'schedules', i, 'name'], `duplicate schedule name ${name}`),
  );
}

function checkResilience(env: Partial<EnvironmentSpec>, report: Report): void {
  if (env.resilience?.chaos && env.mixedInstances?.onDemandPercentageAboveBaseCapacity === 100) {
    report(['resilience', 'chaos'], 'interrupts Spot instances, but mixedInstances buys everything on demand');
  }
  // The readiness check is a shell script appended to the app's; cloud-init runs the whole only through its #! line.
  const userData = env.app?.userData;
  if (env.resilience?.lifecycleHooks.enabled && userData && !userData.startsWith('#!')) {
    report(['app', 'userData'], 'must be a shell script starting with #! (e.g. #!/bin/bash): the readiness check is appended to it');
  }
  const exceptions = env.securityExceptions ?? [];
  reportDuplicates(
    exceptions.map(({ rule, resource }) => `${rule} ${resource}`),
    (i) => report(['securityExceptions', i], `${exceptions[i]!.rule} is already waived for ${exceptions[i]!.resource}`),
  );
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
