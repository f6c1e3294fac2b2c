import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { ServerAccessLogBucket, waive } from '../security';
import { denyInsecureTransport } from '../shared/iam';
import { lockDownBucket } from '../shared/s3';
import { batchInputBucketName, batchNamePrefix, batchOutputBucketName } from './names';

export const BATCH_BUCKET_DEFAULTS = {
  // Inputs are consumed by their run; a month leaves time to rerun or investigate one.
  inputRetentionDays: 30,
  // Overwritten or deleted outputs stay recoverable this long.
  noncurrentVersionDays: 30,
  accessLogRetentionDays: 365,
} as const;

export interface BatchBucketsProps {
  /** Tier name; the buckets are `<name>-batch-in-<account>-<region>` and `<name>-batch-out-…` (batchInputBucketName). */
  readonly name: string;
  /** Account that owns them: the access-log bucket takes deliveries for it only. */
  readonly account: string;
  readonly region: string;
  /** The tier's key: both buckets encrypt with it (SSE-KMS, bucket keys on). */
  readonly kmsKeyArn: string;
  /** @default 30 (BATCH_BUCKET_DEFAULTS.inputRetentionDays) */
  readonly inputRetentionDays?: number;
  /** @default 30 (BATCH_BUCKET_DEFAULTS.noncurrentVersionDays) */
  readonly noncurrentVersionDays?: number;
  /** @default 365 (BATCH_BUCKET_DEFAULTS.accessLogRetentionDays) */
  readonly accessLogRetentionDays?: number;
  /**
   * Let `terraform destroy` delete buckets that still hold objects.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The batch tier's input and output buckets: private, SSE-KMS under the
 * tier's key, versioned, TLS-only, with lifecycle rules and server access
 * logs; both send their object events to EventBridge (the input's start
 * runs; the output's are there for whatever consumes the results).
 */
export class BatchBuckets extends Construct {
  public readonly inputBucketName: string;
  public readonly inputBucketArn: string;
  public readonly outputBucketName: string;
  public readonly outputBucketArn: string;

  constructor(scope: Construct, id: string, props: BatchBucketsProps) {
    super(scope, id);
    const prefix = batchNamePrefix(props.name);
    const noncurrentDays = props.noncurrentVersionDays ?? BATCH_BUCKET_DEFAULTS.noncurrentVersionDays;
    const input = this.bucket('input', batchInputBucketName(props.name, props.account, props.region), props, [
      {
        id: 'expire-inputs',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.inputRetentionDays ?? BATCH_BUCKET_DEFAULTS.inputRetentionDays }],
        noncurrentVersionExpiration: [{ noncurrentDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ]);
    // Outputs are the product: current versions stay; replaced ones and stray uploads do not.
    const output = this.bucket('output', batchOutputBucketName(props.name, props.account, props.region), props, [
      {
        id: 'expire-replaced-outputs',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ]);
    // The literal names (not references): the job script and user data carry them as text.
    this.inputBucketName = batchInputBucketName(props.name, props.account, props.region);
    this.inputBucketArn = input.arn;
    this.outputBucketName = batchOutputBucketName(props.name, props.account, props.region);
    this.outputBucketArn = output.arn;

    const logs = new ServerAccessLogBucket(this, 'access-logs', {
      bucketPrefix: `${prefix}-logs-`,
      account: props.account,
      sourceBucketArns: [input.arn, output.arn],
      retentionDays: props.accessLogRetentionDays ?? BATCH_BUCKET_DEFAULTS.accessLogRetentionDays,
      forceDestroy: props.forceDestroy,
    });
    logs.logBucket(this, 'input-access-logging', input.id, 'input');
    logs.logBucket(this, 'output-access-logging', output.id, 'output');
  }

  private bucket(id: string, bucketName: string, props: BatchBucketsProps, rule: ConstructorParameters<typeof S3BucketLifecycleConfiguration>[2]['rule']): S3Bucket {
    const scope = new Construct(this, id);
    const bucket = new S3Bucket(scope, 'bucket', { bucket: bucketName, forceDestroy: props.forceDestroy ?? false });
    lockDownBucket(scope, bucket.id, { kind: 'sse-kms', keyArn: props.kmsKeyArn });
    const versioning = new S3BucketVersioning(scope, 'versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketLifecycleConfiguration(scope, 'lifecycle', { bucket: bucket.id, rule, dependsOn: [versioning] });
    const policy = new DataAwsIamPolicyDocument(scope, 'policy-document', { statement: denyInsecureTransport(bucket.arn) });
    new S3BucketPolicy(scope, 'policy', { bucket: bucket.id, policy: policy.json });
    // To EventBridge, where rules filter by bucket and prefix (no per-bucket notification targets to manage).
    new S3BucketNotification(scope, 'events', { bucket: bucket.id, eventbridge: true });
    waive(bucket, 'CKV_AWS_144', 'batch inputs are transient and outputs can be recomputed from them; a second-region copy needs its own bucket, key and role — an option, not a default');
    return bucket;
  }
}
