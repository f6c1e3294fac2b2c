/**
 * The batch workflow's state machine, executed: the `definition` string
 * Terraform will send to AWS — taken from the synthesized staging stack,
 * its references replaced by fake IDs — run by the test interpreter
 * (tests/support/step-functions) against a fake EC2 and SSM on a virtual
 * clock. Each run starts from the EventBridge "Object Created" event and
 * follows one path: the job succeeds; it fails; no Spot capacity; Spot
 * takes the instance mid-job (relaunch, then give up after 1 +
 * interruptionRetries attempts); the job outlives maxRunMinutes. Whatever
 * the path, no instance is left running.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentInput } from '../../../environments/schema';
import staging from '../../../environments/staging';
import { type Execution, execute, type Json, type JsonObject, taskFailure } from '../../support/step-functions';
import { FakeEc2Ssm, type Scenario } from '../../support/step-functions/fake-ec2-ssm';
import { s3ObjectCreated } from '../../support/step-functions/s3-event';
import { FAKE_ACCOUNT, renderTerraformString, resolveTerraformTemplate, stateMachineDefinition } from '../../support/step-functions/from-terraform';
import { type Block, resourceList, stackNamed, synthEnvironments, type TfJson } from '../../support/synth';

const REGION = staging.region;

interface Synthesized {
  readonly stack: TfJson;
  readonly definition: Json;
  readonly references: ReadonlyMap<string, string>;
  /** The fake value Terraform's reference to `type` (matching `id` part) would resolve to. */
  fake(type: string, logicalIdPart: string, attribute: string): string;
}

function synthesize(data: EnvironmentInput): Synthesized {
  const stack = stackNamed(synthEnvironments([{ file: 'staging.ts', data }]).stacks, 'staging');
  const { definition, references } = stateMachineDefinition(stack, REGION);
  return {
    stack,
    definition,
    references,
    fake(type, part, attribute) {
      const hits = [...references].filter(([expression]) => expression.startsWith(`${type}.`) && expression.includes(part) && expression.endsWith(`.${attribute}`));
      if (hits.length !== 1) throw new Error(`expected one reference to ${type}.*${part}*.${attribute}, found ${hits.length}`);
      return hits[0]![1];
    },
  };
}

/** The shipped staging environment (its batch section as shipped) … */
let shipped: Synthesized;
/** … and a copy with one retry, a short maximum run, and a job that prints what it sees (with shell `${…}` and `%{…}`, which Terraform must leave alone). */
const JOB = ['echo "input=${INPUT_URI}"', 'echo "output=$OUTPUT_URI"', "echo '%{not a terraform directive} 100%'"];
let variant: Synthesized;
const VARIANT_BATCH = { ...staging.batch!, commands: JOB, interruptionRetries: 1, maxRunMinutes: 5 };

beforeAll(() => {
  shipped = synthesize(staging);
  variant = synthesize({ ...staging, batch: VARIANT_BATCH });
}, 120_000);

/** The name of the batch tier's input or output bucket, as the stack sets it. */
function bucketName(stack: TfJson, which: 'input' | 'output'): string {
  const found = Object.entries(stack.resource?.aws_s3_bucket ?? {}).filter(([id]) => id.includes('batch') && id.includes(which));
  if (found.length !== 1) throw new Error(`expected one batch ${which} bucket, found ${found.length}`);
  const name = found[0]![1].bucket;
  if (typeof name !== 'string' || name.includes('${')) throw new Error(`the batch ${which} bucket's name is not a literal: ${String(name)}`);
  return name;
}
const INPUT_BUCKET = () => bucketName(shipped.stack, 'input');
const OUTPUT_BUCKET = () => bucketName(shipped.stack, 'output');

/** The EventBridge event S3 sends when `key` is created in `bucket`. */
function objectCreated(bucket: string, key: string): JsonObject {
  return s3ObjectCreated({ bucket, key, region: REGION, account: FAKE_ACCOUNT });
}

const KEY = 'incoming/2026/01/01/access.log.gz';
const EXECUTION = 'b8a7c6d5-0000-4000-8000-000000000001';

