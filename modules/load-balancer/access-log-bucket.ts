import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { Construct } from 'constructs';
import { denyInsecureTransport } from '../shared/iam';
import { waive } from '../security';
import { lockDownBucket } from '../shared/s3';

export interface AccessLogBucketProps {
  /** Bucket name prefix; S3 appends a unique suffix. At most 37 characters. */
  readonly bucketPrefix: string;
  /** Key prefix the load balancer writes under. */
  readonly logPrefix: string;
  /** Account of the load balancer: the only one whose logs the bucket accepts. */
  readonly account: string;
  /**
   * Days before log objects expire.
   * @default 90
   */
  readonly retentionDays?: number;
  /**
   * Let `terraform destroy` delete a bucket that still holds logs.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * A private, encrypted bucket that Elastic Load Balancing may write access
 * logs into. SSE-S3 rather than KMS: ALB log delivery supports only SSE-S3.
 */
export class AccessLogBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  /** Depend on this before enabling logs: ALB checks write access at creation. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, 'bucket', {
      bucketPrefix: props.bucketPrefix,
      forceDestroy: props.forceDestroy ?? false,
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;

    lockDownBucket(this, bucket.id, { kind: 'sse-s3' });
    waive(bucket, 'CKV_AWS_145', 'ALB access-log delivery writes only to SSE-S3 buckets; KMS would stop the logs');
    waive(bucket, 'CKV_AWS_21', 'access logs are written once and expire; versions would only keep expired logs longer');
    waive(bucket, 'CKV_AWS_18', 'this bucket is a log destination itself; logging it would only log the log deliveries');
    waive(bucket, 'CKV_AWS_144', 'access logs are an expiring troubleshooting aid; a second-region copy is not worth its bucket, role and transfer cost');
    waive(bucket, 'CKV2_AWS_62', 'log files arrive every five minutes and nothing consumes per-object events; they are read on demand');
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: `${props.logPrefix}/` }],
          expiration: [{ days: props.retentionDays ?? 90 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    // Regions older than August 2022 (Seoul and Tokyo among them) deliver from
    // a regional ELB account; newer ones from the log-delivery service
    // principal. Granting both keeps the module region-agnostic. Either may
    // write only under this account's own prefix, so the bucket takes no
    // other account's logs.
    const elbAccount = new DataAwsElbServiceAccount(this, 'elb-account', {});
    const logObjects = `${bucket.arn}/${props.logPrefix}/AWSLogs/${props.account}/*`;
    const document = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'ElbAccountLogDelivery',
          actions: ['s3:PutObject'],
          resources: [logObjects],
          principals: [{ type: 'AWS', identifiers: [elbAccount.arn] }],
        },
        {
          sid: 'ElbServiceLogDelivery',
          actions: ['s3:PutObject'],
          resources: [logObjects],
          principals: [{ type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] }],
          // The service principal acts for any account's load balancer; this names ours.
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.account] }],
        },
        ...denyInsecureTransport(bucket.arn),
      ],
    });
    this.policy = new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: document.json });
  }
}
