/**
 * The batch section (environments/schema/batch.ts): its defaults (stated
 * once, in modules/batch), and each named error on a copy of staging changed
 * in one place, asserting the exact line a user reads.
 */
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import type { EnvironmentInput } from '../../environments/schema';
import staging from '../../environments/staging';
import { BATCH_DEFAULTS, BATCH_LIMITS } from '../../modules/batch';
import { problemsFor } from '../support/problems';

type BatchInput = NonNullable<EnvironmentInput['batch']>;
const base: BatchInput = { commands: ['echo "$INPUT_URI"'] };

const problems = (batch: Record<string, unknown>) =>
  problemsFor(
    (e) => {
      e.batch = { ...base, ...batch } as BatchInput;
    },
    [],
    staging,
  );
const parsed = (batch: BatchInput = base) => validateEnvironments([{ file: 'staging.ts', data: { ...structuredClone(staging), batch } }])[0]!.batch;

describe('defaults', () => {
  it('the workflow runner, the guide\'s instance types, the module\'s defaults', () => {
    expect(parsed()).toEqual({
      runner: 'workflow',
      instanceTypes: ['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge'],
      commands: ['echo "$INPUT_URI"'],
      inputPrefix: 'incoming/',
      outputPrefix: 'processed/',
      maxRunMinutes: 60,
      interruptionRetries: 2,
      expected: { jobsPerDay: 24, minutesPerJob: 15, storedGiB: 10 },
      failedRunRetentionDays: 14,
    });
  });

  it('come from modules/batch, stated once', () => {
    const batch = parsed()!;
    expect(batch.runner).toBe(BATCH_DEFAULTS.runner);
    expect(batch.instanceTypes).toEqual(BATCH_DEFAULTS.instanceTypes);
    expect(batch.maxRunMinutes).toBe(BATCH_DEFAULTS.maxRunMinutes);
    expect(batch.expected).toEqual(BATCH_DEFAULTS.expected);
  });

  it('a fleet gets capacityOptimized and no on-demand unless it says otherwise', () => {
    expect(parsed({ ...base, runner: 'spot-fleet', fleet: { targetCapacity: 10 } })?.fleet).toEqual({ targetCapacity: 10, onDemandTargetCapacity: 0, allocationStrategy: 'capacityOptimized' });
  });

  it('is optional: an environment without it has none', () => {
    const { batch: _none, ...withoutBatch } = structuredClone(staging);
    expect(validateEnvironments([{ file: 'staging.ts', data: withoutBatch }])[0]!.batch).toBeUndefined();
  });

  it('staging ships it: the workflow runner, with its commands', () => {
    const batch = validateEnvironments([{ file: 'staging.ts', data: structuredClone(staging) }])[0]!.batch;
    expect(batch?.runner).toBe('workflow');
    expect(batch?.commands.length).toBeGreaterThan(0);
    expect(batch?.fleet).toBeUndefined();
  });
});

describe('named errors', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a fleet with the workflow', { fleet: { targetCapacity: 2 } }, 'staging.batch.fleet: only with runner spot-fleet'],
    ['a spot-fleet without its fleet', { runner: 'spot-fleet' }, 'staging.batch.fleet: is required with runner spot-fleet (targetCapacity at least)'],
    ['more on-demand than the fleet', { runner: 'spot-fleet', fleet: { targetCapacity: 2, onDemandTargetCapacity: 3 } }, 'staging.batch.fleet.onDemandTargetCapacity: 3 > targetCapacity 2'],
    ['an input prefix without /', { inputPrefix: 'incoming' }, `staging.batch.inputPrefix: "incoming" must end with '/'`],
    ['an output prefix from the root', { outputPrefix: '/out/' }, `staging.batch.outputPrefix: "/out/" must not start with '/' (S3 keys are relative)`],
    ['a wildcard in a prefix', { inputPrefix: 'in*/' }, 'staging.batch.inputPrefix: "in*/" must not contain *, ? or whitespace (it is an IAM resource prefix)'],
    ['an unknown instance type', { instanceTypes: ['c5.xlarge', 'c5.xlarg'] }, 'staging.batch.instanceTypes[1]: "c5.xlarg" is not an EC2 instance type'],
    ['a type twice', { instanceTypes: ['c5.xlarge', 'c5.xlarge'] }, 'staging.batch.instanceTypes[1]: c5.xlarge is listed twice'],
    ['no instance types', { instanceTypes: [] }, 'staging.batch.instanceTypes: needs at least one instance type'],
    ['no commands', { commands: [] }, 'staging.batch.commands: needs at least one command'],
    ['a command of two lines', { commands: ['echo a\necho b'] }, 'staging.batch.commands[0]: must be one line (give each line as its own entry)'],
    ['a run shorter than SSM can time', { maxRunMinutes: 4 }, 'staging.batch.maxRunMinutes: 4 is outside 5–2880'],
    ['a run longer than SSM allows', { maxRunMinutes: 2881 }, 'staging.batch.maxRunMinutes: 2881 is outside 5–2880'],
    ['too many relaunches', { interruptionRetries: 6 }, 'staging.batch.interruptionRetries: 6 is outside 0–5'],
    ['a dead-letter queue past SQS\'s 14 days', { failedRunRetentionDays: 15 }, 'staging.batch.failedRunRetentionDays: 15 is outside 1–14'],
    ['a job of no minutes', { expected: { minutesPerJob: 0 } }, 'staging.batch.expected.minutesPerJob: 0 must be > 0'],
    ['an unknown runner', { runner: 'lambda' }, 'staging.batch.runner'],
    ['an unknown field', { maxRuntime: 5 }, 'staging.batch'],
  ])('%s', (_, batch, expected) => {
    const found = problems(batch);
    expect(found.some((p) => p.startsWith(expected)), found.join('\n')).toBe(true);
  });

  it('a fleet\'s worker script must fit in user data', () => {
    const commands = Array.from({ length: 12 }, () => `echo ${'x'.repeat(1000)}`);
    expect(problems({ runner: 'spot-fleet', fleet: { targetCapacity: 1 }, commands })).toContain(
      `staging.batch.commands: ${commands.join('\n').length} bytes in all; the worker script goes in user data, at most ${BATCH_LIMITS.maxWorkerCommandBytes}`,
    );
    // The same lines fit the workflow, whose limit is its state data.
    expect(problems({ commands })).toEqual([]);
  });

  it('the workflow\'s script must fit its state data', () => {
    const commands = Array.from({ length: 40 }, () => `echo ${'x'.repeat(1000)}`);
    expect(problems({ commands })).toContain(`staging.batch.commands: ${commands.join('\n').length} bytes in all; the workflow carries them in its state data, at most ${BATCH_LIMITS.maxWorkflowCommandBytes}`);
  });

  it('reports every problem of the section in one pass', () => {
    expect(problems({ inputPrefix: 'in', outputPrefix: 'out', fleet: { targetCapacity: 1 } }).sort()).toEqual([
      "staging.batch.fleet: only with runner spot-fleet",
      `staging.batch.inputPrefix: "in" must end with '/'`,
      `staging.batch.outputPrefix: "out" must end with '/'`,
    ]);
  });
});
