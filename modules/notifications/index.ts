import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

/** An e-mail address: not a secret, written as is. */
export interface EmailSubscriber {
  readonly protocol: 'email';
  readonly endpoint: string;
}

/**
 * A webhook (PagerDuty and the like): its URL is a credential, so only the
 * name of the SSM parameter (a SecureString) that holds it is configured.
 */
export interface HttpsSubscriber {
  readonly protocol: 'https';
  /** SSM parameter holding the https:// URL, e.g. `/web-app/prod/pagerduty-url`. */
  readonly endpointParameter: string;
}

export type Subscriber = EmailSubscriber | HttpsSubscriber;

/** A service allowed to publish to the topic, for this account's resources only. */
export interface TopicPublisher {
  /** Service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** Account whose resources publish (`aws:SourceAccount`). */
  readonly account: string;
  /** ARN pattern of the resources that publish (`aws:SourceArn`), e.g. this environment's alarms. */
  readonly sourceArn: string;
}

/** Sid of the statement that refuses publishing without TLS. */
export const DENY_INSECURE_PUBLISH_SID = 'DenyInsecurePublish';

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
  /**
   * Services that publish to the topic (CloudWatch alarms, say). Roles of
   * the account (the Spot handler, lifecycle hooks) publish through their
   * IAM policies and need no entry.
   * @default none
   */
  readonly publishers?: readonly TopicPublisher[];
  /** Provider to create it with, when it must sit in a particular region. */
  readonly provider?: TerraformProvider;
}

/**
 * An encrypted SNS topic with its subscriptions, and a topic policy that
 * refuses publishing without TLS and lets only the named services publish,
 * each for this account's resources.
 */
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

    const statement: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: DENY_INSECURE_PUBLISH_SID,
        effect: 'Deny',
        actions: ['sns:Publish'],
        resources: [topic.arn],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
      ...(props.publishers ?? []).map((publisher, i) => ({
        sid: `ServicePublishes${i}`,
        actions: ['sns:Publish'],
        resources: [topic.arn],
        principals: [{ type: 'Service', identifiers: [publisher.service] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [publisher.account] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [publisher.sourceArn] },
        ],
      })),
    ];
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', { provider: props.provider, statement });
    new SnsTopicPolicy(this, 'policy', { provider: props.provider, arn: topic.arn, policy: policy.json });

    (props.subscribers ?? []).forEach((subscriber, i) => {
      new SnsTopicSubscription(this, `subscriber-${i}`, {
        provider: props.provider,
        topicArn: topic.arn,
        protocol: subscriber.protocol,
        endpoint: subscriber.protocol === 'email' ? subscriber.endpoint : this.webhookUrl(subscriber, i, topic, props.provider),
      });
    });
  }

  /**
   * The webhook URL, read from Parameter Store when Terraform runs. The
   * trade-off, as with any secret Terraform passes to AWS: the value is then
   * in the state (and the plan), which is why state is KMS-encrypted and its
   * bucket TLS-only and private (docs/state-safety.md); the environment
   * files and the repository never hold it. The read waits for the topic, so
   * a plan that creates the topic (and an offline one) reads nothing.
   */
  private webhookUrl(subscriber: HttpsSubscriber, i: number, topic: SnsTopic, provider?: TerraformProvider): string {
    return new DataAwsSsmParameter(this, `subscriber-${i}-endpoint`, {
      provider,
      name: subscriber.endpointParameter,
      withDecryption: true,
      dependsOn: [topic],
    }).value;
  }
}