/** The tag the workflow's role requires on an instance before it may terminate it (from the synthesized policy). */
function requiredTag(stack: TfJson): { key: string; value: string } {
  const tags = Object.entries(stack.data?.aws_iam_policy_document ?? {})
    .filter(([id]) => id.includes('batch_workflow_permissions'))
    .flatMap(([, doc]) => (doc.statement as Block[]) ?? [])
    .filter((statement) => (statement.actions as string[]).includes('ec2:TerminateInstances'))
    .flatMap((statement) => (statement.condition as Block[] | undefined) ?? [])
    .map((condition) => ({ key: /ResourceTag\/(.+)$/.exec(String(condition.variable))?.[1], value: (condition.values as string[])[0] }))
    .filter((tag): tag is { key: string; value: string } => tag.key !== undefined && tag.value !== undefined);
  if (tags.length !== 1) throw new Error(`expected one ResourceTag condition on the workflow's ec2:TerminateInstances, found ${tags.length}`);
  return tags[0]!;
}

function run(synthesized: Synthesized, scenario: Scenario = {}, key = KEY): { execution: Execution; cloud: FakeEc2Ssm } {
  const cloud = new FakeEc2Ssm({ requiredTag: requiredTag(synthesized.stack), ...scenario });
  const execution = execute(synthesized.definition, { input: objectCreated(INPUT_BUCKET(), key), tasks: cloud.handle, executionName: EXECUTION });
  return { execution, cloud };
}

/** `names` appear in the path in this order (other states may come between). */
function inOrder(path: readonly string[], names: readonly string[]): boolean {
  let at = 0;
  for (const name of path) if (name === names[at]) at += 1;
  return at === names.length;
}

const count = (path: readonly string[], name: string) => path.filter((n) => n === name).length;
const callsTo = (execution: Execution, action: string) => execution.tasks.filter((t) => t.resource.endsWith(`:${action}`));

