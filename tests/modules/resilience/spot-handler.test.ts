/**
 * The Spot interruption handler, with the AWS SDK mocked at the client
 * boundary (aws-sdk-client-mock), and the deterministic bundle it ships in.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundleLambda } from '../../../modules/resilience/bundle';
import { configFromEnv, handler, handleSpotEvent, type SpotEvent } from '../../../modules/resilience/spot-interruption-handler/handler';
import { INTERRUPTION_WARNING, REBALANCE_RECOMMENDATION } from '../../../modules/resilience/spot-signals';
import { ROOT } from '../../support/paths';

const GROUP = 'web-app-prod-web';
const TOPIC = 'arn:aws:sns:ap-northeast-2:123456789012:web-app-prod-alerts';
const config = { groupName: GROUP, topicArn: TOPIC };

const autoscaling = mockClient(AutoScalingClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const clients = { autoscaling: new AutoScalingClient({}), cloudwatch: new CloudWatchClient({}), sns: new SNSClient({}) };

function event(detailType: string, instanceId = 'i-0abc'): SpotEvent {
  return {
    id: 'e-1',
    'detail-type': detailType,
    source: 'aws.ec2',
    region: 'ap-northeast-2',
    time: '2026-11-25T04:00:00Z',
    detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
  };
}

function memberOf(group: string) {
  autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [{ InstanceId: 'i-0abc', AutoScalingGroupName: group } as never] });
}

beforeEach(() => {
  // The handler logs one JSON line per event; keep the test output for failures.
  vi.spyOn(console, 'log').mockImplementation(() => {});
  autoscaling.reset();
  cloudwatch.reset();
  sns.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('handleSpotEvent', () => {
  it('on an interruption warning: marks the instance unhealthy now, counts it, reports it', async () => {
    memberOf(GROUP);
    autoscaling.on(SetInstanceHealthCommand).resolves({});
    const outcome = await handleSpotEvent(event(INTERRUPTION_WARNING), config, clients);

    expect(outcome).toEqual({ instanceId: 'i-0abc', kind: 'interruption', member: true, markedUnhealthy: true });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceId: 'i-0abc', HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false },
    ]);
    expect(cloudwatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input)).toEqual([
      {
        Namespace: 'Custom/SpotMetrics',
        MetricData: [
          {
            MetricName: 'SpotInterruptionCount',
            Dimensions: [{ Name: 'AutoScalingGroupName', Value: GROUP }],
            Timestamp: new Date('2026-11-25T04:00:00Z'),
            Value: 1,
            Unit: 'Count',
          },
        ],
      },
    ]);
    const [publish] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(publish).toMatchObject({ TopicArn: TOPIC, Subject: `Spot interruption: i-0abc in ${GROUP}` });
    expect(JSON.parse(publish?.Message ?? '{}')).toEqual({
      event: INTERRUPTION_WARNING,
      instanceId: 'i-0abc',
      group: GROUP,
      action: 'terminate',
      region: 'ap-northeast-2',
      time: '2026-11-25T04:00:00Z',
      markedUnhealthy: true,
    });
  });

  it('on a rebalance recommendation: counts and reports, and leaves the instance to capacity rebalancing', async () => {
    memberOf(GROUP);
    const outcome = await handleSpotEvent(event(REBALANCE_RECOMMENDATION), config, clients);
    expect(outcome).toMatchObject({ kind: 'rebalance', member: true, markedUnhealthy: false });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input.MetricData?.[0]?.MetricName).toBe('RebalanceRecommendationCount');
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(`Spot rebalance recommendation: i-0abc in ${GROUP}`);
  });

  it('ignores instances of other groups (the rule sees the whole region)', async () => {
    memberOf('someone-elses-group');
    const outcome = await handleSpotEvent(event(INTERRUPTION_WARNING), config, clients);
    expect(outcome).toEqual({ instanceId: 'i-0abc', kind: 'interruption', member: false, markedUnhealthy: false });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('still counts and reports when the instance can no longer be marked', async () => {
    memberOf(GROUP);
    autoscaling.on(SetInstanceHealthCommand).rejects(Object.assign(new Error('Instance is in Terminating state'), { name: 'ValidationError' }));
    const outcome = await handleSpotEvent(event(INTERRUPTION_WARNING), config, clients);
    expect(outcome).toMatchObject({ markedUnhealthy: false, healthError: 'ValidationError: Instance is in Terminating state' });
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '{}')).toMatchObject({
      markedUnhealthy: false,
      healthError: 'ValidationError: Instance is in Terminating state',
    });
  });

  it('fails the invocation when the count or the report cannot be sent, so Lambda retries and then dead-letters it', async () => {
    memberOf(GROUP);
    autoscaling.on(SetInstanceHealthCommand).resolves({});
    cloudwatch.on(PutMetricDataCommand).rejects(new Error('throttled'));
    await expect(handleSpotEvent(event(INTERRUPTION_WARNING), config, clients)).rejects.toThrow('throttled');
    cloudwatch.on(PutMetricDataCommand).resolves({});
    sns.on(PublishCommand).rejects(new Error('KMS access denied'));
    await expect(handleSpotEvent(event(INTERRUPTION_WARNING), config, clients)).rejects.toThrow('KMS access denied');
  });

  it('rejects events it was not built for', async () => {
    await expect(handleSpotEvent({ ...event(INTERRUPTION_WARNING), source: 'aws.s3' }, config, clients)).rejects.toThrow('unexpected event source aws.s3');
    await expect(handleSpotEvent(event('EC2 Instance State-change Notification'), config, clients)).rejects.toThrow('unexpected event type');
    await expect(handleSpotEvent({ ...event(INTERRUPTION_WARNING), detail: {} }, config, clients)).rejects.toThrow('without detail.instance-id');
  });
});

describe('the Lambda entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads its group and topic from the environment', async () => {
    expect(() => configFromEnv({})).toThrow('ASG_NAME and TOPIC_ARN must be set');
    process.env.ASG_NAME = GROUP;
    process.env.TOPIC_ARN = TOPIC;
    process.env.AWS_REGION = 'ap-northeast-2';
    memberOf(GROUP);
    autoscaling.on(SetInstanceHealthCommand).resolves({});
    await expect(handler(event(INTERRUPTION_WARNING))).resolves.toMatchObject({ member: true, markedUnhealthy: true });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.TopicArn).toBe(TOPIC);
  });
});

describe('the bundle', () => {
  const entry = 'modules/resilience/spot-interruption-handler/handler.ts';

  it('is one index.js exporting handler, with the AWS SDK left to the runtime', () => {
    const files = unzipSync(readFileSync(bundleLambda(entry).path));
    expect(Object.keys(files)).toEqual(['index.js']);
    const code = new TextDecoder().decode(files['index.js']);
    expect(code).toContain('require("@aws-sdk/client-auto-scaling")');
    expect(code).not.toMatch(/smithy|AwsQueryProtocol/); // no SDK inside
    const dir = join(ROOT, 'node_modules', '.cache', 'spot-bundle-test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), files['index.js'] as Uint8Array);
    const loaded = spawnSync(process.execPath, ['-e', `console.log(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], { encoding: 'utf8' });
    expect(loaded.stdout.trim()).toBe('function');
  });

  it('is byte-for-byte the same in another process and time zone', () => {
    const here = bundleLambda(entry).sha256;
    const script = `process.stdout.write(require(${JSON.stringify(join(ROOT, 'modules/resilience/bundle.ts'))}).bundleLambda(${JSON.stringify(entry)}).sha256)`;
    // Another temp dir too: where the zip is built must not change it (the build makes its own directory inside).
    const otherTmp = join(ROOT, 'node_modules', '.cache', 'bundle-tz');
    mkdirSync(otherTmp, { recursive: true });
    const elsewhere = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'Pacific/Kiritimati', TMPDIR: otherTmp },
    });
    expect(elsewhere.stderr).toBe('');
    expect(elsewhere.stdout).toBe(here);
  });
});
