import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

/**
 * What a key administrator may do: manage the key, never use it. Encrypt,
 * Decrypt, GenerateDataKey and ReEncrypt are not here, so an administrator
 * reads nothing the key protects.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
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
] as const;

export interface OperationsKeyProps {
  /** Alias name without `alias/`, e.g. `web-app-prod-ops`. */
  readonly alias: string;
  /** Account the key lives in; its root keeps break-glass access, and the grants below are for its resources only. */
  readonly account: string;
  /** Region the key serves; the service grants name resources of this region only. */
  readonly region: string;
  /**
   * Principals (role ARNs) that administer the key: the actions in
   * `KEY_ADMINISTRATION_ACTIONS`, not its use.
   * @default the account root (`arn:<partition>:iam::<account>:root`)
   */
  readonly administratorArns?: readonly string[];
  /**
   * Grants CloudWatch the use of the key for alarms named `<prefix>-…` in
   * this account and region (`aws:SourceArn`), which publish to topics
   * under the key.
   * @default no CloudWatch grant
   */
  readonly alarmNamePrefix?: string;
  /**
   * Log groups (names) in this region that CloudWatch Logs may encrypt with
   * the key, named in the encryption context condition.
   * @default no CloudWatch Logs grant
   */
  readonly logGroupNames?: readonly string[];
  /**
   * Grants EventBridge the use of the key for rules named `<prefix>-…`, for
   * each prefix, in this account and region, which deliver to a queue under
   * the key.
   * @default no EventBridge grant
   */
  readonly eventRuleNamePrefixes?: readonly string[];
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
 * which then fail to publish; this key names the services that must use it,
 * each for this account's resources only, and only those its props ask for.
 * Roles (the Spot handler, lifecycle hooks) are granted use by IAM policy,
 * which the root statement makes possible.
 */
export class OperationsKey extends Construct {
  public readonly keyArn: string;
  public readonly keyId: string;

  constructor(scope: Construct, id: string, props: OperationsKeyProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const { account, region } = props;
    const root = `arn:${partition}:iam::${account}:root`;
    const statement: DataAwsIamPolicyDocumentStatement[] = [
      {
        // The account's documented break-glass: without it a key whose
        // administrators were deleted (or mistyped) can never be managed
        // again, not even by AWS support. It is also what lets IAM policies
        // in the account grant the key's use at all (the Spot handler's and
        // lifecycle hooks' roles), so it cannot be narrowed to administration.
        sid: 'BreakGlassAccountRoot',
        actions: ['kms:*'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: [root] }],
      },
      {
        sid: 'KeyAdministration',
        actions: [...KEY_ADMINISTRATION_ACTIONS],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: props.administratorArns?.length ? [...props.administratorArns] : [root] }],
      },
    ];
    if (props.alarmNamePrefix !== undefined) {
      statement.push({
        sid: 'CloudWatchAlarmsPublish',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:${region}:${account}:alarm:${props.alarmNamePrefix}-*`] },
        ],
      });
    }
    if (props.logGroupNames?.length) {
      statement.push({
        sid: 'CloudWatchLogsEncrypt',
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: [`logs.${region}.amazonaws.com`] }],
        condition: [
          {
            test: 'ArnEquals',
            variable: 'kms:EncryptionContext:aws:logs:arn',
            values: props.logGroupNames.map((name) => `arn:${partition}:logs:${region}:${account}:log-group:${name}`),
          },
        ],
      });
    }
    if (props.eventRuleNamePrefixes?.length) {
      statement.push({
        sid: 'EventBridgeDeadLetters',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: props.eventRuleNamePrefixes.map((prefix) => `arn:${partition}:events:${region}:${account}:rule/${prefix}-*`) },
        ],
      });
    }
    const policy = new DataAwsIamPolicyDocument(this, 'policy', { statement });
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
