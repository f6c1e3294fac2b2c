/**
 * Names the batch tier's resources go by, for the code that must name them
 * before they exist: key policies (log groups, alarms, rules), the tests, the
 * cost estimate.
 */

/** The tag every batch instance carries; the workflow may act only on instances with it, and the sweep looks for it. */
export const BATCH_TAG_KEY = 'BatchTier';

/** Value of `BATCH_TAG_KEY` on the instances of the tier called `name`. */
export function batchTagValue(name: string): string {
  return `${name}-batch`;
}

/** Prefix of every batch resource name of the tier called `name` (rules, alarms, roles, queue). */
export function batchNamePrefix(name: string): string {
  return `${name}-batch`;
}

/**
 * The input and output buckets' names: fixed at synth (the account and
 * region make them globally unique), so the job script and the worker's user
 * data can name them without a Terraform reference. At most 62 characters
 * for a 24-character tier name.
 */
export function batchInputBucketName(name: string, account: string, region: string): string {
  return `${name}-batch-in-${account}-${region}`;
}

export function batchOutputBucketName(name: string, account: string, region: string): string {
  return `${name}-batch-out-${account}-${region}`;
}

/** The workflow's state machine. */
export function batchStateMachineName(name: string): string {
  return `${name}-batch`;
}

/** The state machine's log group: under /aws/vendedlogs/, where Step Functions' log delivery needs no resource-policy entry per group. */
export function batchWorkflowLogGroupName(name: string): string {
  return `/aws/vendedlogs/states/${name}-batch`;
}

/** The sweep function (Lambda's own log group naming follows). */
export function batchSweepFunctionName(name: string): string {
  return `${name}-batch-sweep`;
}

export function batchSweepLogGroupName(name: string): string {
  return `/aws/lambda/${batchSweepFunctionName(name)}`;
}

/** The log groups the tier's key must let CloudWatch Logs use, for the runner chosen. */
export function batchLogGroupNames(name: string, runner: 'workflow' | 'spot-fleet'): string[] {
  return runner === 'workflow' ? [batchWorkflowLogGroupName(name), batchSweepLogGroupName(name)] : [];
}
