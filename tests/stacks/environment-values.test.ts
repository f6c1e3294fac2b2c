/**
 * Every environment's own values, written down as literals and compared with
 * what synth produced: the fleet's split and Spot strategy, capacity, health
 * checks, alarms, scaling policies and key policies, tier by tier. These are
 * the assertions that must catch a behaviour change; the file snapshots only
 * show a reviewer what changed (docs/testing.md). Nothing here is computed
 * from the schema or the environment files: a bug there must fail here.
 *
 * References between resources are compared by logical id without its hash,
 * `${aws_lb.standby_tier_load-balancer_alb.arn_suffix}`: readable, and an
 * alarm wired to the wrong tier's load balancer, or to the alerts topic
 * instead of the critical one, fails as surely as one pointing at nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, resourceList, resources, stackNamed, synthApp, type TfJson } from '../support/synth';

let stacks: Record<string, TfJson>;

beforeAll(async () => {
  stacks = (await synthApp()).stacks;
});

/** `${aws_lb.primary_load-balancer_alb_2D686B5A.arn_suffix}` → `${aws_lb.primary_load-balancer_alb.arn_suffix}`. */
function symbolic<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/(\$\{(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+?)_[0-9A-F]{8}(\.[a-z_]+\})/g, '$1$2')) as T;
}

const stack = (name: string): TfJson => stackNamed(stacks, name);

function byName(blocks: Block[], key: string): Record<string, Block> {
  return Object.fromEntries(blocks.map((block) => [String(block[key]), block]));
}

const OVERRIDES = [
  { instance_type: 't3.medium', weighted_capacity: '1' },
  { instance_type: 't3a.medium', weighted_capacity: '1' },
  { instance_type: 'm5.large', weighted_capacity: '2' },
  { instance_type: 'm5a.large', weighted_capacity: '2' },
];

interface FleetValues {
  readonly min_size: number;
  readonly max_size: number;
  readonly desired_capacity: number;
  readonly instances_distribution: Record<string, unknown>;
}

const FLEETS: Record<string, Record<string, FleetValues>> = {
  dev: {
    'web-app-dev-web': {
      min_size: 1,
      max_size: 4,
      desired_capacity: 1,
      instances_distribution: {
        on_demand_allocation_strategy: 'prioritized',
        on_demand_base_capacity: 0,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: 'price-capacity-optimized',
      },
    },
  },
  staging: {
    'web-app-staging-web': {
      min_size: 1,
      max_size: 10,
      desired_capacity: 2,
      instances_distribution: {
        on_demand_allocation_strategy: 'prioritized',
        on_demand_base_capacity: 1,
        on_demand_percentage_above_base_capacity: 20,
        spot_allocation_strategy: 'capacity-optimized',
      },
    },
  },
  prod: {
    'web-app-prod-web': {
      min_size: 2,
      max_size: 30,
      desired_capacity: 4,
      instances_distribution: {
        on_demand_allocation_strategy: 'prioritized',
        on_demand_base_capacity: 2,
        on_demand_percentage_above_base_capacity: 20,
        spot_allocation_strategy: 'capacity-optimized',
      },
    },
    'web-app-prod-dr-web': {
      min_size: 1,
      max_size: 10,
      desired_capacity: 1,
      instances_distribution: {
        on_demand_allocation_strategy: 'prioritized',
        on_demand_base_capacity: 1,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: 'capacity-optimized',
      },
    },
  },
};

