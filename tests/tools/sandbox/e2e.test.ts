/**
 * Terratest-style end-to-end tests: `dev` and `prod` applied into a fresh
 * local AWS emulator with the real cdktf CLI and Terraform, their state in
 * the S3 + DynamoDB backend deployed into that emulator first. Assertions are
 * on what the AWS SDK reads back, compared with the environment files; then a
 * second plan must be empty, the backend must survive concurrent and killed
 * runs, and a destroy must leave nothing behind. An environment whose apply
 * fails part-way is still destroyed (and swept: see `deployed`).
 *
 * The emulator is moto (pip install "moto[server]"): without it these tests
 * fail and say so. tools/sandbox/emulator-gaps.ts lists where it differs from AWS.
 */
import { DescribeInstanceRefreshesCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readEnvironmentSources, validateEnvironments } from '../../../environments/load';
import type { EnvironmentSpec } from '../../../environments/schema';
import { stateBackend } from '../../../environments/state-backend';
import { type AutoScalingGroup, type Inventory, leftovers, type LoadBalancer } from '../../../tools/sandbox/inventory';
import { type CommandResult, killTree } from '../../../tools/lib/processes';
import { Sandbox } from '../../../tools/sandbox/sandbox';
import { STATE_BACKEND_STACK } from '../../../stacks/state-backend-stack';
import { heldLock, stateVersions } from '../../support/remote-state';

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
let specs: Record<string, EnvironmentSpec>;
let backendDone: Promise<CommandResult>;

