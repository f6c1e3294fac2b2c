import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

export interface OperationsKeyProps {
  /** Alias name without `alias/`, e.g. `web-app-prod-ops`. */
  readonly alias: string;
  /** Account that administers the key (its root, so IAM policies can grant use). */
  readonly account: string;
  /** Region the key serves; CloudWatch Logs is granted use only there. */
  readonly region: string;
  /**
   * Days between scheduling deletion and deleting.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * A rotating customer-managed key for one tier's operations data: alarm
 * topics, log groups and dead-letter queues. AWS-managed `aws/sns` cannot be
 * used there, because its key policy cannot be extended to CloudWatch alarms,
 * which then fail to publish; this key names the services that must use it.
 * Roles (the Spot handler, lifecycle hooks) are granted use by IAM policy.
 */
export class OperationsKey extends Construct {
  public readonly keyArn: string;
  public readonly keyId: string;

  constructor(scope: Construct, id: string, props: OperationsKeyProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const account = props.account;
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        {
          sid: 'AccountAdministers',
          actions: ['kms:*'],
          resources: ['*'],
          principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${account}:root`] }],
        },
        {
          sid: 'CloudWatchAlarmsPublish',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] }],
        },
        {
          sid: 'CloudWatchLogsEncrypt',
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          principals: [{ type: 'Service', identifiers: [`logs.${props.region}.amazonaws.com`] }],
          condition: [
            {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:${partition}:logs:${props.region}:${account}:log-group:*`],
            },
          ],
        },
      ],
    });
    const key = new KmsKey(this, 'key', {
      description: `Alarms, logs and queues of ${props.alias}`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policy.json,
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }
}
