import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Construct } from 'constructs';
import { denyInsecureTransport, recordedAccount } from '../shared/iam';
import { accountOf, ServerAccessLogBucket, waive } from '../security';
import { lockDownBucket } from '../shared/s3';
import type { AliasTarget } from './records';

export interface MaintenanceSiteProps {
  /** Prefix for names, e.g. `web-app-staging`. */
  readonly name: string;
  /** The name users reach it by, e.g. `app.example.com`. */
  readonly domainName: string;
  /** ACM certificate for `domainName` in us-east-1 (CloudFront's region). */
  readonly certificateArn: string;
  /** Body text of the page. */
  readonly message: string;
  /**
   * CloudFront edge footprint.
   * @default 'PriceClass_200' (includes Asia)
   */
  readonly priceClass?: string;
  /**
   * Account of the site; its access-log bucket accepts this account's deliveries only.
   * @default the stack's account (`useAccount`), else the account of `certificateArn` (CloudFront takes certificates of its own account only)
   */
  readonly account?: string;
  /**
   * Days to keep the page bucket's server access logs.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Delete the access-log bucket with its logs on destroy (S3 refuses to delete a bucket that is not empty).
   * @default false
   */
  readonly forceDestroy?: boolean;
}

const PAGE = 'maintenance.html';
// AWS-managed policies, fixed IDs documented by CloudFront (no lookup needed).
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const SECURITY_HEADERS = '67f7725c-6f97-4210-82d7-5512b31e9d03';

/**
 * A static maintenance page: CloudFront over a private, encrypted bucket that
 * only this distribution can read (origin access control), with the bucket's
 * requests logged to a second bucket. Every path serves the page with 503, so
 * clients and crawlers know it is temporary.
 */
export class MaintenanceSite extends Construct {
  public readonly target: AliasTarget;
  public readonly bucketName: string;

  constructor(scope: Construct, id: string, props: MaintenanceSiteProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, 'bucket', { bucketPrefix: `${props.name}-maint-`, forceDestroy: true });
    this.bucketName = bucket.bucket;
    lockDownBucket(this, bucket.id, { kind: 'sse-s3' });
    waive(bucket, 'CKV_AWS_145', 'one public maintenance page; KMS would add a key policy for CloudFront and protect nothing secret');
    waive(bucket, 'CKV_AWS_21', 'the page is rewritten from code on every deploy; versions keep nothing of value');
    waive(bucket, 'CKV_AWS_144', 'the page is rewritten from code on every deploy; a second-region copy would hold nothing that is not in git');
    waive(bucket, 'CKV2_AWS_62', 'one object written by Terraform; there is nothing to react to in per-object events');
    // Nothing expires (the page must stay), but failed uploads must not linger.
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: bucket.id,
      rule: [{ id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{ prefix: '' }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] }],
    });
    const logs = new ServerAccessLogBucket(this, 'access-logs', {
      bucketPrefix: `${props.name}-maint-logs-`.slice(0, 37),
      account: props.account ?? recordedAccount(this) ?? accountOf(props.certificateArn),
      sourceBucketArns: [bucket.arn],
      retentionDays: props.accessLogRetentionDays ?? 90,
      forceDestroy: props.forceDestroy ?? false,
    });
    logs.logBucket(this, 'logging', bucket.id, 'maintenance');
    new S3Object(this, 'page', {
      bucket: bucket.id,
      key: PAGE,
      content: maintenancePage(props.message),
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'max-age=60',
    });

    const access = new CloudfrontOriginAccessControl(this, 'oac', {
      name: `${props.name}-maintenance`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    const origin = 'maintenance-bucket';
    const distribution = new CloudfrontDistribution(this, 'cdn', {
      // Reasons these CloudFront checks do not apply to a static failover page are waived below.
      enabled: true,
      comment: `Maintenance page for ${props.domainName}`,
      aliases: [props.domainName],
      defaultRootObject: PAGE,
      priceClass: props.priceClass ?? 'PriceClass_200',
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      origin: [{ originId: origin, domainName: bucket.bucketRegionalDomainName, originAccessControlId: access.id }],
      defaultCacheBehavior: {
        targetOriginId: origin,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: CACHING_OPTIMIZED,
        responseHeadersPolicyId: SECURITY_HEADERS,
        compress: true,
      },
      // Any path the bucket does not have (403 through OAC) becomes the page, as a 503.
      customErrorResponse: [403, 404].map((errorCode) => ({
        errorCode,
        responseCode: 503,
        responsePagePath: `/${PAGE}`,
        errorCachingMinTtl: 10,
      })),
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: props.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
    });

    waive(distribution, 'CKV_AWS_68', 'serves one static page from S3 (GET/HEAD only, no application behind it); a us-east-1 WAF would guard nothing rules can match');
    waive(distribution, 'CKV2_AWS_47', 'no WAF (see CKV_AWS_68): there is no Java or any application behind the page for Log4j rules to protect');
    waive(distribution, 'CKV_AWS_86', 'standard logs need an ACL-enabled bucket (CKV2_AWS_65 forbids ACLs); the page bucket logs its origin requests instead');
    waive(distribution, 'CKV_AWS_310', 'the page is itself the failover target of the app; a second origin would be a copy of the same static file');
    waive(distribution, 'CKV_AWS_374', 'the page must reach every user the app serves, wherever they are; the app sets no geographic limit either');
    const readByDistribution = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'CloudFrontReadsPage',
          actions: ['s3:GetObject'],
          resources: [`${bucket.arn}/*`],
          principals: [{ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'AWS:SourceArn', values: [distribution.arn] }],
        },
        ...denyInsecureTransport(bucket.arn),
      ],
    });
    new S3BucketPolicy(this, 'policy', { bucket: bucket.id, policy: readByDistribution.json });

    this.target = { dnsName: distribution.domainName, hostedZoneId: distribution.hostedZoneId, evaluateTargetHealth: false };
  }
}

function maintenancePage(message: string): string {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Maintenance</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    `<body style="font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem"><h1>Back soon</h1><p>${escaped}</p></body></html>`,
    '',
  ].join('\n');
}
