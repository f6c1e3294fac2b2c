/**
 * The batch workflow as typed states (asl.ts): an S3 "Object Created" event
 * in, one Spot instance launched for it, the job run through SSM Run Command,
 * the instance terminated whatever happens. Pure data, no CDKTF: the construct
 * renders it with Terraform references, the tests execute it with their own.
 *
 *   Prepare → LaunchInstance → GotInstance → WaitForInstance → DescribeInstance → IsInstanceRunning
 *     → RunJob → WaitForJob → GetJobStatus → IsJobDone → TerminateAfterSuccess → Succeeded
 *                                          ↘ CheckInstance → IsInstanceAlive ↗ (still running: WaitForJob)
 *   an instance that is gone (Spot reclaimed it, before or during the job) or never came: WasInterrupted → CountAttempt → LaunchInstance,
 *   while attempts remain; otherwise, and on any failure: TerminateAfterFailure → Failed.
 *
 * SSM has no `.sync` integration, so the job is polled: SendCommand, then
 * GetCommandInvocation in a Wait/Choice loop. EC2 Fleet (`createFleet`, type
 * instant) is how one call diversifies over every instance type × subnet.
 */
import type { JsonPath, Payload, StateMachineDefinition, TopChoiceRule } from './asl';

/** The state names, which the tests and the docs refer to. */
export const BATCH_STATES = {
  prepare: 'Prepare',
  launchInstance: 'LaunchInstance',
  gotInstance: 'GotInstance',
  waitForInstance: 'WaitForInstance',
  describeInstance: 'DescribeInstance',
  isInstanceRunning: 'IsInstanceRunning',
  runJob: 'RunJob',
  waitForJob: 'WaitForJob',
  getJobStatus: 'GetJobStatus',
  isJobDone: 'IsJobDone',
  checkInstance: 'CheckInstance',
  isInstanceAlive: 'IsInstanceAlive',
  wasInterrupted: 'WasInterrupted',
  countAttempt: 'CountAttempt',
  terminateAfterSuccess: 'TerminateAfterSuccess',
  terminateAfterFailure: 'TerminateAfterFailure',
  succeeded: 'Succeeded',
  failed: 'Failed',
} as const;

/** Minutes a run is allowed on top of the job itself: launch, boot, SSM agent registration, polling. */
export const LAUNCH_ALLOWANCE_MINUTES = 10;
/** Seconds between checks of a launching instance. */
export const INSTANCE_POLL_SECONDS = 15;
/** Fewest seconds between checks of a running job. */
export const MIN_JOB_POLL_SECONDS = 60;
/**
 * Step Functions keeps at most 25,000 events in a standard execution's
 * history, and fails the execution past it; the job polling may use this
 * many, leaving the rest for launches, retries and terminations.
 */
export const HISTORY_EVENT_BUDGET = 20_000;
/** Events one job poll adds: WaitForJob (2), GetJobStatus (5), IsJobDone (2), CheckInstance (5), IsInstanceAlive (2). */
export const EVENTS_PER_JOB_POLL = 16;
/** Seconds SSM waits for the agent to pick the command up before it gives up on delivery. */
export const COMMAND_DELIVERY_TIMEOUT_SECONDS = 600;

/** SSM's statuses of a command still on its way. */
const JOB_RUNNING = ['Pending', 'InProgress', 'Delayed'] as const;

export interface BatchWorkflowDefinitionOptions {
  /** Launch template the instances start from (its id, and the version to use). */
  readonly launchTemplateId: string;
  readonly launchTemplateVersion: string;
  /** Instance types to diversify over, each in every subnet (EC2 Fleet overrides). */
  readonly instanceTypes: readonly string[];
  readonly subnetIds: readonly string[];
  /** The tag the instances are launched with, and the only ones the workflow may run on and terminate. */
  readonly tagKey: string;
  readonly tagValue: string;
  /** Where the job reads (the event's bucket and key) and writes. */
  readonly inputBucketName: string;
  readonly outputBucketName: string;
  readonly inputPrefix: string;
  readonly outputPrefix: string;
  /** Shell lines of the job. */
  readonly commands: readonly string[];
  readonly maxRunMinutes: number;
  readonly interruptionRetries: number;
}

/** The instance of the current attempt: `createFleet` answers with the instances it launched. */
const INSTANCE_ID: JsonPath = '$.launch.Instances[0].InstanceIds[0]';
const INSTANCE_IDS = `States.Array(${INSTANCE_ID})`;

/**
 * The script SSM runs: the object's key arrives base64-encoded (an S3 key
 * may hold quotes, `$` or newlines; base64 cannot break out of the
 * assignment), is decoded into INPUT_URI and OUTPUT_URI, then the job's
 * lines run with `set -eu`, so the first failing line fails the run.
 */
export function jobScript(options: Pick<BatchWorkflowDefinitionOptions, 'inputBucketName' | 'outputBucketName' | 'inputPrefix' | 'outputPrefix' | 'commands'>): string {
  return [
    'set -eu',
    'BATCH_KEY="$(printf \'%s\' "$BATCH_KEY_BASE64" | base64 -d)"',
    `export INPUT_URI="s3://${options.inputBucketName}/\${BATCH_KEY}"`,
    `export OUTPUT_URI="s3://${options.outputBucketName}/${options.outputPrefix}\${BATCH_KEY#${options.inputPrefix}}"`,
    ...options.commands,
  ].join('\n');
}

