/**
 * The batch tier in the cost estimate: transitions counted on the definition
 * (a hand-written one whose count can be worked by hand, then the shipped
 * staging stack's), the workflow's Spot hours from batch.expected, the
 * buckets at storedGiB rather than the per-bucket assumption, and the steady
 * Spot Fleet priced 24/7 split on demand / Spot.
 */
import { describe, expect, it } from 'vitest';
import { happyPath, readBatch, transitionsPerRun } from '../../../tools/synth-model/batch-model';
import { defaultBatchInputs, readBatchInputs, type BatchInputs } from '../../../tools/synth-model/batch-inputs';
import { estimateStack } from '../../../tools/synth-model/estimate';
import { loadPriceTable, spotHourly, onDemandHourly } from '../../../tools/synth-model/price-table';
import { readStack } from '../../../tools/synth-model/stack-model';
import type { TfJson } from '../../../tools/synth-model/tf-json';
import { stackNamed, synthApp } from '../../support/synth';

const table = loadPriceTable();
const REGION = 'us-east-1';

/**
 * The contract's state machine, by hand: Launch, wait for the instance
 * (15 s rounds), run, wait for the job (60 s rounds, with a look at the
 * instance each round), terminate; an interruption path back to Launch.
 */
const DEFINITION = {
  StartAt: 'LaunchInstance',
  States: {
    LaunchInstance: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:ec2:createFleet',
      Parameters: { LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: '${aws_launch_template.lt.id}' }, Overrides: [{ InstanceType: 'c5.xlarge', SubnetId: 'a' }, { InstanceType: 'c5a.xlarge', SubnetId: 'a' }] }] },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      Next: 'WaitForInstance',
    },
    WaitForInstance: { Type: 'Wait', Seconds: 15, Next: 'DescribeInstance' },
    DescribeInstance: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances', Next: 'IsInstanceRunning' },
    IsInstanceRunning: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.state', StringEquals: 'running', Next: 'RunJob' },
        { Variable: '$.state', StringEquals: 'pending', Next: 'WaitForInstance' },
      ],
      Default: 'WasInterrupted',
    },
    RunJob: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:sendCommand', Next: 'WaitForJob' },
    WaitForJob: { Type: 'Wait', Seconds: 60, Next: 'GetJobStatus' },
    GetJobStatus: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ssm:getCommandInvocation', Next: 'IsJobDone' },
    IsJobDone: { Type: 'Choice', Choices: [{ Variable: '$.status', StringEquals: 'Success', Next: 'TerminateAfterSuccess' }], Default: 'CheckInstance' },
    CheckInstance: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances', Next: 'IsInstanceAlive' },
    IsInstanceAlive: {
      Type: 'Choice',
      Choices: [
        { Not: { Variable: '$.state', StringEquals: 'running' }, Next: 'WasInterrupted' },
        { Variable: '$.status', StringEquals: 'InProgress', Next: 'WaitForJob' },
      ],
      Default: 'TerminateAfterFailure',
    },
    WasInterrupted: { Type: 'Choice', Choices: [{ Variable: '$.attempt', NumericLessThan: 3, Next: 'CountAttempt' }], Default: 'TerminateAfterFailure' },
    CountAttempt: { Type: 'Pass', Next: 'LaunchInstance' },
    TerminateAfterSuccess: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:terminateInstances', Next: 'Succeeded' },
    TerminateAfterFailure: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ec2:terminateInstances', Next: 'Failed' },
    Succeeded: { Type: 'Succeed' },
    Failed: { Type: 'Fail' },
  },
};

const provider = { aws: [{ region: REGION }] };

function workflowStack(definition: object = DEFINITION): TfJson {
  return {
    provider,
    resource: {
      aws_sfn_state_machine: { machine: { definition: JSON.stringify(definition), '//': { metadata: { path: 't/primary/batch/workflow/state-machine' } } } },
      aws_launch_template: { lt: { block_device_mappings: [{ ebs: { volume_type: 'gp3', volume_size: 30 } }] } },
      aws_s3_bucket: {
        input: { '//': { metadata: { path: 't/primary/batch/buckets/input/bucket' } } },
        output: { '//': { metadata: { path: 't/primary/batch/buckets/output/bucket' } } },
        logs: { '//': { metadata: { path: 't/primary/load-balancer/access-logs/bucket' } } },
      },
    },
  } as unknown as TfJson;
}

