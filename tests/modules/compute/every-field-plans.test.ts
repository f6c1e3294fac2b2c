/**
 * Every `instances` field and `scaling.customTargets` set at once on a copy
 * of prod: wired into the primary tier as the file says, kept or dropped in
 * the standby as standbySpec decides, and accepted by real Terraform (offline
 * validate and plan against provider 5.100).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import prod from '../../../environments/prod';
import type { EnvironmentInput } from '../../../environments/schema';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { type Block, resourceList, stackNamed, synthEnvironments, type TfJson, underPath } from '../../support/synth';

const DB_GROUP = 'sg-0d1e2f3a4b5c60718';

const everything: EnvironmentInput = {
  ...structuredClone(prod),
  // A warm pool needs one on-demand type of weight 1 and no lifecycle hooks; a rollback an AMI ID.
  instanceTypes: [{ type: 'm5.large', weight: 1 }],
  instancesDistribution: { onDemandBaseCapacity: 2, onDemandPercentageAboveBaseCapacity: 100 },
  resilience: { lifecycleHooks: { enabled: false } },
  app: { port: 80, healthPath: '/health', imageId: 'ami-0123456789abcdef0' },
  instances: {
    iam: {
      managedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy', 'arn:aws:iam::210987654321:policy/web-app-reports-read'],
      statements: [
        { sid: 'ReadReports', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::web-app-reports/*'] },
        { actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['WebApp'] }] },
        { effect: 'Deny', actions: ['s3:*'], resources: ['*'], conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
      ],
      permissionsBoundaryArn: 'arn:aws:iam::210987654321:policy/web-app-instance-boundary',
    },
    securityGroupIds: ['sg-0b1c2d3e4f5a60718'],
    egress: [
      { description: 'PostgreSQL on the database', fromPort: 5432, securityGroupId: DB_GROUP },
      { description: 'DNS to the shared resolvers', protocol: 'udp', fromPort: 53, cidrIpv4: '10.100.0.0/24' },
      { description: 'S3 through its prefix list', fromPort: 443, prefixListId: 'pl-0123abcd' },
      { description: 'Everything to the shared services VPC', protocol: 'all', cidrIpv4: '10.99.0.0/16' },
    ],
    egressPorts: [443, 80],
    instanceRefresh: {
      minHealthyPercentage: 90,
      skipMatching: false,
      instanceWarmup: 180,
      checkpointPercentages: [25, 50, 100],
      checkpointDelay: 600,
      autoRollback: true,
      rollbackOnAlarm: true,
    },
    instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
    terminationPolicies: ['OldestLaunchTemplate', 'Default'],
    maxInstanceLifetime: 1_209_600,
    warmPool: { poolState: 'Stopped', minSize: 1, maxGroupPreparedCapacity: 32, reuseOnScaleIn: true },
  },
  scaling: {
    ...prod.scaling,
    customTargets: [
      { name: 'in-flight', targetValue: 40, metric: { namespace: 'WebApp', metricName: 'InFlight', statistic: 'Average', dimensions: { AutoScalingGroupName: 'web-app-prod-web' }, unit: 'Count' } },
      {
        name: 'queue-backlog',
        targetValue: 100,
        disableScaleIn: true,
        metrics: [
          { id: 'backlog', metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Sum', dimensions: { QueueName: 'web-app-jobs' } } },
          { id: 'instances', metric: { namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', statistic: 'Average', dimensions: { AutoScalingGroupName: 'web-app-prod-web' } } },
          { id: 'perInstance', expression: 'backlog / instances', label: 'Backlog per instance', returnData: true },
        ],
      },
    ],
  },
};

let outdir: string;
let stack: TfJson;
let plan: OfflinePlanResult;

beforeAll(async () => {
  const synthesized = synthEnvironments([{ file: 'prod.ts', data: everything }]);
  outdir = synthesized.outdir;
  stack = stackNamed(synthesized.stacks, 'prod');
  plan = await offlinePlan(join(outdir, 'stacks', 'prod'));
}, 300_000);

const tier = (prefix: 'prod/primary/' | 'prod/standby/') => underPath(stack, prefix);
const one = (json: TfJson, type: string): Block => {
  const list = resourceList(json, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0]!;
};

describe('every fleet field, wired', () => {
  it('the primary group: warm pool on a plain launch template, refresh stopped by the 5xx alarm by name', () => {
    const asg = one(tier('prod/primary/'), 'aws_autoscaling_group');
    expect(asg).not.toHaveProperty('mixed_instances_policy');
    expect(asg).toMatchObject({
      warm_pool: { pool_state: 'Stopped', min_size: 1, max_group_prepared_capacity: 32, instance_reuse_policy: { reuse_on_scale_in: true } },
      instance_maintenance_policy: { min_healthy_percentage: 100, max_healthy_percentage: 150 },
      termination_policies: ['OldestLaunchTemplate', 'Default'],
      max_instance_lifetime: 1_209_600,
      instance_refresh: {
        preferences: {
          min_healthy_percentage: 90,
          skip_matching: false,
          instance_warmup: '180',
          checkpoint_percentages: [25, 50, 100],
          checkpoint_delay: '600',
          auto_rollback: true,
          alarm_specification: { alarms: ['web-app-prod-5xx-rate'] },
        },
      },
    });
    // The name is the monitoring module's own alarm, not a second spelling of it.
    expect(resourceList(tier('prod/primary/'), 'aws_cloudwatch_metric_alarm').map((a) => a.alarm_name)).toContain('web-app-prod-5xx-rate');
  });

  it('the instance role: its own boundary, the managed policies, the application policy', () => {
    const roles = resourceList(stack, 'aws_iam_role');
    const instanceRoles = roles.filter((r) => String(r.name).endsWith('-instance'));
    expect(instanceRoles.map((r) => r.permissions_boundary)).toEqual(['arn:aws:iam::210987654321:policy/web-app-instance-boundary', 'arn:aws:iam::210987654321:policy/web-app-instance-boundary']);
    // Every other role keeps the environment's boundary.
    expect(new Set(roles.filter((r) => !String(r.name).endsWith('-instance')).map((r) => r.permissions_boundary))).toEqual(
      new Set(['arn:aws:iam::210987654321:policy/web-app-workload-boundary']),
    );
    expect(resourceList(tier('prod/primary/'), 'aws_iam_role_policy_attachment')).toHaveLength(2);
    expect(resourceList(tier('prod/primary/'), 'aws_iam_role_policy').map((p) => p.name)).toContain('application');
  });

  it('the primary reaches the database group; the standby keeps only what is not regional', () => {
    const primaryEgress = resourceList(tier('prod/primary/'), 'aws_vpc_security_group_egress_rule');
    expect(primaryEgress.some((r) => r.referenced_security_group_id === DB_GROUP && r.from_port === 5432)).toBe(true);
    expect(primaryEgress.filter((r) => r.cidr_ipv4 === '0.0.0.0/0').map((r) => r.from_port).sort()).toEqual([443, 80].sort());
    expect(one(tier('prod/primary/'), 'aws_launch_template').vpc_security_group_ids).toHaveLength(2);

    const standby = tier('prod/standby/');
    const standbyEgress = resourceList(standby, 'aws_vpc_security_group_egress_rule').filter((r) => String(r.description).match(/PostgreSQL|DNS|prefix list|shared services/));
    expect(standbyEgress.map((r) => r.description).sort()).toEqual(['DNS to the shared resolvers', 'Everything to the shared services VPC']);
    expect(one(standby, 'aws_launch_template').vpc_security_group_ids).toHaveLength(1);
    expect(one(standby, 'aws_autoscaling_group')).not.toHaveProperty('warm_pool');
  });

  it('custom targets scale the primary only', () => {
    const names = (json: TfJson) => resourceList(json, 'aws_autoscaling_policy').map((p) => p.name);
    expect(names(tier('prod/primary/'))).toEqual(expect.arrayContaining(['web-app-prod-in-flight', 'web-app-prod-queue-backlog']));
    expect(names(tier('prod/standby/')).filter((n) => /in-flight|queue-backlog/.test(String(n)))).toEqual([]);
  });
});

describe('every fleet field, planned by Terraform offline', () => {
  it('validates and plans', () => {
    expect(plan.validate.valid, JSON.stringify(plan.validate.diagnostics)).toBe(true);
    const asg = plan.plan.resource_changes.find((c) => c.type === 'aws_autoscaling_group' && c.name.startsWith('primary_'));
    expect(asg?.change.actions).toEqual(['create']);
    expect(asg?.change.after).toMatchObject({ warm_pool: [{ pool_state: 'Stopped', min_size: 1 }], max_instance_lifetime: 1_209_600 });
    const policies = plan.plan.resource_changes.filter((c) => c.type === 'aws_autoscaling_policy' && /in-flight|queue-backlog/.test(c.address));
    expect(policies).toHaveLength(2);
  });
});
