import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketObjectLockConfigurationA as S3BucketObjectLockConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { accountOf, ServerAccessLogBucket, waive } from '../security';
import { denyInsecureTransport, recordedAccount } from '../shared/iam';
import { lockDownBucket } from '../shared/s3';
import { KEY_ADMINISTRATION_ACTIONS } from '../shared/kms';

/** S3 actions that could destroy state history or loosen the bucket's protection; only the break-glass role may call them. */
export const GUARDED_STATE_ACTIONS = ['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration'];

/** KMS actions of key administrators: manage the key, never use it; the state key may also be rotated on demand. */
export const KEY_ADMIN_ACTIONS = [...KEY_ADMINISTRATION_ACTIONS, 'kms:RotateKeyOnDemand'];

export interface StateObjectLock {
  /**
   * `GOVERNANCE`: principals with `s3:BypassGovernanceRetention` can still delete
   * a locked version. `COMPLIANCE`: nobody can, not even the root user, until
   * the retention ends. See docs/state-safety.md.
   */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days every new state version is locked for. */
  readonly days: number;
}

export interface StateBackendProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** DynamoDB lock table name. */
  readonly lockTableName: string;
  /**
   * Days to keep superseded state versions (for rollback and forensics).
   * @default 365
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Protect bucket and table from `terraform destroy` and console deletion.
   * `false` (sandboxes only) also lets destroy empty the bucket.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * Alias of the state KMS key; backends name it in `kms_key_id`.
   * @default `alias/<bucketName>`
   */
  readonly keyAlias?: string;
  /**
   * KMS key deletion waiting period, days.
   * @default 30
   */
  readonly keyDeletionWindowDays?: number;
  /**
   * Account the backend lives in: the key's root principal, the log
   * delivery's `aws:SourceAccount` and the break-glass role's account.
   * Give it (or `breakGlassRoleArn`) to have every policy known at plan time.
   * @default the stack's account (`useAccount`), else that of `breakGlassRoleArn`, else of the state key (known after apply; no lookup, so plans stay offline)
   */
  readonly account?: string;
  /**
   * The only principal that may delete state versions or change the bucket's
   * policy, versioning or lifecycle (`aws:PrincipalArn`). Applies only while
   * `protect` is on.
   * @default `arn:<partition>:iam::<account>:role/state-break-glass`
   */
  readonly breakGlassRoleArn?: string;
  /**
   * Principals that administer the state key (manage it, never decrypt with it).
   * @default [] — administration through IAM policies, by way of the account root statement
   */
  readonly keyAdministratorArns?: readonly string[];
  /**
   * Name of the bucket that receives the state bucket's server access logs.
   * @default `<bucketName>-logs`
   */
  readonly accessLogBucketName?: string;
  /**
   * Days to keep the state bucket's server access logs.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * S3 Object Lock on state versions (docs/state-safety.md: cost and
   * consequences; it cannot be turned off again).
   * @default off
   */
  readonly objectLock?: StateObjectLock;
}

/**
 * Where Terraform state lives: a versioned, KMS-encrypted, private,
 * TLS-only bucket whose history only a break-glass role can destroy, its
 * server access logs in a second bucket, a key whose policy separates
 * administrators from users, and a DynamoDB table for locks.
 */