/** What the job's shell sees: the command lines SSM received, run by bash with the job replaced by printing INPUT_URI and OUTPUT_URI. */
function environmentOfJob(commands: readonly string[], job: readonly string[]): { stdout: string; stderr: string; status: number | null; cwd: string } {
  const script = commands.join('\n');
  const jobText = job.join('\n');
  if (!script.endsWith(jobText)) throw new Error(`the job's lines do not arrive verbatim at the end of the script:\n${script}`);
  const cwd = mkdtempSync(join(tmpdir(), 'batch-job-'));
  const probe = `${script.slice(0, script.length - jobText.length)}printf '%s\\n' "$INPUT_URI" "$OUTPUT_URI"`;
  const result = spawnSync('bash', ['-c', probe], { cwd, encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, cwd };
}

describe('the definition AWS receives', () => {
  it('is the one state machine of the stack, references only Terraform resources, and passes the structural checks', () => {
    expect(resourceList(shipped.stack, 'aws_sfn_state_machine')).toHaveLength(1);
    expect([...shipped.references.keys()].every((expression) => /^(data\.)?aws_[a-z0-9_]+\./.test(expression))).toBe(true);
    // execute() validates before it runs; a run that gets anywhere passed.
    expect(run(shipped).execution.path[0]).toBe('Prepare');
  });

  it('has the contract\'s states', () => {
    const states = Object.keys((shipped.definition as JsonObject).States as JsonObject);
    expect(states).toEqual(
      expect.arrayContaining(['LaunchInstance', 'WaitForInstance', 'DescribeInstance', 'IsInstanceRunning', 'RunJob', 'WaitForJob', 'GetJobStatus', 'IsJobDone', 'TerminateAfterSuccess', 'TerminateAfterFailure', 'Succeeded', 'Failed', 'WasInterrupted']),
    );
  });
});

describe('an object lands and the job succeeds', () => {
  let execution: Execution;
  let cloud: FakeEc2Ssm;
  beforeAll(() => ({ execution, cloud } = run(shipped)));

  it('launches, waits until running, runs the job, polls until Success, terminates, succeeds', () => {
    expect(execution.status).toBe('SUCCEEDED');
    expect(
      inOrder(execution.path, ['LaunchInstance', 'WaitForInstance', 'DescribeInstance', 'IsInstanceRunning', 'RunJob', 'WaitForJob', 'GetJobStatus', 'IsJobDone', 'TerminateAfterSuccess', 'Succeeded']),
    ).toBe(true);
    expect(execution.path).not.toContain('TerminateAfterFailure');
    expect(execution.path).not.toContain('WasInterrupted');
    // The fake instance boots in 40 s: the workflow saw it pending first, and waited.
    expect(count(execution.path, 'DescribeInstance')).toBeGreaterThan(1);
  });

  it('launches one Spot instance from the batch launch template, capacity-optimized over every instance type × private subnet', () => {
    const [launch, ...more] = callsTo(execution, 'createFleet');
    expect(more).toEqual([]);
    const privateSubnets = [...shipped.references].filter(([e]) => e.startsWith('aws_subnet.') && e.includes('private')).map(([, v]) => v);
    expect(privateSubnets.length).toBeGreaterThan(1);
    expect(launch!.parameters).toMatchObject({
      Type: 'instant',
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
      SpotOptions: { AllocationStrategy: 'capacity-optimized' },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: shipped.fake('aws_launch_template', 'batch', 'id') } }],
    });
    const overrides = ((launch!.parameters as JsonObject).LaunchTemplateConfigs as JsonObject[])[0]!.Overrides as JsonObject[];
    const types = staging.batch!.instanceTypes ?? ['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge'];
    expect(overrides).toHaveLength(types.length * privateSubnets.length);
    expect(new Set(overrides.map((o) => `${String(o.InstanceType)} ${String(o.SubnetId)}`))).toEqual(new Set(types.flatMap((t) => privateSubnets.map((s) => `${t} ${s}`))));
  });

  it('tags the instance with the batch tag (the one the role requires to run on and terminate it) and the execution', () => {
    const tag = requiredTag(shipped.stack);
    expect(cloud.instances[0]!.tags).toMatchObject({ [tag.key]: tag.value, BatchExecution: EXECUTION });
  });

  it('runs the job through SSM on that instance, with the maximum run time as the execution timeout', () => {
    const [command, ...more] = cloud.commands;
    expect(more).toEqual([]);
    expect(command!.instanceId).toBe(cloud.instances[0]!.id);
    expect(command!.document).toBe('AWS-RunShellScript');
    expect(command!.executionTimeoutSeconds).toBe(staging.batch!.maxRunMinutes! * 60);
    // The instance's SSM agent registers 50 s after boot: SendCommand was retried until it had.
    expect(callsTo(execution, 'sendCommand').length).toBeGreaterThan(1);
  });

  it('gives the job INPUT_URI and OUTPUT_URI for that object, and the job\'s lines exactly as written', () => {
    const shell = environmentOfJob(cloud.commands[0]!.commands, staging.batch!.commands);
    expect(shell.stderr).toBe('');
    expect(shell.stdout.split('\n')).toEqual([`s3://${INPUT_BUCKET()}/${KEY}`, `s3://${OUTPUT_BUCKET()}/processed/2026/01/01/access.log.gz`, '']);
  });

  it('terminates the instance it launched, and leaves none behind', () => {
    expect(cloud.terminateCalls).toEqual([[cloud.instances[0]!.id]]);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('keeps the instance ID and the event through to the end (no ResultPath overwrites them)', () => {
    expect(execution.output).toMatchObject({ detail: { object: { key: KEY } }, launch: { Instances: [{ InstanceIds: [cloud.instances[0]!.id] }] } });
  });
});

describe('the job\'s environment, for any key', () => {
  it('carries a key with spaces, quotes and shell syntax as data, never as code', () => {
    const key = "incoming/a b/it's \"$(touch pwned)\" `touch pwned2` ${HOME}.log";
    const { cloud } = run(variant, {}, key);
    const shell = environmentOfJob(cloud.commands[0]!.commands, JOB);
    expect(shell.stderr).toBe('');
    expect(shell.stdout.split('\n')).toEqual([`s3://${INPUT_BUCKET()}/${key}`, `s3://${OUTPUT_BUCKET()}/processed/a b/it's "$(touch pwned)" \`touch pwned2\` \${HOME}.log`, '']);
    expect(readdirSync(shell.cwd)).toEqual([]);
  });

  it('runs the job\'s own lines with `${…}` and `%{…}` as written (Terraform left them alone)', () => {
    const { cloud } = run(variant);
    const script = cloud.commands[0]!.commands.join('\n');
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.stdout).toBe(`input=s3://${INPUT_BUCKET()}/${KEY}\noutput=s3://${OUTPUT_BUCKET()}/processed/2026/01/01/access.log.gz\n%{not a terraform directive} 100%\n`);
  });
});

