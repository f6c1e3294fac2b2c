import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import { bundledFunction } from '../resilience/bundled-function';
import { waive } from '../security';
import { assumeRolePolicy, functionRuntimeStatements } from '../shared/iam';
import { BATCH_TAG_KEY, batchNamePrefix, batchSweepFunctionName, batchSweepLogGroupName, batchTagValue } from './names';

export const SWEEP_HANDLER_ENTRY = 'modules/batch/sweep-handler/handler.ts';

export const BATCH_SWEEP_DEFAULTS = {
  // Every quarter-hour: a forgotten instance costs at most this much past its limit.
  schedule: 'rate(15 minutes)',
  // Launch and SSM registration come before the job's own clock starts; a sweep must not cut a run that is on time.
  graceMinutes: 15,
  logRetentionDays: 365,
} as const;

export interface BatchSweepProps {
  /** Tier name; the function is `<name>-batch-sweep`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** Instances older than this (plus `graceMinutes`) are terminated. */
  readonly maxRunMinutes: number;
  /** @default 15 (BATCH_SWEEP_DEFAULTS.graceMinutes) */
  readonly graceMinutes?: number;
  /** @default 'rate(15 minutes)' (BATCH_SWEEP_DEFAULTS.schedule) */
  readonly schedule?: string;
  /** Key of the log group, the environment variables and the queue. */
  readonly kmsKeyArn: string;
  /** Where failed invocations, and schedule events EventBridge could not deliver, go. */
  readonly deadLetterQueueArn: string;
  /** @default 365 (BATCH_SWEEP_DEFAULTS.logRetentionDays) */
  readonly logRetentionDays?: number;
}

/**
 * The cleanup: a scheduled Lambda (sweep-handler/handler.ts) that terminates
 * every batch-tagged instance older than a run may take. It may describe
 * instances (no resource-level permission exists) and terminate only those
 * with the tier's batch tag.
 */
export class BatchSweep extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly ruleArn: string;

  constructor(scope: Construct, id: string, props: BatchSweepProps) {
    super(scope, id);
    const functionName = batchSweepFunctionName(props.name);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: batchSweepLogGroupName(props.name),
      retentionInDays: props.logRetentionDays ?? BATCH_SWEEP_DEFAULTS.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const role = new IamRole(this, 'role', {
      name: functionName,
      assumeRolePolicy: assumeRolePolicy(this, 'lambda-trust', 'lambda.amazonaws.com', { account: props.account }),
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        // DescribeInstances has no resource-level permissions.
        { sid: 'FindBatchInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] },
        {
          sid: 'TerminateBatchInstancesOnly',
          actions: ['ec2:TerminateInstances'],
          resources: [`arn:${partition}:ec2:${props.region}:${props.account}:instance/*`],
          condition: [{ test: 'StringEquals', variable: `aws:ResourceTag/${BATCH_TAG_KEY}`, values: [batchTagValue(props.name)] }],
        },
        { sid: 'KeepFailedInvocations', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueueArn] },
        ...functionRuntimeStatements({ kmsKeyArn: props.kmsKeyArn, logGroupArn: logs.arn }),
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'batch-sweep', role: role.id, policy: permissions.json });

    const fn = bundledFunction(this, {
      entry: SWEEP_HANDLER_ENTRY,
      functionName,
      description: `Terminates batch instances of ${props.name} older than ${props.maxRunMinutes} minutes (plus grace)`,
      roleArn: role.arn,
      timeout: 60,
      // One sweep at a time is all there is to do.
      reservedConcurrentExecutions: 1,
      environment: {
        TAG_KEY: BATCH_TAG_KEY,
        TAG_VALUE: batchTagValue(props.name),
        MAX_AGE_MINUTES: String(props.maxRunMinutes + (props.graceMinutes ?? BATCH_SWEEP_DEFAULTS.graceMinutes)),
      },
      kmsKeyArn: props.kmsKeyArn,
      deadLetterTargetArn: props.deadLetterQueueArn,
      logGroup: logs,
    });
    waive(fn, 'CKV_AWS_117', 'calls only the EC2 API and reaches nothing in the VPC; a VPC would add ENIs and a NAT or endpoint dependency to a cleanup that must not depend on them');
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;

    const rule = new CloudwatchEventRule(this, 'schedule', {
      name: `${batchNamePrefix(props.name)}-sweep`,
      description: `Sweep of stale batch instances → ${functionName}`,
      scheduleExpression: props.schedule ?? BATCH_SWEEP_DEFAULTS.schedule,
    });
    new CloudwatchEventTarget(this, 'target', {
      rule: rule.name,
      targetId: 'batch-sweep',
      arn: fn.arn,
      // The next sweep comes soon: an old schedule event is not worth delivering.
      retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 2 },
      deadLetterConfig: { arn: props.deadLetterQueueArn },
    });
    new LambdaPermission(this, 'invoke', {
      statementId: 'events-batch-sweep',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
    this.ruleArn = rule.arn;
  }
}
