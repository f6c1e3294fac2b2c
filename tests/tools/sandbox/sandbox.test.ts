/**
 * The local sandbox's machinery: reading Terraform's output, the emulator's
 * corrections and gaps, and failure handling — moto missing, a busy port,
 * and Ctrl-C in the middle of a deploy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeregisterScalableTargetCommand,
  ListTagsForResourceCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AttachRolePolicyCommand, CreateRoleCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateDBClusterCommand, CreateDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { CreateHealthCheckCommand, ListHealthChecksCommand } from '@aws-sdk/client-route-53';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, ListStateMachineVersionsCommand, UpdateStateMachineCommand, ValidateStateMachineDefinitionCommand } from '@aws-sdk/client-sfn';
import { EmulatorClients } from '../../../tools/sandbox/aws-clients';
import { INSTALL_HINT, launcherCorrections, startEmulator } from '../../../tools/sandbox/emulator';
import { leftovers, type Inventory } from '../../../tools/sandbox/inventory';
import { sweepTagged } from '../../../tools/sandbox/inventory-sweep';
import { table } from '../../../tools/sandbox/inventory-report';
import { relevantTail } from '../../../tools/sandbox/sandbox';
import { parseTerraformLine, RunTally } from '../../../tools/sandbox/terraform-events';
import { EMULATOR_GAPS, launcherGapIds } from '../../../tools/sandbox/emulator-gaps';
import { EMULATED_SERVICES, endpointServiceOf } from '../../../tools/sandbox/target';
import { synthApp } from '../../support/synth';
import { ROOT } from '../../support/paths';

/**
 * Whether anything still listens on `port` (the kernel's socket table). Not
 * "can this process bind it": the emulator's port comes from the ephemeral
 * range, and on a busy machine an outgoing connection may take the same
 * number the moment it is released, which says nothing about the emulator.
 */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) => {
    const rows = existsSync(table) ? readFileSync(table, 'utf8').split('\n').slice(1) : [];
    // Columns: sl local_address rem_address st …; 0A is LISTEN.
    return rows.some((row) => {
      const [, local = '', , state = ''] = row.trim().split(/\s+/);
      return state === '0A' && local.endsWith(`:${hex}`);
    });
  });
}

describe('reading Terraform output', () => {
  it('reads resource progress with or without cdktf colour and construct paths', () => {
    const colour = '\u001b[2K\u001b[1A\u001b[2K\u001b[Gdev  \u001b[0m\u001b[1maws_lb.primary_load-balancer_alb_2D686B5A: Creating...\u001b[0m\u001b[0m';
    expect(parseTerraformLine(colour)).toEqual({ kind: 'resource', address: 'aws_lb.primary_load-balancer_alb_2D686B5A', action: 'creating', detail: 'Creating...' });
    const plain = 'state-backend  aws_s3_bucket.state_bucket_803B4E61 (state/bucket): Creation complete after 0s [id=web-app-tfstate]';
    expect(parseTerraformLine(plain)).toMatchObject({ address: 'aws_s3_bucket.state_bucket_803B4E61', action: 'created', detail: 'Creation complete after 0s' });
    expect(parseTerraformLine('   aws_nat_gateway.n (network/nat): Still destroying... [10s elapsed]')).toMatchObject({ action: 'waiting' });
    expect(parseTerraformLine('aws_vpc.v: Destruction complete after 1s')).toMatchObject({ action: 'destroyed' });
  });

  it('reads the plan, the outcome and errors, and ignores everything else', () => {
    expect(parseTerraformLine('dev  Plan: 49 to add, 0 to change, 0 to destroy.')).toEqual({ kind: 'plan', add: 49, change: 0, destroy: 0 });
    expect(parseTerraformLine('  Apply complete! Resources: 49 added, 0 changed, 0 destroyed.')).toEqual({
      kind: 'complete',
      summary: 'Apply complete! Resources: 49 added, 0 changed, 0 destroyed.',
    });
    expect(parseTerraformLine('│ Error: Error acquiring the state lock')).toEqual({ kind: 'error', message: 'Error acquiring the state lock' });
    expect(parseTerraformLine('Terraform has been successfully initialized!')).toBeUndefined();
  });

  it('tallies a run: planned, done, last event, errors', () => {
    const tally = new RunTally();
    ['Plan: 2 to add, 1 to change, 0 to destroy.', 'aws_a.x: Creating...', 'aws_a.x: Creation complete after 1s', 'aws_b.y: Modifications complete after 2s', '│ Error: boom']
      .map(parseTerraformLine)
      .forEach((event) => event && tally.record(event));
    expect({ planned: tally.planned, done: tally.done, last: tally.last, errors: tally.errors, completed: [...tally.completed] }).toEqual({
      planned: 3,
      done: 2,
      last: 'aws_b.y: Modifications complete after 2s',
      errors: ['boom'],
      completed: ['aws_a.x', 'aws_b.y'],
    });
  });

  it('keeps the lines of a failure worth reading, without cdktf status redraws', () => {
    const output = ['0 Stacks deploying     0 Stacks done     1 Stack waiting', 'dev  │ Error: creating ELBv2 Load Balancer', '', '1 Stack deploying'].join('\n');
    expect(relevantTail(output)).toBe('dev  │ Error: creating ELBv2 Load Balancer');
  });
});