describe.each(Object.keys(FLEETS))('%s: the fleet', (name) => {
  it('has its own capacity, on-demand/Spot split and Spot strategy, over the four weighted types', () => {
    const groups = byName(resourceList(stack(name), 'aws_autoscaling_group'), 'name');
    expect(Object.keys(groups).sort()).toEqual(Object.keys(FLEETS[name]!).sort());
    for (const [groupName, expected] of Object.entries(FLEETS[name]!)) {
      const group = groups[groupName]!;
      expect({ min_size: group.min_size, max_size: group.max_size, desired_capacity: group.desired_capacity }, groupName).toEqual({
        min_size: expected.min_size,
        max_size: expected.max_size,
        desired_capacity: expected.desired_capacity,
      });
      const policy = group.mixed_instances_policy as { instances_distribution: unknown; launch_template: { override: unknown } };
      expect(policy.instances_distribution, groupName).toEqual(expected.instances_distribution);
      expect(policy.launch_template.override, groupName).toEqual(OVERRIDES);
    }
  });

  it('replaces instances on the load balancer health check, and refreshes only instances that differ', () => {
    const REFRESH_ALARMS: Record<string, string> = { 'web-app-prod-web': 'web-app-prod-5xx-rate', 'web-app-prod-dr-web': 'web-app-prod-dr-5xx-rate' };
    for (const group of resourceList(stack(name), 'aws_autoscaling_group')) {
      expect(
        {
          health_check_type: group.health_check_type,
          health_check_grace_period: group.health_check_grace_period,
          default_instance_warmup: group.default_instance_warmup,
          capacity_rebalance: group.capacity_rebalance,
          instance_refresh: group.instance_refresh,
        },
        String(group.name),
      ).toEqual({
        health_check_type: 'ELB',
        health_check_grace_period: 300,
        default_instance_warmup: 120,
        capacity_rebalance: true,
        instance_refresh: {
          strategy: 'Rolling',
          preferences: {
            min_healthy_percentage: 80,
            skip_matching: true,
            // prod's refreshes stop when its tier's own 5xx alarm fires (instances.instanceRefresh.rollbackOnAlarm).
            ...(name === 'prod' ? { alarm_specification: { alarms: [REFRESH_ALARMS[String(group.name)]] } } : {}),
          },
        },
      });
    }
  });

  it('checks targets on /health every 15 s, out after 3 failures, back after 2 successes', () => {
    // The fleets' own (staging's Fargate service and API function have theirs, tested with their modules).
    const targetGroups = resourceList(stack(name), 'aws_lb_target_group').filter((group) => group.target_type === 'instance');
    expect(targetGroups).toHaveLength(Object.keys(FLEETS[name]!).length);
    for (const group of targetGroups) {
      expect(group.deregistration_delay).toBe('30');
      expect(group.health_check).toEqual({
        enabled: true,
        path: '/health',
        port: 'traffic-port',
        protocol: 'HTTP',
        matcher: '200',
        interval: 15,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      });
    }
  });
});

/** A Route 53 health check as configured (its fqdn and Name tag added per endpoint). */
const ROUTE53_CHECK = {
  type: 'HTTPS',
  port: 443,
  resource_path: '/health',
  enable_sni: true,
  measure_latency: true,
  failure_threshold: 3,
  request_interval: 10,
  regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
};

describe('Route 53 health checks', () => {
  it.each([
    ['dev', []],
    ['staging', [{ ...ROUTE53_CHECK, fqdn: '${aws_lb.primary_load-balancer_alb.dns_name}', tags: { Name: 'web-app-staging-primary-health' } }]],
    [
      'prod',
      [
        { ...ROUTE53_CHECK, fqdn: '${aws_lb.primary_load-balancer_alb.dns_name}', tags: { Name: 'web-app-prod-primary-health' } },
        { ...ROUTE53_CHECK, fqdn: '${aws_lb.standby_tier_load-balancer_alb.dns_name}', tags: { Name: 'web-app-prod-standby-health' } },
      ],
    ],
  ])('%s: each failover endpoint is checked over HTTPS from three regions, down after 3 failures', (name, expected) => {
    const checks = resourceList(stack(name), 'aws_route53_health_check').map(({ '//': _, ...check }) => check);
    expect(symbolic(checks)).toEqual(expected);
  });
});

