/**
 * Where S3 server access logs go (CKV_AWS_18): a bucket only the S3 logging
 * service may write to, and only for the buckets and account named.
 * Lives beside the rule pack because it is what makes a bucket pass that rule.
 */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA as S3BucketLogging } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { denyInsecureTransport } from '../shared/iam';
import { lockDownBucket } from '../shared/s3';
import { waive } from './pack';

export interface ServerAccessLogBucketProps {
  /** Exact bucket name: known at plan time, so the policy is reviewable in the plan. Give this or `bucketPrefix`. */
  readonly bucketName?: string;
  /** Bucket name prefix; S3 appends a unique suffix. At most 37 characters. */
  readonly bucketPrefix?: string;
  /** Account that owns the logged buckets: log delivery is accepted for it only (`aws:SourceAccount`). */
  readonly account: string;
  /** ARNs of the buckets that may log here (`aws:SourceArn`). */
  readonly sourceBucketArns: readonly string[];
  /**
   * Days before log objects expire.
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * Let `terraform destroy` delete a bucket that still holds logs.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * A private, SSE-S3, versioned bucket with expiry, a TLS-only policy and one
 * grant: `logging.s3.amazonaws.com` may put objects, for the named source
 * buckets of the named account. Call `logBucket` for each source bucket.
 */
export class ServerAccessLogBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: ServerAccessLogBucketProps) {
    super(scope, id);
    if (!props.bucketName === !props.bucketPrefix) throw new Error(`${this.node.path}: give exactly one of bucketName and bucketPrefix`);
    const bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy ?? false,
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    lockDownBucket(this, bucket.id, { kind: 'sse-s3' });
    waive(bucket, 'CKV_AWS_145', 'S3 server access log delivery is documented for SSE-S3 destinations; SSE-S3 needs no key grant to the logging service');
    waive(bucket, 'CKV_AWS_18', 'this is the access-log destination; logging it would log its own log deliveries (AWS advises against it)');
    waive(bucket, 'CKV_AWS_144', 'access logs are an audit aid that expires; a copy in a second region is not worth its bucket, role and transfer cost');
    waive(bucket, 'CKV2_AWS_62', 'log objects arrive every few minutes and nothing consumes per-object events; they are read on demand');
    // Versions keep a deleted or overwritten log recoverable for a while: the logs are evidence.
    const versioning = new S3BucketVersioning(this, 'versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.retentionDays ?? 365 }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });

    const document = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'S3ServerAccessLogDelivery',
          actions: ['s3:PutObject'],
          resources: [`${bucket.arn}/*`],
          principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
          condition: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.account] },
            { test: 'ArnLike', variable: 'aws:SourceArn', values: [...props.sourceBucketArns] },
          ],
        },
        ...denyInsecureTransport(bucket.arn),
      ],
    });
    this.policy = new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: document.json });
  }

  /** Turns on server access logging of `bucketId` into this bucket, under `prefix/`. */
  logBucket(scope: Construct, id: string, bucketId: string, prefix: string): S3BucketLogging {
    return new S3BucketLogging(scope, id, {
      bucket: bucketId,
      targetBucket: this.bucketName,
      targetPrefix: `${prefix}/`,
      // S3 checks the destination's policy when logging is turned on.
      dependsOn: [this.policy],
    });
  }
}

/**
 * The account in an ARN (`arn:partition:service:region:account:…`), at synth
 * time for a literal and as a Terraform expression for a reference.
 */
export function accountOf(arn: string): string {
  if (Token.isUnresolved(arn)) return Fn.element(Fn.split(':', arn), 4);
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`${arn}: not an ARN with an account`);
  return account;
}
