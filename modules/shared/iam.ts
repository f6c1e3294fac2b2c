import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Aspects, type IAspect } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';

/** Context key under which a stack records the account its roles live in (see `useAccount`). */
export const ACCOUNT_CONTEXT = 'web-tier:account';

/**
 * Records `account` as the account of every role built below `scope`, so a
 * module that takes no account of its own (the network's flow-log role) still
 * gets a trust policy naming it. Must run before `scope` has children: the
 * construct library refuses context set later, because earlier children
 * would not see it.
 */
export function useAccount(scope: Construct, account: string): void {
  scope.node.setContext(ACCOUNT_CONTEXT, account);
}

/** The account recorded by `useAccount` above `scope`, if any. */
export function recordedAccount(scope: Construct): string | undefined {
  const account: unknown = scope.node.tryGetContext(ACCOUNT_CONTEXT);
  return typeof account === 'string' ? account : undefined;
}

export interface TrustOptions {
  /**
   * Account whose resources may have the service assume the role
   * (`aws:SourceAccount`).
   * @default the account recorded by `useAccount` above the scope; none is an error
   */
  readonly account?: string;
}

/**
 * Services that send `aws:SourceArn` when they assume a role, and the ARN
 * pattern of this account's resources that do. Others (EC2 for instance
 * profiles, Lambda for execution roles, Auto Scaling for lifecycle hooks)
 * send no source ARN there, and a condition on it would deny them.
 */
const SOURCE_ARNS: Readonly<Record<string, (partition: string, region: string, account: string) => string>> = {
  'vpc-flow-logs.amazonaws.com': (partition, region, account) => `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*`,
};

/**
 * Trust policy letting one AWS service assume a role on behalf of this
 * account's resources only (`aws:SourceAccount`, and `aws:SourceArn` for the
 * services that send one): without the conditions the service would assume
 * it for anyone who can name the role in their own resource (the confused
 * deputy). Rendered by the provider's local `aws_iam_policy_document`, so
 * plans stay offline.
 */
export function assumeRolePolicy(scope: Construct, id: string, service: string, options: TrustOptions = {}): string {
  const account = options.account ?? recordedAccount(scope);
  if (!account) {
    throw new Error(`${scope.node.path}: the ${service} trust policy needs the account (pass { account }, or build it in a stack that called useAccount)`);
  }
  const condition = [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account] }];
  const sourceArn = SOURCE_ARNS[service];
  if (sourceArn) {
    // The data sources are local to the provider (no API call), and follow the scope's provider, so a standby region names its own.
    const partition = new DataAwsPartition(scope, `${id}-partition`, {}).partition;
    const region = new DataAwsRegion(scope, `${id}-region`, {}).name;
    condition.push({ test: 'ArnLike', variable: 'aws:SourceArn', values: [sourceArn(partition, region, account)] });
  }
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
        condition,
      },
    ],
  }).json;
}

/** An IAM customer-managed policy ARN, e.g. `arn:aws:iam::210987654321:policy/web-app-boundary`. */
export const IAM_POLICY_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):policy\/[\w+=,.@/-]+$/;

/**
 * Sets `boundaryArn` as the permissions boundary of every IAM role below
 * `scope`, whichever module builds it (the network's flow-log role, the
 * chaos experiment's, any added later): a boundary a module had to opt into
 * would miss the next role someone adds. A role that names a boundary of its
 * own keeps it.
 */
export function applyPermissionsBoundary(scope: Construct, boundaryArn: string): void {
  Aspects.of(scope).add(new PermissionsBoundary(boundaryArn));
}

class PermissionsBoundary implements IAspect {
  constructor(private readonly boundaryArn: string) {}

  visit(node: IConstruct): void {
    // The getter answers a token even when unset; the input is what was configured.
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) node.permissionsBoundary = this.boundaryArn;
  }
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

/** A statement as environment files write an application's own permissions (instances.iam, a task role). */
export interface PolicyStatementSpec {
  /** @default none */
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** @default none */
  readonly conditions?: readonly { readonly test: string; readonly variable: string; readonly values: readonly string[] }[];
}

/** The statements as a policy document takes them. */
export function policyDocumentStatements(statements: readonly PolicyStatementSpec[]): DataAwsIamPolicyDocumentStatement[] {
  return statements.map((s) => ({
    sid: s.sid,
    effect: s.effect ?? 'Allow',
    actions: [...s.actions],
    resources: [...s.resources],
    condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
  }));
}

/**
 * What every function of ours needs at run time, last in its policy: the
 * operations key (its environment, logs and queues are encrypted with it),
 * its own log group's streams, and X-Ray (PutTraceSegments has no resource
 * level).
 */
export function functionRuntimeStatements(props: { readonly kmsKeyArn: string; readonly logGroupArn: string }): DataAwsIamPolicyDocumentStatement[] {
  return [
    { sid: 'UseTheOperationsKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.kmsKeyArn] },
    { sid: 'WriteItsLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${props.logGroupArn}:*`] },
    { sid: 'Trace', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
  ];
}
