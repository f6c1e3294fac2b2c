/**
 * The mixed-instances arithmetic: how a capacity splits into on-demand and
 * Spot, and what one capacity unit of each costs.
 */
import { onDemandHourly, spotHourly, type PriceTable } from './price-table';
import type { Fleet, InstanceOverride, InstancesDistribution } from './stack-model';

export interface CapacitySplit {
  /** Capacity units on-demand. */
  onDemandUnits: number;
  /** Capacity units on Spot. */
  spotUnits: number;
}

/**
 * Splits `units` as the group would: the base first, then the percentage of
 * what is above it. A fraction is rounded up in favour of on-demand, as
 * EC2 Auto Scaling does. Weighted capacity is already in units, so the same
 * arithmetic holds; turning units into instances is `instancesFor`.
 */
export function splitCapacity(units: number, distribution: InstancesDistribution): CapacitySplit {
  const base = Math.min(units, distribution.onDemandBase);
  const above = units - base;
  // Integer arithmetic first: 10 × 20 / 100 must be 2, not 2.0000000000000004 rounded up to 3.
  const onDemandAbove = Math.ceil((above * distribution.onDemandPercentAboveBase) / 100 - 1e-9);
  return { onDemandUnits: base + onDemandAbove, spotUnits: above - onDemandAbove };
}

/** Instances of a type with `weight` needed to cover `units` (the group overshoots rather than falls short). */
export function instancesFor(units: number, weight: number): number {
  return Math.ceil(units / weight - 1e-9);
}

/** What a capacity unit costs for a fleet, and how that was decided. */
export interface UnitPrices {
  onDemandPerUnitHour: number;
  spotPerUnitHour: number;
  /** The instance type on-demand capacity launches as. */
  onDemandType: InstanceOverride;
  /** The Spot pools the price is averaged over. */
  spotPools: InstanceOverride[];
  /** Instances per Spot capacity unit, averaged over those pools (for per-instance costs such as volumes). */
  spotInstancesPerUnit: number;
  /** One line on how the prices were chosen. */
  basis: string;
}

/** Hourly USD of an instance type in the fleet's region, for one purchase option. */
export type HourlyPrice = (type: string) => number;

function byUnitPrice(fleet: Fleet, hourly: HourlyPrice): InstanceOverride[] {
  return [...fleet.overrides].sort((a, b) => hourly(a.type) / a.weight - hourly(b.type) / b.weight);
}

/** The type on-demand capacity launches as: `prioritized` takes the first override, `lowest-price` the cheapest per unit. */
export function onDemandOverride(fleet: Fleet, onDemand: HourlyPrice): InstanceOverride {
  return fleet.distribution.onDemandStrategy === 'prioritized' ? fleet.overrides[0]! : byUnitPrice(fleet, onDemand)[0]!;
}

/**
 * The pools Spot capacity comes from: `capacity-optimized` chooses by spare
 * capacity, not price, so the honest expectation is all of them;
 * `price-capacity-optimized` leans to cheap pools (the two cheapest per
 * unit); `lowest-price` takes the cheapest.
 */
export function spotPools(fleet: Fleet, spot: HourlyPrice): InstanceOverride[] {
  const strategy = fleet.distribution.spotStrategy;
  if (strategy === 'lowest-price') return byUnitPrice(fleet, spot).slice(0, 1);
  if (strategy === 'price-capacity-optimized') return byUnitPrice(fleet, spot).slice(0, 2);
  return fleet.overrides;
}

/** Unit prices from the table: on-demand from `onDemandOverride`, Spot as the mean over `spotPools`. */
export function unitPrices(fleet: Fleet, table: PriceTable): UnitPrices {
  const onDemand: HourlyPrice = (type) => onDemandHourly(table, fleet.region, type);
  const spot: HourlyPrice = (type) => spotHourly(table, fleet.region, type);
  const onDemandType = onDemandOverride(fleet, onDemand);
  const pools = spotPools(fleet, spot);
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    onDemandPerUnitHour: onDemand(onDemandType.type) / onDemandType.weight,
    spotPerUnitHour: mean(pools.map((o) => spot(o.type) / o.weight)),
    onDemandType,
    spotPools: pools,
    spotInstancesPerUnit: mean(pools.map((o) => 1 / o.weight)),
    basis:
      `on-demand ${fleet.distribution.onDemandStrategy}: ${onDemandType.type}; ` +
      `Spot ${fleet.distribution.spotStrategy}: mean of ${pools.map((o) => o.type).join(', ')}`,
  };
}

/** Rounds USD to cents the way an invoice does (half away from zero). */
export function cents(usd: number): number {
  return Math.sign(usd) * Math.round(Math.abs(usd) * 100 + 1e-9) / 100;
}
