import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { waive } from '../security';
import { assumeRolePolicy, functionRuntimeStatements } from '../shared/iam';
import { bundledFunction } from './bundled-function';
import { INTERRUPTION_WARNING, REBALANCE_RECOMMENDATION, SPOT_METRICS_NAMESPACE } from './spot-signals';

const HANDLER_ENTRY = 'modules/resilience/spot-interruption-handler/handler.ts';

/** Log group of the handler of the tier called `name` (Lambda's own naming), for key policies to name. */
export function spotHandlerLogGroupName(name: string): string {
  return `/aws/lambda/${name}-spot-interruption`;
}

/** The handler's log kept a year (Checkov CKV_AWS_338), like every log group here. The schema uses it. */
export const DEFAULT_HANDLER_LOG_RETENTION_DAYS = 365;

export interface SpotInterruptionHandlerProps {
  /** Prefix for names, e.g. `web-app-prod`; its rules are `<name>-spot-…`. */
  readonly name: string;
  /** Account it runs in: only Lambda acting for this account may assume its role. */
  readonly account: string;
  /** The group whose instances it handles. */
  readonly autoScalingGroupName: string;
  /** ARN of that group: the only one it may mark unhealthy. */
  readonly autoScalingGroupArn: string;
  /** Topic it reports to. */
  readonly topicArn: string;
  /**
   * Key of the topic, the dead-letter queue, the log group and the
   * function's environment variables. Its policy must let EventBridge use it
   * for rules named `<name>-spot-…` (`OperationsKey`'s `eventRuleNamePrefixes`),
   * or their failed deliveries cannot reach the queue.
   */
  readonly kmsKeyArn: string;
  /** @default 365 (DEFAULT_HANDLER_LOG_RETENTION_DAYS) */
  readonly logRetentionDays?: number;
  /**
   * Reserved concurrency; `false` reserves none (an account limited to 10
   * concurrent executions cannot reserve any). 0 would throttle every event.
   * @default 2
   */
  readonly reservedConcurrency?: number | false;
}

/**
 * EventBridge rules for Spot interruption warnings and rebalance
 * recommendations, and the Lambda that acts on them (handler.ts), with a
 * least-privilege role, a KMS-encrypted dead-letter queue (for failed
 * invocations and for events EventBridge could not deliver), X-Ray tracing,
 * reserved concurrency, environment variables under the operations key and
 * a log group with retention.
 */
export class SpotInterruptionHandler extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly deadLetterQueueArn: string;
  public readonly ruleArns: readonly string[];

  constructor(scope: Construct, id: string, props: SpotInterruptionHandlerProps) {
    super(scope, id);
    const functionName = `${props.name}-spot-interruption`;

    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: spotHandlerLogGroupName(props.name),
      retentionInDays: props.logRetentionDays ?? DEFAULT_HANDLER_LOG_RETENTION_DAYS,
      kmsKeyId: props.kmsKeyArn,
    });
    const deadLetters = new SqsQueue(this, 'dead-letters', {
      name: `${functionName}-dlq`,
      kmsMasterKeyId: props.kmsKeyArn,
      messageRetentionSeconds: 14 * 24 * 3600,
    });
    this.deadLetterQueueArn = deadLetters.arn;

    const role = new IamRole(this, 'role', {
      name: functionName,
      assumeRolePolicy: assumeRolePolicy(this, 'lambda-trust', 'lambda.amazonaws.com', { account: props.account }),
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        { sid: 'MarkInstancesOfThisGroup', actions: ['autoscaling:SetInstanceHealth'], resources: [props.autoScalingGroupArn] },
        // DescribeAutoScalingInstances has no resource-level permissions.
        { sid: 'FindTheGroupOfAnInstance', actions: ['autoscaling:DescribeAutoScalingInstances'], resources: ['*'] },
        {
          sid: 'CountInterruptions',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: [SPOT_METRICS_NAMESPACE] }],
        },
        { sid: 'Report', actions: ['sns:Publish'], resources: [props.topicArn] },
        { sid: 'KeepFailedEvents', actions: ['sqs:SendMessage'], resources: [deadLetters.arn] },
        ...functionRuntimeStatements({ kmsKeyArn: props.kmsKeyArn, logGroupArn: logs.arn }),
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'spot-interruption-handler', role: role.id, policy: permissions.json });

    const fn = bundledFunction(this, {
      entry: HANDLER_ENTRY,
      functionName,
      description: `Marks Spot instances of ${props.autoScalingGroupName} unhealthy on interruption warnings, counts and reports them`,
      roleArn: role.arn,
      timeout: 30,
      reservedConcurrentExecutions: props.reservedConcurrency === false ? -1 : (props.reservedConcurrency ?? 2),
      environment: { ASG_NAME: props.autoScalingGroupName, TOPIC_ARN: props.topicArn },
      kmsKeyArn: props.kmsKeyArn,
      deadLetterTargetArn: deadLetters.arn,
      logGroup: logs,
    });
    waive(fn, 'CKV_AWS_117', 'calls only public AWS APIs (Auto Scaling, CloudWatch, SNS, SQS) and reaches nothing in the VPC; a VPC would add ENIs and a NAT or endpoint dependency inside a two-minute deadline');
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;

    const events: readonly [string, string][] = [
      ['interruption-warning', INTERRUPTION_WARNING],
      ['rebalance-recommendation', REBALANCE_RECOMMENDATION],
    ];
    const ruleArns = events.map(([ruleId, detailType]) => {
      const rule = new CloudwatchEventRule(this, ruleId, {
        name: `${props.name}-spot-${ruleId}`,
        description: `${detailType} → ${functionName}`,
        eventPattern: JSON.stringify({ source: ['aws.ec2'], 'detail-type': [detailType] }),
      });
      new CloudwatchEventTarget(this, `${ruleId}-target`, {
        rule: rule.name,
        targetId: 'spot-interruption-handler',
        arn: fn.arn,
        // A warning is worth acting on for its two minutes only.
        retryPolicy: { maximumEventAgeInSeconds: 120, maximumRetryAttempts: 2 },
        // An event EventBridge gives up on (the function throttled or gone) is kept, not dropped.
        deadLetterConfig: { arn: deadLetters.arn },
      });
      new LambdaPermission(this, `${ruleId}-invoke`, {
        statementId: `events-${ruleId}`,
        action: 'lambda:InvokeFunction',
        functionName: fn.functionName,
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      });
      return rule.arn;
    });
    this.ruleArns = ruleArns;

    const queuePolicy = new DataAwsIamPolicyDocument(this, 'dead-letters-policy-document', {
      statement: [
        {
          sid: 'EventBridgeDeadLetters',
          actions: ['sqs:SendMessage'],
          resources: [deadLetters.arn],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: ruleArns }],
        },
      ],
    });
    new SqsQueuePolicy(this, 'dead-letters-policy', { queueUrl: deadLetters.url, policy: queuePolicy.json });
  }
}
