/**
 * The group's replacement and retirement settings (maintenance policy,
 * termination order, instance lifetime) and its warm pool, with the limits
 * Auto Scaling enforces on each.
 */
import type { FieldProblem } from './refresh';

export type TerminationPolicy =
  | 'Default'
  | 'AllocationStrategy'
  | 'OldestLaunchTemplate'
  | 'OldestLaunchConfiguration'
  | 'ClosestToNextInstanceHour'
  | 'NewestInstance'
  | 'OldestInstance';

export const TERMINATION_POLICIES = [
  'Default',
  'AllocationStrategy',
  'OldestLaunchTemplate',
  'OldestLaunchConfiguration',
  'ClosestToNextInstanceHour',
  'NewestInstance',
  'OldestInstance',
] as const satisfies readonly TerminationPolicy[];

/** AWS's own order when none is set; left out of the group when chosen, so today's groups synthesize as before. */
export const DEFAULT_TERMINATION_POLICIES: readonly TerminationPolicy[] = ['Default'];

/** `max_instance_lifetime`: 0 (none) or one day to one year, in seconds. */
export const MIN_INSTANCE_LIFETIME = 86_400;
export const MAX_INSTANCE_LIFETIME = 31_536_000;

export interface InstanceMaintenancePolicy {
  /** Percent of desired capacity kept in service while instances are replaced (0–100). */
  readonly minHealthyPercentage: number;
  /** Percent of desired capacity that may run while replacing (100–200). */
  readonly maxHealthyPercentage: number;
}

export type WarmPoolState = 'Stopped' | 'Running' | 'Hibernated';

export interface WarmPool {
  /**
   * State instances wait in.
   * @default 'Stopped'
   */
  readonly poolState?: WarmPoolState;
  /**
   * Instances always kept in the pool.
   * @default 0
   */
  readonly minSize?: number;
  /**
   * Most instances in the group and the pool together.
   * @default the group's maxSize
   */
  readonly maxGroupPreparedCapacity?: number;
  /**
   * Scale-in returns instances to the pool instead of terminating them.
   * @default false
   */
  readonly reuseOnScaleIn?: boolean;
}

export const WARM_POOL_DEFAULTS = { poolState: 'Stopped', minSize: 0, reuseOnScaleIn: false } as const satisfies Required<Omit<WarmPool, 'maxGroupPreparedCapacity'>>;

/** AWS's ranges for the maintenance policy: min 0–100, max 100–200, at most 100 apart. */
export function maintenanceProblems(policy: InstanceMaintenancePolicy): FieldProblem[] {
  const { minHealthyPercentage: min, maxHealthyPercentage: max } = policy;
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(min) || min < 0 || min > 100) problems.push({ field: 'minHealthyPercentage', message: `${min} is outside 0–100` });
  if (!Number.isInteger(max) || max < 100 || max > 200) problems.push({ field: 'maxHealthyPercentage', message: `${max} is outside 100–200` });
  if (max - min > 100) problems.push({ field: 'maxHealthyPercentage', message: `${max} is more than 100 above minHealthyPercentage ${min}` });
  return problems;
}

export function lifetimeProblem(seconds: number): string | undefined {
  if (seconds === 0) return undefined;
  return Number.isInteger(seconds) && seconds >= MIN_INSTANCE_LIFETIME && seconds <= MAX_INSTANCE_LIFETIME
    ? undefined
    : `${seconds} is neither 0 (no limit) nor ${MIN_INSTANCE_LIFETIME}–${MAX_INSTANCE_LIFETIME} seconds (one day to one year)`;
}

/**
 * AWS refuses a warm pool on a group with a mixed instances policy or one
 * that requests Spot: the fleet then runs one instance type, all on demand,
 * from a plain launch template, and capacity counts instances (weight 1).
 */
export function warmPoolFleetProblem(instanceTypes: readonly { type: string; weight: number }[], onDemandPercentageAboveBase: number): string | undefined {
  if (instanceTypes.length !== 1) {
    return `AWS refuses warm pools on groups with a mixed instances policy: needs exactly one instance type, instanceTypes has ${instanceTypes.length}`;
  }
  if (instanceTypes[0]!.weight !== 1) return `needs instanceTypes[0].weight 1 (without a mixed instances policy capacity counts instances), not ${instanceTypes[0]!.weight}`;
  if (onDemandPercentageAboveBase !== 100) {
    return `AWS refuses warm pools on groups that request Spot: needs instancesDistribution.onDemandPercentageAboveBaseCapacity 100, not ${onDemandPercentageAboveBase}`;
  }
  return undefined;
}
