import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { denyInsecureTransport } from '../shared/iam';
import { lockDownBucket } from '../shared/s3';

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
}

/**
 * Where Terraform state lives: a versioned, KMS-encrypted, private,
 * TLS-only bucket, and a DynamoDB table for locks.
 */
export class StateBackend extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly lockTableName: string;
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    const protect = props.protect ?? true;

    const key = new KmsKey(this, 'key', {
      description: `Encrypts Terraform state in ${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: props.keyDeletionWindowDays ?? 30,
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

    new S3BucketVersioning(this, 'versioning', {
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    lockDownBucket(this, bucket.id, { kind: 'sse-kms', keyArn: key.arn });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
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
    });
    // Built from the fixed name rather than `bucket.arn`, so the policy is
    // known at plan time and reviewable in the plan, not "(known after apply)".
    const partition = new DataAwsPartition(this, 'partition', {});
    const policy = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: denyInsecureTransport(`arn:${partition.partition}:s3:::${props.bucketName}`),
    });
    new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: policy.json });

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
