/**
 * The batch tier's defaults, stated once: the constructs fall back to them and
 * environments/schema/batch.ts imports them (this file has no CDKTF imports,
 * so the schema can load it on its own).
 */

/** How batch work runs: launched per object by Step Functions, or a steady Spot Fleet. */
export const BATCH_RUNNERS = ['workflow', 'spot-fleet'] as const;
export type BatchRunner = (typeof BATCH_RUNNERS)[number];

/** Spot Fleet's allocation strategies, in the API's spelling (aws_spot_fleet_request allocation_strategy). */
export const SPOT_FLEET_ALLOCATION_STRATEGIES = ['capacityOptimized', 'priceCapacityOptimized', 'lowestPrice', 'diversified'] as const;
export type SpotFleetAllocationStrategy = (typeof SPOT_FLEET_ALLOCATION_STRATEGIES)[number];

export const BATCH_DEFAULTS = {
  runner: 'workflow' as BatchRunner,
  // The guide's Spot Fleet overrides: three compute-optimized families of one size, so a reclaim in one pool leaves two.
  instanceTypes: ['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge'] as readonly string[],
  inputPrefix: 'incoming/',
  outputPrefix: 'processed/',
  maxRunMinutes: 60,
  interruptionRetries: 2,
  // SQS keeps a message at most 14 days: the longest a failed run stays inspectable.
  failedRunRetentionDays: 14,
  fleet: {
    onDemandTargetCapacity: 0,
    allocationStrategy: 'capacityOptimized' as SpotFleetAllocationStrategy,
  },
  // Cost inputs only (npm run cost): a job an hour, a quarter-hour each, a little stored data.
  expected: {
    jobsPerDay: 24,
    minutesPerJob: 15,
    storedGiB: 10,
  },
} as const;

/** Bounds AWS or the design sets; the schema and the constructs share them. */
export const BATCH_LIMITS = {
  maxInstanceTypes: 20,
  maxCommands: 100,
  // SSM Run Command's executionTimeout is at most 48 hours.
  minRunMinutes: 5,
  maxRunMinutes: 2880,
  maxInterruptionRetries: 5,
  maxFleetTargetCapacity: 100,
  minFailedRunRetentionDays: 1,
  maxFailedRunRetentionDays: 14,
  // S3 keys are at most 1024 bytes; a prefix that long leaves no room for a name.
  maxPrefixLength: 512,
  // The workflow carries the script in its state data (256 KiB a state) and SSM's parameters: kept well inside both.
  maxWorkflowCommandBytes: 32 * 1024,
  // A fleet's worker script goes in user data (16 KiB base64, about 12 KiB of text), beside its wrapper.
  maxWorkerCommandBytes: 11 * 1024,
} as const;