describe('the job fails', () => {
  it('terminates the instance and fails the execution, without relaunching', () => {
    const { execution, cloud } = run(shipped, { job: () => ({ seconds: 120, outcome: 'Failed' }) });
    expect(execution.status).toBe('FAILED');
    expect(inOrder(execution.path, ['RunJob', 'GetJobStatus', 'IsJobDone', 'TerminateAfterFailure', 'Failed'])).toBe(true);
    expect(execution.path).not.toContain('TerminateAfterSuccess');
    expect(callsTo(execution, 'createFleet')).toHaveLength(1);
    expect(cloud.terminateCalls).toEqual([[cloud.instances[0]!.id]]);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('a command that never reaches the instance (SSM keeps refusing it) also ends in termination', () => {
    const { execution, cloud } = run(shipped, { agentSeconds: 10 * 3600 });
    expect(execution.status).toBe('FAILED');
    expect(execution.transitions.find((t) => t.state === 'RunJob')?.error?.error).toBe('Ssm.InvalidInstanceIdException');
    expect(inOrder(execution.path, ['RunJob', 'TerminateAfterFailure', 'Failed'])).toBe(true);
    expect(cloud.terminateCalls).toEqual([[cloud.instances[0]!.id]]);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });
});

describe('no Spot capacity', () => {
  it('an instant fleet that launches nothing (InsufficientInstanceCapacity) is tried 1 + interruptionRetries times, then fails with nothing to terminate', () => {
    const attempts = 1 + (staging.batch!.interruptionRetries ?? 2);
    const { execution, cloud } = run(shipped, { capacity: () => false });
    expect(execution.status).toBe('FAILED');
    expect(callsTo(execution, 'createFleet')).toHaveLength(attempts);
    expect(cloud.instances).toEqual([]);
    expect(callsTo(execution, 'terminateInstances')).toEqual([]);
    expect(execution.path.at(-1)).toBe('Failed');
  });

  it('the same when the fleet answers without an Instances list at all', () => {
    const { execution } = run(variant, { capacity: () => false, omitEmptyInstances: true });
    expect(execution.status).toBe('FAILED');
    expect(callsTo(execution, 'createFleet')).toHaveLength(2);
  });

  it('capacity that comes back on a later attempt runs the job', () => {
    const { execution, cloud } = run(shipped, { capacity: (launch) => launch > 1 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(callsTo(execution, 'createFleet')).toHaveLength(2);
    expect(cloud.terminateCalls).toEqual([[cloud.instances[0]!.id]]);
  });

  it('a launch whose answer is lost (EC2 launched, then answered 500) is retried without a second instance (CreateFleet ClientToken)', () => {
    const { execution, cloud } = run(shipped, { answerLost: (launch) => launch === 1 });
    expect(execution.status).toBe('SUCCEEDED');
    expect(cloud.instances).toHaveLength(1);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('an EC2 error on launch is retried, then fails the execution (nothing was launched)', () => {
    const cloud = new FakeEc2Ssm({ requiredTag: requiredTag(shipped.stack) });
    const execution = execute(shipped.definition, {
      input: objectCreated(INPUT_BUCKET(), KEY),
      executionName: EXECUTION,
      tasks: (call) => {
        if (call.resource.endsWith(':createFleet')) throw taskFailure('Ec2.Ec2Exception', 'RequestLimitExceeded: Request limit exceeded.');
        return cloud.handle(call);
      },
    });
    expect(execution.status).toBe('FAILED');
    expect(callsTo(execution, 'createFleet').length).toBeGreaterThan(1);
    expect(execution.path).toEqual(['Prepare', 'LaunchInstance', 'Failed']);
    expect(callsTo(execution, 'terminateInstances')).toEqual([]);
  });
});

describe('Spot takes the instance while the job runs', () => {
  it('relaunches, runs the job on the new instance, and terminates it', () => {
    const { execution, cloud } = run(shipped, { reclaimAfter: (n) => (n === 1 ? 150 : undefined) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(inOrder(execution.path, ['RunJob', 'GetJobStatus', 'WasInterrupted', 'LaunchInstance', 'RunJob', 'GetJobStatus', 'TerminateAfterSuccess', 'Succeeded'])).toBe(true);
    expect(cloud.instances).toHaveLength(2);
    expect(cloud.commands.map((c) => c.instanceId)).toEqual([cloud.instances[0]!.id, cloud.instances[1]!.id]);
    expect(cloud.terminateCalls.at(-1)).toEqual([cloud.instances[1]!.id]);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('leaves the reclaimed instance to Spot, which terminates it: nothing asks Spot to stop or hibernate instead', () => {
    const template = resourceList(shipped.stack, 'aws_launch_template').find((t) => String(t.name_prefix ?? t.name).includes('batch'));
    expect(template).toBeDefined();
    const market = template!.instance_market_options as Block | undefined;
    expect(JSON.stringify(market ?? {})).not.toMatch(/stop|hibernate/);
    const launch = callsTo(run(shipped).execution, 'createFleet')[0]!.parameters as JsonObject;
    expect((launch.SpotOptions as JsonObject).InstanceInterruptionBehavior ?? 'terminate').toBe('terminate');
  });

  it('counts attempts in the state\'s data', () => {
    const { execution } = run(shipped, { reclaimAfter: (n) => (n === 1 ? 150 : undefined) });
    const launches = execution.transitions.filter((t) => t.state === 'LaunchInstance').map((t) => (t.input as JsonObject).attempt);
    expect(launches).toEqual([1, 2]);
  });

  it.each([
    ['the command stays InProgress', 'InProgress' as const],
    ['the command is reported Failed', 'Failed' as const],
    ['the command is reported Cancelled', 'Cancelled' as const],
  ])('after 1 + interruptionRetries attempts it fails, terminating the last instance (%s)', (_, statusWhenReclaimed) => {
    const attempts = 1 + (staging.batch!.interruptionRetries ?? 2);
    const { execution, cloud } = run(shipped, { reclaimAfter: () => 150, statusWhenReclaimed });
    expect(execution.status).toBe('FAILED');
    expect(cloud.instances).toHaveLength(attempts);
    expect(count(execution.path, 'WasInterrupted')).toBe(attempts);
    expect(inOrder(execution.path, ['WasInterrupted', 'TerminateAfterFailure', 'Failed'])).toBe(true);
    expect(cloud.terminateCalls.at(-1)).toEqual([cloud.instances.at(-1)!.id]);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('bounds the attempts by interruptionRetries from the environment (1 retry: 2 attempts)', () => {
    const { execution, cloud } = run(variant, { reclaimAfter: () => 150 });
    expect(execution.status).toBe('FAILED');
    expect(cloud.instances).toHaveLength(2);
  });

  it('an instance reclaimed after it runs but before SSM accepts the job counts as an interruption (relaunch, not failure)', () => {
    const { execution, cloud } = run(shipped, { reclaimAfter: (n) => (n === 1 ? 30 : undefined) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(inOrder(execution.path, ['IsInstanceRunning', 'RunJob', 'WasInterrupted', 'LaunchInstance', 'RunJob', 'TerminateAfterSuccess'])).toBe(true);
    expect(cloud.instances).toHaveLength(2);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('an instance reclaimed before it ever ran counts as an interruption too', () => {
    const { execution, cloud } = run(shipped, { reclaimAfter: (n) => (n === 1 ? -20 : undefined) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(inOrder(execution.path, ['IsInstanceRunning', 'WasInterrupted', 'LaunchInstance'])).toBe(true);
    expect(cloud.instances).toHaveLength(2);
  });
});

describe('the job outlives maxRunMinutes', () => {
  it('SSM stops it at the execution timeout; the instance is terminated well within the state machine\'s own budget', () => {
    const { execution, cloud } = run(variant, { job: () => ({ seconds: 10 * 3600, outcome: 'Success' }) });
    expect(execution.status).toBe('FAILED');
    expect(inOrder(execution.path, ['GetJobStatus', 'IsJobDone', 'TerminateAfterFailure', 'Failed'])).toBe(true);
    const lastStatus = execution.transitions.filter((t) => t.state === 'GetJobStatus').at(-1)!.output as JsonObject;
    expect(lastStatus.jobStatus).toMatchObject({ status: 'TimedOut' });
    expect(cloud.terminateCalls).toEqual([[cloud.instances[0]!.id]]);
    const terminatedAt = cloud.instances[0]!.terminatedAt!;
    expect(terminatedAt).toBeGreaterThanOrEqual(VARIANT_BATCH.maxRunMinutes * 60);
    expect(terminatedAt).toBeLessThan((VARIANT_BATCH.maxRunMinutes + 10) * 60);
    expect(execution.elapsedSeconds).toBeLessThan((variant.definition as JsonObject).TimeoutSeconds as number);
  });

  it('if the state machine itself times out (an instance that never leaves pending), the sweep is what terminates the instance', () => {
    const { execution, cloud } = run(variant, { bootSeconds: 10 * 24 * 3600 });
    expect(execution.status).toBe('TIMED_OUT');
    const left = cloud.leftBehind(execution.elapsedSeconds);
    expect(left).toHaveLength(1);
    // The sweep looks for the same tag and terminates anything older than its limit, which a healthy run never reaches.
    const sweep = resourceList(variant.stack, 'aws_lambda_function').find((f) => String(f.function_name).endsWith('batch-sweep'));
    const env = (sweep?.environment as { variables: Record<string, string> } | undefined)?.variables;
    const tag = requiredTag(variant.stack);
    expect(env).toMatchObject({ TAG_KEY: tag.key, TAG_VALUE: tag.value });
    expect(left[0]!.tags[tag.key]).toBe(tag.value);
    expect(Number(env!.MAX_AGE_MINUTES)).toBeGreaterThan(VARIANT_BATCH.maxRunMinutes + 5);
    expect(Number(env!.MAX_AGE_MINUTES) * 60).toBeLessThan((variant.definition as JsonObject).TimeoutSeconds as number);
  });
});

/** EventBridge's matching for the pattern forms the stack uses: lists of values and `{ prefix }`, nested objects. */
function matchesPattern(pattern: Json, event: Json): boolean {
  if (Array.isArray(pattern)) return pattern.some((p) => (isPrefix(p) ? typeof event === 'string' && event.startsWith(p.prefix) : p === event));
  if (pattern !== null && typeof pattern === 'object') {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
    return Object.entries(pattern).every(([key, sub]) => key in event && matchesPattern(sub, (event as JsonObject)[key]!));
  }
  throw new Error(`unsupported pattern ${JSON.stringify(pattern)}`);
}
const isPrefix = (p: Json): p is { prefix: string } => p !== null && typeof p === 'object' && !Array.isArray(p) && typeof p.prefix === 'string';

function rulePattern(stack: TfJson, idPart: string): Json {
  const found = Object.entries(stack.resource?.aws_cloudwatch_event_rule ?? {}).filter(([id]) => id.includes('batch') && id.includes(idPart));
  if (found.length !== 1) throw new Error(`expected one batch ${idPart} rule, found ${found.length}`);
  return resolveTerraformTemplate(String(found[0]![1].event_pattern), REGION).definition;
}

describe('how runs start and where failed runs go', () => {
  it('the rule that starts the workflow matches an object under the input prefix of the input bucket, and only that', () => {
    const pattern = rulePattern(shipped.stack, 'object-created');
    expect(matchesPattern(pattern, objectCreated(INPUT_BUCKET(), KEY))).toBe(true);
    expect(matchesPattern(pattern, objectCreated(INPUT_BUCKET(), 'processed/2026/01/01/access.log.gz'))).toBe(false);
    expect(matchesPattern(pattern, objectCreated(OUTPUT_BUCKET(), KEY))).toBe(false);
  });

  it('its target hands the event to the state machine unchanged (the input the runs above start from)', () => {
    const target = resourceList(shipped.stack, 'aws_cloudwatch_event_target').find((t) => String(t.arn).startsWith('${aws_sfn_state_machine.'));
    expect(target).toBeDefined();
    expect(target).not.toHaveProperty('input');
    expect(target).not.toHaveProperty('input_path');
    expect(target).not.toHaveProperty('input_transformer');
  });

  it('every way a run ends badly reaches the failed-runs rule; a success does not', () => {
    const pattern = rulePattern(shipped.stack, 'run-failed');
    const target = resourceList(shipped.stack, 'aws_cloudwatch_event_target').find((t) => String(t.arn).startsWith('${aws_sfn_state_machine.'));
    const arn = renderTerraformString(String(target!.arn), REGION).text;
    const statusChange = (status: string): JsonObject => ({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { status, stateMachineArn: arn } });
    const ends = [run(shipped, { job: () => ({ seconds: 60, outcome: 'Failed' }) }), run(shipped, { capacity: () => false }), run(variant, { bootSeconds: 10 * 24 * 3600 })].map((r) => r.execution.status);
    expect(ends).toEqual(['FAILED', 'FAILED', 'TIMED_OUT']);
    for (const status of ends) expect(matchesPattern(pattern, statusChange(status))).toBe(true);
    expect(matchesPattern(pattern, statusChange(run(shipped).execution.status))).toBe(false);
  });
});

describe('the execution history quota (25,000 events)', () => {
  it('a job that runs most of the schema\'s longest maxRunMinutes finishes within it', () => {
    const longest = synthesize({ ...staging, batch: { ...staging.batch!, maxRunMinutes: 2880 } });
    const { execution, cloud } = run(longest, { job: () => ({ seconds: 47 * 3600, outcome: 'Success' }) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.historyEvents).toBeLessThan(25_000);
    expect(cloud.leftBehind(execution.elapsedSeconds)).toEqual([]);
  });

  it('so does every attempt running almost to the limit, at the longest maxRunMinutes with the most retries', () => {
    const most = synthesize({ ...staging, batch: { ...staging.batch!, maxRunMinutes: 2880, interruptionRetries: 5 } });
    const limit = 2880 * 60;
    const { execution, cloud } = run(most, { reclaimAfter: (n) => (n < 6 ? limit - 600 : undefined), job: () => ({ seconds: limit - 300, outcome: 'Success' }) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(cloud.instances).toHaveLength(6);
    expect(execution.historyEvents).toBeLessThan(25_000);
  });

  it('the shipped settings stay far from it, even when every attempt runs to the limit', () => {
    const { execution } = run(shipped, { reclaimAfter: (n) => (n < 3 ? staging.batch!.maxRunMinutes! * 60 - 120 : undefined), job: () => ({ seconds: staging.batch!.maxRunMinutes! * 60 - 60, outcome: 'Success' }) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.historyEvents).toBeLessThan(5_000);
  });
});

describe('the state payload quota (256 KiB)', () => {
  it('commands as large as the schema allows fit in every state, through a relaunch', () => {
    const commands = Array.from({ length: 31 }, (_, i) => `echo ${String(i).padStart(2, '0')} ${'x'.repeat(1000)}`);
    const largest = synthesize({ ...staging, batch: { ...staging.batch!, commands } });
    const { execution, cloud } = run(largest, { reclaimAfter: (n) => (n === 1 ? 150 : undefined) }, `incoming/${'k'.repeat(1000)}`);
    expect(execution.status).toBe('SUCCEEDED');
    expect(cloud.commands.at(-1)!.commands.join('\n').endsWith(commands.join('\n'))).toBe(true);
  });
});

describe('the checks above can fail', () => {
  /** The shipped definition with one state changed. */
  const mutated = (state: string, change: (s: JsonObject) => void): Synthesized => {
    const definition = structuredClone(shipped.definition) as JsonObject;
    change((definition.States as Record<string, JsonObject>)[state]!);
    return { ...shipped, definition };
  };

  it('a failure path that skips termination leaves the instance behind', () => {
    const skip = mutated('RunJob', (s) => {
      (s.Catch as JsonObject[])[0]!.Next = 'Failed';
    });
    const { execution, cloud } = run(skip, { agentSeconds: 10 * 3600 });
    expect(execution.status).toBe('FAILED');
    expect(cloud.leftBehind(execution.elapsedSeconds)).toHaveLength(1);
  });

  it('a ResultPath that overwrites the launch result loses the instance ID (the run dies on a States.Runtime error)', () => {
    const overwrite = mutated('GetJobStatus', (s) => {
      s.ResultPath = '$.launch';
    });
    const { execution, cloud } = run(overwrite);
    expect(execution.error).toBe('States.Runtime');
    expect(cloud.leftBehind(execution.elapsedSeconds)).toHaveLength(1);
  });

  it('an interruption check that never relaunches is caught by the relaunch test', () => {
    const never = mutated('WasInterrupted', (s) => {
      (s.Choices as JsonObject[])[0]!.NumericLessThan = 1;
    });
    const { execution } = run(never, { reclaimAfter: (n) => (n === 1 ? 150 : undefined) });
    expect(execution.status).toBe('FAILED');
  });
});