const inputs = (jobsPerDay: number, minutesPerJob: number, storedGiB = 10): BatchInputs => ({ expected: { jobsPerDay, minutesPerJob, storedGiB }, interruptionRetries: 2, source: 'test' });

describe('transitions per run, counted on the definition', () => {
  const path = happyPath(DEFINITION);

  it('walks the happy path: every state once, through the Succeed state, past the interruption and failure paths', () => {
    expect(path.states).toEqual(['LaunchInstance', 'WaitForInstance', 'DescribeInstance', 'IsInstanceRunning', 'RunJob', 'WaitForJob', 'GetJobStatus', 'IsJobDone', 'TerminateAfterSuccess', 'Succeeded']);
  });

  it('finds both polling loops: the instance loop (3 states a round) and the job loop with its instance check (5 a round)', () => {
    expect(path.loops).toEqual([
      { waitsFor: 'instance', states: ['WaitForInstance', 'DescribeInstance', 'IsInstanceRunning'], waitSeconds: 15 },
      { waitsFor: 'job', states: ['WaitForJob', 'GetJobStatus', 'IsJobDone', 'CheckInstance', 'IsInstanceAlive'], waitSeconds: 60 },
    ]);
  });

  it('counts a 15-minute job that boots in 60 s: 10 states, 3 more instance rounds (9), 14 more job rounds (70) = 89', () => {
    expect(transitionsPerRun(path, 15 * 60, 60)).toBe(89);
    // A minute longer is one more job round.
    expect(transitionsPerRun(path, 16 * 60, 60)).toBe(94);
    // Shorter than a round: each loop entered once.
    expect(transitionsPerRun(path, 30, 10)).toBe(10);
  });

  it('refuses a definition whose happy path cannot reach a Succeed state', () => {
    const broken = { ...DEFINITION, States: { ...DEFINITION.States, TerminateAfterSuccess: { Type: 'Task', Resource: 'x', Next: 'Failed' } } };
    expect(() => happyPath(broken)).toThrow(/no branch of IsInstanceRunning reaches a Succeed state/);
  });
});

describe('the workflow runner in the estimate', () => {
  const model = readStack('t', workflowStack());

  it('reads the runner, the createFleet instance types (first first) and the launch template volume', () => {
    const [batch] = readBatch(model);
    expect(batch).toMatchObject({ runner: 'workflow', region: REGION, instanceTypes: ['c5.xlarge', 'c5a.xlarge'], volumeGbPerInstance: 30 });
  });

  it('prices the expected jobs as Spot hours of the first type, and the transitions they take', () => {
    const estimate = estimateStack(model, table, undefined, 'scheduled', { batch: inputs(48, 15) });
    const spotLine = estimate.lines.find((l) => l.unit.startsWith('c5.xlarge Spot instance-hours'))!;
    // 48 jobs × 15 min = 12 h a day; 730 h / 24 = 30.42 days.
    expect(spotLine.quantity).toBeCloseTo(12 * (730 / 24), 6);
    expect(spotLine.unitPrice).toBeCloseTo(spotHourly(table, REGION, 'c5.xlarge'), 10);
    const transitions = estimate.lines.find((l) => l.unit.startsWith('thousand state transitions'))!;
    expect(transitions.unit).toContain('(89 a run');
    expect(transitions.quantity).toBeCloseTo((48 * (730 / 24) * 89) / 1000, 6);
    expect(transitions.unitPrice).toBe(0.025);
    expect(estimate.batch).toEqual([expect.objectContaining({ runner: 'workflow', transitionsPerRun: 89, instanceHours: spotLine.quantity })]);
  });

  it('follows the inputs: twice the jobs, twice the Spot hours', () => {
    const one = estimateStack(model, table, undefined, 'scheduled', { batch: inputs(10, 30) }).batch![0]!;
    const two = estimateStack(model, table, undefined, 'scheduled', { batch: inputs(20, 30) }).batch![0]!;
    expect(two.instanceHours).toBeCloseTo(2 * one.instanceHours, 9);
    expect(two.instanceMonthly).toBeCloseTo(2 * one.instanceMonthly, 1);
  });

  it('prices the input and output buckets at storedGiB (split between them), the others at the per-bucket assumption', () => {
    const estimate = estimateStack(model, table, undefined, 'scheduled', { batch: inputs(10, 30, 100) });
    const storage = estimate.lines.filter((l) => l.unit.startsWith('GB-months S3 Standard'));
    expect(storage.map((l) => [l.resource, l.quantity])).toEqual(
      expect.arrayContaining([
        ['primary/batch/buckets/input/bucket', 50],
        ['primary/batch/buckets/output/bucket', 50],
        ['primary/load-balancer/access-logs/bucket', 5],
      ]),
    );
    expect(storage).toHaveLength(3);
  });

  it('without inputs, prices the schema\'s defaults', () => {
    const defaults = defaultBatchInputs().expected;
    const estimate = estimateStack(model, table);
    expect(estimate.batch![0]!.instanceHours).toBeCloseTo((defaults.jobsPerDay * (730 / 24) * defaults.minutesPerJob) / 60, 6);
  });
});

