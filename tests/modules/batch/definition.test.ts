/**
 * The workflow's definition checked as a structure (tests/modules/batch/
 * workflow-execution.test.ts runs it): valid ASL shapes, every Next a state,
 * every state reachable, the contract's state names, retries and catches
 * where a call can fail, the interruption loop bounded; and asl.ts's own
 * check catching what it should.
 */
import { describe, expect, it } from 'vitest';
import {
  BATCH_STATES,
  batchWorkflowDefinition,
  type BatchWorkflowDefinitionOptions,
  EVENTS_PER_JOB_POLL,
  executionTimeoutSeconds,
  HISTORY_EVENT_BUDGET,
  jobPollSeconds,
  jobScript,
  MIN_JOB_POLL_SECONDS,
  renderStateMachine,
  type State,
  type StateMachineDefinition,
  structuralProblems,
  successorsOf,
} from '../../../modules/batch';
import { escapeTerraformTemplate } from '../../../modules/batch/terraform-text';
import type { TaskState } from '../../../modules/batch/asl';

const options: BatchWorkflowDefinitionOptions = {
  launchTemplateId: 'lt-0abc',
  launchTemplateVersion: '3',
  instanceTypes: ['c5.xlarge', 'c6i.xlarge'],
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
  tagKey: 'BatchTier',
  tagValue: 'web-app-staging-batch',
  inputBucketName: 'in-bucket',
  outputBucketName: 'out-bucket',
  inputPrefix: 'incoming/',
  outputPrefix: 'processed/',
  commands: ['echo "$INPUT_URI" "$OUTPUT_URI"'],
  maxRunMinutes: 60,
  interruptionRetries: 2,
};
const definition = batchWorkflowDefinition(options);
const states = definition.States;
const task = (name: string) => states[name] as TaskState;

