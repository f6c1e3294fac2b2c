import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { assumeRolePolicy } from '../shared/iam';
import { renderStateMachine } from './asl';
import { BATCH_DEFAULTS } from './defaults';
import { type BatchInstances, runnerInstances } from './instances';
import { BATCH_TAG_KEY, batchNamePrefix, batchStateMachineName, batchTagValue, batchWorkflowLogGroupName } from './names';
import type { BatchRunnerProps } from './runner-props';
import { BatchSweep } from './sweep';
import { escapeTerraformTemplate } from './terraform-text';
import { batchWorkflowDefinition } from './workflow-definition';

export interface BatchWorkflowProps extends BatchRunnerProps {
  /** @default 60 (BATCH_DEFAULTS.maxRunMinutes) */
  readonly maxRunMinutes?: number;
  /** @default 2 (BATCH_DEFAULTS.interruptionRetries) */
  readonly interruptionRetries?: number;
  /** @default 14 (BATCH_DEFAULTS.failedRunRetentionDays) */
  readonly failedRunRetentionDays?: number;
  /** Topic the failure alarms notify. */
  readonly alertsTopicArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
}

/**
 * The guide's batch pattern, only when there is work: an object created
 * under the input prefix starts a Step Functions execution that launches one
 * Spot instance (EC2 Fleet, capacity-optimized over every type × subnet),
 * runs the job through SSM Run Command, and terminates the instance on
 * success and on failure; an instance Spot takes back is relaunched, a
 * bounded number of times.
 *
 * Around it: least-privilege roles (the state machine launches only
 * instances it tags, and runs on and terminates only those; EventBridge may
 * start this state machine only), a queue of failed runs (executions that
 * failed, timed out or were aborted, and events that could not start one),
 * alarms on failures and on that queue, and the sweep (BatchSweep).
 */
