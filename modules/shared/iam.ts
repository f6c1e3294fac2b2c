import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { Construct } from 'constructs';

/**
 * Trust policy letting one AWS service assume a role. Rendered by the
 * provider's local `aws_iam_policy_document`, so plans stay offline.
 */
export function assumeRolePolicy(scope: Construct, id: string, service: string): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
      },
    ],
  }).json;
}

/** Sids of the statements `denyInsecureTransport` returns. */
export const TLS_ONLY_STATEMENT_IDS = ['DenyInsecureTransport', 'DenyOutdatedTls'];

/** Statements that refuse any request to `bucketArn` not made over TLS 1.2+. */
export function denyInsecureTransport(bucketArn: string) {
  return [
    {
      sid: 'DenyInsecureTransport',
      effect: 'Deny',
      actions: ['s3:*'],
      resources: [bucketArn, `${bucketArn}/*`],
      principals: [{ type: '*', identifiers: ['*'] }],
      condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
    },
    {
      sid: 'DenyOutdatedTls',
      effect: 'Deny',
      actions: ['s3:*'],
      resources: [bucketArn, `${bucketArn}/*`],
      principals: [{ type: '*', identifiers: ['*'] }],
      condition: [{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }],
    },
  ];
}