beforeAll(async () => {
  specs = Object.fromEntries(validateEnvironments(await readEnvironmentSources()).map((spec) => [spec.name, spec]));
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

/** What every web tier must show, read back from the emulator, against its spec. */
function expectWebTier(inventory: Inventory, name: string, spec: Pick<EnvironmentSpec, 'region' | 'availabilityZones' | 'app' | 'deletionProtection'>, cidr: string) {
  const network = inventory.networks.find((n) => n.name === `${name}-vpc`);
  expect(network, `VPC ${name}-vpc`).toBeDefined();
  expect(network?.region).toBe(spec.region);
  expect(network?.cidr).toBe(cidr);
  expect(network?.subnets.filter((s) => s.tier === 'public').map((s) => s.zone).sort()).toEqual([...spec.availabilityZones].sort());
  expect(network?.subnets.filter((s) => s.tier === 'private').map((s) => s.zone).sort()).toEqual([...spec.availabilityZones].sort());

  const lb = balancerNamed(inventory, `${name}-alb`);
  expect(lb.state).toBe('active');
  expect(lb.attributes['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
  expect(lb.attributes['deletion_protection.enabled']).toBe(String(spec.deletionProtection));
  expect(lb.attributes['access_logs.s3.enabled']).toBe('true');
  const https = lb.listeners.find((l) => l.port === 443);
  expect(https).toMatchObject({ protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', action: 'forward' });
  expect(lb.listeners.find((l) => l.port === 80)).toMatchObject({ protocol: 'HTTP', action: 'redirect → HTTPS:443 (HTTP_301)' });
  expect(lb.targetGroups).toHaveLength(1);
  expect(lb.targetGroups[0]).toMatchObject({ port: spec.app.port, protocol: 'HTTP', healthCheck: { path: spec.app.healthPath, matcher: '200' } });
  return { network, lb };
}

/** Alarms, topics, dashboard, Spot handler and lifecycle hooks of one tier, read back, against the spec. */
function expectOperations(inventory: Inventory, name: string, region: string, spec: Pick<EnvironmentSpec, 'monitoring' | 'resilience'>) {
  const topic = (suffix: string) => `arn:aws:sns:${region}:123456789012:${name}-${suffix}`;
  const alarms = Object.fromEntries(inventory.operations.alarms.filter((a) => a.region === region && a.name.startsWith(`${name}-`)).map((a) => [a.name.slice(name.length + 1), a]));
  const m = spec.monitoring;
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
    runtime: 'nodejs20.x',
    tracing: 'Active',
    deadLetterTarget: `arn:aws:sqs:${region}:123456789012:${name}-spot-interruption-dlq`,
    reservedConcurrency: spec.resilience.spotInterruptionHandler.reservedConcurrency,
    environment: { ASG_NAME: `${name}-web`, TOPIC_ARN: topic('alerts') },
  });
  const rules = inventory.operations.rules.filter((r) => r.region === region && r.name.startsWith(`${name}-spot-`));
  expect(rules.map((r) => [(r.pattern as { 'detail-type': string[] })['detail-type'], r.targets]).sort()).toEqual([
    [['EC2 Instance Rebalance Recommendation'], [`arn:aws:lambda:${region}:123456789012:function:${name}-spot-interruption`]],
    [['EC2 Spot Instance Interruption Warning'], [`arn:aws:lambda:${region}:123456789012:function:${name}-spot-interruption`]],
  ]);

  const hooks = groupNamed(inventory, `${name}-web`).lifecycleHooks;
  const lifecycle = spec.resilience.lifecycleHooks;
  expect(hooks.map((h) => [h.name, h.transition, h.heartbeatTimeout, h.defaultResult, h.roleArn, h.notificationTargetArn])).toEqual([
    [`${name}-launch`, 'autoscaling:EC2_INSTANCE_LAUNCHING', lifecycle.launchHeartbeatSeconds, 'ABANDON', `arn:aws:iam::123456789012:role/${name}-lifecycle-hooks`, topic('lifecycle')],
    [`${name}-terminate`, 'autoscaling:EC2_INSTANCE_TERMINATING', lifecycle.terminateHeartbeatSeconds, 'CONTINUE', `arn:aws:iam::123456789012:role/${name}-lifecycle-hooks`, topic('lifecycle')],
  ]);
}

function expectMixedFleet(
  group: AutoScalingGroup,
  capacity: { minSize: number; maxSize: number; desiredCapacity?: number },
  mixed: EnvironmentSpec['instancesDistribution'],
  instanceTypes: EnvironmentSpec['instanceTypes'],
) {
  const desired = capacity.desiredCapacity ?? capacity.minSize;
  expect({ min: group.min, max: group.max, desired: group.desired }).toEqual({ min: capacity.minSize, max: capacity.maxSize, desired });
  expect(group.healthCheckType).toBe('ELB');
  expect(group.capacityRebalance).toBe(true);
  expect(group.defaultInstanceWarmup).toBe(120);
  expect(group.mixed).toEqual({
    onDemandBase: mixed.onDemandBaseCapacity,
    onDemandAboveBasePercent: mixed.onDemandPercentageAboveBaseCapacity,
    spotStrategy: mixed.spotAllocationStrategy,
    overrides: instanceTypes.map((t) => ({ type: t.type, weight: t.weight })),
  });
  // Instances of the first type (weight w) fill the desired capacity in units.
  expect(group.instances).toBe(Math.ceil(desired / (instanceTypes[0]?.weight ?? 1)));
}

describe('end-to-end on the local emulator (moto)', () => {
  test.concurrent(
    'dev: apply, read back with the SDK, plan again, survive concurrent and killed runs, destroy',
    async () => {
      const dev = specs.dev as EnvironmentSpec;
      const name = `${dev.project}-${dev.name}`;
      await deployed('dev', async () => {
        const inventory = await timed('dev: read back', sandbox.inventory(['dev']));
        const { lb } = expectWebTier(inventory, name, dev, dev.network.vpcCidr);
        expect(inventory.networks.find((n) => n.name === `${name}-vpc`)?.natGateways).toBe(1);

        const group = groupNamed(inventory, `${name}-web`);
        expectMixedFleet(group, dev.capacity, dev.instancesDistribution, dev.instanceTypes);
        expect(group.policies).toEqual([
          expect.objectContaining({ name: `${name}-cpu-target`, type: 'TargetTrackingScaling', enabled: true, target: expect.objectContaining({ metric: 'ASGAverageCPUUtilization', value: dev.scaling.cpuTarget }) }),
        ]);
        expect(group.schedules.map((s) => ({ name: s.name, recurrence: s.recurrence, timeZone: s.timeZone, min: s.min, max: s.max, desired: s.desired }))).toEqual(
          [...dev.scaling.schedules]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((s) => ({ name: `${name}-${s.name}`, recurrence: s.recurrence, timeZone: s.timeZone, min: s.minSize, max: s.maxSize, desired: s.desiredCapacity })),
        );

        expectOperations(inventory, name, dev.region, dev);

        // dev has a zone of its own and a plain alias to its load balancer.
        const zone = inventory.hostedZones.find((z) => z.name.replace(/\.$/, '') === dev.dns?.zone.name);
        expect(zone?.records.find((r) => r.name === dev.dns?.domain && r.type === 'A')).toMatchObject({ aliasTarget: lb.dnsName, failover: undefined });

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
      const prod = specs.prod as EnvironmentSpec;
      const name = `${prod.project}-${prod.name}`;
      const standby = prod.dns?.failover?.kind === 'standby-region' ? prod.dns.failover : undefined;
      if (!standby) throw new Error('prod is expected to fail over to a standby region');
      const lifted = await deployed('prod', async () => {
        const inventory = await timed('prod: read back', sandbox.inventory(['prod']));
        const primary = expectWebTier(inventory, name, prod, prod.network.vpcCidr);
        expect(primary.network?.natGateways).toBe(prod.availabilityZones.length);
        const secondary = expectWebTier(inventory, `${name}-dr`, { ...prod, region: standby.region, availabilityZones: standby.availabilityZones }, standby.vpcCidr);

        const group = groupNamed(inventory, `${name}-web`);
        expectMixedFleet(group, prod.capacity, prod.instancesDistribution, prod.instanceTypes);
        const predictive = group.policies.find((p) => p.type === 'PredictiveScaling');
        expect(predictive?.predictive).toEqual({
          mode: prod.scaling.predictive?.mode,
          schedulingBufferTime: prod.scaling.predictive?.schedulingBufferTime,
          maxCapacityBreachBehavior: prod.scaling.predictive?.maxCapacityBreachBehavior,
          metric: 'ASGCPUUtilization',
          targetValue: prod.scaling.cpuTarget,
        });
        const tracking = group.policies.filter((p) => p.type === 'TargetTrackingScaling');
        expect(tracking.map((p) => [p.target?.metric, p.target?.value]).sort()).toEqual([
          ['ALBRequestCountPerTarget', prod.scaling.requestsPerTarget],
          ['ASGAverageCPUUtilization', prod.scaling.cpuTarget],
        ]);
        // AWS's label order: load balancer, then target group.
        expect(tracking.find((p) => p.target?.metric === 'ALBRequestCountPerTarget')?.target?.resourceLabel).toMatch(
          new RegExp(`^app/${name}-alb/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+$`),
        );

        const standbyGroup = groupNamed(inventory, `${name}-dr-web`);
        expectMixedFleet(standbyGroup, standby.capacity, standby.instancesDistribution, prod.instanceTypes);
        expect(standbyGroup.region).toBe(standby.region);
        expect(standbyGroup.policies.every((p) => p.type === 'TargetTrackingScaling')).toBe(true);

        expectOperations(inventory, name, prod.region, prod);
        expectOperations(inventory, `${name}-dr`, standby.region, prod);

        // Route 53: PRIMARY → Seoul ALB with its health check, SECONDARY → Tokyo ALB with its own.
        const zone = inventory.hostedZones.find((z) => z.name.replace(/\.$/, '') === prod.dns?.zone.name);
        const failover = (zone?.records ?? []).filter((r) => r.name === prod.dns?.domain && r.type === 'A');
        expect(failover.map((r) => ({ failover: r.failover, target: r.aliasTarget, checked: Boolean(r.healthCheckId) })).sort((a, b) => String(a.failover).localeCompare(String(b.failover)))).toEqual([
          { failover: 'PRIMARY', target: primary.lb.dnsName, checked: true },
          { failover: 'SECONDARY', target: secondary.lb.dnsName, checked: true },
        ]);
        expect(new Set(failover.map((r) => r.healthCheckId)).size).toBe(2);
        expect(inventory.healthChecks).toBe(2);

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

  test(
    'state backend: versioned, KMS-encrypted, private, TLS-only bucket and a PITR lock table; destroyed last, nothing left',
    async () => {
      await backendDone;
      // Even an environment test that timed out is still tearing down: the backend its state is in goes last.
      await Promise.all(environmentRuns);
      const inventory = await sandbox.inventory([STATE_BACKEND_STACK]);
      const bucket = inventory.buckets.find((b) => b.name === stateBackend.bucket);
      expect(bucket).toMatchObject({
        region: stateBackend.region,
        versioning: 'Enabled',
        encryption: { algorithm: 'aws:kms', bucketKey: true },
        publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      });
      expect(bucket?.policyStatements).toEqual(expect.arrayContaining(['DenyInsecureTransport', 'DenyOutdatedTls']));
      expect(inventory.tables.find((t) => t.name === stateBackend.lockTable)).toMatchObject({
        status: 'ACTIVE',
        hashKey: 'LockID',
        pointInTimeRecovery: 'ENABLED',
        encryption: 'KMS',
      });

      await timed('state-backend: cdktf destroy', sandbox.destroy(STATE_BACKEND_STACK));
      expect(leftovers(await sandbox.inventory(['dev', 'prod', STATE_BACKEND_STACK]))).toEqual({});
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

  const before = await stateVersions(sandbox.clients, stateBackend, 'dev');
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
  expect(refusal).toContain(`Path:      ${stateBackend.bucket}/${stateBackend.project}/dev/terraform.tfstate`);

  // The winner's template change started a rolling instance refresh, with the module's preferences.
  const refreshes = await sandbox.clients
    .get('autoscaling', specs.dev?.region ?? '')
    .send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: `${specs.dev?.project}-dev-web` }));
  expect(refreshes.InstanceRefreshes?.map((r) => ({ strategy: r.Strategy, minHealthy: r.Preferences?.MinHealthyPercentage, skipMatching: r.Preferences?.SkipMatching }))).toEqual([
    { strategy: 'Rolling', minHealthy: 80, skipMatching: true },
  ]);

  // The state is intact: readable, same lineage, serial moved on, older versions still there.
  const after = await stateVersions(sandbox.clients, stateBackend, 'dev');
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
  let lock = await heldLock(sandbox.clients, stateBackend, 'dev');
  for (let i = 0; i < 200 && !lock; i++) {
    await new Promise((r) => setTimeout(r, 50));
    lock = await heldLock(sandbox.clients, stateBackend, 'dev');
  }
  expect(lock?.operation).toBe('OperationTypeApply');
  await killTree(pid, 0);
  expect((await killed).code).not.toBe(0);
  const stale = await heldLock(sandbox.clients, stateBackend, 'dev');
  expect(stale?.id).toBe(lock?.id);
  const blocked = await sandbox.terraform('dev', ['plan', '-input=false', '-no-color', '-lock-timeout=0s']);
  expect(blocked.code).not.toBe(0);
  expect(blocked.output).toContain(`ID:        ${lock?.id}`);

  // The documented recovery: force-unlock with the lock ID, then carry on.
  const unlocked = await sandbox.terraform('dev', ['force-unlock', '-force', lock?.id ?? '']);
  expect(unlocked.code, unlocked.output).toBe(0);
  expect(await heldLock(sandbox.clients, stateBackend, 'dev')).toBeUndefined();
  const recovered = await planAgain('dev');
  expect(recovered.code, `plan after recovery:\n${changesOf(recovered)}`).toBe(0);
}