describe('inventory helpers', () => {
  it('reports only kinds with something left', () => {
    const inventory = { counts: { VPCs: 0, buckets: 1, 'KMS keys': 0 } } as unknown as Inventory;
    expect(leftovers(inventory)).toEqual({ buckets: 1 });
  });

  it('renders aligned tables', () => {
    expect(table(['a', 'bb'], [['xxx', 'y']])).toBe(['  a    bb', '  ───  ──', '  xxx  y'].join('\n'));
  });
});

describe('the emulator', () => {
  it('serves every service the shipped stacks call: no resource or lookup could reach AWS itself', async () => {
    // Data sources the provider answers without a call.
    const local = new Set(['aws_iam_policy_document', 'aws_partition', 'aws_region', 'aws_elb_service_account']);
    const { stacks } = await synthApp();
    const types = new Set(Object.values(stacks).flatMap((stack) => [...Object.keys(stack.resource ?? {}), ...Object.keys(stack.data ?? {})]));
    const unserved = [...types].filter((type) => !local.has(type) && !EMULATED_SERVICES.includes(endpointServiceOf(type) ?? '-'));
    expect(unserved).toEqual([]);
    // The services issue 17's staging added, which once went to AWS's own endpoints.
    expect(['aws_ecs_service', 'aws_rds_cluster', 'aws_appautoscaling_target'].map(endpointServiceOf)).toEqual(['ecs', 'rds', 'applicationautoscaling']);
  }, 120_000);

  it('corrects exactly the moto gaps that are documented as corrected in the launcher', () => {
    expect(launcherCorrections()).toEqual(launcherGapIds());
    expect(new Set(EMULATOR_GAPS.map((g) => g.id)).size).toBe(EMULATOR_GAPS.length);
  });

  it('the README lists every gap', () => {
    const readme = readFileSync(join(ROOT, 'docs/sandbox.md'), 'utf8');
    for (const gap of EMULATOR_GAPS) expect(readme, gap.id).toContain(`\`${gap.id}\``);
  });

  it('keeps a scalable target\'s tags, as AWS does (application-autoscaling-tags)', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const scaling = clients.get('applicationautoscaling', 'ap-northeast-2');
      const target = { ServiceNamespace: 'lambda' as const, ResourceId: 'function:web-app-dev-api:live', ScalableDimension: 'lambda:function:ProvisionedConcurrency' as const };
      const { ScalableTargetARN: arn } = await scaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 2, Tags: { Project: 'web-app' } }));
      await scaling.send(new TagResourceCommand({ ResourceARN: arn, Tags: { Environment: 'dev', Team: 'platform' } }));
      await scaling.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['Team'] }));
      expect((await scaling.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual({ Project: 'web-app', Environment: 'dev' });
      await scaling.send(new DeregisterScalableTargetCommand(target));
      expect((await scaling.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual({});
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  it('keeps what an ECS service was created with (ecs-service-fields)', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const ecs = clients.get('ecs', 'ap-northeast-2');
      await ecs.send(new CreateClusterCommand({ clusterName: 'svc' }));
      const task = await ecs.send(
        new RegisterTaskDefinitionCommand({ family: 'svc', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [{ name: 'app', image: 'nginx:1.27' }] }),
      );
      const strategy = [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 4 },
      ];
      const deployment = { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 };
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'svc',
          serviceName: 'svc',
          taskDefinition: task.taskDefinition?.taskDefinitionArn,
          desiredCount: 2,
          capacityProviderStrategy: strategy,
          deploymentConfiguration: deployment,
          healthCheckGracePeriodSeconds: 60,
          enableECSManagedTags: true,
        }),
      );
      const [service] = (await ecs.send(new DescribeServicesCommand({ cluster: 'svc', services: ['svc'] }))).services ?? [];
      // A base left out reads back as 0, as on AWS.
      expect(service).toMatchObject({ capacityProviderStrategy: [strategy[0], { ...strategy[1], base: 0 }], deploymentConfiguration: deployment, healthCheckGracePeriodSeconds: 60, enableECSManagedTags: true });
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  it('reads back an Aurora instance\'s monitoring, a provisioned cluster without serverless scaling, and a bucket\'s EventBridge notification (rds-instance-monitoring, rds-provisioned-cluster-scaling, s3-eventbridge-notification)', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const rds = clients.get('rds', 'ap-northeast-2');
      await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'db', Engine: 'aurora-postgresql', MasterUsername: 'app', ManageMasterUserPassword: true }));
      const monitoring = {
        MonitoringInterval: 60,
        MonitoringRoleArn: 'arn:aws:iam::123456789012:role/db-monitoring',
        PerformanceInsightsEnabled: true,
        PerformanceInsightsKMSKeyId: 'arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        PerformanceInsightsRetentionPeriod: 7,
      };
      const { PerformanceInsightsEnabled, ...rest } = monitoring;
      await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'db-1', DBClusterIdentifier: 'db', DBInstanceClass: 'db.t4g.medium', Engine: 'aurora-postgresql', EnablePerformanceInsights: PerformanceInsightsEnabled, ...rest }));
      const [instance] = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'db-1' }))).DBInstances ?? [];
      expect(instance).toMatchObject(monitoring);
      const [cluster] = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'db' }))).DBClusters ?? [];
      expect(cluster?.ScalingConfigurationInfo).toBeUndefined();

      const s3 = clients.get('s3', 'ap-northeast-2');
      await s3.send(new CreateBucketCommand({ Bucket: 'batch-in', CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' } }));
      expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'batch-in' }))).EventBridgeConfiguration).toBeUndefined();
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'batch-in', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
      expect((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'batch-in' }))).EventBridgeConfiguration).toEqual({});
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  it('validates a state machine definition as AWS does first, and lists its versions (state-machine-validation, state-machine-versions)', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const sfn = clients.get('sfn', 'ap-northeast-2');
      const validate = async (definition: unknown) => {
        const answer = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(definition), type: 'STANDARD' }));
        return { result: answer.result, codes: (answer.diagnostics ?? []).map((d) => `${d.code} ${d.location}`) };
      };
      expect(await validate({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } })).toEqual({ result: 'OK', codes: [] });
      expect(
        await validate({
          StartAt: 'A',
          States: {
            A: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances', Next: 'Gone', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Lost' }] },
            B: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'A' }] },
            C: { Type: 'Wait', Seconds: 1 },
          },
        }),
      ).toEqual({
        result: 'FAIL',
        codes: ['MISSING_TRANSITION_TARGET /States/A/Next', 'MISSING_TRANSITION_TARGET /States/A/Catch/0/Next', 'SCHEMA_VALIDATION_FAILED /States/C'],
      });
      expect(await validate({ StartAt: 'Nowhere', States: { A: { Type: 'Succeed' } } })).toEqual({ result: 'FAIL', codes: ['MISSING_TRANSITION_TARGET /StartAt'] });

      // The provider lists a machine's versions on every read (state-machine-versions).
      const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });
      const created = await sfn.send(new CreateStateMachineCommand({ name: 'batch', definition, roleArn: 'arn:aws:iam::123456789012:role/batch', publish: true }));
      await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition, publish: true }));
      const versions = (await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: created.stateMachineArn }))).stateMachineVersions ?? [];
      expect(versions.map((v) => v.stateMachineVersionArn)).toEqual([`${created.stateMachineArn}:2`, `${created.stateMachineArn}:1`]);
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  it('a repeated CreateHealthCheck (an SDK retry) returns the health check it created, as on AWS', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const route53 = clients.get('route53', 'us-east-1');
      const config = { Type: 'HTTPS' as const, FullyQualifiedDomainName: 'app.example.com', Port: 443, ResourcePath: '/health' };
      const first = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'retry-1', HealthCheckConfig: config }));
      const retried = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'retry-1', HealthCheckConfig: config }));
      const other = await route53.send(new CreateHealthCheckCommand({ CallerReference: 'other', HealthCheckConfig: config }));
      expect(retried.HealthCheck?.Id).toBe(first.HealthCheck?.Id);
      expect(other.HealthCheck?.Id).not.toBe(first.HealthCheck?.Id);
      expect((await route53.send(new ListHealthChecksCommand({}))).HealthChecks).toHaveLength(2);
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  it('a retried attempt of an API call gets the answer of the attempt that succeeded, for every API (sdk-retry-replay)', async () => {
    const emulator = await startEmulator({});
    try {
      const call = (service: 'iam' | 'ec2', action: string, params: Record<string, string>) => (invocation: string, attempt: number) =>
        sdkAttempt(emulator.endpoint, service, { Action: action, Version: service === 'iam' ? '2010-05-08' : '2016-11-15', ...params }, invocation, attempt);
      const createRole = call('iam', 'CreateRole', { RoleName: 'web-app-prod-vpc-flow-logs', AssumeRolePolicyDocument: '{}' });
      const first = await createRole('create-role', 1);
      expect(first.status).toBe(200);
      // The SDK's retry after a lost answer: the same invocation, attempt 2 — the answer moto gave, not EntityAlreadyExists.
      expect(await createRole('create-role', 2)).toEqual(first);
      // Another call is another create: AWS's own answer.
      const another = await createRole('another-create-role', 1);
      expect(another.status).toBe(409);
      expect(another.body).toContain('EntityAlreadyExists');

      // Two attempts at once (the retry arrives while the first still runs): one Elastic IP, the same answer to both.
      const allocate = call('ec2', 'AllocateAddress', { Domain: 'vpc' });
      const [a, b] = await Promise.all([allocate('allocate', 1), allocate('allocate', 2)]);
      expect(b).toEqual(a);
      const addresses = await call('ec2', 'DescribeAddresses', {})('describe-addresses', 1);
      expect(addresses.body.match(/<allocationId>/g)).toHaveLength(1);

      // An attempt that failed is run again, as the SDK intends.
      const getRole = call('iam', 'GetRole', { RoleName: 'created-later' });
      expect((await getRole('get-role', 1)).status).toBe(404);
      expect((await call('iam', 'CreateRole', { RoleName: 'created-later', AssumeRolePolicyDocument: '{}' })('create-later', 1)).status).toBe(200);
      expect((await getRole('get-role', 2)).status).toBe(200);
    } finally {
      await emulator.stop();
    }
  }, 60_000);

  it('after a failed run, the sweep deletes what carries the stack\'s tags and nothing else', async () => {
    const emulator = await startEmulator({});
    const clients = new EmulatorClients(emulator.endpoint);
    try {
      const region = 'ap-northeast-2';
      const tags = (environment: string) => [
        { Key: 'Project', Value: 'web-app' },
        { Key: 'Environment', Value: environment },
      ];
      const ec2 = clients.get('ec2', region);
      // What a create whose answer was lost leaves outside the state: prefix-named groups, a target group, a role.
      for (const [name, environment] of [['web-app-prod-alb-1', 'prod'], ['web-app-prod-web-1', 'prod'], ['web-app-dev-alb-1', 'dev']] as const) {
        await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'orphan', TagSpecifications: [{ ResourceType: 'security-group', Tags: tags(environment) }] }));
      }
      const elbv2 = clients.get('elbv2', region);
      const [vpc] = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
      await elbv2.send(new CreateTargetGroupCommand({ Name: 'web-a-orphan', Protocol: 'HTTP', Port: 8080, VpcId: vpc?.VpcId, Tags: tags('prod') }));
      const iam = clients.get('iam', region);
      await iam.send(new CreateRoleCommand({ RoleName: 'web-app-prod-vpc-flow-logs', AssumeRolePolicyDocument: '{}', Tags: tags('prod') }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'web-app-prod-vpc-flow-logs', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }));

      const swept = await sweepTagged(clients, [region], { Project: 'web-app', Environment: 'prod' });
      expect(swept.map((s) => s.split(' ').slice(0, -1).join(' ')).sort()).toEqual(['IAM role', 'security group', 'security group', 'target group']);
      const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
      expect(groups.filter((g) => g.GroupName !== 'default').map((g) => g.GroupName)).toEqual(['web-app-dev-alb-1']);
      expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).toEqual([]);
      expect(((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName)).not.toContain('web-app-prod-vpc-flow-logs');
      await expect(sweepTagged(clients, [region], {})).rejects.toThrow(/without tags/);
    } finally {
      clients.destroy();
      await emulator.stop();
    }
  }, 60_000);

  let blocker: Server | undefined;
  afterEach(() => blocker?.close());

  it('moves to a free port when the one asked for is busy', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker?.listen(0, '127.0.0.1', r));
    const address = blocker.address();
    const busy = typeof address === 'object' && address ? address.port : 0;
    const emulator = await startEmulator({ port: busy });
    try {
      expect(emulator.port).not.toBe(busy);
      expect(emulator.endpoint).toBe(`https://127.0.0.1:${emulator.port}`);
      expect(listening(emulator.port)).toBe(true);
      expect(listening(busy)).toBe(true);
    } finally {
      await emulator.stop();
    }
    expect(listening(emulator.port)).toBe(false);
  }, 60_000);
});