export class BatchWorkflow extends Construct {
  public readonly instances: BatchInstances;
  public readonly stateMachineArn: string;
  public readonly stateMachineName: string;
  public readonly roleArn: string;
  public readonly failedRunsQueueArn: string;
  public readonly failedRunsQueueUrl: string;
  public readonly sweep: BatchSweep;
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: BatchWorkflowProps) {
    super(scope, id);
    const prefix = batchNamePrefix(props.name);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const instanceTypes = props.instanceTypes ?? BATCH_DEFAULTS.instanceTypes;
    const inputPrefix = props.inputPrefix ?? BATCH_DEFAULTS.inputPrefix;
    const outputPrefix = props.outputPrefix ?? BATCH_DEFAULTS.outputPrefix;
    const maxRunMinutes = props.maxRunMinutes ?? BATCH_DEFAULTS.maxRunMinutes;
    const logRetentionDays = props.logRetentionDays ?? 365;
    if (instanceTypes.length === 0) throw new Error(`${this.node.path}: needs at least one instance type`);
    if (props.subnetIds.length === 0) throw new Error(`${this.node.path}: needs at least one subnet`);

    this.instances = runnerInstances(this, props, { inputPrefix, outputPrefix, instanceType: instanceTypes[0]! }, { batchTagInRequest: true });

    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: batchWorkflowLogGroupName(props.name),
      retentionInDays: logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const role = new IamRole(this, 'role', {
      name: `${prefix}-workflow`,
      description: `Step Functions workflow of the batch tier of ${props.name}`,
      assumeRolePolicy: assumeRolePolicy(this, 'states-trust', 'states.amazonaws.com', { account: props.account }),
    });
    new IamRolePolicy(this, 'policy', { name: 'batch-workflow', role: role.id, policy: this.workflowPolicy(props, partition) });
    this.roleArn = role.arn;

    const definition = batchWorkflowDefinition({
      launchTemplateId: this.instances.launchTemplateId,
      launchTemplateVersion: this.instances.launchTemplateVersion,
      instanceTypes,
      subnetIds: props.subnetIds,
      tagKey: BATCH_TAG_KEY,
      tagValue: batchTagValue(props.name),
      inputBucketName: props.inputBucket.name,
      outputBucketName: props.outputBucket.name,
      inputPrefix,
      outputPrefix,
      commands: props.commands,
      maxRunMinutes,
      interruptionRetries: props.interruptionRetries ?? BATCH_DEFAULTS.interruptionRetries,
    });
    const machine = new SfnStateMachine(this, 'state-machine', {
      name: batchStateMachineName(props.name),
      type: 'STANDARD',
      roleArn: role.arn,
      definition: escapeTerraformTemplate(renderStateMachine(definition)),
      // The data is logged too (Checkov CKV_AWS_285): keys and instance IDs, under the tier's key.
      loggingConfiguration: { logDestination: `${logs.arn}:*`, includeExecutionData: true, level: 'ALL' },
      tracingConfiguration: { enabled: true },
    });
    this.stateMachineArn = machine.arn;
    this.stateMachineName = machine.name;

    const failedRuns = new SqsQueue(this, 'failed-runs', {
      name: `${prefix}-failed-runs`,
      kmsMasterKeyId: props.kmsKeyArn,
      messageRetentionSeconds: (props.failedRunRetentionDays ?? BATCH_DEFAULTS.failedRunRetentionDays) * 24 * 3600,
    });
    this.failedRunsQueueArn = failedRuns.arn;
    this.failedRunsQueueUrl = failedRuns.url;

    const starter = new IamRole(this, 'events-role', {
      name: `${prefix}-start`,
      description: `EventBridge starting the batch workflow of ${props.name}`,
      assumeRolePolicy: assumeRolePolicy(this, 'events-trust', 'events.amazonaws.com', { account: props.account }),
    });
    const startPolicy = new DataAwsIamPolicyDocument(this, 'events-permissions', {
      statement: [{ sid: 'StartThisWorkflowOnly', actions: ['states:StartExecution'], resources: [machine.arn] }],
    });
    new IamRolePolicy(this, 'events-policy', { name: 'start-batch-workflow', role: starter.id, policy: startPolicy.json });

    const objectCreated = new CloudwatchEventRule(this, 'object-created', {
      name: `${prefix}-object-created`,
      description: `An object under ${inputPrefix} in the batch input bucket → ${batchStateMachineName(props.name)}`,
      eventPattern: JSON.stringify({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [props.inputBucket.name] }, object: { key: [{ prefix: inputPrefix }] } },
      }),
    });
    new CloudwatchEventTarget(this, 'object-created-target', {
      rule: objectCreated.name,
      targetId: 'batch-workflow',
      arn: machine.arn,
      roleArn: starter.arn,
      retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
      // An object whose run could not even start is kept with the failed runs.
      deadLetterConfig: { arn: failedRuns.arn },
    });

    const runFailed = new CloudwatchEventRule(this, 'run-failed', {
      name: `${prefix}-run-failed`,
      description: `Executions of ${batchStateMachineName(props.name)} that failed, timed out or were aborted → the failed-runs queue`,
      eventPattern: JSON.stringify({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [machine.arn] },
      }),
    });
    new CloudwatchEventTarget(this, 'run-failed-target', {
      rule: runFailed.name,
      targetId: 'failed-runs',
      arn: failedRuns.arn,
      retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 },
    });

    this.sweep = new BatchSweep(this, 'sweep', {
      name: props.name,
      account: props.account,
      region: props.region,
      maxRunMinutes,
      kmsKeyArn: props.kmsKeyArn,
      deadLetterQueueArn: failedRuns.arn,
      logRetentionDays,
    });

    const queuePolicy = new DataAwsIamPolicyDocument(this, 'failed-runs-policy-document', {
      statement: [
        {
          sid: 'EventBridgeFailedRuns',
          actions: ['sqs:SendMessage'],
          resources: [failedRuns.arn],
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [objectCreated.arn, runFailed.arn, this.sweep.ruleArn] }],
        },
      ],
    });
    new SqsQueuePolicy(this, 'failed-runs-policy', { queueUrl: failedRuns.url, policy: queuePolicy.json });

    const failedAlarm = new CloudwatchMetricAlarm(this, 'executions-failed', {
      alarmName: `${prefix}-executions-failed`,
      alarmDescription: `A batch run of ${props.name} failed: see the failed-runs queue and the execution history`,
      namespace: 'AWS/States',
      metricName: 'ExecutionsFailed',
      dimensions: { StateMachineArn: machine.arn },
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [props.alertsTopicArn],
      okActions: [props.alertsTopicArn],
    });
    const queueAlarm = new CloudwatchMetricAlarm(this, 'failed-runs-waiting', {
      alarmName: `${prefix}-failed-runs-waiting`,
      alarmDescription: `Failed, timed-out or aborted batch runs of ${props.name} (or sweep failures) wait in ${prefix}-failed-runs`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: failedRuns.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [props.alertsTopicArn],
      okActions: [props.alertsTopicArn],
    });
    this.alarmNames = [failedAlarm.alarmName, queueAlarm.alarmName];
  }

  /**
   * What the workflow may do: launch only instances tagged as this tier's
   * batch instances, from its template into its subnets; tag only while
   * launching; pass only the instance role, to EC2 only; run commands on and
   * terminate only instances with its tag; log and trace.
   */
  private workflowPolicy(props: BatchWorkflowProps, partition: string): string {
    const ec2 = (resource: string) => `arn:${partition}:ec2:${props.region}:${props.account}:${resource}`;
    const tagged = (variable: string) => [{ test: 'StringEquals', variable, values: [batchTagValue(props.name)] }];
    const launches = ['ec2:CreateFleet', 'ec2:RunInstances'];
    const statement: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: 'LaunchOnlyTaggedInstances',
        actions: launches,
        resources: [ec2('instance/*'), ec2('fleet/*')],
        condition: tagged(`aws:RequestTag/${BATCH_TAG_KEY}`),
      },
      {
        sid: 'LaunchFromTheBatchTemplateIntoThePrivateSubnets',
        actions: launches,
        resources: [
          ec2(`launch-template/${this.instances.launchTemplateId}`),
          ec2(`security-group/${this.instances.securityGroupId}`),
          ...props.subnetIds.map((subnet) => ec2(`subnet/${subnet}`)),
          ec2('volume/*'),
          ec2('network-interface/*'),
          ec2('spot-instances-request/*'),
          `arn:${partition}:ec2:${props.region}::image/*`,
        ],
      },
      {
        sid: 'TagOnlyWhileLaunching',
        actions: ['ec2:CreateTags'],
        resources: [ec2('instance/*'), ec2('fleet/*'), ec2('volume/*'), ec2('network-interface/*'), ec2('spot-instances-request/*')],
        condition: [{ test: 'StringEquals', variable: 'ec2:CreateAction', values: launches.map((a) => a.split(':')[1]!) }],
      },
      {
        sid: 'PassTheInstanceRoleToEc2Only',
        actions: ['iam:PassRole'],
        resources: [this.instances.roleArn],
        condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ec2.amazonaws.com'] }],
      },
      {
        // Spot launches need EC2's service-linked roles; they exist in most accounts, and this creates them where not.
        sid: 'CreateSpotServiceLinkedRoles',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${partition}:iam::${props.account}:role/aws-service-role/*`],
        condition: [{ test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['spot.amazonaws.com', 'ec2fleet.amazonaws.com'] }],
      },
      // DescribeInstances and GetCommandInvocation have no resource-level permissions.
      { sid: 'WatchInstancesAndCommands', actions: ['ec2:DescribeInstances', 'ssm:GetCommandInvocation'], resources: ['*'] },
      {
        sid: 'TerminateOnlyTaggedInstances',
        actions: ['ec2:TerminateInstances'],
        resources: [ec2('instance/*')],
        condition: tagged(`aws:ResourceTag/${BATCH_TAG_KEY}`),
      },
      {
        sid: 'RunCommandsOnlyOnTaggedInstances',
        actions: ['ssm:SendCommand'],
        resources: [ec2('instance/*')],
        condition: tagged(`ssm:resourceTag/${BATCH_TAG_KEY}`),
      },
      {
        sid: 'RunTheShellScriptDocumentOnly',
        actions: ['ssm:SendCommand'],
        resources: [`arn:${partition}:ssm:${props.region}::document/AWS-RunShellScript`],
      },
      {
        // Step Functions' log delivery: these actions take no resource ARN.
        sid: 'DeliverLogs',
        actions: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      },
      { sid: 'Trace', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], resources: ['*'] },
    ];
    return new DataAwsIamPolicyDocument(this, 'permissions', { statement }).json;
  }
}
