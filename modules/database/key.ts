import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { KEY_ADMINISTRATION_ACTIONS } from '../shared/kms';

export interface DatabaseKeyProps {
  /** Alias name without `alias/`, e.g. `web-app-prod-db`. */
  readonly alias: string;
  /** Account the key and the database live in. */
  readonly account: string;
  /** Region of the database: RDS and Secrets Manager of this region only may use the key. */
  readonly region: string;
  /**
   * Principals that administer the key (not use it).
   * @default the account root
   */
  readonly administratorArns?: readonly string[];
}

/**
 * A rotating customer-managed key of the database's own: its storage,
 * snapshots, Performance Insights and the master user's secret. Its own key
 * (not the tier's OperationsKey) so that who may read data is decided apart
 * from who may read alarms and logs, and so that a snapshot shared or copied
 * carries a key that protects the database alone. Principals of the account
 * may use it only through RDS or Secrets Manager (`kms:ViaService`), the
 * shape of AWS's own `aws/rds` key, so an IAM grant of kms:Decrypt elsewhere
 * still reads nothing of the database directly.
 */
export class DatabaseKey extends Construct {
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: DatabaseKeyProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const root = `arn:${partition}:iam::${props.account}:root`;
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        // Break-glass, as OperationsKey explains: without it a key whose administrators are gone is lost.
        { sid: 'BreakGlassAccountRoot', actions: ['kms:*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: [root] }] },
        {
          sid: 'KeyAdministration',
          actions: [...KEY_ADMINISTRATION_ACTIONS],
          resources: ['*'],
          principals: [{ type: 'AWS', identifiers: props.administratorArns?.length ? [...props.administratorArns] : [root] }],
        },
        {
          sid: 'UseThroughRdsAndSecretsManager',
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:ListGrants', 'kms:DescribeKey'],
          resources: ['*'],
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          condition: [
            { test: 'StringEquals', variable: 'kms:CallerAccount', values: [props.account] },
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`rds.${props.region}.amazonaws.com`, `secretsmanager.${props.region}.amazonaws.com`] },
          ],
        },
      ],
    });
    const key = new KmsKey(this, 'key', {
      description: `Storage, snapshots, Performance Insights and master secret of ${props.alias}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
  }
}
