/**
 * Pure parsing of AWS price data into the bundled price table's shape:
 * Price List API `GetProducts` entries into on-demand hourly prices,
 * EC2 `DescribeSpotPriceHistory` records into average Spot discounts,
 * and both into a `PriceTable`. No SDK calls here, so tests run offline.
 */
import type { PriceTable } from '../synth-model/price-table';

/** The product attributes that decide whether a SKU is the plain Linux on-demand box we price. */
const WANTED_ATTRIBUTES = {
  operatingSystem: 'Linux',
  tenancy: 'Shared',
  preInstalledSw: 'NA',
  capacitystatus: 'Used',
} as const;

/** One Spot price record, as `DescribeSpotPriceHistory` returns it (every field optional in the SDK). */
export interface SpotPriceRecord {
  InstanceType?: string;
  SpotPrice?: string;
  Timestamp?: Date;
  AvailabilityZone?: string;
}

/** New EC2 figures for one region. */
export interface RegionUpdate {
  region: string;
  /** On-demand USD per hour by instance type. */
  onDemand: Map<string, number>;
  /** Average Spot discount (0..1) by instance type. */
  spotDiscount: Map<string, number>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(value: Json, key: string, where: string): Json {
  const next = value[key];
  if (!isObject(next)) throw new Error(`${where}: expected an object at "${key}"`);
  return next;
}

/**
 * The single hourly USD price of one product's on-demand terms. Products that
 * pass the attribute filter carry exactly one; anything else means the API's
 * shape changed and guessing would put a wrong number in the table.
 */
function hourlyOnDemandUsd(terms: Json, where: string): number {
  const prices = new Set<number>();
  for (const term of Object.values(child(terms, 'OnDemand', where))) {
    if (!isObject(term) || !isObject(term.priceDimensions)) continue;
    for (const dimension of Object.values(term.priceDimensions)) {
      if (!isObject(dimension) || dimension.unit !== 'Hrs' || !isObject(dimension.pricePerUnit)) continue;
      const usd = Number(dimension.pricePerUnit.USD);
      if (typeof dimension.pricePerUnit.USD !== 'string' || !Number.isFinite(usd)) {
        throw new Error(`${where}: pricePerUnit.USD is not a number (${String(dimension.pricePerUnit.USD)})`);
      }
      prices.add(usd);
    }
  }
  if (prices.size !== 1) {
    throw new Error(`${where}: expected one hourly on-demand USD price, found ${prices.size === 0 ? 'none' : [...prices].join(', ')}`);
  }
  return [...prices][0];
}

/**
 * On-demand USD per instance-hour by instance type, from the `PriceList`
 * entries of Price List API `GetProducts` responses (each entry a JSON string).
 * Keeps only Linux, shared tenancy, no pre-installed software, capacity status
 * "Used"; other SKUs (Windows, SQL, dedicated, capacity reservations) are
 * skipped even if the request's filters let them through.
 * @throws if an entry is not JSON of the expected shape, or if one instance
 *   type is listed at two different prices (e.g. two regions mixed together).
 */
export function parseOnDemandProducts(priceList: string[]): Map<string, number> {
  const prices = new Map<string, { usd: number; sku: string }>();
  priceList.forEach((entry, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(entry);
    } catch (error) {
      throw new Error(`PriceList[${index}] is not JSON: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) throw new Error(`PriceList[${index}] is not an object`);
    const product = child(parsed, 'product', `PriceList[${index}]`);
    const sku = typeof product.sku === 'string' ? product.sku : `PriceList[${index}]`;
    const attributes = child(product, 'attributes', `SKU ${sku}`);
    const wanted = Object.entries(WANTED_ATTRIBUTES).every(([key, value]) => attributes[key] === value);
    if (!wanted) return;

    const type = attributes.instanceType;
    if (typeof type !== 'string' || type === '') throw new Error(`SKU ${sku}: no instanceType attribute`);
    const usd = hourlyOnDemandUsd(child(parsed, 'terms', `SKU ${sku}`), `SKU ${sku} (${type})`);
    const seen = prices.get(type);
    if (seen && seen.usd !== usd) {
      const place = attributes.regionCode ?? attributes.location ?? 'unknown region';
      throw new Error(
        `conflicting on-demand prices for ${type}: ${seen.usd} (SKU ${seen.sku}) and ${usd} (SKU ${sku}, ${String(place)}); ` +
          'query one region at a time with the Linux/Shared/NA/Used filters',
      );
    }
    prices.set(type, { usd, sku });
  });
  return new Map([...prices].map(([type, { usd }]) => [type, usd]));
}

/** Rounds to 3 decimals, the precision the table keeps for discounts. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Average Spot discount by instance type: 1 − mean Spot price ÷ on-demand
 * price, rounded to 3 decimals.
 *
 * The mean is a simple arithmetic mean of every record of the type across
 * all Availability Zones, not time-weighted: `DescribeSpotPriceHistory` lists
 * price changes, so a zone or period whose price moved more often counts more.
 * Since AWS's 2017 pricing change Spot prices move slowly and in small steps,
 * so over a 30-day window the two means differ little; the simple mean needs
 * no end-of-window time and is easy to check by hand.
 *
 * Types with no on-demand price, and records without a type or price, are
 * ignored; a type with no usable records is absent from the result.
 * @throws if a record's SpotPrice is present but not a positive number.
 */
export function averageSpotDiscount(history: SpotPriceRecord[], onDemand: Map<string, number>): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const record of history) {
    const type = record.InstanceType;
    if (!type || record.SpotPrice === undefined || !onDemand.has(type)) continue;
    const price = Number(record.SpotPrice);
    if (!Number.isFinite(price) || price <= 0) {
      throw new Error(`Spot price "${record.SpotPrice}" for ${type} in ${record.AvailabilityZone ?? 'unknown zone'} is not a positive number`);
    }
    const sum = sums.get(type) ?? { total: 0, count: 0 };
    sum.total += price;
    sum.count += 1;
    sums.set(type, sum);
  }
  const discounts = new Map<string, number>();
  for (const [type, { total, count }] of sums) {
    const base = onDemand.get(type) as number;
    discounts.set(type, round3(1 - total / count / base));
  }
  return discounts;
}

/** The day `now` falls on in UTC, as YYYY-MM-DD (the table's date format). */
export function isoDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The `source` line for a table refreshed from the APIs by `prices:update`. */
export function apiSource(regions: string[], days: number, previousDate: string): string {
  return (
    `EC2 on-demand (Linux, shared tenancy) from the AWS Price List API GetProducts and average Spot discount ` +
    `(simple mean of EC2 DescribeSpotPriceHistory, Linux/UNIX, last ${days} days) for ${regions.join(', ')}; ` +
    `all other figures unchanged from the table dated ${previousDate}`
  );
}

/**
 * A copy of `table` with the EC2 figures of each update merged into its
 * region (instance types not in the update keep their values), and the given
 * `date` and `source`. Other regions and non-EC2 fields are untouched.
 * @throws if an update names a region the table does not have: the APIs used
 *   here give only EC2 figures, so the region's other prices must exist first.
 */
export function mergeIntoTable(table: PriceTable, updates: RegionUpdate[], stamp: { date: string; source: string }): PriceTable {
  const regions = { ...table.regions };
  for (const update of updates) {
    const current = regions[update.region];
    if (!current) {
      throw new Error(
        `region ${update.region} is not in the price table; prices:update refreshes EC2 on-demand and Spot figures only, ` +
          'so add the region with its other prices (EBS, NAT, ALB, ...) first',
      );
    }
    regions[update.region] = {
      ...current,
      onDemand: { ...current.onDemand, ...Object.fromEntries(update.onDemand) },
      spotDiscount: { ...current.spotDiscount, ...Object.fromEntries(update.spotDiscount) },
    };
  }
  return { ...table, date: stamp.date, source: stamp.source, regions };
}