export class StateBackend extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly lockTableName: string;
  public readonly kmsKeyArn: string;
  public readonly accessLogBucketName: string;
  public readonly breakGlassRoleArn: string;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const protect = props.protect ?? true;
    // Policies are built from fixed names, offline data sources and the
    // account given, so they are known in the plan and reviewable there.
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const region = new DataAwsRegion(this, 'region', {}).name;

    const key = new KmsKey(this, 'key', {
      description: `Encrypts Terraform state in ${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: props.keyDeletionWindowDays ?? 30,
    });
    // An account lookup (aws_caller_identity) would make offline plans impossible; the key's ARN names the account.
    const account = props.account ?? recordedAccount(this) ?? (props.breakGlassRoleArn ? accountOf(props.breakGlassRoleArn) : accountOf(key.arn));
    this.breakGlassRoleArn = props.breakGlassRoleArn ?? `arn:${partition}:iam::${account}:role/state-break-glass`;
    const bucketArn = `arn:${partition}:s3:::${props.bucketName}`;
    // A resource of its own, not the key's `policy`: the policy may name the account read from the key's ARN.
    new KmsKeyPolicy(this, 'key-policy', {
      keyId: key.keyId,
      policy: stateKeyPolicy(this, { partition, region, account, administrators: props.keyAdministratorArns ?? [] }),
    });
    new KmsAlias(this, 'key-alias', { name: props.keyAlias ?? `alias/${props.bucketName}`, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;

    const bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: !protect,
      lifecycle: { preventDestroy: protect },
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    const versioning = new S3BucketVersioning(this, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    lockDownBucket(this, bucket.id, { kind: 'sse-kms', keyArn: key.arn });
    waive(bucket, 'CKV_AWS_144', 'state is versioned, lifecycle-guarded and restorable in-region; a second-region copy needs its own bucket and key — an option, not a default');
    waive(bucket, 'CKV2_AWS_62', 'state writes are recorded by the server access logs; no consumer exists for per-object events');
    const lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-old-state-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionRetentionDays ?? 365 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });
    if (props.objectLock) {
      // On the existing versioned bucket (S3 allows it since 2023), so turning it on never replaces the bucket.
      new S3BucketObjectLockConfiguration(this, 'object-lock', {
        bucket: bucket.id,
        objectLockEnabled: 'Enabled',
        rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.days } },
        dependsOn: [versioning],
      });
    }

    const logs = new ServerAccessLogBucket(this, 'access-logs', {
      bucketName: props.accessLogBucketName ?? `${props.bucketName}-logs`,
      account,
      sourceBucketArns: [bucketArn],
      retentionDays: props.accessLogRetentionDays ?? 365,
      forceDestroy: !protect,
    });
    this.accessLogBucketName = logs.bucketName;
    logs.logBucket(this, 'logging', bucket.id, 'state');

    const guarded: DataAwsIamPolicyDocumentStatement[] = protect
      ? [
          {
            sid: 'OnlyBreakGlassDestroysHistory',
            effect: 'Deny',
            actions: GUARDED_STATE_ACTIONS,
            resources: [bucketArn, `${bucketArn}/*`],
            principals: [{ type: '*', identifiers: ['*'] }],
            condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: [this.breakGlassRoleArn] }],
          },
        ]
      : [];
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [...denyInsecureTransport(bucketArn), ...guarded],
    });
    // Last: once the policy is in place, versioning and lifecycle changes need the break-glass role.
    new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: policy.json, dependsOn: [versioning, lifecycle] });

    const table = new DynamodbTable(this, 'lock-table', {
      name: props.lockTableName,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: protect,
      lifecycle: { preventDestroy: protect },
    });
    this.lockTableName = table.name;
  }
}

interface KeyPolicyContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly administrators: readonly string[];
}

/**
 * The state key's policy. Administrators manage the key and cannot use it;
 * users (any principal of the account) can use it only through S3 and
 * DynamoDB, so reading state takes S3 permissions on the bucket too; the
 * account root keeps administration so the key can never become
 * unmanageable (break-glass: KMS refuses a policy that locks everyone out).
 */
function stateKeyPolicy(scope: Construct, { partition, region, account, administrators }: KeyPolicyContext): string {
  const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
  const inAccount = { test: 'StringEquals', variable: 'kms:CallerAccount', values: [account] };
  const statement: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: 'BreakGlassAccountRootAdministers',
      actions: KEY_ADMIN_ACTIONS,
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${account}:root`] }],
    },
    ...(administrators.length
      ? [{ sid: 'KeyAdministrators', actions: KEY_ADMIN_ACTIONS, resources: ['*'], principals: [{ type: 'AWS', identifiers: [...administrators] }] }]
      : []),
    {
      sid: 'UsersThroughS3Only',
      actions: use,
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      condition: [inAccount, { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`] }],
    },
    {
      sid: 'LockTableThroughDynamoDbOnly',
      actions: [...use, 'kms:CreateGrant'],
      resources: ['*'],
      principals: [{ type: 'AWS', identifiers: ['*'] }],
      condition: [inAccount, { test: 'StringEquals', variable: 'kms:ViaService', values: [`dynamodb.${region}.amazonaws.com`] }],
    },
  ];
  return new DataAwsIamPolicyDocument(scope, 'key-policy-document', { statement }).json;
}