/**
 * One attempt of an AWS Query-protocol call, with the headers an AWS SDK puts
 * on every attempt: the call's invocation id and the attempt number. moto
 * routes by the service in the credential scope and does not check the
 * signature, so none is computed.
 */
function sdkAttempt(endpoint: string, service: string, params: Record<string, string>, invocation: string, attempt: number): Promise<{ status: number; body: string }> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      `${endpoint}/`,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
          'amz-sdk-invocation-id': invocation,
          'amz-sdk-request': `attempt=${attempt}; max=3`,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(new URLSearchParams(params).toString());
  });
}

/** Runs `npm start`'s script with `env`, collecting its output. */
function startScript(env: NodeJS.ProcessEnv, args: string[] = []): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'tools', 'sandbox', 'start.ts'), ...args], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Pids of live processes whose command line or environment mentions `text`. */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return ['cmdline', 'environ'].some((file) => readFileSync(`/proc/${pid}/${file}`, 'latin1').includes(text));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm start failure handling', () => {
  it('without moto: one line saying how to install it', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'no-moto-bin-'));
    for (const python of ['python3', 'python']) {
      writeFileSync(join(bin, python), '#!/bin/sh\nexit 1\n');
      chmodSync(join(bin, python), 0o755);
    }
    const terraform = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'terraform')).find(existsSync);
    if (terraform) symlinkSync(terraform, join(bin, 'terraform'));
    const { stderr, exit } = startScript({ ...process.env, PATH: bin, MOTO_PYTHON: '' });
    expect(await exit).toBe(1);
    expect(stderr()).toBe(`${INSTALL_HINT}\n`);
  }, 60_000);

  it('a failure part-way (an unknown environment) stops the emulator and removes the temp dir', async () => {
    const run = startScript({ ...process.env }, ['--env', 'nope']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/no environment named nope; these exist: dev, prod, staging/);
    const [, endpoint = '', dir = ''] = /(https:\/\/127\.0\.0\.1:\d+) · work dir (\S+)/.exec(run.stdout()) ?? [];
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    expect(listening(Number(endpoint.split(':').at(-1)))).toBe(false);
  }, 60_000);

  it('Ctrl-C during a deploy stops the emulator, cdktf and terraform, and removes the temp dir', async () => {
    const run = startScript({ ...process.env });
    const until = async (what: string, test: () => boolean, ms = 90_000) => {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${run.stdout()}\n${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('the work dir', () => /work dir (\S+)/.test(run.stdout()));
    const [, endpoint = '', dir = ''] = /(https:\/\/127\.0\.0\.1:\d+) · work dir (\S+)/.exec(run.stdout()) ?? [];
    const port = Number(endpoint.split(':').at(-1));
    await until('terraform to run', () => run.stdout().includes('Deploy') && processesMentioning(dir).some((pid) => /(^|\/)terraform$/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0')[0] ?? '')));
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('SIGINT: stopping cdktf and terraform, removing temporary files, stopping the emulator …');
    expect(existsSync(dir)).toBe(false);
    const describe = (pid: number) => { try { return `${pid} ${readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ').slice(1, 4).join(' ')} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 200)}`; } catch { return `${pid} gone`; } };
    expect(processesMentioning(dir).map(describe)).toEqual([]);
    expect(listening(port)).toBe(false);
  }, 120_000);
});