describe('the spot-fleet runner in the estimate', () => {
  const fleetStack = (onDemand: number, strategy: string): TfJson =>
    ({
      provider,
      resource: {
        aws_spot_fleet_request: {
          fleet: {
            target_capacity: 5,
            on_demand_target_capacity: onDemand,
            allocation_strategy: strategy,
            launch_template_config: [{ launch_template_specification: { id: '${aws_launch_template.lt.id}' }, overrides: [{ instance_type: 'm5.2xlarge' }, { instance_type: 'm5a.2xlarge' }] }],
          },
        },
        aws_launch_template: { lt: { block_device_mappings: [{ ebs: { volume_type: 'gp3', volume_size: 20 } }] } },
      },
    }) as unknown as TfJson;

  it('all on demand: target capacity × 730 h at the cheapest type (Spot Fleet\'s lowestPrice on-demand default)', () => {
    const estimate = estimateStack(readStack('t', fleetStack(5, 'capacityOptimized')), table);
    expect(estimate.batch![0]!.instanceMonthly).toBeCloseTo(5 * 730 * onDemandHourly(table, REGION, 'm5a.2xlarge'), 2);
    expect(estimate.lines.find((l) => l.unit.includes('on-demand instance-hours'))).toMatchObject({ quantity: 3650 });
    expect(estimate.lines.find((l) => l.unit.startsWith('Spot instance-hours'))).toBeUndefined();
  });

  it('split: the on-demand part at on-demand, the rest at Spot — capacityOptimized the mean of every pool, lowestPrice the cheapest', () => {
    const mean = (spotHourly(table, REGION, 'm5.2xlarge') + spotHourly(table, REGION, 'm5a.2xlarge')) / 2;
    const optimized = estimateStack(readStack('t', fleetStack(2, 'capacityOptimized')), table).lines.find((l) => l.unit.startsWith('Spot instance-hours'))!;
    expect(optimized).toMatchObject({ quantity: 3 * 730 });
    expect(optimized.unitPrice).toBeCloseTo(mean, 10);
    const lowest = estimateStack(readStack('t', fleetStack(2, 'lowestPrice')), table).lines.find((l) => l.unit.startsWith('Spot instance-hours'))!;
    expect(lowest.unitPrice).toBeCloseTo(spotHourly(table, REGION, 'm5a.2xlarge'), 10);
  });
});

describe('the shipped staging stack', () => {
  it('prices its batch tier from staging.batch.expected, with the transitions of its own definition', async () => {
    const { stacks } = await synthApp();
    const model = readStack('staging', stackNamed(stacks, 'staging'));
    const given = (await readBatchInputs()).get('staging');
    expect(given).toBeDefined();
    const [batch] = readBatch(model);
    expect(batch?.runner).toBe('workflow');
    const estimate = estimateStack(model, table, undefined, 'scheduled', { batch: given! });
    const { jobsPerDay, minutesPerJob } = given!.expected;
    expect(estimate.batch![0]!.instanceHours).toBeCloseTo((jobsPerDay * (730 / 24) * minutesPerJob) / 60, 6);
    // The definition's own loops: more minutes a job, more rounds, more transitions.
    const longer = estimateStack(model, table, undefined, 'scheduled', { batch: { ...given!, expected: { ...given!.expected, minutesPerJob: minutesPerJob + 10 } } });
    expect(longer.batch![0]!.transitionsPerRun).toBeGreaterThan(estimate.batch![0]!.transitionsPerRun!);
    expect(estimate.batch![0]!.transitionsPerRun).toBeGreaterThan(batch!.runner === 'workflow' ? batch!.path.states.length : 0);
  }, 120_000);
});
