/**
 * The operations around each web tier, as synthesized for the committed
 * environments: alarms and their topics, the dashboard, Spot interruption
 * handling, lifecycle hooks, the chaos experiment and the key they share.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DashboardJson } from '../../modules/monitoring';
import { type Block, findBy, only, ref, resourceList, resources, synthApp, type TfJson, underPath, dataSources } from '../support/synth';

let stacks: Record<string, TfJson>;
beforeAll(async () => {
  stacks = (await synthApp()).stacks;
});

function tier(env: string, path = 'primary'): TfJson {
  const stack = stacks[env];
  if (!stack) throw new Error(`no stack ${env}`);
  return underPath(stack, `${env}/${path}/`);
}

function idOf(stack: TfJson, type: string, block: Block): string {
  const entry = Object.entries(resources(stack, type)).find(([, b]) => b === block);
  if (!entry) throw new Error(`no ${type} like that`);
  return entry[0];
}

const arnOf = (stack: TfJson, type: string, block: Block) => `\${${type}.${idOf(stack, type, block)}.arn}`;

function alarm(stack: TfJson, suffix: string): Block {
  const found = resourceList(stack, 'aws_cloudwatch_metric_alarm').find((a) => String(a.alarm_name).endsWith(`-${suffix}`));
  if (!found) throw new Error(`no alarm *-${suffix}`);
  return found;
}

function statements(stack: TfJson, documentId: string): Block[] {
  const doc = Object.entries(dataSources(stack, 'aws_iam_policy_document')).find(([id]) => id.includes(documentId));
  if (!doc) throw new Error(`no policy document ${documentId}`);
  return doc[1].statement as Block[];
}

describe('alarms (seed section 10)', () => {
  it('prod: the five alarms, their thresholds, and both alarm and OK actions on the right topic', () => {
    const prod = tier('prod');
    const alerts = arnOf(prod, 'aws_sns_topic', findBy(prod, 'aws_sns_topic', 'name', 'web-app-prod-alerts'));
    const critical = arnOf(prod, 'aws_sns_topic', findBy(prod, 'aws_sns_topic', 'name', 'web-app-prod-critical'));
    const asg = ref(prod, 'aws_autoscaling_group', 'name');

    expect(alarm(prod, 'cpu-high')).toMatchObject({
      namespace: 'AWS/EC2',
      metric_name: 'CPUUtilization',
      dimensions: { AutoScalingGroupName: asg },
      period: 60,
      evaluation_periods: 3,
      threshold: 85,
      comparison_operator: 'GreaterThanThreshold',
      treat_missing_data: 'notBreaching',
      alarm_actions: [alerts],
      ok_actions: [alerts],
    });
    const errorRate = alarm(prod, '5xx-rate');
    expect(errorRate).toMatchObject({ threshold: 5, evaluation_periods: 2, comparison_operator: 'GreaterThanThreshold', alarm_actions: [critical], ok_actions: [critical] });
    const queries = errorRate.metric_query as Block[];
    expect(queries.find((q) => q.return_data)?.expression).toBe('100 * FILL(errors, 0) / requests');
    expect(queries.filter((q) => q.metric).map((q) => [q.id, (q.metric as Block).metric_name, (q.metric as Block).period, (q.metric as Block).stat])).toEqual([
      ['errors', 'HTTPCode_Target_5XX_Count', 60, 'Sum'],
      ['requests', 'RequestCount', 60, 'Sum'],
    ]);
    expect(alarm(prod, 'unhealthy-hosts')).toMatchObject({ metric_name: 'UnHealthyHostCount', threshold: 0, comparison_operator: 'GreaterThanThreshold', alarm_actions: [alerts] });
    expect(alarm(prod, 'p95-latency')).toMatchObject({ metric_name: 'TargetResponseTime', extended_statistic: 'p95', threshold: 0.8, alarm_actions: [alerts] });
    expect(alarm(prod, 'spot-interruptions')).toMatchObject({
      namespace: 'Custom/SpotMetrics',
      metric_name: 'SpotInterruptionCount',
      dimensions: { AutoScalingGroupName: asg },
      statistic: 'Sum',
      period: 300,
      threshold: 3,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      alarm_actions: [critical],
      ok_actions: [critical],
    });
  });

  it('every alarm states how it treats missing data and notifies on recovery', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      for (const a of resourceList(tier(env), 'aws_cloudwatch_metric_alarm').filter((x) => !String(x.alarm_name).match(/-(cpu-burst|cpu-idle)$/))) {
        expect(a.treat_missing_data, String(a.alarm_name)).toBeDefined();
        expect(a.ok_actions, String(a.alarm_name)).toHaveLength(1);
      }
    }
  });

  it('topics are encrypted with the tier key, whose policy lets this tier\'s alarms, log groups and rules use it', () => {
    const prod = tier('prod');
    const key = ref(prod, 'aws_kms_key', 'arn');
    for (const topic of resourceList(prod, 'aws_sns_topic')) expect(topic.kms_master_key_id).toBe(key);
    expect(only(prod, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
    const policy = statements(prod, 'ops-key_policy');
    expect(policy.map((s) => s.sid)).toEqual(['BreakGlassAccountRoot', 'KeyAdministration', 'CloudWatchAlarmsPublish', 'CloudWatchLogsEncrypt', 'EventBridgeDeadLetters']);
    expect(JSON.stringify(policy[0])).toContain(':iam::210987654321:root');
  });

  it('the key names exactly the log groups the tier has', () => {
    for (const [env, path] of [['dev', 'primary'], ['staging', 'primary'], ['prod', 'primary'], ['prod', 'standby']] as const) {
      const t = tier(env, path);
      const logs = statements(t, 'ops-key_policy').find((s) => s.sid === 'CloudWatchLogsEncrypt');
      const named = ((logs?.condition as Block[])[0]!.values as string[]).map((arn) => arn.replace(/^.*:log-group:/, '')).sort();
      expect(named, `${env}/${path}`).toEqual(resourceList(t, 'aws_cloudwatch_log_group').map((g) => String(g.name)).sort());
    }
  });

  it('topic policies refuse publishing without TLS and let only this tier\'s alarms publish', () => {
    const prod = tier('prod');
    const policies = resourceList(prod, 'aws_sns_topic_policy');
    expect(policies.map((p) => p.arn).sort()).toEqual(resourceList(prod, 'aws_sns_topic').map((t) => arnOf(prod, 'aws_sns_topic', t)).sort());
    const alerts = arnOf(prod, 'aws_sns_topic', findBy(prod, 'aws_sns_topic', 'name', 'web-app-prod-alerts'));
    const partition = `\${data.aws_partition.${Object.keys(dataSources(prod, 'aws_partition')).find((id) => id.startsWith('primary_monitoring_partition'))}.partition}`;
    expect(statements(prod, 'monitoring_alerts_policy-document')).toEqual([
      {
        sid: 'DenyInsecurePublish',
        effect: 'Deny',
        actions: ['sns:Publish'],
        resources: [alerts],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
      {
        sid: 'ServicePublishes0',
        actions: ['sns:Publish'],
        resources: [alerts],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['210987654321'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:ap-northeast-2:210987654321:alarm:web-app-prod-*`] },
        ],
      },
    ]);
    // The lifecycle topic is published to by the hooks' role, through IAM: no service is let in.
    expect(statements(prod, 'lifecycle-hooks_topic_policy-document').map((s) => s.sid)).toEqual(['DenyInsecurePublish']);
  });

  it('prod subscribers: e-mail on alerts, e-mail and PagerDuty on critical, its URL read from Parameter Store', () => {
    const prod = tier('prod');
    const topicOf = (s: Block) => resourceList(prod, 'aws_sns_topic').find((t) => arnOf(prod, 'aws_sns_topic', t) === s.topic_arn)?.name;
    const parameters = Object.entries(dataSources(prod, 'aws_ssm_parameter'));
    expect(parameters.map(([, p]) => [p.name, p.with_decryption])).toEqual([['/web-app/prod/pagerduty-url', true]]);
    expect(resourceList(prod, 'aws_sns_topic_subscription').map((s) => [topicOf(s), s.protocol, s.endpoint]).sort()).toEqual([
      ['web-app-prod-alerts', 'email', 'platform@example.com'],
      ['web-app-prod-critical', 'email', 'oncall@example.com'],
      ['web-app-prod-critical', 'https', `\${data.aws_ssm_parameter.${parameters[0]![0]}.value}`],
    ]);
    // The standby's critical topic pages the same way, from the parameter in its own region.
    const standby = tier('prod', 'standby');
    expect(Object.values(dataSources(standby, 'aws_ssm_parameter')).map((p) => [p.name, p.provider])).toEqual([['/web-app/prod/pagerduty-url', 'aws.standby']]);
  });
});

describe('dashboard', () => {
  it('has the seed widgets, built from typed definitions on a 24-column grid', () => {
    const prod = tier('prod');
    const dashboard = only(prod, 'aws_cloudwatch_dashboard');
    const body = JSON.parse(String(dashboard.dashboard_body)) as DashboardJson;
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'Fleet CPU and network',
      'Fleet capacity',
      'Requests and 5xx',
      'Target response time',
      'Spot interruptions and rebalance recommendations',
    ]);
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      expect(w.properties.region).toBe('ap-northeast-2');
    }
    const metricsOf = (title: string) => body.widgets.find((w) => w.properties.title === title)?.properties.metrics.map((m) => m[1]);
    expect(metricsOf('Fleet capacity')).toEqual(['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupTotalInstances']);
    expect(metricsOf('Fleet CPU and network')).toEqual(['CPUUtilization', 'NetworkIn', 'NetworkOut']);
    expect(metricsOf('Spot interruptions and rebalance recommendations')).toEqual(['SpotInterruptionCount', 'RebalanceRecommendationCount']);
    expect(JSON.stringify(body)).toContain(ref(prod, 'aws_autoscaling_group', 'name'));
  });
});

describe('Spot interruption handling (seed section 3)', () => {
  it('EventBridge rules for interruption warnings and rebalance recommendations invoke the handler, with source_arn', () => {
    const prod = tier('prod');
    const rules = resourceList(prod, 'aws_cloudwatch_event_rule');
    expect(rules.map((r) => JSON.parse(String(r.event_pattern)))).toEqual([
      { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
    ]);
    const fn = ref(prod, 'aws_lambda_function', 'arn');
    for (const target of resourceList(prod, 'aws_cloudwatch_event_target')) {
      expect(target).toMatchObject({
        arn: fn,
        retry_policy: { maximum_event_age_in_seconds: 120, maximum_retry_attempts: 2 },
        dead_letter_config: { arn: ref(prod, 'aws_sqs_queue', 'arn') },
      });
    }
    expect(resourceList(prod, 'aws_lambda_permission').map((p) => [p.principal, p.source_arn])).toEqual(
      rules.map((r) => ['events.amazonaws.com', arnOf(prod, 'aws_cloudwatch_event_rule', r)]),
    );
  });

  it('the function: bundled code with a stable hash, X-Ray, a KMS dead-letter queue, reserved concurrency, its own log group', () => {
    const prod = tier('prod');
    const fn = only(prod, 'aws_lambda_function');
    expect(fn).toMatchObject({
      runtime: 'nodejs22.x',
      kms_key_arn: ref(prod, 'aws_kms_key', 'arn'),
      handler: 'index.handler',
      architectures: ['arm64'],
      tracing_config: { mode: 'Active' },
      dead_letter_config: { target_arn: ref(prod, 'aws_sqs_queue', 'arn') },
      reserved_concurrent_executions: 2,
      environment: { variables: { ASG_NAME: ref(prod, 'aws_autoscaling_group', 'name') } },
    });
    expect(String(fn.filename)).toMatch(/^assets\/primary_spot-handler_code_[A-F0-9]+\/[A-F0-9]+\/[0-9a-f]+\.zip$/);
    expect(String(fn.source_code_hash)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(only(prod, 'aws_sqs_queue').kms_master_key_id).toBe(ref(prod, 'aws_kms_key', 'arn'));
    const logs = findBy(prod, 'aws_cloudwatch_log_group', 'name', '/aws/lambda/web-app-prod-spot-interruption');
    expect(logs).toMatchObject({ retention_in_days: 365, kms_key_id: ref(prod, 'aws_kms_key', 'arn') });
    expect(fn.depends_on).toEqual([`aws_cloudwatch_log_group.${idOf(prod, 'aws_cloudwatch_log_group', logs)}`]);
  });

  it('its role may mark instances of its own group only, and use only its topic, queue, key and log group', () => {
    const prod = tier('prod');
    const policy = Object.fromEntries(statements(prod, 'spot-handler_permissions').map((s) => [s.sid, [s.actions, s.resources]]));
    expect(policy).toEqual({
      MarkInstancesOfThisGroup: [['autoscaling:SetInstanceHealth'], [ref(prod, 'aws_autoscaling_group', 'arn')]],
      FindTheGroupOfAnInstance: [['autoscaling:DescribeAutoScalingInstances'], ['*']],
      CountInterruptions: [['cloudwatch:PutMetricData'], ['*']],
      Report: [['sns:Publish'], [arnOf(prod, 'aws_sns_topic', findBy(prod, 'aws_sns_topic', 'name', 'web-app-prod-alerts'))]],
      KeepFailedEvents: [['sqs:SendMessage'], [ref(prod, 'aws_sqs_queue', 'arn')]],
      UseTheOperationsKey: [['kms:GenerateDataKey', 'kms:Decrypt'], [ref(prod, 'aws_kms_key', 'arn')]],
      WriteItsLogs: [
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        [`${arnOf(prod, 'aws_cloudwatch_log_group', findBy(prod, 'aws_cloudwatch_log_group', 'name', '/aws/lambda/web-app-prod-spot-interruption'))}:*`],
      ],
      Trace: [['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']],
    });
    const metricCondition = statements(prod, 'spot-handler_permissions').find((s) => s.sid === 'CountInterruptions')?.condition;
    expect(metricCondition).toEqual([{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['Custom/SpotMetrics'] }]);
  });

  it('EventBridge may send to the dead-letter queue for these two rules only', () => {
    const prod = tier('prod');
    const rules = resourceList(prod, 'aws_cloudwatch_event_rule').map((r) => arnOf(prod, 'aws_cloudwatch_event_rule', r));
    expect(only(prod, 'aws_sqs_queue_policy').queue_url).toBe(ref(prod, 'aws_sqs_queue', 'url'));
    expect(statements(prod, 'dead-letters-policy-document')).toEqual([
      {
        sid: 'EventBridgeDeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [ref(prod, 'aws_sqs_queue', 'arn')],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: rules }],
      },
    ]);
  });

  it('Lambda and Auto Scaling may assume their roles for this account only', () => {
    const prod = tier('prod');
    const trust = (id: string) => statements(prod, id);
    const forAccount = (service: string) => [
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['210987654321'] }],
      },
    ];
    expect(trust('spot-handler_lambda-trust')).toEqual(forAccount('lambda.amazonaws.com'));
    expect(trust('lifecycle-hooks_autoscaling-trust')).toEqual(forAccount('autoscaling.amazonaws.com'));
    expect(trust('fleet_ec2-trust')).toEqual(forAccount('ec2.amazonaws.com'));
  });

  it('the standby region has its own handler, alarms and key', () => {
    const standby = tier('prod', 'standby');
    expect(only(standby, 'aws_lambda_function')).toMatchObject({ function_name: 'web-app-prod-dr-spot-interruption', provider: 'aws.standby' });
    expect(only(standby, 'aws_kms_key').provider).toBe('aws.standby');
    expect(resourceList(standby, 'aws_cloudwatch_metric_alarm').every((a) => a.provider === 'aws.standby')).toBe(true);
  });
});

describe('lifecycle hooks (seed section 2)', () => {
  it('launch 600 s and terminate 300 s, standalone, notifying through a role Auto Scaling assumes', () => {
    const prod = tier('prod');
    const topic = arnOf(prod, 'aws_sns_topic', findBy(prod, 'aws_sns_topic', 'name', 'web-app-prod-lifecycle'));
    const role = findBy(prod, 'aws_iam_role', 'name', 'web-app-prod-lifecycle-hooks');
    expect(resourceList(prod, 'aws_autoscaling_lifecycle_hook').map((h) => [h.name, h.lifecycle_transition, h.heartbeat_timeout, h.default_result])).toEqual([
      ['web-app-prod-launch', 'autoscaling:EC2_INSTANCE_LAUNCHING', 600, 'ABANDON'],
      ['web-app-prod-terminate', 'autoscaling:EC2_INSTANCE_TERMINATING', 300, 'CONTINUE'],
    ]);
    for (const hook of resourceList(prod, 'aws_autoscaling_lifecycle_hook')) {
      expect(hook).toMatchObject({ autoscaling_group_name: ref(prod, 'aws_autoscaling_group', 'name'), notification_target_arn: topic, role_arn: arnOf(prod, 'aws_iam_role', role) });
    }
  });

  it('instances complete the launch hook themselves once /health answers, allowed for their group only', () => {
    const prod = tier('prod');
    // What it does is run from the plan in terraform.test.ts; this pins what it is written to do.
    const userData = Buffer.from(String(only(prod, 'aws_launch_template').user_data), 'base64').toString('utf8');
    expect(userData).toContain("READY_URL='http://127.0.0.1:80/health'");
    expect(userData).toContain("READY_HOOK='web-app-prod-launch'");
    expect(userData).toContain('RESULT=ABANDON\n');
    expect(userData).toContain('aws autoscaling complete-lifecycle-action');
    expect(userData).toContain('X-aws-ec2-metadata-token'); // IMDSv2
    expect(statements(prod, 'readiness-permissions')).toEqual([
      expect.objectContaining({ actions: ['autoscaling:CompleteLifecycleAction'], resources: [ref(prod, 'aws_autoscaling_group', 'arn')] }),
    ]);
  });
});

describe('chaos (seed section 8)', () => {
  it('staging has a FIS template interrupting 2 Spot instances of its fleet, stopped by the 5xx alarm', () => {
    const staging = tier('staging');
    const template = only(staging, 'aws_fis_experiment_template');
    expect(template).toMatchObject({
      stop_condition: [{ source: 'aws:cloudwatch:alarm', value: arnOf(staging, 'aws_cloudwatch_metric_alarm', alarm(staging, '5xx-rate')) }],
      action: [
        {
          action_id: 'aws:ec2:send-spot-instance-interruptions',
          parameter: [{ key: 'durationBeforeInterruption', value: 'PT2M' }],
          target: { key: 'SpotInstances', value: 'fleet-spot-instances' },
        },
      ],
      target: [
        {
          name: 'fleet-spot-instances',
          resource_type: 'aws:ec2:spot-instance',
          selection_mode: 'COUNT(2)',
          resource_tag: [
            { key: 'Environment', value: 'staging' },
            { key: 'aws:autoscaling:groupName', value: ref(staging, 'aws_autoscaling_group', 'name') },
          ],
        },
      ],
    });
    const [interrupt] = statements(staging, 'chaos_permissions');
    expect(interrupt).toMatchObject({
      actions: ['ec2:SendSpotInstanceInterruptions'],
      condition: [{ variable: 'aws:ResourceTag/aws:autoscaling:groupName', values: [ref(staging, 'aws_autoscaling_group', 'name')] }],
    });
  });

  it('only staging runs chaos', () => {
    expect(resourceList(stacks.dev as TfJson, 'aws_fis_experiment_template')).toHaveLength(0);
    expect(resourceList(stacks.prod as TfJson, 'aws_fis_experiment_template')).toHaveLength(0);
  });
});