/** An alarm's decision: what it watches, when it fires, what missing data means, whom it tells. */
function decision(alarm: Block): Record<string, unknown> {
  const keep = ['namespace', 'metric_name', 'statistic', 'extended_statistic', 'period', 'dimensions', 'metric_query', 'threshold', 'comparison_operator', 'evaluation_periods', 'datapoints_to_alarm', 'treat_missing_data', 'alarm_actions', 'ok_actions', 'provider'];
  return symbolic(Object.fromEntries(keep.filter((key) => alarm[key] !== undefined).map((key) => [key, alarm[key]])));
}

/** A tier's construct scope: `primary`, or prod's `standby_tier`. */
type Tier = 'primary' | 'standby_tier';
const GROUP = (tier: Tier) => ({ AutoScalingGroupName: `\${aws_autoscaling_group.${tier}_fleet_group.name}` });
const ALB = (tier: Tier) => ({ LoadBalancer: `\${aws_lb.${tier}_load-balancer_alb.arn_suffix}` });
const TARGETS = (tier: Tier) => `\${aws_lb_target_group.${tier}_load-balancer_targets.arn_suffix}`;
/** Pages someone: users are affected. */
const CRITICAL = (tier: Tier) => ({ alarm_actions: [`\${aws_sns_topic.${tier}_monitoring_critical_topic.arn}`], ok_actions: [`\${aws_sns_topic.${tier}_monitoring_critical_topic.arn}`] });
/** Tells the team: look at it today. */
const ALERTS = (tier: Tier) => ({ alarm_actions: [`\${aws_sns_topic.${tier}_monitoring_alerts_topic.arn}`], ok_actions: [`\${aws_sns_topic.${tier}_monitoring_alerts_topic.arn}`] });

/** The alarms every tier has, with its latency threshold (seconds). */
function tierAlarms(prefix: string, tier: Tier, latencySeconds: number, provider?: string): Record<string, Record<string, unknown>> {
  const on = provider ? { provider } : {};
  const albMetric = (id: string, metric_name: string) => ({
    id,
    metric: { namespace: 'AWS/ApplicationELB', metric_name, stat: 'Sum', period: 60, dimensions: ALB(tier) },
  });
  return {
    [`${prefix}-5xx-rate`]: {
      metric_query: [
        { id: 'error_rate', expression: '100 * FILL(errors, 0) / requests', label: '5xx error rate (%)', return_data: true },
        albMetric('errors', 'HTTPCode_Target_5XX_Count'),
        albMetric('requests', 'RequestCount'),
      ],
      threshold: 5,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 2,
      treat_missing_data: 'notBreaching',
      ...CRITICAL(tier),
      ...on,
    },
    [`${prefix}-cpu-high`]: {
      namespace: 'AWS/EC2',
      metric_name: 'CPUUtilization',
      statistic: 'Average',
      period: 60,
      dimensions: GROUP(tier),
      threshold: 85,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 3,
      treat_missing_data: 'notBreaching',
      ...ALERTS(tier),
      ...on,
    },
    [`${prefix}-p95-latency`]: {
      namespace: 'AWS/ApplicationELB',
      metric_name: 'TargetResponseTime',
      extended_statistic: 'p95',
      period: 60,
      dimensions: ALB(tier),
      threshold: latencySeconds,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      treat_missing_data: 'notBreaching',
      ...ALERTS(tier),
      ...on,
    },
    [`${prefix}-spot-interruptions`]: {
      namespace: 'Custom/SpotMetrics',
      metric_name: 'SpotInterruptionCount',
      statistic: 'Sum',
      period: 300,
      dimensions: GROUP(tier),
      threshold: 3,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
      ...CRITICAL(tier),
      ...on,
    },
    // Without the LoadBalancer dimension the metric does not exist, and the alarm never fires.
    [`${prefix}-unhealthy-hosts`]: {
      namespace: 'AWS/ApplicationELB',
      metric_name: 'UnHealthyHostCount',
      statistic: 'Maximum',
      period: 60,
      dimensions: { ...ALB(tier), TargetGroup: TARGETS(tier) },
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 2,
      treat_missing_data: 'notBreaching',
      ...ALERTS(tier),
      ...on,
    },
  };
}

