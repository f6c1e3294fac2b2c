export { type ChoiceRule, renderStateMachine, type State, type StateMachineDefinition, structuralProblems, successorsOf } from './asl';
export { BATCH_BUCKET_DEFAULTS, BatchBuckets, type BatchBucketsProps } from './buckets';
export { BATCH_DEFAULTS, BATCH_LIMITS, BATCH_RUNNERS, type BatchRunner, SPOT_FLEET_ALLOCATION_STRATEGIES, type SpotFleetAllocationStrategy } from './defaults';
export { BatchFleet, type BatchFleetProps, WORKER_STOP_SECONDS, workerUserData } from './fleet';
export { BatchInstances, type BatchInstancesProps } from './instances';
export {
  BATCH_TAG_KEY,
  batchLogGroupNames,
  batchNamePrefix,
  batchStateMachineName,
  batchSweepFunctionName,
  batchSweepLogGroupName,
  batchTagValue,
  batchWorkflowLogGroupName,
} from './names';
export { BATCH_SWEEP_DEFAULTS, BatchSweep, type BatchSweepProps, SWEEP_HANDLER_ENTRY } from './sweep';
export { escapeTerraformTemplate } from './terraform-text';
export { BatchTier, type BatchTierProps } from './tier';
export type { BatchBucketRef, BatchRunnerProps } from './runner-props';
export { BatchWorkflow, type BatchWorkflowProps } from './workflow';
export {
  BATCH_STATES,
  batchWorkflowDefinition,
  type BatchWorkflowDefinitionOptions,
  COMMAND_DELIVERY_TIMEOUT_SECONDS,
  EVENTS_PER_JOB_POLL,
  executionTimeoutSeconds,
  HISTORY_EVENT_BUDGET,
  INSTANCE_POLL_SECONDS,
  jobPollSeconds,
  jobScript,
  LAUNCH_ALLOWANCE_MINUTES,
  MIN_JOB_POLL_SECONDS,
} from './workflow-definition';
