/**
 * How the group replaces its instances when the launch template changes
 * (instance refresh), and what Auto Scaling would refuse about it.
 */
import type { AutoscalingGroupInstanceRefreshPreferences } from '@cdktf/provider-aws/lib/autoscaling-group';

export interface InstanceRefreshOptions {
  /**
   * Replace only instances whose configuration differs from the new one.
   * @default true
   */
  readonly skipMatching?: boolean;
  /**
   * Seconds after a new instance is in service before the refresh moves on.
   * @default the group's default instance warmup
   */
  readonly instanceWarmup?: number;
  /**
   * Percent of the group replaced at which the refresh pauses, ascending,
   * the last 100.
   * @default [] (no checkpoints)
   */
  readonly checkpointPercentages?: readonly number[];
  /**
   * Seconds the refresh waits at each checkpoint.
   * @default 3600 (AWS's), with checkpoints
   */
  readonly checkpointDelay?: number;
  /**
   * Roll back when the refresh fails (or an alarm of `stopOnAlarms` fires).
   * @default false
   */
  readonly autoRollback?: boolean;
}

/**
 * Today's refresh: 80 % kept healthy, matching instances skipped, no
 * checkpoints, no rollback, no alarm. `rollbackOnAlarm` is the stack's
 * choice to name the tier's 5xx alarm (`WebFleet.stopRefreshOnAlarms`).
 */
export const INSTANCE_REFRESH_DEFAULTS = {
  minHealthyPercentage: 80,
  skipMatching: true,
  checkpointPercentages: [] as readonly number[],
  autoRollback: false,
  rollbackOnAlarm: false,
} as const;

/** AWS's longest checkpoint delay: 48 hours. */
export const MAX_CHECKPOINT_DELAY = 172_800;

/** The refresh preferences block; fields at their AWS default are left out, so today's groups synthesize as before. */
export function refreshPreferences(
  minHealthyPercentage: number,
  options: InstanceRefreshOptions,
  alarmNames: readonly string[],
): AutoscalingGroupInstanceRefreshPreferences {
  const checkpoints = options.checkpointPercentages ?? INSTANCE_REFRESH_DEFAULTS.checkpointPercentages;
  return {
    minHealthyPercentage,
    skipMatching: options.skipMatching ?? INSTANCE_REFRESH_DEFAULTS.skipMatching,
    instanceWarmup: options.instanceWarmup === undefined ? undefined : String(options.instanceWarmup),
    checkpointPercentages: checkpoints.length > 0 ? [...checkpoints] : undefined,
    checkpointDelay: checkpoints.length > 0 && options.checkpointDelay !== undefined ? String(options.checkpointDelay) : undefined,
    autoRollback: options.autoRollback ? true : undefined,
    alarmSpecification: alarmNames.length > 0 ? { alarms: [...alarmNames] } : undefined,
  };
}

/** A problem with one field of the refresh options, by the field's name. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * What StartInstanceRefresh would refuse about checkpoints: they ascend,
 * each percent once, from 1 to 100, and end at 100; a delay needs them.
 */
export function checkpointProblems(options: Pick<InstanceRefreshOptions, 'checkpointPercentages' | 'checkpointDelay'>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const checkpoints = options.checkpointPercentages ?? [];
  checkpoints.forEach((percent, i) => {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) problems.push({ field: 'checkpointPercentages', message: `${percent} is not a whole percent from 1 to 100` });
    const previous = checkpoints[i - 1];
    if (previous !== undefined && percent <= previous) {
      problems.push({ field: 'checkpointPercentages', message: `must ascend, each percent once: ${percent} follows ${previous}` });
    }
  });
  const last = checkpoints[checkpoints.length - 1];
  if (last !== undefined && last !== 100) problems.push({ field: 'checkpointPercentages', message: `must end at 100 to replace every instance, ends at ${last}` });
  if (options.checkpointDelay !== undefined) {
    if (checkpoints.length === 0) problems.push({ field: 'checkpointDelay', message: 'only applies with checkpointPercentages' });
    if (!Number.isInteger(options.checkpointDelay) || options.checkpointDelay < 0 || options.checkpointDelay > MAX_CHECKPOINT_DELAY) {
      problems.push({ field: 'checkpointDelay', message: `${options.checkpointDelay} is outside 0–${MAX_CHECKPOINT_DELAY} seconds` });
    }
  }
  return problems;
}

/** AWS rolls back only to a launch template whose image is an AMI ID, not an SSM parameter it resolves at launch. */
export function rollbackProblem(autoRollback: boolean | undefined, imageId: string): string | undefined {
  if (!autoRollback || !imageId.startsWith('resolve:ssm:')) return undefined;
  return `AWS cannot roll back to a launch template whose image is an SSM parameter (${imageId}); set app.imageId to an AMI ID, or autoRollback false`;
}

/** Every refresh problem, for the module's own check. */
export function refreshProblems(options: InstanceRefreshOptions, imageId: string): FieldProblem[] {
  const rollback = rollbackProblem(options.autoRollback, imageId);
  return [...checkpointProblems(options), ...(rollback ? [{ field: 'autoRollback', message: rollback }] : [])];
}
