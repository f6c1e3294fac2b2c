/**
 * The batch tier (the guide's batch servers on Spot): objects landing in an
 * input bucket start a Step Functions run that launches one Spot instance,
 * runs the job through SSM and terminates it; or, where a steady fleet is
 * wanted, the guide's `maintain` Spot Fleet.
 */
import { z } from 'zod';
import { BATCH_DEFAULTS, BATCH_LIMITS, BATCH_RUNNERS, SPOT_FLEET_ALLOCATION_STRATEGIES } from '../../modules/batch/defaults';
import { ec2InstanceType } from '../aws-limits';
import { ranged, reportDuplicates } from './primitives';

const d = BATCH_DEFAULTS;
const l = BATCH_LIMITS;

/** A key prefix: relative (no leading /), ending with /, no wildcards (IAM ARNs append `*` to it). */
const keyPrefix = z
  .string()
  .min(2)
  .max(l.maxPrefixLength)
  .refine((p) => p.endsWith('/'), { error: (issue) => `${JSON.stringify(issue.input)} must end with '/'` })
  .refine((p) => !p.startsWith('/'), { error: (issue) => `${JSON.stringify(issue.input)} must not start with '/' (S3 keys are relative)` })
  .refine((p) => !/[*?\s]/.test(p), { error: (issue) => `${JSON.stringify(issue.input)} must not contain *, ? or whitespace (it is an IAM resource prefix)` });

const fleetSchema = z
  .strictObject({
    targetCapacity: ranged(z.number().int(), 1, l.maxFleetTargetCapacity).meta({
      description: `Instances the fleet keeps running (fleet type maintain), 1–${l.maxFleetTargetCapacity}; it replaces any that Spot reclaims.`,
    }),
    onDemandTargetCapacity: z
      .number()
      .int()
      .min(0)
      .default(d.fleet.onDemandTargetCapacity)
      .meta({ description: 'Of targetCapacity, how many are bought on demand (never interrupted); the rest is Spot. At most targetCapacity.' }),
    allocationStrategy: z
      .enum(SPOT_FLEET_ALLOCATION_STRATEGIES)
      .default(d.fleet.allocationStrategy)
      .meta({ description: 'How the fleet picks Spot pools: capacityOptimized (the guide: fewest interruptions), priceCapacityOptimized, lowestPrice, diversified.' }),
  })
  .superRefine((fleet, ctx) => {
    if (fleet.onDemandTargetCapacity > fleet.targetCapacity) {
      ctx.addIssue({ code: 'custom', path: ['onDemandTargetCapacity'], message: `${fleet.onDemandTargetCapacity} > targetCapacity ${fleet.targetCapacity}` });
    }
  })
  .meta({ description: 'The steady Spot Fleet (runner spot-fleet only): its size, on-demand share and allocation strategy.' });

const expectedSchema = z
  .strictObject({
    jobsPerDay: z.number().min(0).default(d.expected.jobsPerDay).meta({ description: 'Objects (runs) expected per day; prices the Spot hours and Step Functions transitions.' }),
    minutesPerJob: z
      .number()
      .refine((m) => m > 0, { error: (issue) => `${String(issue.input)} must be > 0` })
      .default(d.expected.minutesPerJob)
      .meta({ description: 'Minutes one run keeps its instance, launch to termination; prices the Spot hours.' }),
    storedGiB: z.number().min(0).default(d.expected.storedGiB).meta({ description: 'GiB kept in the input and output buckets together; prices the storage.' }),
  })
  .prefault({})
  .meta({ description: 'Cost inputs only (npm run cost): no infrastructure depends on them.' });