describe('the definition', () => {
  it('is structurally sound: every Next a state, every state reachable, a terminal state reached', () => {
    expect(structuralProblems(definition)).toEqual([]);
  });

  it('has the contract\'s state names and types', () => {
    const types = Object.fromEntries(Object.entries(states).map(([name, s]) => [name, s.Type]));
    expect(types).toMatchObject({
      LaunchInstance: 'Task',
      WaitForInstance: 'Wait',
      DescribeInstance: 'Task',
      IsInstanceRunning: 'Choice',
      RunJob: 'Task',
      WaitForJob: 'Wait',
      GetJobStatus: 'Task',
      IsJobDone: 'Choice',
      TerminateAfterSuccess: 'Task',
      TerminateAfterFailure: 'Task',
      Succeeded: 'Succeed',
      Failed: 'Fail',
      WasInterrupted: 'Choice',
    });
    expect(Object.keys(states).sort()).toEqual(Object.values(BATCH_STATES).sort());
  });

  it('uses the AWS SDK integrations that exist (no ssm:sendCommand.sync)', () => {
    const resources = Object.values(states).flatMap((s) => (s.Type === 'Task' ? [s.Resource] : []));
    expect(new Set(resources)).toEqual(
      new Set([
        'arn:aws:states:::aws-sdk:ec2:createFleet',
        'arn:aws:states:::aws-sdk:ec2:describeInstances',
        'arn:aws:states:::aws-sdk:ssm:sendCommand',
        'arn:aws:states:::aws-sdk:ssm:getCommandInvocation',
        'arn:aws:states:::aws-sdk:ec2:terminateInstances',
      ]),
    );
  });

  it('catches every failure of a task: after a launch, it goes to a termination', () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, name).toBeDefined();
      // A catch keeps the data (the instance ID) beside the error, never replaces it.
      expect(catchAll!.ResultPath, name).not.toBe('$');
      expect(catchAll!.ResultPath, name).toBeDefined();
      const expected = name === 'LaunchInstance' ? 'Failed' : name === 'TerminateAfterSuccess' ? 'Succeeded' : name === 'TerminateAfterFailure' ? 'Failed' : 'TerminateAfterFailure';
      expect(catchAll!.Next, name).toBe(expected);
    }
  });

  it('every path from a launch to an end passes a termination', () => {
    // Walk from LaunchInstance, never through a Terminate… state: only Failed (from a failed or empty launch) is reachable.
    const seen = new Set<string>();
    const queue = ['LaunchInstance'];
    while (queue.length) {
      const name = queue.shift()!;
      if (seen.has(name) || name.startsWith('Terminate')) continue;
      seen.add(name);
      queue.push(...successorsOf(states[name]!));
    }
    expect(seen.has('Succeeded')).toBe(false);
    // Failed is reached without termination only where no instance was launched (checked by WasInterrupted and LaunchInstance's catch).
    const intoFailed = [...seen].filter((name) => successorsOf(states[name]!).includes('Failed'));
    expect(intoFailed.sort()).toEqual(['LaunchInstance', 'WasInterrupted']);
    expect(states.WasInterrupted).toMatchObject({ Choices: expect.arrayContaining([{ Not: { Variable: '$.launch.Instances[0].InstanceIds[0]', IsPresent: true }, Next: 'Failed' }]) });
  });

  it('relaunches while $.attempt < 1 + interruptionRetries, counting with States.MathAdd', () => {
    const interrupted = states.WasInterrupted as Extract<State, { Type: 'Choice' }>;
    expect(interrupted.Choices[0]).toEqual({ Variable: '$.attempt', NumericLessThan: 3, Next: 'CountAttempt' });
    expect(states.CountAttempt).toMatchObject({ Type: 'Pass', Next: 'LaunchInstance', Parameters: { 'attempt.$': 'States.MathAdd($.attempt, 1)' } });
    expect(states.Prepare).toMatchObject({ Parameters: { attempt: 1 } });
    const none = batchWorkflowDefinition({ ...options, interruptionRetries: 0 }).States.WasInterrupted as Extract<State, { Type: 'Choice' }>;
    expect(none.Choices[0]).toMatchObject({ NumericLessThan: 1 });
  });

  it('an instance that is not running, at launch or mid-job, is an interruption', () => {
    expect((states.IsInstanceRunning as Extract<State, { Type: 'Choice' }>).Default).toBe('WasInterrupted');
    expect((states.IsInstanceAlive as Extract<State, { Type: 'Choice' }>).Choices[0]).toEqual({ Not: { Variable: '$.instance.state', StringEquals: 'running' }, Next: 'WasInterrupted' });
    expect((states.GotInstance as Extract<State, { Type: 'Choice' }>).Default).toBe('WasInterrupted');
  });

  it('retries the SSM agent\'s registration, not the job; an agent that never came is checked for an interruption', () => {
    expect(task('RunJob').Retry).toEqual([expect.objectContaining({ ErrorEquals: ['Ssm.InvalidInstanceIdException'] })]);
    expect(task('RunJob').Catch![0]).toEqual({ ErrorEquals: ['Ssm.InvalidInstanceIdException'], ResultPath: '$.error', Next: 'CheckInstance' });
    // A running instance whose job never started is a failed run, decided before any rule reads $.jobStatus.
    const alive = (states.IsInstanceAlive as Extract<State, { Type: 'Choice' }>).Choices;
    expect(alive[1]).toEqual({ Not: { Variable: '$.jobStatus', IsPresent: true }, Next: 'TerminateAfterFailure' });
  });

  it('polls a job no more often than the 25,000-event history allows, at every length and retry count the schema takes', () => {
    expect(states.WaitForJob).toMatchObject({ Seconds: MIN_JOB_POLL_SECONDS });
    for (const maxRunMinutes of [5, 60, 600, 1440, 2880]) {
      for (const retries of [0, 2, 5]) {
        const seconds = jobPollSeconds(maxRunMinutes, retries);
        expect(seconds).toBeGreaterThanOrEqual(MIN_JOB_POLL_SECONDS);
        const polls = (1 + retries) * Math.ceil((maxRunMinutes * 60) / seconds);
        expect(polls * EVENTS_PER_JOB_POLL, `${maxRunMinutes} min, ${retries} retries`).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET + EVENTS_PER_JOB_POLL * (1 + retries));
      }
    }
    expect(HISTORY_EVENT_BUDGET).toBeLessThan(25_000);
    expect(batchWorkflowDefinition({ ...options, maxRunMinutes: 2880, interruptionRetries: 5 }).States.WaitForJob).toMatchObject({ Seconds: jobPollSeconds(2880, 5) });
    expect(jobPollSeconds(2880, 5)).toBeLessThanOrEqual(900);
  });

  it('launches idempotently: one ClientToken (SHA-256 hex: 64 characters, CreateFleet\'s limit) per execution and attempt', () => {
    expect(task('LaunchInstance').Parameters!['ClientToken.$']).toBe("States.Hash(States.Format('{}/{}', $$.Execution.Id, $.attempt), 'SHA-256')");
  });

  it('terminates exactly the instance it launched, and tags what it launches', () => {
    for (const name of ['TerminateAfterSuccess', 'TerminateAfterFailure']) {
      expect(task(name).Parameters).toEqual({ 'InstanceIds.$': 'States.Array($.launch.Instances[0].InstanceIds[0])' });
      expect(task(name).ResultPath).toBeNull();
    }
    const tags = (task('LaunchInstance').Parameters!.TagSpecifications as { Tags: { Key: string; Value?: string }[] }[])[0]!.Tags;
    expect(tags[0]).toEqual({ Key: 'BatchTier', Value: 'web-app-staging-batch' });
  });

  it('is bounded in time: every attempt gets maxRunMinutes and the launch allowance', () => {
    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds(60, 2));
    expect(executionTimeoutSeconds(60, 2)).toBe(3 * 70 * 60);
    // Step Functions' standard executions run at most a year.
    expect(executionTimeoutSeconds(2880, 5)).toBeLessThan(365 * 24 * 3600);
  });

  it('renders to JSON Step Functions reads, with the state names as keys', () => {
    const json = JSON.parse(renderStateMachine(definition)) as StateMachineDefinition;
    expect(json.StartAt).toBe('Prepare');
    expect(json).toEqual(JSON.parse(JSON.stringify(definition)));
  });
});

