import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { assumeRolePolicy } from '../shared/iam';

/** Flow logs kept a year (Checkov CKV_AWS_338): an investigation often starts months after the traffic. The schema uses it. */
export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 365;

export interface FlowLogOptions {
  /**
   * Send VPC flow logs to CloudWatch Logs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Days CloudWatch keeps flow-log events.
   * @default 365 (DEFAULT_FLOW_LOG_RETENTION_DAYS)
   */
  readonly retentionDays?: number;
  /**
   * Customer-managed key for the log group; it must let CloudWatch Logs in
   * this region use it.
   * @default the CloudWatch Logs service key
   */
  readonly kmsKeyArn?: string;
  /**
   * Which traffic to record.
   * @default 'ALL'
   */
  readonly trafficType?: 'ACCEPT' | 'REJECT' | 'ALL';
}

/**
 * Flow logs of `vpcId` (built or brought) to a CloudWatch log group
 * `/aws/vpc-flow-logs/<name>`, written by a role only VPC flow logs of this
 * account may assume. Built directly in `scope`, so both network constructs
 * keep the same resource addresses. Returns the group name.
 */
export function addFlowLogs(scope: Construct, name: string, vpcId: string, options: FlowLogOptions): string {
  const group = new CloudwatchLogGroup(scope, 'flow-log-group', {
    name: `/aws/vpc-flow-logs/${name}`,
    retentionInDays: options.retentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS,
    kmsKeyId: options.kmsKeyArn,
  });
  const role = new IamRole(scope, 'flow-log-role', {
    name: `${name}-vpc-flow-logs`,
    assumeRolePolicy: assumeRolePolicy(scope, 'flow-log-trust', 'vpc-flow-logs.amazonaws.com'),
  });
  const writeLogs = new DataAwsIamPolicyDocument(scope, 'flow-log-write', {
    statement: [
      {
        sid: 'WriteFlowLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [`${group.arn}:*`],
      },
      { sid: 'DescribeGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
    ],
  });
  new IamRolePolicy(scope, 'flow-log-policy', { role: role.id, name: 'write-flow-logs', policy: writeLogs.json });
  new FlowLog(scope, 'flow-log', {
    vpcId,
    trafficType: options.trafficType ?? 'ALL',
    logDestinationType: 'cloud-watch-logs',
    logDestination: group.arn,
    iamRoleArn: role.arn,
    maxAggregationInterval: 60,
    tags: { Name: `${name}-flow-logs` },
  });
  return group.name;
}