/** A Route 53 health check's alarm: in us-east-1, where Route 53 publishes; no data means the check is gone, so it fires. */
function healthCheckAlarm(endpoint: 'primary' | 'standby'): Record<string, unknown> {
  return {
    namespace: 'AWS/Route53',
    metric_name: 'HealthCheckStatus',
    statistic: 'Minimum',
    period: 60,
    dimensions: { HealthCheckId: `\${aws_route53_health_check.${endpoint}-health_check.id}` },
    threshold: 1,
    comparison_operator: 'LessThanThreshold',
    evaluation_periods: 1,
    treat_missing_data: 'breaching',
    alarm_actions: ['${aws_sns_topic.us_east_1_dns-alerts_topic.arn}'],
    ok_actions: ['${aws_sns_topic.us_east_1_dns-alerts_topic.arn}'],
    provider: 'aws.us_east_1',
  };
}

/** The step and simple policies' own CPU alarms, acting on their policy only. */
function policyAlarm(policy: string, threshold: number, comparison_operator: string, evaluation_periods: number, period: number): Record<string, unknown> {
  return {
    namespace: 'AWS/EC2',
    metric_name: 'CPUUtilization',
    statistic: 'Average',
    period,
    dimensions: GROUP('primary'),
    threshold,
    comparison_operator,
    evaluation_periods,
    treat_missing_data: 'notBreaching',
    alarm_actions: [`\${aws_autoscaling_policy.primary_scaling_${policy}.arn}`],
  };
}

/** An alarm on the primary tier's Aurora cluster, one minute at a time. */
function databaseAlarm(metric_name: string, statistic: string, threshold: number, comparison_operator: string, evaluation_periods: number, treat_missing_data: string): Record<string, unknown> {
  return {
    namespace: 'AWS/RDS',
    metric_name,
    statistic,
    period: 60,
    dimensions: { DBClusterIdentifier: '${aws_rds_cluster.primary_database_cluster.cluster_identifier}' },
    threshold,
    comparison_operator,
    evaluation_periods,
    treat_missing_data,
    ...ALERTS('primary'),
  };
}

const ALARMS: Record<string, Record<string, Record<string, unknown>>> = {
  dev: tierAlarms('web-app-dev', 'primary', 1),
  staging: {
    ...tierAlarms('web-app-staging', 'primary', 1),
    'web-app-staging-primary-health-check': healthCheckAlarm('primary'),
    'web-app-staging-cpu-burst': policyAlarm('cpu-burst', 80, 'GreaterThanOrEqualToThreshold', 2, 60),
    'web-app-staging-cpu-idle': policyAlarm('cpu-idle', 20, 'LessThanOrEqualToThreshold', 5, 120),
    // staging's Aurora cluster, all to the alerts topic.
    'web-app-staging-db-cpu-high': databaseAlarm('CPUUtilization', 'Maximum', 80, 'GreaterThanThreshold', 3, 'missing'),
    'web-app-staging-db-freeable-memory-low': databaseAlarm('FreeableMemory', 'Minimum', 536870912, 'LessThanThreshold', 3, 'missing'),
    'web-app-staging-db-replica-lag': databaseAlarm('AuroraReplicaLag', 'Maximum', 1000, 'GreaterThanThreshold', 5, 'notBreaching'),
    'web-app-staging-db-connections-high': databaseAlarm('DatabaseConnections', 'Maximum', 300, 'GreaterThanThreshold', 3, 'missing'),
    // staging's batch workflow: any failed run, and any run waiting in the failed-runs queue, tell the team.
    'web-app-staging-batch-executions-failed': {
      namespace: 'AWS/States',
      metric_name: 'ExecutionsFailed',
      statistic: 'Sum',
      period: 300,
      dimensions: { StateMachineArn: '${aws_sfn_state_machine.primary_batch_workflow_state-machine.arn}' },
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
      ...ALERTS('primary'),
    },
    'web-app-staging-batch-failed-runs-waiting': {
      namespace: 'AWS/SQS',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      statistic: 'Maximum',
      period: 300,
      dimensions: { QueueName: '${aws_sqs_queue.primary_batch_workflow_failed-runs.name}' },
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
      ...ALERTS('primary'),
    },
  },
  prod: {
    ...tierAlarms('web-app-prod', 'primary', 0.8),
    ...tierAlarms('web-app-prod-dr', 'standby_tier', 0.8, 'aws.standby'),
    'web-app-prod-primary-health-check': healthCheckAlarm('primary'),
    'web-app-prod-standby-health-check': healthCheckAlarm('standby'),
  },
};