describe('the job script', () => {
  it('decodes the key from base64 and derives the URIs, then runs the commands under set -eu', () => {
    expect(jobScript(options).split('\n')).toEqual([
      'set -eu',
      'BATCH_KEY="$(printf \'%s\' "$BATCH_KEY_BASE64" | base64 -d)"',
      'export INPUT_URI="s3://in-bucket/${BATCH_KEY}"',
      'export OUTPUT_URI="s3://out-bucket/processed/${BATCH_KEY#incoming/}"',
      'echo "$INPUT_URI" "$OUTPUT_URI"',
    ]);
  });

  it('reaches the instance through RunJob as two lines: the key\'s assignment, and the script', () => {
    expect(task('RunJob').Parameters).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      Parameters: { 'commands.$': "States.Array(States.Format('export BATCH_KEY_BASE64={}', $.keyBase64), $.script)", executionTimeout: ['3600'] },
    });
  });

  it('Terraform sees the shell\'s ${…} and %{…} escaped, and its own references untouched', () => {
    expect(escapeTerraformTemplate('a ${X} %{if} ${TfToken[TOKEN.1]} $${Y}')).toBe('a $${X} %%{if} ${TfToken[TOKEN.1]} $$${Y}');
  });
});

describe('structuralProblems', () => {
  const broken = (mutate: (s: Record<string, State>) => void): string[] => {
    const copy = structuredClone(definition) as { States: Record<string, State> } & StateMachineDefinition;
    mutate(copy.States);
    return structuralProblems(copy);
  };

  it('finds a Next to nowhere, an unreachable state, and a misplaced States.ALL', () => {
    expect(broken((s) => Object.assign(s.WaitForJob!, { Next: 'Nowhere' }))).toContain('WaitForJob: goes to Nowhere, which is not a state');
    expect(broken((s) => (s.Orphan = { Type: 'Succeed' }))).toContain('Orphan: not reachable from Prepare');
    expect(
      broken((s) => Object.assign(s.RunJob!, { Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['Ssm.InvalidInstanceIdException'] }] })),
    ).toContain('RunJob.Retry[0]: States.ALL must be alone and last');
    expect(structuralProblems({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A' } } })).toEqual(['no terminal state is reachable']);
  });
});