/**
 * Seconds between checks of a running job: every minute, or less often where
 * every attempt running to maxRunMinutes would otherwise outgrow the history
 * (at the schema's longest runs and most retries, about every 14 minutes).
 */
export function jobPollSeconds(maxRunMinutes: number, interruptionRetries: number): number {
  const attempts = 1 + interruptionRetries;
  return Math.max(MIN_JOB_POLL_SECONDS, Math.ceil((attempts * maxRunMinutes * 60 * EVENTS_PER_JOB_POLL) / HISTORY_EVENT_BUDGET));
}

/** The whole-execution budget: every attempt may use the job's time and the launch allowance. */
export function executionTimeoutSeconds(maxRunMinutes: number, interruptionRetries: number): number {
  return (1 + interruptionRetries) * (maxRunMinutes + LAUNCH_ALLOWANCE_MINUTES) * 60;
}

export function batchWorkflowDefinition(options: BatchWorkflowDefinitionOptions): StateMachineDefinition {
  const s = BATCH_STATES;
  const attempts = 1 + options.interruptionRetries;
  const tags: Payload[] = [
    { Key: options.tagKey, Value: options.tagValue },
    // Which run an instance belongs to, for whoever looks at it in the console.
    { Key: 'BatchExecution', 'Value.$': '$$.Execution.Name' },
  ];
  const terminate = (next: string) =>
    ({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ec2:terminateInstances',
      Parameters: { 'InstanceIds.$': INSTANCE_IDS },
      ResultPath: null,
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 }],
      // Still not terminated: the sweep will, once the instance is older than maxRunMinutes.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.terminateError', Next: next }],
      Next: next,
    }) as const;
  const stillRunning: TopChoiceRule = { Or: JOB_RUNNING.map((status) => ({ Variable: '$.jobStatus.status', StringEquals: status })), Next: s.waitForJob };

  return {
    Comment: `One Spot instance per object under ${options.inputPrefix}: launch, run the job through SSM, terminate; relaunch up to ${options.interruptionRetries} times if Spot takes the instance`,
    StartAt: s.prepare,
    TimeoutSeconds: executionTimeoutSeconds(options.maxRunMinutes, options.interruptionRetries),
    States: {
      [s.prepare]: {
        Type: 'Pass',
        Comment: 'Keeps the event\'s bucket and key, starts counting attempts, and carries the job script',
        Parameters: {
          'detail.$': '$.detail',
          attempt: 1,
          'keyBase64.$': 'States.Base64Encode($.detail.object.key)',
          script: jobScript(options),
        },
        Next: s.launchInstance,
      },
      [s.launchInstance]: {
        Type: 'Task',
        Comment: 'One Spot instance, capacity-optimized over every instance type in every private subnet',
        Resource: 'arn:aws:states:::aws-sdk:ec2:createFleet',
        Parameters: {
          // One token per attempt: a retried call whose first answer was lost gets that call's fleet, not a second instance.
          'ClientToken.$': "States.Hash(States.Format('{}/{}', $$.Execution.Id, $.attempt), 'SHA-256')",
          Type: 'instant',
          TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
          SpotOptions: { AllocationStrategy: 'capacity-optimized' },
          LaunchTemplateConfigs: [
            {
              LaunchTemplateSpecification: { LaunchTemplateId: options.launchTemplateId, Version: options.launchTemplateVersion },
              Overrides: options.instanceTypes.flatMap((InstanceType) => options.subnetIds.map((SubnetId) => ({ InstanceType, SubnetId }))),
            },
          ],
          TagSpecifications: [
            { ResourceType: 'instance', Tags: tags },
            { ResourceType: 'fleet', Tags: tags },
          ],
        },
        ResultPath: '$.launch',
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
        // Nothing was launched: nothing to terminate.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: s.failed }],
        Next: s.gotInstance,
      },
      [s.gotInstance]: {
        Type: 'Choice',
        Comment: 'An instant fleet answers with no instance when no pool has Spot capacity: that counts as an interrupted attempt',
        Choices: [{ Variable: INSTANCE_ID, IsPresent: true, Next: s.waitForInstance }],
        Default: s.wasInterrupted,
      },
      [s.waitForInstance]: { Type: 'Wait', Seconds: INSTANCE_POLL_SECONDS, Next: s.describeInstance },
      [s.describeInstance]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances',
        Parameters: { 'InstanceIds.$': INSTANCE_IDS },
        ResultSelector: { 'state.$': '$.Reservations[0].Instances[0].State.Name' },
        ResultPath: '$.instance',
        // A just-launched instance can be unknown to DescribeInstances for a few seconds.
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: s.terminateAfterFailure }],
        Next: s.isInstanceRunning,
      },
      [s.isInstanceRunning]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.instance.state', StringEquals: 'running', Next: s.runJob },
          { Variable: '$.instance.state', StringEquals: 'pending', Next: s.waitForInstance },
        ],
        // shutting-down, terminated, stopping, stopped: Spot took it back before the job started.
        Default: s.wasInterrupted,
      },
      [s.runJob]: {
        Type: 'Task',
        Comment: 'The job\'s script through SSM Run Command, with the object\'s key (base64) before it',
        Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand',
        Parameters: {
          DocumentName: 'AWS-RunShellScript',
          'InstanceIds.$': INSTANCE_IDS,
          TimeoutSeconds: COMMAND_DELIVERY_TIMEOUT_SECONDS,
          'Comment.$': '$$.Execution.Name',
          Parameters: {
            'commands.$': "States.Array(States.Format('export BATCH_KEY_BASE64={}', $.keyBase64), $.script)",
            executionTimeout: [String(options.maxRunMinutes * 60)],
          },
        },
        ResultSelector: { 'commandId.$': '$.Command.CommandId' },
        ResultPath: '$.job',
        // The SSM agent registers a minute or so after the instance runs; until then the instance is "invalid" to SSM.
        Retry: [{ ErrorEquals: ['Ssm.InvalidInstanceIdException'], IntervalSeconds: 15, MaxAttempts: 10, BackoffRate: 1.5, MaxDelaySeconds: 60 }],
        Catch: [
          // Still "invalid": Spot may have taken the instance before its agent registered. CheckInstance tells.
          { ErrorEquals: ['Ssm.InvalidInstanceIdException'], ResultPath: '$.error', Next: s.checkInstance },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: s.terminateAfterFailure },
        ],
        Next: s.waitForJob,
      },
      [s.waitForJob]: { Type: 'Wait', Seconds: jobPollSeconds(options.maxRunMinutes, options.interruptionRetries), Next: s.getJobStatus },
      [s.getJobStatus]: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:ssm:getCommandInvocation',
        Parameters: { 'CommandId.$': '$.job.commandId', 'InstanceId.$': INSTANCE_ID },
        ResultSelector: { 'status.$': '$.Status', 'details.$': '$.StatusDetails', 'exitCode.$': '$.ResponseCode' },
        ResultPath: '$.jobStatus',
        // Right after SendCommand the invocation may not exist yet.
        Retry: [
          { ErrorEquals: ['Ssm.InvocationDoesNotExistException'], IntervalSeconds: 5, MaxAttempts: 5, BackoffRate: 2 },
          { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: s.terminateAfterFailure }],
        Next: s.isJobDone,
      },
      [s.isJobDone]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.jobStatus.status', StringEquals: 'Success', Next: s.terminateAfterSuccess }],
        // Still running, or failed: which, and whether the instance is still there, decides CheckInstance.
        Default: s.checkInstance,
      },
      [s.checkInstance]: {
        Type: 'Task',
        Comment: 'A reclaimed instance leaves its command InProgress until it times out, or its command undelivered: look at the instance itself',
        Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances',
        Parameters: { 'InstanceIds.$': INSTANCE_IDS },
        ResultSelector: { 'state.$': '$.Reservations[0].Instances[0].State.Name' },
        ResultPath: '$.instance',
        Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: s.terminateAfterFailure }],
        Next: s.isInstanceAlive,
      },
      [s.isInstanceAlive]: {
        Type: 'Choice',
        Choices: [
          { Not: { Variable: '$.instance.state', StringEquals: 'running' }, Next: s.wasInterrupted },
          // Running, but the job never reached it (its agent never registered): the run failed.
          { Not: { Variable: '$.jobStatus', IsPresent: true }, Next: s.terminateAfterFailure },
          stillRunning,
        ],
        // The instance is fine and the command failed, timed out or was cancelled: the job failed.
        Default: s.terminateAfterFailure,
      },
      [s.wasInterrupted]: {
        Type: 'Choice',
        Comment: `Relaunch while attempts remain (${attempts} in all)`,
        Choices: [
          { Variable: '$.attempt', NumericLessThan: attempts, Next: s.countAttempt },
          // No instance was ever launched (no Spot capacity): nothing to terminate.
          { Not: { Variable: INSTANCE_ID, IsPresent: true }, Next: s.failed },
        ],
        Default: s.terminateAfterFailure,
      },
      [s.countAttempt]: {
        Type: 'Pass',
        Comment: 'The next attempt starts clean: the event, the script and the count only',
        Parameters: {
          'detail.$': '$.detail',
          'attempt.$': 'States.MathAdd($.attempt, 1)',
          'keyBase64.$': '$.keyBase64',
          'script.$': '$.script',
        },
        Next: s.launchInstance,
      },
      [s.terminateAfterSuccess]: terminate(s.succeeded),
      [s.terminateAfterFailure]: terminate(s.failed),
      [s.succeeded]: { Type: 'Succeed' },
      [s.failed]: {
        Type: 'Fail',
        Error: 'BatchRunFailed',
        Cause: 'The job failed, ran out of time, or Spot took its instance more often than interruptionRetries allows; the execution history has the step and the error',
      },
    },
  };
}