describe.each(Object.keys(ALARMS))('%s: alarms', (name) => {
  it('are exactly these: metric, dimensions, threshold, periods, missing-data treatment and actions', () => {
    const alarms = byName(resourceList(stack(name), 'aws_cloudwatch_metric_alarm'), 'alarm_name');
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(ALARMS[name]!).sort());
    for (const [alarmName, expected] of Object.entries(ALARMS[name]!)) {
      expect(decision(alarms[alarmName]!), alarmName).toEqual(expected);
    }
  });
});

const CPU_TARGET = { disable_scale_in: false, predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' }, target_value: 70 };
const REQUESTS_TARGET = (tier: Tier) => ({
  predefined_metric_specification: {
    predefined_metric_type: 'ALBRequestCountPerTarget',
    resource_label: `\${aws_lb.${tier}_load-balancer_alb.arn_suffix}/${TARGETS(tier)}`,
  },
  target_value: 1000,
});
const PREDICTIVE = (mode: string) => ({
  mode,
  scheduling_buffer_time: '300',
  max_capacity_breach_behavior: 'HonorMaxCapacity',
  metric_specification: { target_value: 70, predefined_metric_pair_specification: { predefined_metric_type: 'ASGCPUUtilization' } },
});

/** Each policy's kind and the settings that decide what it does. */
function policyDecision(policy: Block): unknown {
  const { policy_type: kind } = policy;
  if (kind === 'TargetTrackingScaling') return [kind, symbolic(policy.target_tracking_configuration)];
  if (kind === 'PredictiveScaling') return [kind, policy.predictive_scaling_configuration];
  if (kind === 'StepScaling') return [kind, policy.adjustment_type, policy.step_adjustment];
  return [kind, policy.adjustment_type, policy.scaling_adjustment, policy.cooldown];
}

const POLICIES: Record<string, Record<string, unknown>> = {
  dev: { 'web-app-dev-cpu-target': ['TargetTrackingScaling', CPU_TARGET] },
  staging: {
    'web-app-staging-cpu-target': ['TargetTrackingScaling', CPU_TARGET],
    'web-app-staging-requests-target': ['TargetTrackingScaling', REQUESTS_TARGET('primary')],
    // ForecastOnly still buffers: the forecasts staging publishes are the ones prod would act on.
    'web-app-staging-predictive': ['PredictiveScaling', PREDICTIVE('ForecastOnly')],
    'web-app-staging-cpu-burst': [
      'StepScaling',
      'ChangeInCapacity',
      [
        { metric_interval_lower_bound: '0', metric_interval_upper_bound: '10', scaling_adjustment: 1 },
        { metric_interval_lower_bound: '10', metric_interval_upper_bound: '20', scaling_adjustment: 3 },
        { metric_interval_lower_bound: '20', scaling_adjustment: 5 },
      ],
    ],
    'web-app-staging-cpu-idle': ['SimpleScaling', 'ChangeInCapacity', -1, 300],
  },
  prod: {
    'web-app-prod-cpu-target': ['TargetTrackingScaling', CPU_TARGET],
    'web-app-prod-requests-target': ['TargetTrackingScaling', REQUESTS_TARGET('primary')],
    'web-app-prod-predictive': ['PredictiveScaling', PREDICTIVE('ForecastAndScale')],
    'web-app-prod-dr-cpu-target': ['TargetTrackingScaling', CPU_TARGET],
    'web-app-prod-dr-requests-target': ['TargetTrackingScaling', REQUESTS_TARGET('standby_tier')],
  },
};

describe.each(Object.keys(POLICIES))('%s: scaling policies', (name) => {
  it('are exactly these, with their targets, forecast mode and buffer, steps and cooldowns', () => {
    const policies = byName(resourceList(stack(name), 'aws_autoscaling_policy'), 'name');
    expect(Object.keys(policies).sort()).toEqual(Object.keys(POLICIES[name]!).sort());
    for (const [policyName, expected] of Object.entries(POLICIES[name]!)) {
      expect(policyDecision(policies[policyName]!), policyName).toEqual(expected);
    }
  });
});

/** What a key administrator may do: manage the key, never use it. */
const KEY_ADMINISTRATION = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

interface KeyExpectation {
  readonly region: string;
  readonly account: string;
  /** Alarms `<prefix>-…` that publish to topics under the key. */
  readonly alarms: string;
  /** Log groups the key encrypts; none for the DNS-alerts key. */
  readonly logGroups: readonly string[];
  /** Rules `<prefix>-…` that dead-letter to a queue under the key; none for the DNS-alerts key. */
  readonly rules?: readonly string[];
}

/** A key's policy, written out: break-glass root, root as administrator, and the grants it uses, each for this account's resources. */
function operationsKeyPolicy(key: string, { region, account, alarms, logGroups, rules }: KeyExpectation): unknown[] {
  const partition = `\${data.aws_partition.${key}_partition.partition}`;
  const root = `arn:${partition}:iam::${account}:root`;
  return [
    { sid: 'BreakGlassAccountRoot', actions: ['kms:*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: [root] }] },
    { sid: 'KeyAdministration', actions: KEY_ADMINISTRATION, resources: ['*'], principals: [{ type: 'AWS', identifiers: [root] }] },
    {
      sid: 'CloudWatchAlarmsPublish',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
      // Confused deputy: only this environment's alarms in this account and region may use the key.
      condition: [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:${alarms}-*`] },
      ],
    },
    ...(logGroups.length > 0
      ? [
          {
            sid: 'CloudWatchLogsEncrypt',
            actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            resources: ['*'],
            principals: [{ type: 'Service', identifiers: [`logs.${region}.amazonaws.com`] }],
            condition: [
              {
                test: 'ArnEquals',
                variable: 'kms:EncryptionContext:aws:logs:arn',
                values: logGroups.map((group) => `arn:${partition}:logs:${region}:${account}:log-group:${group}`),
              },
            ],
          },
        ]
      : []),
    ...(rules
      ? [
          {
            sid: 'EventBridgeDeadLetters',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
            condition: [
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
              { test: 'ArnLike', variable: 'aws:SourceArn', values: rules.map((prefix) => `arn:${partition}:events:${region}:${account}:rule/${prefix}-*`) },
            ],
          },
        ]
      : []),
  ];
}

const SHARED = '123456789012';
const PROD = '210987654321';
/** A tier's key: its alarms, its Spot handler's log group (and flow logs' when on) and its Spot rules. */
const tierKey = (region: string, account: string, name: string, flowLogs: boolean): KeyExpectation => ({
  region,
  account,
  alarms: name,
  logGroups: [...(flowLogs ? [`/aws/vpc-flow-logs/${name}`] : []), `/aws/lambda/${name}-spot-interruption`, `aws-waf-logs-${name}`],
  rules: [`${name}-spot`],
});
/** The us-east-1 key of the health-check alarms' topic: alarms only, no log group, no queue. */
const dnsKey = (account: string, name: string): KeyExpectation => ({ region: 'us-east-1', account, alarms: name, logGroups: [] });

/** Each stack's operations keys (construct scope) and what each is for. */
const KEYS: Record<string, Record<string, KeyExpectation>> = {
  // dev has flow logs off.
  dev: { 'primary_ops-key': tierKey('ap-northeast-2', SHARED, 'web-app-dev', false) },
  staging: {
    // Its Fargate service, API function and batch workflow and sweep log under the tier's key too, and the batch
    // tier's rules deliver to its queues beside the Spot handler's.
    'primary_ops-key': {
      ...tierKey('ap-northeast-2', SHARED, 'web-app-staging', true),
      logGroups: [
        ...tierKey('ap-northeast-2', SHARED, 'web-app-staging', true).logGroups,
        '/ecs/web-app-staging-svc',
        '/aws/lambda/web-app-staging-api',
        '/aws/vendedlogs/states/web-app-staging-batch',
        '/aws/lambda/web-app-staging-batch-sweep',
      ],
      rules: ['web-app-staging-spot', 'web-app-staging-batch'],
    },
    'us_east_1_dns-alerts-key': dnsKey(SHARED, 'web-app-staging'),
  },
  prod: {
    'primary_ops-key': tierKey('ap-northeast-2', PROD, 'web-app-prod', true),
    'standby_tier_ops-key': tierKey('ap-northeast-1', PROD, 'web-app-prod-dr', true),
    'us_east_1_dns-alerts-key': dnsKey(PROD, 'web-app-prod'),
  },
};

describe.each(Object.keys(KEYS))('%s: operations keys', (name) => {
  it("rotate, wait 30 days before deletion, keep root as break-glass, and let only this environment's alarms, log groups and rules use them", () => {
    const s = stack(name);
    const keys = Object.entries(resources(s, 'aws_kms_key')).filter(([, key]) => String(key.description).startsWith('Alarms, logs and queues'));
    expect(keys.map(([id]) => id.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(Object.keys(KEYS[name]!).sort());
    for (const [id, key] of keys) {
      const scope = id.replace(/_[0-9A-F]{8}$/, '');
      expect({ enable_key_rotation: key.enable_key_rotation, deletion_window_in_days: key.deletion_window_in_days, policy: symbolic(key.policy) }, id).toEqual({
        enable_key_rotation: true,
        deletion_window_in_days: 30,
        policy: `\${data.aws_iam_policy_document.${scope}_policy.json}`,
      });
      const document = Object.entries(s.data?.aws_iam_policy_document ?? {}).find(([docId]) => docId.replace(/_[0-9A-F]{8}$/, '') === `${scope}_policy`)?.[1];
      expect(symbolic(document?.statement), scope).toEqual(operationsKeyPolicy(scope, KEYS[name]![scope]!));
    }
  });
});

/** Every role each stack creates, with the service that assumes it and the account its trust policy names. */
const ROLES: Record<string, { account: string; boundary?: string; roles: Record<string, string> }> = {
  dev: {
    account: SHARED,
    roles: { 'web-app-dev-instance': 'ec2.amazonaws.com', 'web-app-dev-spot-interruption': 'lambda.amazonaws.com', 'web-app-dev-lifecycle-hooks': 'autoscaling.amazonaws.com' },
  },
  staging: {
    account: SHARED,
    roles: {
      'web-app-staging-instance': 'ec2.amazonaws.com',
      'web-app-staging-spot-interruption': 'lambda.amazonaws.com',
      'web-app-staging-lifecycle-hooks': 'autoscaling.amazonaws.com',
      'web-app-staging-vpc-flow-logs': 'vpc-flow-logs.amazonaws.com',
      'web-app-staging-spot-chaos': 'fis.amazonaws.com',
      // The Aurora cluster's enhanced monitoring, the Fargate service's two roles, and the API function.
      'web-app-staging-db-monitoring': 'monitoring.rds.amazonaws.com',
      'web-app-staging-svc-exec': 'ecs-tasks.amazonaws.com',
      'web-app-staging-svc-task': 'ecs-tasks.amazonaws.com',
      'web-app-staging-api': 'lambda.amazonaws.com',
      // The batch tier: its instances, the workflow, EventBridge starting it, and the sweep.
      'web-app-staging-batch-instance': 'ec2.amazonaws.com',
      'web-app-staging-batch-workflow': 'states.amazonaws.com',
      'web-app-staging-batch-start': 'events.amazonaws.com',
      'web-app-staging-batch-sweep': 'lambda.amazonaws.com',
    },
  },
  prod: {
    account: PROD,
    boundary: 'arn:aws:iam::210987654321:policy/web-app-workload-boundary',
    roles: Object.fromEntries(
      ['web-app-prod', 'web-app-prod-dr'].flatMap((n) => [
        [`${n}-instance`, 'ec2.amazonaws.com'],
        [`${n}-spot-interruption`, 'lambda.amazonaws.com'],
        [`${n}-lifecycle-hooks`, 'autoscaling.amazonaws.com'],
        [`${n}-vpc-flow-logs`, 'vpc-flow-logs.amazonaws.com'],
      ]),
    ),
  },
};

describe.each(Object.keys(ROLES))('%s: IAM roles', (name) => {
  const documentOf = (s: TfJson, role: Block) => {
    const id = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(role.assume_role_policy))?.[1];
    return (s.data?.aws_iam_policy_document ?? {})[id ?? '']?.statement as Block[];
  };

  it('are exactly these, each assumable by its service for this account only, inside the permissions boundary prod sets', () => {
    const s = stack(name);
    const { account, boundary, roles } = ROLES[name]!;
    const found = byName(resourceList(s, 'aws_iam_role'), 'name');
    expect(Object.keys(found).sort()).toEqual(Object.keys(roles).sort());
    for (const [roleName, service] of Object.entries(roles)) {
      const role = found[roleName]!;
      expect(role.permissions_boundary, roleName).toBe(boundary);
      const [statement] = documentOf(s, role);
      expect(statement?.principals, roleName).toEqual([{ type: 'Service', identifiers: [service] }]);
      expect((statement?.condition as Block[])[0], roleName).toEqual({ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] });
      // Flow logs name their source (and FIS its experiment in its own policy): the only services here that send one when assuming a role.
      const sourceArn = (statement?.condition as Block[]).find((c) => c.variable === 'aws:SourceArn');
      if (service === 'vpc-flow-logs.amazonaws.com') expect(String(sourceArn?.values), roleName).toMatch(new RegExp(`:ec2:\\$\\{data\\.aws_region\\.[^}]+\\}:${account}:vpc-flow-log/\\*$`));
      else expect(sourceArn, roleName).toBeUndefined();
    }
  });

  it('instances read their own environment\'s parameters only', () => {
    const s = stack(name);
    const policies = Object.entries(s.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.includes('fleet_instance-permissions'));
    expect(policies.length).toBe(name === 'prod' ? 2 : 1);
    for (const [id, document] of policies) {
      const region = id.startsWith('standby') ? 'ap-northeast-1' : 'ap-northeast-2';
      const read = (symbolic(document.statement) as Block[]).find((st) => st.sid === 'ReadOwnParameters');
      const partition = `\${data.aws_partition.${id.startsWith('standby') ? 'standby_tier' : 'primary'}_fleet_partition.partition}`;
      const path = `arn:${partition}:ssm:${region}:${ROLES[name]!.account}:parameter/web-app/${name}`;
      expect(read?.resources, id).toEqual([path, `${path}/*`]);
    }
  });
});
