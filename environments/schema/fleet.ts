/** The Auto Scaling group's fleet: instance types, capacity, and the on-demand/Spot mix. */
import { z } from 'zod';
import { INSTANCES_DISTRIBUTION_DEFAULTS } from '../../modules/compute';
import { ec2InstanceType, MAX_INSTANCE_TYPES } from '../aws-limits';
import { count, ranged, reportDuplicates, spotAllocationStrategy, type Report } from './primitives';

const instanceTypeSchema = z.strictObject({
  /** EC2 instance type, e.g. `t3.medium`. */
  type: ec2InstanceType.meta({ description: 'EC2 instance type, e.g. `t3.medium`; checked against the catalog in environments/aws-limits.ts.' }),
  /** Capacity units one instance counts for (`weighted_capacity`). */
  weight: z
    .number()
    .int()
    .refine((w) => w > 0, { error: (issue) => `weight ${String(issue.input)} must be > 0` })
    .refine((w) => w <= 999, { error: 'weight must be ≤ 999' })
    .meta({ description: 'Capacity units one instance of this type counts for (`weighted_capacity`), 1–999; e.g. its vCPUs.' }),
});

/** The seed's fleet: burstable and general-purpose, weighted by vCPU. */
export const SEED_INSTANCE_TYPES = [
  { type: 't3.medium', weight: 1 },
  { type: 't3a.medium', weight: 1 },
  { type: 'm5.large', weight: 2 },
  { type: 'm5a.large', weight: 2 },
];

export const instanceTypesSchema = z
  .array(instanceTypeSchema)
  .refine((list) => list.length > 0, { error: 'needs at least one instance type' })
  .refine((list) => list.length <= MAX_INSTANCE_TYPES, {
    error: (issue) => `has ${(issue.input as unknown[]).length} instance types; a mixed-instances policy takes at most ${MAX_INSTANCE_TYPES}`,
  })
  .default(SEED_INSTANCE_TYPES)
  .meta({
    description: `Instance types of the mixed-instances policy, 1 to ${MAX_INSTANCE_TYPES}, each with its weight; no type twice. Default: the seed's t3.medium, t3a.medium (1) and m5.large, m5a.large (2).`,
  });

/** In weighted capacity units. */
export const capacitySchema = z
  .strictObject({
    /** Fewest capacity units the group keeps. */
    minSize: count().meta({ description: 'Fewest capacity units the group keeps running, 0–1000; at most maxSize.' }),
    /** Most capacity units the group scales to. */
    maxSize: count().meta({ description: 'Most capacity units the group scales out to, 0–1000.' }),
    /** Capacity units at launch; omitted, Auto Scaling starts at minSize and scaling takes over. */
    desiredCapacity: count()
      .optional()
      .meta({ description: 'Capacity units at creation, between minSize and maxSize; omitted, the group starts at minSize and scaling policies manage it.' }),
  })
  .default({ minSize: 2, maxSize: 30 })
  .meta({ description: 'Size of the Auto Scaling group, in weighted capacity units (see instanceTypes[].weight). Default: 2 to 30.' });

export const instancesDistributionSchema = z
  .strictObject({
    /** Capacity units always bought on demand before any Spot. */
    onDemandBaseCapacity: count()
      .default(INSTANCES_DISTRIBUTION_DEFAULTS.onDemandBaseCapacity)
      .meta({ description: 'Capacity units always bought on demand, before any Spot; at most capacity.maxSize.' }),
    /** Percent of the capacity above the base bought on demand; the rest is Spot. */
    onDemandPercentageAboveBaseCapacity: ranged(z.number().int(), 0, 100)
      .default(INSTANCES_DISTRIBUTION_DEFAULTS.onDemandPercentageAboveBaseCapacity)
      .meta({ description: 'Percent (0–100) of the capacity above the base bought on demand; the rest is Spot. 100 means no Spot at all.' }),
    /** How Auto Scaling picks Spot pools. */
    spotAllocationStrategy: spotAllocationStrategy
      .default(INSTANCES_DISTRIBUTION_DEFAULTS.spotAllocationStrategy)
      .meta({ description: 'How Auto Scaling chooses Spot pools: by spare capacity (fewer interruptions), price and capacity, type priority, or lowest price.' }),
  })
  .prefault({})
  .meta({ description: 'The on-demand/Spot mix of the fleet.' });

type InstanceTypesSpec = z.output<typeof instanceTypesSchema>;
type CapacitySpec = z.output<typeof capacitySchema>;
type InstancesDistributionSpec = z.output<typeof instancesDistributionSchema>;

/**
 * min ≤ desired ≤ max, and an on-demand base the group can hold: for the
 * primary fleet and, with `report` prefixed, a standby region's.
 */
export function checkCapacity(
  env: { capacity?: Pick<CapacitySpec, 'minSize' | 'maxSize' | 'desiredCapacity'>; instancesDistribution?: Pick<InstancesDistributionSpec, 'onDemandBaseCapacity'> },
  report: Report,
): void {
  if (!env.capacity) return;
  const { minSize, maxSize, desiredCapacity } = env.capacity;
  if (minSize > maxSize) report(['capacity'], `minSize ${minSize} > maxSize ${maxSize}`);
  if (desiredCapacity !== undefined && (desiredCapacity < minSize || desiredCapacity > maxSize)) {
    report(['capacity'], `desiredCapacity ${desiredCapacity} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  }
  if (!env.instancesDistribution) return;
  const base = env.instancesDistribution.onDemandBaseCapacity;
  if (base > maxSize) report(['instancesDistribution'], `onDemandBaseCapacity ${base} > capacity.maxSize ${maxSize}`);
}

export function checkInstanceTypes(env: { instanceTypes?: InstanceTypesSpec }, report: Report): void {
  if (!env.instanceTypes) return;
  reportDuplicates(
    env.instanceTypes.map(({ type }) => type),
    (i, type) => report(['instanceTypes', i, 'type'], `duplicate instance type ${type}`),
  );
}
