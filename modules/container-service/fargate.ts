/**
 * What Fargate accepts, checked at synth by the environment schema: the
 * task sizes it runs and the capacity providers a service may use.
 */

/** Task CPU units Fargate runs (1024 = 1 vCPU). */
export const FARGATE_CPU = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;
export type FargateCpu = (typeof FARGATE_CPU)[number];

/** For each CPU size, the memory (MiB) Fargate pairs with it: [lowest, highest, step]. */
const MEMORY_RANGES: Readonly<Record<FargateCpu, readonly [number, number, number]>> = {
  256: [512, 2048, 512], // 512, 1024, 2048 (1536 is refused; see fargateMemoryFor)
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/** The memory sizes (MiB) Fargate accepts with `cpu`. */
export function fargateMemoryFor(cpu: FargateCpu): number[] {
  const [low, high, step] = MEMORY_RANGES[cpu];
  const sizes: number[] = [];
  for (let m = low; m <= high; m += step) sizes.push(m);
  // 0.25 vCPU takes 0.5, 1 or 2 GB: not 1.5.
  return cpu === 256 ? sizes.filter((m) => m !== 1536) : sizes;
}

/** Why `cpu`/`memory` is not a Fargate task size, or undefined when it is. */
export function fargateSizeProblem(cpu: number, memory: number): string | undefined {
  if (!(FARGATE_CPU as readonly number[]).includes(cpu)) return `${cpu} is not a Fargate CPU size (${FARGATE_CPU.join(', ')})`;
  const allowed = fargateMemoryFor(cpu as FargateCpu);
  if (allowed.includes(memory)) return undefined;
  const [low, high, step] = MEMORY_RANGES[cpu as FargateCpu];
  return `${memory} MiB does not go with ${cpu} CPU units on Fargate; use ${cpu === 256 ? allowed.join(', ') : `${low}–${high} in steps of ${step}`} MiB`;
}

/** The capacity providers of a Fargate cluster. */
export const FARGATE_CAPACITY_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
export type FargateCapacityProvider = (typeof FARGATE_CAPACITY_PROVIDERS)[number];

/** One entry of a service's capacity provider strategy. */
export interface CapacityProviderShare {
  readonly capacityProvider: FargateCapacityProvider;
  /** Tasks placed on this provider before any weight applies; one provider of a strategy at most may have one. @default 0 */
  readonly base?: number;
  /** Share of the tasks beyond the bases. */
  readonly weight: number;
}

/**
 * The guide's strategy: the first two tasks on Fargate on demand, then four
 * of every five more on Fargate Spot (about 70 % cheaper, interrupted with
 * two minutes' notice).
 */
export const DEFAULT_CAPACITY_PROVIDER_STRATEGY: readonly CapacityProviderShare[] = [
  { capacityProvider: 'FARGATE', base: 2, weight: 1 },
  { capacityProvider: 'FARGATE_SPOT', weight: 4 },
];

/** ECS's limits on a strategy entry. */
export const CAPACITY_PROVIDER_LIMITS = { base: [0, 100_000], weight: [0, 1000] } as const;

/**
 * How `tasks` running tasks spread over the strategy, as ECS places them:
 * the base first, the rest in proportion to the weights.
 */
export function splitTasks(tasks: number, strategy: readonly CapacityProviderShare[]): Record<FargateCapacityProvider, number> {
  const split: Record<FargateCapacityProvider, number> = { FARGATE: 0, FARGATE_SPOT: 0 };
  let rest = tasks;
  for (const share of strategy) {
    const base = Math.min(share.base ?? 0, rest);
    split[share.capacityProvider] += base;
    rest -= base;
  }
  const totalWeight = strategy.reduce((sum, s) => sum + s.weight, 0);
  if (rest > 0 && totalWeight > 0) {
    for (const share of strategy) split[share.capacityProvider] += (rest * share.weight) / totalWeight;
  }
  return split;
}
