/**
 * Terratest-style end-to-end tests: `dev`, `prod` and `staging` (for its
 * data tier, Fargate service, serverless API and batch workflow) applied into a fresh
 * local AWS emulator with the real cdktf CLI and Terraform, their state in
 * the S3 + DynamoDB backend deployed into that emulator first. Assertions are
 * on what the AWS SDK reads back, compared with the literal values in
 * EXPECTED below; then a second plan must be empty, the backend must survive
 * concurrent and killed runs, and a destroy must leave nothing behind. An
 * environment whose apply fails part-way is still destroyed (and swept: see
 * `deployed`).
 *
 * The emulator is moto (pip install "moto[server]"): without it these tests
 * fail and say so. tools/sandbox/emulator-gaps.ts lists where it differs from AWS.
 */
import { DescribeInstanceRefreshesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { GetHealthCheckCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackendSettings } from '../../../stacks/backend-settings';
import { type AutoScalingGroup, type Inventory, leftovers, type LoadBalancer } from '../../../tools/sandbox/inventory';
import { type CommandResult, killTree } from '../../../tools/lib/processes';
import { Sandbox } from '../../../tools/sandbox/sandbox';
import { STATE_BACKEND_STACK } from '../../../stacks/state-backend-stack';
import { heldLock, stateVersions } from '../../support/remote-state';
import { execute } from '../../support/step-functions';
import { FakeEc2Ssm } from '../../support/step-functions/fake-ec2-ssm';
import { s3ObjectCreated } from '../../support/step-functions/s3-event';

/**
 * What the deployment must read back as, written out by hand from
 * environments/dev.ts, environments/prod.ts, environments/staging.ts, environments/state-backend.ts
 * and the schema defaults they rely on (marked "default").
 *
 * These are literals on purpose: expectations computed by
 * `validateEnvironments`, the code under test, change together with what it
 * deploys, so a schema bug (a wrong default, a field dropped or mis-mapped)
 * would pass both sides. A deliberate change to an environment file or a
 * schema default is repeated here, by hand.
 */
const INSTANCE_TYPES = [
  // dev: the schema's default (the seed's fleet); prod: its own list, the same; the standby: prod's.
  { type: 't3.medium', weight: 1 },
  { type: 't3a.medium', weight: 1 },
  { type: 'm5.large', weight: 2 },
  { type: 'm5a.large', weight: 2 },
] as const;

const EXPECTED = {
  stateBackend: {
    project: 'web-app',
    region: 'ap-northeast-2',
    bucket: 'web-app-tfstate-apne2-example',
    lockTable: 'web-app-tfstate-lock',
    locking: 'dynamodb',
    noncurrentVersionRetentionDays: 365,
  },
  dev: {
    /** `<project>-<name>`: web-app, dev. */
    name: 'web-app-dev',
    region: 'ap-northeast-2',
    availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'],
    vpcCidr: '10.10.0.0/16',
    /** natMode single. */
    natGateways: 1,
    deletionProtection: false,
    /** default: app.port, app.healthPath. */
    app: { port: 80, healthPath: '/health' },
    fleet: {
      min: 1,
      max: 4,
      desired: 1,
      /** Instances of the first type (weight 1) that fill the desired 1 unit. */
      instances: 1,
      mixed: { onDemandBase: 0, onDemandAboveBasePercent: 0, spotStrategy: 'price-capacity-optimized', overrides: INSTANCE_TYPES },
    },
    cpuTarget: 70,
    /** In name order, as read back; names are `<project>-<env>-<schedule>`. */
    schedules: [
      { name: 'web-app-dev-sleep-nights', recurrence: '0 20 * * 1-5', timeZone: 'Asia/Seoul', min: 0, max: 2, desired: 0 },
      { name: 'web-app-dev-sleep-weekends', recurrence: '0 0 * * 6', timeZone: 'Asia/Seoul', min: 0, max: 2, desired: 0 },
      { name: 'web-app-dev-wake-weekdays', recurrence: '0 8 * * 1-5', timeZone: 'Asia/Seoul', min: 1, max: 4, desired: 1 },
    ],
    operations: {
      /** default: every monitoring threshold. */
      alarms: { cpuHighPercent: 85, errorRatePercent: 5, p95ResponseSeconds: 1, spotInterruptionsPer5Minutes: 3 },
      /** default: resilience.spotInterruptionHandler.reservedConcurrency. */
      spotHandlerConcurrency: 2,
      /** default: resilience.lifecycleHooks. */
      lifecycleHooks: { launchHeartbeatSeconds: 600, terminateHeartbeatSeconds: 300 },
    },
    dns: { zone: 'dev.example.com', domain: 'app.dev.example.com' },
  },
  prod: {
    /** `<project>-<name>`: web-app, prod. */
    name: 'web-app-prod',
    region: 'ap-northeast-2',
    availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
    vpcCidr: '10.30.0.0/16',
    /** natMode per-az: one per AZ. */
    natGateways: 3,
    deletionProtection: true,
    /** Set in prod.ts, equal to the defaults. */
    app: { port: 80, healthPath: '/health' },
    fleet: {
      min: 2,
      max: 30,
      desired: 4,
      /** Instances of the first type (weight 1) that fill the desired 4 units. */
      instances: 4,
      mixed: { onDemandBase: 2, onDemandAboveBasePercent: 20, spotStrategy: 'capacity-optimized', overrides: INSTANCE_TYPES },
    },
    cpuTarget: 70,
    requestsPerTarget: 1000,
    predictive: { mode: 'ForecastAndScale', schedulingBufferTime: 300, maxCapacityBreachBehavior: 'HonorMaxCapacity' },
    operations: {
      /** p95ResponseSeconds set in prod.ts; the rest default. */
      alarms: { cpuHighPercent: 85, errorRatePercent: 5, p95ResponseSeconds: 0.8, spotInterruptionsPer5Minutes: 3 },
      /** default. */
      spotHandlerConcurrency: 2,
      /** default. */
      lifecycleHooks: { launchHeartbeatSeconds: 600, terminateHeartbeatSeconds: 300 },
    },
    dns: { zone: 'example.com', domain: 'app.example.com' },
    /** dns.healthCheck, on both load balancers: path, threshold and interval set in prod.ts; type, port and regions default. */
    healthCheck: {
      type: 'HTTPS',
      port: 443,
      path: '/health',
      failureThreshold: 3,
      requestInterval: 10,
      regions: ['ap-southeast-1', 'eu-west-1', 'us-east-1'],
    },
    /** dns.failover, a standby-region in Tokyo: the primary's app, instance types, alarms and hooks. */
    standby: {
      name: 'web-app-prod-dr',
      region: 'ap-northeast-1',
      availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
      vpcCidr: '10.31.0.0/16',
      fleet: {
        min: 1,
        max: 10,
        /** desiredCapacity omitted: minSize. */
        desired: 1,
        /** Instances of the first type (weight 1) that fill the desired 1 unit. */
        instances: 1,
        /** default: the standby's whole distribution (one on-demand unit, the rest Spot; the module's Spot strategy). */
        mixed: { onDemandBase: 1, onDemandAboveBasePercent: 0, spotStrategy: 'capacity-optimized', overrides: INSTANCE_TYPES },
      },
    },
  },
  staging: {
    /** `<project>-<name>`: web-app, staging; only its optional services are read here (its web tier is dev's and prod's code). */
    name: 'web-app-staging',
    region: 'ap-northeast-2',
    database: {
      identifier: 'web-app-staging-db',
      /** default: database.engineVersion, port. */
      engine: 'aurora-postgresql',
      engineVersion: '16.4',
      port: 5432,
      encrypted: true,
      iamAuthentication: true,
      /** production: false. */
      deletionProtection: false,
      /** default: database.backupRetentionDays. */
      backupRetentionDays: 7,
      logExports: ['postgresql'],
      /** database.instanceClass; default: one writer and one reader, one per AZ. */
      instances: [
        { identifier: 'web-app-staging-db-1', instanceClass: 'db.t4g.medium', zone: 'ap-northeast-2a', publiclyAccessible: false },
        { identifier: 'web-app-staging-db-2', instanceClass: 'db.t4g.medium', zone: 'ap-northeast-2c', publiclyAccessible: false },
      ],
    },
    containerService: {
      cluster: 'web-app-staging-svc',
      name: 'web-app-staging-svc',
      containerInsights: 'enabled',
      /** minTasks. */
      desired: 2,
      /** default: the guide's strategy. */
      capacityProviderStrategy: [
        { provider: 'FARGATE', base: 2, weight: 1 },
        { provider: 'FARGATE_SPOT', base: 0, weight: 4 },
      ],
      circuitBreaker: { enable: true, rollback: true },
      assignPublicIp: 'DISABLED',
      /** cpu, memory; default: a read-only root and two minutes to stop (Spot's notice). */
      task: { cpu: '256', memory: '512', networkMode: 'awsvpc', readonlyRoot: [true], stopTimeout: [120] },
      scaling: { min: 2, max: 10 },
    },
    serverlessApi: {
      functionName: 'web-app-staging-api',
      alias: 'live',
      /** provisionedSchedules, as Application Auto Scaling cron in their time zone; the target spans 0 to the largest. */
      provisioned: {
        min: 0,
        max: 2,
        schedules: [
          { name: 'web-app-staging-api-after-hours', schedule: 'cron(0 18 ? * MON-FRI *)', timeZone: 'Asia/Seoul', min: 0, max: 0 },
          { name: 'web-app-staging-api-business-hours', schedule: 'cron(0 9 ? * MON-FRI *)', timeZone: 'Asia/Seoul', min: 2, max: 2 },
        ],
      },
    },
    batch: {
      /** runner workflow (default): `<project>-<env>-batch`, traced, every step logged. */
      stateMachine: { name: 'web-app-staging-batch', tracing: true, loggingLevel: 'ALL' },
      /** `<project>-<env>-batch-in|out-<account>-<region>`, under the tier's key. */
      buckets: ['web-app-staging-batch-in-123456789012-ap-northeast-2', 'web-app-staging-batch-out-123456789012-ap-northeast-2'],
      /** default: inputPrefix, outputPrefix. */
      inputPrefix: 'incoming/',
      outputPrefix: 'processed/',
      /** The tag the workflow's role may terminate and run commands on. */
      tag: { key: 'BatchTier', value: 'web-app-staging-batch' },
      instanceTypes: ['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge'],
    },
  },
} as const;

/** Where the environments keep their state: the literal above, so a wrong backend setting fails here too. */
const backend: BackendSettings = EXPECTED.stateBackend;

interface WebTierExpectation {
  readonly region: string;
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  readonly deletionProtection: boolean;
  readonly app: { readonly port: number; readonly healthPath: string };
}

interface FleetExpectation {
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  readonly instances: number;
  readonly mixed: {
    readonly onDemandBase: number;
    readonly onDemandAboveBasePercent: number;
    readonly spotStrategy: string;
    readonly overrides: readonly { readonly type: string; readonly weight: number }[];
  };
}

interface OperationsExpectation {
  readonly alarms: {
    readonly cpuHighPercent: number;
    readonly errorRatePercent: number;
    readonly p95ResponseSeconds: number;
    readonly spotInterruptionsPer5Minutes: number;
  };
  readonly spotHandlerConcurrency: number;
  readonly lifecycleHooks: { readonly launchHeartbeatSeconds: number; readonly terminateHeartbeatSeconds: number };
}

const MINUTES = 60_000;
const started = Date.now();
/** Step durations, printed after the run: what docs/sandbox.md's timings come from. */
const timings: string[] = [];
async function timed<T>(label: string, work: Promise<T>): Promise<T> {
  const from = Date.now();
  try {
    return await work;
  } finally {
    timings.push(`${label.padEnd(34)} ${((Date.now() - from) / 1000).toFixed(1).padStart(6)} s   (ends at ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}
let sandbox: Sandbox;
let backendDone: Promise<CommandResult>;

beforeAll(async () => {
  sandbox = await timed('start emulator', Sandbox.create());
  await timed('cdktf synth', sandbox.synth());
  const backend = sandbox.deployStateBackend();
  backendDone = timed('state-backend: deploy', backend.done);
  // Environments start once the bucket, table and key exist; the lifecycle rule settles meanwhile.
  await timed('state-backend: usable', backend.usable);
}, 6 * MINUTES);

afterAll(async () => {
  await sandbox?.close();
  console.log(`end-to-end timings (${((Date.now() - started) / 1000).toFixed(0)} s in all):\n${timings.join('\n')}`);
});

/** No-change plan: exit 0 with -detailed-exitcode (2 would mean changes). */
async function planAgain(stack: string): Promise<CommandResult> {
  return sandbox.terraform(stack, ['plan', '-detailed-exitcode', '-input=false', '-no-color', '-lock-timeout=60s']);
}

function changesOf(plan: CommandResult): string {
  return plan.output
    .split('\n')
    .filter((line) => /^\s+# .* (will|must) be/.test(line) || /^Plan:/.test(line) || /Error/.test(line))
    .join('\n');
}

/** Every environment's deploy-to-teardown run, however it ended: the state backend is destroyed after all of them. */
const environmentRuns: Promise<unknown>[] = [];

/**
 * Deploys `stack`, runs `check` against it and tears it down however either
 * ends — an apply that fails midway has still made resources. After a
 * failure, what the destroy could not see (made by calls whose answers were
 * lost, so in no state) is swept by the stack's tags, so the failure is
 * reported here alone, not again as leftovers when the state backend goes.
 * Returns the load balancers whose deletion protection the teardown lifted.
 */
function deployed(stack: string, check: () => Promise<void>): Promise<string[]> {
  const run = (async () => {
    try {
      await timed(`${stack}: cdktf deploy`, sandbox.deploy(stack));
      await check();
    } catch (failure) {
      await tearDown(stack, true).catch((error: unknown) => console.error(`${stack}: teardown after the failure failed too: ${String(error)}`));
      throw failure;
    }
    return tearDown(stack, false);
  })();
  environmentRuns.push(run.catch(() => undefined));
  return run;
}

async function tearDown(stack: string, sweep: boolean): Promise<string[]> {
  try {
    return await timed(`${stack}: cdktf destroy`, sandbox.teardown(stack));
  } finally {
    if (sweep) {
      const swept = await sandbox.sweep(stack);
      if (swept.length > 0) console.warn(`${stack}: swept what the failed run left outside its state: ${swept.join(', ')}`);
    }
  }
}

function groupNamed(inventory: Inventory, name: string): AutoScalingGroup {
  const group = inventory.autoScalingGroups.find((g) => g.name === name);
  if (!group) throw new Error(`no Auto Scaling group ${name}; found ${inventory.autoScalingGroups.map((g) => g.name).join(', ')}`);
  return group;
}

function balancerNamed(inventory: Inventory, name: string): LoadBalancer {
  const lb = inventory.loadBalancers.find((l) => l.name === name);
  if (!lb) throw new Error(`no load balancer ${name}; found ${inventory.loadBalancers.map((l) => l.name).join(', ')}`);
  return lb;
}

/** What every web tier must show, read back from the emulator, against its expectation. */
function expectWebTier(inventory: Inventory, name: string, tier: WebTierExpectation) {
  const network = inventory.networks.find((n) => n.name === `${name}-vpc`);
  expect(network, `VPC ${name}-vpc`).toBeDefined();
  expect(network?.region).toBe(tier.region);
  expect(network?.cidr).toBe(tier.vpcCidr);
  expect(network?.subnets.filter((s) => s.tier === 'public').map((s) => s.zone).sort()).toEqual([...tier.availabilityZones].sort());
  expect(network?.subnets.filter((s) => s.tier === 'private').map((s) => s.zone).sort()).toEqual([...tier.availabilityZones].sort());

  const lb = balancerNamed(inventory, `${name}-alb`);
  expect(lb.state).toBe('active');
  expect(lb.attributes['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
  expect(lb.attributes['deletion_protection.enabled']).toBe(String(tier.deletionProtection));
  expect(lb.attributes['access_logs.s3.enabled']).toBe('true');
  const https = lb.listeners.find((l) => l.port === 443);
  expect(https).toMatchObject({ protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06', action: 'forward' });
  expect(lb.listeners.find((l) => l.port === 80)).toMatchObject({ protocol: 'HTTP', action: 'redirect → HTTPS:443 (HTTP_301)' });
  expect(lb.targetGroups).toHaveLength(1);
  expect(lb.targetGroups[0]).toMatchObject({ port: tier.app.port, protocol: 'HTTP', healthCheck: { path: tier.app.healthPath, matcher: '200' } });
  return { network, lb };
}

/** Alarms, topics, dashboard, Spot handler and lifecycle hooks of one tier, read back, against the expectation. */
function expectOperations(inventory: Inventory, name: string, region: string, expected: OperationsExpectation) {
  const topic = (suffix: string) => `arn:aws:sns:${region}:123456789012:${name}-${suffix}`;
  const alarms = Object.fromEntries(inventory.operations.alarms.filter((a) => a.region === region && a.name.startsWith(`${name}-`)).map((a) => [a.name.slice(name.length + 1), a]));
  const m = expected.alarms;
  expect(Object.fromEntries(Object.entries(alarms).map(([id, a]) => [id, [a.threshold, a.alarmActions, a.okActions]]))).toEqual({
    'cpu-high': [m.cpuHighPercent, [topic('alerts')], [topic('alerts')]],
    '5xx-rate': [m.errorRatePercent, [topic('critical')], [topic('critical')]],
    'unhealthy-hosts': [0, [topic('alerts')], [topic('alerts')]],
    'p95-latency': [m.p95ResponseSeconds, [topic('alerts')], [topic('alerts')]],
    'spot-interruptions': [m.spotInterruptionsPer5Minutes, [topic('critical')], [topic('critical')]],
  });
  expect(alarms['5xx-rate']?.metric).toBe('100 * FILL(errors, 0) / requests');
  const topics = inventory.operations.topics.filter((t) => t.region === region && t.arn.includes(`:${name}-`));
  expect(topics.map((t) => t.arn).sort()).toEqual([topic('alerts'), topic('critical'), topic('lifecycle')]);
  for (const t of topics) expect(t.kmsKey, `${t.arn} encrypted`).toMatch(/^arn:aws:kms:/);
  expect(inventory.operations.dashboards).toContain(`${name}-web-tier`);

  const fn = inventory.operations.functions.find((f) => f.region === region && f.name === `${name}-spot-interruption`);
  expect(fn).toMatchObject({
    runtime: 'nodejs22.x',
    tracing: 'Active',
    deadLetterTarget: `arn:aws:sqs:${region}:123456789012:${name}-spot-interruption-dlq`,
    reservedConcurrency: expected.spotHandlerConcurrency,
    environment: { ASG_NAME: `${name}-web`, TOPIC_ARN: topic('alerts') },
  });
  const rules = inventory.operations.rules.filter((r) => r.region === region && r.name.startsWith(`${name}-spot-`));
  expect(rules.map((r) => [(r.pattern as { 'detail-type': string[] })['detail-type'], r.targets]).sort()).toEqual([
    [['EC2 Instance Rebalance Recommendation'], [`arn:aws:lambda:${region}:123456789012:function:${name}-spot-interruption`]],
    [['EC2 Spot Instance Interruption Warning'], [`arn:aws:lambda:${region}:123456789012:function:${name}-spot-interruption`]],
  ]);

  const hooks = groupNamed(inventory, `${name}-web`).lifecycleHooks;
  const lifecycle = expected.lifecycleHooks;
  expect(hooks.map((h) => [h.name, h.transition, h.heartbeatTimeout, h.defaultResult, h.roleArn, h.notificationTargetArn])).toEqual([
    [`${name}-launch`, 'autoscaling:EC2_INSTANCE_LAUNCHING', lifecycle.launchHeartbeatSeconds, 'ABANDON', `arn:aws:iam::123456789012:role/${name}-lifecycle-hooks`, topic('lifecycle')],
    [`${name}-terminate`, 'autoscaling:EC2_INSTANCE_TERMINATING', lifecycle.terminateHeartbeatSeconds, 'CONTINUE', `arn:aws:iam::123456789012:role/${name}-lifecycle-hooks`, topic('lifecycle')],
  ]);
}

function expectMixedFleet(group: AutoScalingGroup, fleet: FleetExpectation) {
  expect({ min: group.min, max: group.max, desired: group.desired }).toEqual({ min: fleet.min, max: fleet.max, desired: fleet.desired });
  expect(group.healthCheckType).toBe('ELB');
  expect(group.capacityRebalance).toBe(true);
  expect(group.defaultInstanceWarmup).toBe(120);
  expect(group.mixed).toEqual(fleet.mixed);
  // Instances of the first type (weight w) fill the desired capacity in units.
  expect(group.instances).toBe(fleet.instances);
}

describe('end-to-end on the local emulator (moto)', () => {
  test.concurrent(
    'dev: apply, read back with the SDK, plan again, survive concurrent and killed runs, destroy',
    async () => {
      const dev = EXPECTED.dev;
      const name = dev.name;
      await deployed('dev', async () => {
        const inventory = await timed('dev: read back', sandbox.inventory(['dev']));
        const { lb } = expectWebTier(inventory, name, dev);
        expect(inventory.networks.find((n) => n.name === `${name}-vpc`)?.natGateways).toBe(dev.natGateways);

        const group = groupNamed(inventory, `${name}-web`);
        expectMixedFleet(group, dev.fleet);
        expect(group.policies).toEqual([
          expect.objectContaining({ name: `${name}-cpu-target`, type: 'TargetTrackingScaling', enabled: true, target: expect.objectContaining({ metric: 'ASGAverageCPUUtilization', value: dev.cpuTarget }) }),
        ]);
        expect(group.schedules.map((s) => ({ name: s.name, recurrence: s.recurrence, timeZone: s.timeZone, min: s.min, max: s.max, desired: s.desired }))).toEqual(dev.schedules);

        expectOperations(inventory, name, dev.region, dev.operations);

        // dev has a zone of its own and a plain alias to its load balancer.
        const zone = inventory.hostedZones.find((z) => z.name.replace(/\.$/, '') === dev.dns.zone);
        expect(zone?.records.find((r) => r.name === dev.dns.domain && r.type === 'A')).toMatchObject({ aliasTarget: lb.dnsName, failover: undefined });

        const plan = await timed('dev: plan again', planAgain('dev'));
        expect(plan.code, `second plan of dev shows changes:\n${changesOf(plan)}`).toBe(0);

        await timed('dev: state safety', stateSafety());
      });
      const state = await sandbox.terraform('dev', ['state', 'list']);
      expect({ code: state.code, resources: state.output.trim() }).toEqual({ code: 0, resources: '' });
    },
    15 * MINUTES,
  );

  test.concurrent(
    'prod: apply with its Tokyo standby, read back with the SDK, plan again, tear down',
    async () => {
      const prod = EXPECTED.prod;
      const name = prod.name;
      const standby = prod.standby;
      const lifted = await deployed('prod', async () => {
        const inventory = await timed('prod: read back', sandbox.inventory(['prod']));
        const primary = expectWebTier(inventory, name, prod);
        expect(primary.network?.natGateways).toBe(prod.natGateways);
        const secondary = expectWebTier(inventory, standby.name, { ...prod, region: standby.region, availabilityZones: standby.availabilityZones, vpcCidr: standby.vpcCidr });

        const group = groupNamed(inventory, `${name}-web`);
        expectMixedFleet(group, prod.fleet);
        const predictive = group.policies.find((p) => p.type === 'PredictiveScaling');
        expect(predictive?.predictive).toEqual({
          mode: prod.predictive.mode,
          schedulingBufferTime: prod.predictive.schedulingBufferTime,
          maxCapacityBreachBehavior: prod.predictive.maxCapacityBreachBehavior,
          metric: 'ASGCPUUtilization',
          targetValue: prod.cpuTarget,
        });
        const tracking = group.policies.filter((p) => p.type === 'TargetTrackingScaling');
        expect(tracking.map((p) => [p.target?.metric, p.target?.value]).sort()).toEqual([
          ['ALBRequestCountPerTarget', prod.requestsPerTarget],
          ['ASGAverageCPUUtilization', prod.cpuTarget],
        ]);
        // AWS's label order: load balancer, then target group.
        expect(tracking.find((p) => p.target?.metric === 'ALBRequestCountPerTarget')?.target?.resourceLabel).toMatch(
          new RegExp(`^app/${name}-alb/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+$`),
        );

        const standbyGroup = groupNamed(inventory, `${standby.name}-web`);
        expectMixedFleet(standbyGroup, standby.fleet);
        expect(standbyGroup.region).toBe(standby.region);
        expect(standbyGroup.policies.every((p) => p.type === 'TargetTrackingScaling')).toBe(true);

        expectOperations(inventory, name, prod.region, prod.operations);
        expectOperations(inventory, standby.name, standby.region, prod.operations);

        // Route 53: PRIMARY → Seoul ALB with its health check, SECONDARY → Tokyo ALB with its own.
        // Staging's zone has the same name in the one emulator account: prod's records are in its own.
        const zones = inventory.hostedZones.filter((z) => z.name.replace(/\.$/, '') === prod.dns.zone);
        const failover = zones.flatMap((z) => z.records).filter((r) => r.name === prod.dns.domain && r.type === 'A');
        expect(failover.map((r) => ({ failover: r.failover, target: r.aliasTarget, checked: Boolean(r.healthCheckId) })).sort((a, b) => String(a.failover).localeCompare(String(b.failover)))).toEqual([
          { failover: 'PRIMARY', target: primary.lb.dnsName, checked: true },
          { failover: 'SECONDARY', target: secondary.lb.dnsName, checked: true },
        ]);
        expect(new Set(failover.map((r) => r.healthCheckId)).size).toBe(2);
        // Exactly two health checks watch prod's load balancers: none orphaned by a repeated create (staging's watch its own).
        const allChecks = (await sandbox.clients.get('route53', 'us-east-1').send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
        expect(allChecks.filter((c) => [primary.lb.dnsName, secondary.lb.dnsName].includes(c.HealthCheckConfig?.FullyQualifiedDomainName ?? '')).length).toBe(2);
        // Each health check as configured: HTTPS on the load balancer it guards, with prod's settings.
        const route53 = sandbox.clients.get('route53', 'us-east-1');
        const checks = await Promise.all(
          failover.map(async (r) => {
            const config = (await route53.send(new GetHealthCheckCommand({ HealthCheckId: r.healthCheckId }))).HealthCheck?.HealthCheckConfig;
            return {
              failover: r.failover,
              type: config?.Type,
              fqdn: config?.FullyQualifiedDomainName,
              port: config?.Port,
              path: config?.ResourcePath,
              failureThreshold: config?.FailureThreshold,
              requestInterval: config?.RequestInterval,
              regions: [...(config?.Regions ?? [])].sort(),
            };
          }),
        );
        expect(checks.sort((a, b) => String(a.failover).localeCompare(String(b.failover)))).toEqual([
          { failover: 'PRIMARY', fqdn: primary.lb.dnsName, ...prod.healthCheck },
          { failover: 'SECONDARY', fqdn: secondary.lb.dnsName, ...prod.healthCheck },
        ]);

        const plan = await timed('prod: plan again', planAgain('prod'));
        expect(plan.code, `second plan of prod shows changes:\n${changesOf(plan)}`).toBe(0);
      });
      // Deletion protection held until lifted: the emulator refuses to delete a protected ALB, like AWS.
      expect(lifted.sort()).toEqual([`${name}-alb`, `${name}-dr-alb`]);
      const state = await sandbox.terraform('prod', ['state', 'list']);
      expect({ code: state.code, resources: state.output.trim() }).toEqual({ code: 0, resources: '' });
    },
    15 * MINUTES,
  );

  test.concurrent(
    'staging: its data tier, Fargate Spot service, serverless API and batch workflow applied, read back with the SDK, planned again, torn down',
    async () => {
      const staging = EXPECTED.staging;
      await deployed('staging', async () => {
        const inventory = await timed('staging: read back', sandbox.inventory(['staging']));
        const { databases, containerServices, scalableTargets, aliases } = inventory.services;

        const db = staging.database;
        const cluster = databases.find((c) => c.identifier === db.identifier);
        const { instances, ...settings } = db;
        expect(cluster).toMatchObject({ ...settings, region: staging.region });
        expect([...(cluster?.instances ?? [])].sort((a, b) => a.identifier.localeCompare(b.identifier))).toEqual(instances);
        // Encrypted under the stack's own key, and the password is RDS's, in a secret the stack never saw.
        expect(cluster?.kmsKey).toMatch(/^arn:aws:kms:ap-northeast-2:123456789012:key\//);
        expect(cluster?.masterSecretArn).toMatch(/^arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:/);
        // The database's security group admits the web fleet's, on the engine port, and nothing else.
        const ec2 = sandbox.clients.get('ec2', staging.region);
        const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...(cluster?.securityGroups ?? [])] }))).SecurityGroups ?? [];
        const fleetGroup = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).filter((g) => g.GroupName?.startsWith(`${staging.name}-web-`));
        expect(fleetGroup).toHaveLength(1);
        expect(groups.flatMap((g) => g.IpPermissions ?? []).map((p) => ({ from: p.FromPort, to: p.ToPort, cidrs: p.IpRanges ?? [], groups: (p.UserIdGroupPairs ?? []).map((pair) => pair.GroupId) }))).toEqual([
          { from: db.port, to: db.port, cidrs: [], groups: fleetGroup.map((g) => g.GroupId) },
        ]);

        const svc = staging.containerService;
        const service = containerServices.find((c) => c.name === svc.name);
        const { scaling, ...serviceSettings } = svc;
        expect(service).toMatchObject({ ...serviceSettings, region: staging.region });
        expect(service?.targetGroups).toHaveLength(1);
        expect(scalableTargets.find((t) => t.namespace === 'ecs')).toMatchObject({
          resourceId: `service/${svc.cluster}/${svc.name}`,
          dimension: 'ecs:service:DesiredCount',
          ...scaling,
        });

        const api = staging.serverlessApi;
        expect(aliases.filter((a) => a.functionName === api.functionName).map((a) => a.alias)).toEqual([api.alias]);
        const provisioned = scalableTargets.find((t) => t.namespace === 'lambda');
        expect(provisioned).toEqual({
          region: staging.region,
          namespace: 'lambda',
          resourceId: `function:${api.functionName}:${api.alias}`,
          dimension: 'lambda:function:ProvisionedConcurrency',
          min: api.provisioned.min,
          max: api.provisioned.max,
          scheduledActions: api.provisioned.schedules,
        });

        const batch = staging.batch;
        const machine = inventory.services.stateMachines.find((m) => m.name === batch.stateMachine.name);
        expect(machine).toMatchObject({ ...batch.stateMachine, region: staging.region, roleArn: `arn:aws:iam::123456789012:role/${batch.stateMachine.name}-workflow` });
        for (const name of batch.buckets) {
          expect(inventory.buckets.find((b) => b.name === name), name).toMatchObject({
            region: staging.region,
            versioning: 'Enabled',
            encryption: { algorithm: 'aws:kms', bucketKey: true },
            publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
          });
        }
        const rules = inventory.operations.rules.filter((r) => r.region === staging.region && r.name.startsWith(`${batch.stateMachine.name}-`));
        expect(rules.find((r) => r.name.endsWith('-object-created'))).toMatchObject({
          pattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [batch.buckets[0]] }, object: { key: [{ prefix: batch.inputPrefix }] } } },
          targets: [machine?.arn],
        });
        // The definition as the emulator holds it, references resolved by Terraform, run from an object landing:
        // it launches from the deployed launch template into the deployed private subnets, runs the job there, and terminates it.
        const template = ((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).filter((t) => t.LaunchTemplateName?.startsWith(`${batch.stateMachine.name}-`));
        expect(template).toHaveLength(1);
        const privateSubnets = (inventory.networks.find((n) => n.name === `${staging.name}-vpc`)?.subnets ?? []).filter((n) => n.tier === 'private').map((n) => n.id);
        const cloud = new FakeEc2Ssm({ requiredTag: batch.tag });
        const key = `${batch.inputPrefix}e2e/access.log.gz`;
        const run = execute(JSON.parse(machine?.definition ?? '{}'), {
          input: s3ObjectCreated({ bucket: batch.buckets[0], key, region: staging.region, account: '123456789012' }),
          tasks: cloud.handle,
          stateMachineArn: machine?.arn,
        });
        expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
        expect(cloud.fleets.map((f) => (f.LaunchTemplateConfigs as { LaunchTemplateSpecification: { LaunchTemplateId: string } }[])[0]?.LaunchTemplateSpecification.LaunchTemplateId)).toEqual([template[0]?.LaunchTemplateId]);
        expect(new Set(cloud.instances.map((i) => i.subnetId)).size).toBe(1);
        expect(privateSubnets).toContain(cloud.instances[0]?.subnetId);
        expect(new Set(cloud.fleets.flatMap((f) => (f.LaunchTemplateConfigs as { Overrides: { InstanceType: string; SubnetId: string }[] }[])[0]?.Overrides.map((o) => `${o.InstanceType} ${o.SubnetId}`) ?? []))).toEqual(
          new Set(batch.instanceTypes.flatMap((type) => privateSubnets.map((subnet) => `${type} ${subnet}`))),
        );
        expect(cloud.commands.map((c) => c.instanceId)).toEqual(cloud.instances.map((i) => i.id));
        expect(cloud.leftBehind(run.elapsedSeconds)).toEqual([]);

        // Only the maintenance page's CloudFront distribution differs on a second plan (the open gap cloudfront-distribution-fields),
        // and with it the page bucket's policy, which names the distribution and so waits for its update.
        const plan = await timed('staging: plan again', planAgain('staging'));
        const changed = plan.output.split('\n').flatMap((line) => /^\s+# (\S+) (will|must) be/.exec(line)?.[1] ?? []);
        const followsTheDistribution = /^(aws_cloudfront_distribution\.maintenance_cdn_|data\.aws_iam_policy_document\.maintenance_policy-document_|aws_s3_bucket_policy\.maintenance_policy_)/;
        expect({ code: plan.code, changed: changed.filter((address) => !followsTheDistribution.test(address)) }, changesOf(plan)).toEqual({
          code: 2,
          changed: [],
        });
      });
      const state = await sandbox.terraform('staging', ['state', 'list']);
      expect({ code: state.code, resources: state.output.trim() }).toEqual({ code: 0, resources: '' });
    },
    20 * MINUTES,
  );

  test(
    'state backend: versioned, KMS-encrypted, private, TLS-only bucket and a PITR lock table; destroyed last, nothing left',
    async () => {
      await backendDone;
      // Even an environment test that timed out is still tearing down: the backend its state is in goes last.
      await Promise.all(environmentRuns);
      const inventory = await sandbox.inventory([STATE_BACKEND_STACK]);
      const bucket = inventory.buckets.find((b) => b.name === EXPECTED.stateBackend.bucket);
      expect(bucket).toMatchObject({
        region: EXPECTED.stateBackend.region,
        versioning: 'Enabled',
        encryption: { algorithm: 'aws:kms', bucketKey: true },
        publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      });
      expect(bucket?.policyStatements).toEqual(expect.arrayContaining(['DenyInsecureTransport', 'DenyOutdatedTls']));
      expect(inventory.tables.find((t) => t.name === EXPECTED.stateBackend.lockTable)).toMatchObject({
        status: 'ACTIVE',
        hashKey: 'LockID',
        pointInTimeRecovery: 'ENABLED',
        encryption: 'KMS',
      });

      await timed('state-backend: cdktf destroy', sandbox.destroy(STATE_BACKEND_STACK));
      expect(leftovers(await sandbox.inventory(['dev', 'prod', 'staging', STATE_BACKEND_STACK]))).toEqual({});
    },
    15 * MINUTES,
  );
});

/**
 * On dev, after its first apply: two applies at once (one must lose on the
 * DynamoDB lock; the winner's template change starts an instance refresh),
 * the state intact and versioned, and an apply killed with SIGKILL leaving a
 * lock that force-unlock clears.
 */
async function stateSafety(): Promise<void> {
  const dev = sandbox.stack('dev');
  const [template] = Object.keys(dev.resource?.aws_launch_template ?? {});
  const [schedule] = Object.keys(dev.resource?.aws_autoscaling_schedule ?? {});
  if (!template || !schedule) throw new Error('dev is expected to have a launch template and a scheduled action');
  const apply = (...extra: string[]) => sandbox.terraform('dev', ['apply', '-auto-approve', '-input=false', '-no-color', ...extra]);

  const before = await stateVersions(sandbox.clients, backend, 'dev');
  const latestBefore = before.at(-1);
  expect(latestBefore?.isLatest).toBe(true);

  // Two applies at once, neither willing to wait for the lock, each replacing
  // the launch template — which also rolls the group onto the new template.
  const replaceTemplate = `-replace=aws_launch_template.${template}`;
  const runs = await Promise.all([apply(replaceTemplate, '-lock-timeout=0s'), apply(replaceTemplate, '-lock-timeout=0s')]);
  const winners = runs.filter((r) => r.code === 0);
  const losers = runs.filter((r) => r.code !== 0);
  expect(winners, runs.map((r) => r.output.slice(-1500)).join('\n----\n')).toHaveLength(1);
  expect(losers).toHaveLength(1);
  const refusal = losers[0]?.output ?? '';
  expect(refusal).toMatch(/Error acquiring the state lock/);
  expect(refusal).toMatch(/DynamoDB/);
  expect(refusal).toMatch(/ConditionalCheckFailed/);
  expect(refusal).toContain('Path:      web-app-tfstate-apne2-example/web-app/dev/terraform.tfstate');

  // The winner's template change started a rolling instance refresh, with the module's preferences.
  const refreshes = await sandbox.clients
    .get('autoscaling', EXPECTED.dev.region)
    .send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: `${EXPECTED.dev.name}-web` }));
  expect(refreshes.InstanceRefreshes?.map((r) => ({ strategy: r.Strategy, minHealthy: r.Preferences?.MinHealthyPercentage, skipMatching: r.Preferences?.SkipMatching }))).toEqual([
    { strategy: 'Rolling', minHealthy: 80, skipMatching: true },
  ]);

  // The state is intact: readable, same lineage, serial moved on, older versions still there.
  const after = await stateVersions(sandbox.clients, backend, 'dev');
  const latest = after.at(-1);
  expect(latest?.isLatest).toBe(true);
  expect(latest?.lineage).toBe(latestBefore?.lineage);
  expect(latest?.serial).toBeGreaterThan(latestBefore?.serial ?? Infinity);
  expect(after.map((v) => v.versionId)).toEqual(expect.arrayContaining(before.map((v) => v.versionId)));
  expect(new Set(after.map((v) => v.lineage)).size).toBe(1);
  after.slice(1).forEach((v, i) => expect(v.serial).toBeGreaterThan(after[i]?.serial ?? Infinity));
  const pulled = await sandbox.terraform('dev', ['state', 'pull']);
  expect(JSON.parse(pulled.output)).toMatchObject({ serial: latest?.serial, lineage: latest?.lineage });

  // An apply killed mid-run (SIGKILL: no chance to unlock) leaves its lock behind.
  let pid = 0;
  const killed = sandbox.terraform('dev', ['apply', '-auto-approve', '-input=false', '-no-color', `-replace=aws_autoscaling_schedule.${schedule}`], {
    onSpawn: (p) => (pid = p),
  });
  let lock = await heldLock(sandbox.clients, backend, 'dev');
  for (let i = 0; i < 200 && !lock; i++) {
    await new Promise((r) => setTimeout(r, 50));
    lock = await heldLock(sandbox.clients, backend, 'dev');
  }
  expect(lock?.operation).toBe('OperationTypeApply');
  await killTree(pid, 0);
  expect((await killed).code).not.toBe(0);
  const stale = await heldLock(sandbox.clients, backend, 'dev');
  expect(stale?.id).toBe(lock?.id);
  const blocked = await sandbox.terraform('dev', ['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
  expect(blocked.code).not.toBe(0);
  expect(blocked.output).toContain(`ID:        ${lock?.id}`);

  // The documented recovery: force-unlock with the lock ID, then carry on.
  const unlocked = await sandbox.terraform('dev', ['force-unlock', '-force', lock?.id ?? '']);
  expect(unlocked.code, unlocked.output).toBe(0);
  expect(await heldLock(sandbox.clients, backend, 'dev')).toBeUndefined();
  const recovered = await planAgain('dev');
  expect(recovered.code, `plan after recovery:\n${changesOf(recovered)}`).toBe(0);
}