export const batchSchema = z
  .strictObject({
    runner: z.enum(BATCH_RUNNERS).default(d.runner).meta({
      description:
        'workflow: one Spot instance per input object, launched by Step Functions only when an object lands and terminated after it; spot-fleet: the guide\'s steady maintain Spot Fleet that works continuously.',
    }),
    instanceTypes: z
      .array(ec2InstanceType)
      .min(1, 'needs at least one instance type')
      .max(l.maxInstanceTypes, `at most ${l.maxInstanceTypes} instance types`)
      .superRefine((types, ctx) => reportDuplicates(types, (i, type) => ctx.addIssue({ code: 'custom', path: [i], message: `${type} is listed twice` })))
      .default([...d.instanceTypes])
      .meta({ description: 'Instance types to diversify Spot over (each in every private subnet); the first prices the cost estimate. Default: the guide\'s c5, c5a, c6i xlarge.' }),
    commands: z
      .array(
        z
          .string()
          .min(1, 'is empty')
          .max(4096)
          .refine((c) => !/[\r\n]/.test(c), { error: 'must be one line (give each line as its own entry)' }),
      )
      .min(1, 'needs at least one command')
      .max(l.maxCommands, `at most ${l.maxCommands} command lines`)
      .meta({
        description:
          'Shell lines the job runs on the instance (SSM AWS-RunShellScript, as root). They see INPUT_URI (s3://input-bucket/key of the object) and OUTPUT_URI (s3://output-bucket/<outputPrefix><key after inputPrefix>).',
      }),
    inputPrefix: keyPrefix.default(d.inputPrefix).meta({ description: 'Key prefix in the input bucket whose new objects start a run; ends with /.' }),
    outputPrefix: keyPrefix.default(d.outputPrefix).meta({ description: 'Key prefix in the output bucket the job writes under; ends with /. The instance may write nowhere else.' }),
    maxRunMinutes: ranged(z.number().int(), l.minRunMinutes, l.maxRunMinutes)
      .default(d.maxRunMinutes)
      .meta({ description: `Longest a run may take, ${l.minRunMinutes}–${l.maxRunMinutes} minutes: the SSM command timeout, the state machine's time budget, and the age at which the sweep terminates a batch instance.` }),
    interruptionRetries: ranged(z.number().int(), 0, l.maxInterruptionRetries)
      .default(d.interruptionRetries)
      .meta({ description: `Times (0–${l.maxInterruptionRetries}) a run whose Spot instance was reclaimed or lost is relaunched; attempts = 1 + retries.` }),
    fleet: fleetSchema.optional(),
    expected: expectedSchema,
    failedRunRetentionDays: ranged(z.number().int(), l.minFailedRunRetentionDays, l.maxFailedRunRetentionDays)
      .default(d.failedRunRetentionDays)
      .meta({ description: `Days (${l.minFailedRunRetentionDays}–${l.maxFailedRunRetentionDays}) a failed run's event stays in the dead-letter queue.` }),
  })
  .superRefine((batch, ctx) => {
    if (batch.runner === 'spot-fleet' && !batch.fleet) ctx.addIssue({ code: 'custom', path: ['fleet'], message: 'is required with runner spot-fleet (targetCapacity at least)' });
    if (batch.runner !== 'spot-fleet' && batch.fleet) ctx.addIssue({ code: 'custom', path: ['fleet'], message: 'only with runner spot-fleet' });
    const bytes = Buffer.byteLength(batch.commands.join('\n'), 'utf8');
    const [limit, where] = batch.runner === 'spot-fleet' ? [l.maxWorkerCommandBytes, 'the worker script goes in user data'] : [l.maxWorkflowCommandBytes, 'the workflow carries them in its state data'];
    if (bytes > limit) ctx.addIssue({ code: 'custom', path: ['commands'], message: `${bytes} bytes in all; ${where}, at most ${limit}` });
  })
  .meta({
    description:
      'Batch work on Spot: an input and an output bucket, and either a Step Functions workflow that launches one Spot instance per new object (only when there is work) or a steady Spot Fleet. The standby region builds none.',
  });

export type BatchSpec = z.output<typeof batchSchema>;
