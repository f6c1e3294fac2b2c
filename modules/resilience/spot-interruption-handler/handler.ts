/**
 * Lambda handler for EC2 Spot interruption warnings and rebalance
 * recommendations (EventBridge). For an instance of its own Auto Scaling
 * group it:
 *  - on an interruption warning, marks the instance Unhealthy without waiting
 *    for the grace period, so the group starts a replacement now rather than
 *    after the two minutes are up;
 *  - counts the event in Custom/SpotMetrics (what the alarm and dashboard read);
 *  - tells the alerts topic.
 * A rebalance recommendation is counted and reported but leaves the instance
 * alone: the group's capacity rebalancing already launches its replacement.
 * Events for other instances of the region are ignored.
 *
 * Bundled by esbuild at synth (modules/resilience/bundle.ts); the AWS SDK v3
 * comes from the Lambda runtime.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  SetInstanceHealthCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  INTERRUPTION_WARNING,
  REBALANCE_RECOMMENDATION,
  REBALANCE_RECOMMENDATION_METRIC,
  SPOT_INTERRUPTION_METRIC,
  SPOT_METRIC_DIMENSION,
  SPOT_METRICS_NAMESPACE,
} from '../spot-signals';

export interface SpotEvent {
  readonly id?: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly region?: string;
  readonly time?: string;
  readonly detail: { readonly 'instance-id'?: string; readonly 'instance-action'?: string };
}

export interface HandlerConfig {
  /** The group whose instances this handler looks after. */
  readonly groupName: string;
  readonly topicArn: string;
}

export interface Clients {
  readonly autoscaling: Pick<AutoScalingClient, 'send'>;
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
}

export interface Outcome {
  readonly instanceId: string;
  readonly kind: 'interruption' | 'rebalance';
  /** False: the instance is not in this handler's group, and nothing was done. */
  readonly member: boolean;
  readonly markedUnhealthy: boolean;
  /** Why SetInstanceHealth failed, when it did (the instance may already be terminating). */
  readonly healthError?: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv): HandlerConfig {
  const groupName = env.ASG_NAME;
  const topicArn = env.TOPIC_ARN;
  if (!groupName || !topicArn) throw new Error('ASG_NAME and TOPIC_ARN must be set');
  return { groupName, topicArn };
}

function kindOf(event: SpotEvent): Outcome['kind'] {
  if (event.source !== 'aws.ec2') throw new Error(`unexpected event source ${event.source}`);
  if (event['detail-type'] === INTERRUPTION_WARNING) return 'interruption';
  if (event['detail-type'] === REBALANCE_RECOMMENDATION) return 'rebalance';
  throw new Error(`unexpected event type ${event['detail-type']}`);
}

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

export async function handleSpotEvent(event: SpotEvent, config: HandlerConfig, clients: Clients): Promise<Outcome> {
  const kind = kindOf(event);
  const instanceId = event.detail['instance-id'];
  if (!instanceId) throw new Error(`${event['detail-type']} without detail.instance-id`);

  const found = await clients.autoscaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  const member = found.AutoScalingInstances?.some((i) => i.AutoScalingGroupName === config.groupName) ?? false;
  if (!member) {
    log({ msg: 'not an instance of this group; ignored', instanceId, kind, group: config.groupName });
    return { instanceId, kind, member: false, markedUnhealthy: false };
  }

  let markedUnhealthy = false;
  let healthError: string | undefined;
  if (kind === 'interruption') {
    try {
      await clients.autoscaling.send(
        new SetInstanceHealthCommand({ InstanceId: instanceId, HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: false }),
      );
      markedUnhealthy = true;
    } catch (error) {
      // Usually the instance is already leaving the group; the count and the alert still matter.
      healthError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  const at = event.time ? new Date(event.time) : new Date();
  await clients.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: SPOT_METRICS_NAMESPACE,
      MetricData: [
        {
          MetricName: kind === 'interruption' ? SPOT_INTERRUPTION_METRIC : REBALANCE_RECOMMENDATION_METRIC,
          Dimensions: [{ Name: SPOT_METRIC_DIMENSION, Value: config.groupName }],
          Timestamp: at,
          Value: 1,
          Unit: 'Count',
        },
      ],
    }),
  );

  const title = kind === 'interruption' ? 'Spot interruption' : 'Spot rebalance recommendation';
  await clients.sns.send(
    new PublishCommand({
      TopicArn: config.topicArn,
      Subject: `${title}: ${instanceId} in ${config.groupName}`.slice(0, 100),
      Message: JSON.stringify(
        {
          event: event['detail-type'],
          instanceId,
          group: config.groupName,
          action: event.detail['instance-action'] ?? null,
          region: event.region ?? null,
          time: event.time ?? null,
          markedUnhealthy,
          ...(healthError ? { healthError } : {}),
        },
        null,
        2,
      ),
    }),
  );

  const outcome: Outcome = { instanceId, kind, member, markedUnhealthy, ...(healthError ? { healthError } : {}) };
  log({ msg: 'handled', ...outcome, group: config.groupName, eventId: event.id });
  return outcome;
}

let clients: Clients | undefined;

/** The Lambda entry point: configuration from the environment, clients reused across invocations. */
export async function handler(event: SpotEvent): Promise<Outcome> {
  clients ??= { autoscaling: new AutoScalingClient({}), cloudwatch: new CloudWatchClient({}), sns: new SNSClient({}) };
  return handleSpotEvent(event, configFromEnv(process.env), clients);
}
