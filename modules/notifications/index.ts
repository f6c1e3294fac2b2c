import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

export interface Subscriber {
  readonly protocol: 'email' | 'https';
  /** An e-mail address or an HTTPS URL. */
  readonly endpoint: string;
}

export interface AlertTopicProps {
  /** Topic name, e.g. `web-app-prod-alerts`. */
  readonly name: string;
  /** @default none */
  readonly subscribers?: readonly Subscriber[];
  /**
   * Customer-managed KMS key for the topic. Not `alias/aws/sns`: CloudWatch
   * alarms and other services cannot publish to a topic under that key.
   */
  readonly kmsKeyId: string;
  /** Provider to create it with, when it must sit in a particular region. */
  readonly provider?: TerraformProvider;
}

/** An encrypted SNS topic with its subscriptions. */
export class AlertTopic extends Construct {
  public readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const topic = new SnsTopic(this, 'topic', {
      provider: props.provider,
      name: props.name,
      kmsMasterKeyId: props.kmsKeyId,
    });
    this.topicArn = topic.arn;
    (props.subscribers ?? []).forEach((subscriber, i) => {
      new SnsTopicSubscription(this, `subscriber-${i}`, {
        provider: props.provider,
        topicArn: topic.arn,
        protocol: subscriber.protocol,
        endpoint: subscriber.endpoint,
      });
    });
  }
}
