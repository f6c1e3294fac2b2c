/**
 * The bundled, dated price table (`data/prices.json`) and lookups on it.
 * Prices are list prices in USD; hourly unless the field name says otherwise.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the default table lives; `--prices <file>` replaces it. */
export const DEFAULT_PRICE_FILE = join(resolve(__dirname, '..', '..'), 'data', 'prices.json');

/** One region's prices. */
export interface RegionPrices {
  /** Human name the AWS Price List uses for the region, e.g. "Asia Pacific (Seoul)". */
  location: string;
  /** On-demand Linux, shared tenancy, USD per instance-hour, by instance type. */
  onDemand: Record<string, number>;
  /** Average Spot discount against on-demand (0.7 = 70 % cheaper), by instance type. */
  spotDiscount: Record<string, number>;
  /** gp3 storage, USD per GB-month. */
  ebsGp3GbMonth: number;
  /** NAT gateway, USD per gateway-hour. */
  natGatewayHour: number;
  /** NAT gateway, USD per GB processed. */
  natGatewayGb: number;
  /** Interface VPC endpoint, USD per endpoint-hour in each AZ (each subnet it has an interface in). */
  interfaceEndpointHour: number;
  /** Interface VPC endpoint, USD per GB processed. */
  interfaceEndpointGb: number;
  /** Application Load Balancer, USD per ALB-hour. */
  albHour: number;
  /** Application Load Balancer, USD per LCU-hour. */
  albLcuHour: number;
  /** Public IPv4 address (EIPs, ALB nodes), USD per address-hour. */
  publicIpv4Hour: number;
  /** Standard-resolution CloudWatch alarm, USD per alarm-month. */
  cloudwatchAlarmMonth: number;
  /** CloudWatch dashboard, USD per dashboard-month. */
  cloudwatchDashboardMonth: number;
  /** CloudWatch Logs ingestion (also vended VPC flow logs), USD per GB. */
  logsIngestGb: number;
  /** Customer managed KMS key, USD per key-month. */
  kmsKeyMonth: number;
  /** S3 Standard storage, USD per GB-month. */
  s3StandardGbMonth: number;
  /** DynamoDB on-demand storage, USD per GB-month. */
  dynamodbGbMonth: number;
  /** DynamoDB continuous backups (PITR), USD per GB-month. */
  dynamodbPitrGbMonth: number;
  /** Aurora PostgreSQL on-demand, USD per instance-hour, by DB instance class; absent, a stack with a database cannot be priced. */
  auroraInstanceHour?: Record<string, number>;
  /** Aurora Standard storage, USD per GB-month. */
  auroraStorageGbMonth?: number;
  /** Aurora Standard I/O, USD per million requests. */
  auroraIoMillion?: number;
  /** What a 1-year no-upfront commitment takes off Aurora instance-hours (0.35 = 35 %): shown beside the on-demand figure, not applied. */
  auroraReservedDiscount?: number;
  /** Lambda provisioned concurrency (x86_64), USD per GB-second held; absent, a stack that provisions some cannot be priced. */
  lambdaProvisionedGbSecond?: number;
  /** Lambda provisioned concurrency (arm64), USD per GB-second held. */
  lambdaProvisionedArmGbSecond?: number;
  /** Fargate (Linux, x86) on demand, USD per vCPU-hour; absent, a stack with a Fargate service cannot be priced. */
  fargateVcpuHour?: number;
  /** Fargate (Linux, x86) on demand, USD per GB-hour of memory. */
  fargateGbHour?: number;
  /** What Fargate Spot takes off both (0.7 = 70 % cheaper). */
  fargateSpotDiscount?: number;
  /** Step Functions Standard workflows, USD per 1,000 state transitions; absent, a stack with a batch workflow cannot be priced. */
  stepFunctionsTransitionThousand?: number;
  /** S3 Standard PUT, COPY, POST and LIST requests, USD per 1,000. */
  s3PutThousand?: number;
  /** S3 Standard GET and other requests, USD per 1,000. */
  s3GetThousand?: number;
  /** Lambda requests, USD per million. */
  lambdaRequestMillion?: number;
  /** Lambda duration (x86_64), USD per GB-second. */
  lambdaGbSecond?: number;
}

/** Prices that are not regional. */
export interface GlobalPrices {
  /** Route 53 hosted zone (first 25), USD per zone-month. */
  route53ZoneMonth: number;
  /** Route 53 basic health check of an AWS endpoint, USD per check-month. */
  route53HealthCheckMonth: number;
  /** Each optional health-check feature (HTTPS, string match, fast interval, latency), USD per check-month. */
  route53HealthCheckFeatureMonth: number;
  /** AWS WAF web ACL, USD per ACL-month (the same in every commercial region). */
  wafWebAclMonth: number;
  /** AWS WAF rule or AWS managed rule group in a web ACL, USD per rule-month. */
  wafRuleMonth: number;
  /** AWS WAF requests inspected, USD per million. */
  wafRequestMillion: number;
}

export interface PriceTable {
  /** Where the figures come from. */
  source: string;
  /** The day the figures were read (YYYY-MM-DD). */
  date: string;
  currency: 'USD';
  /** Hours in a billing month; AWS's calculator and the seed use 730. */
  hoursPerMonth: number;
  global: GlobalPrices;
  regions: Record<string, RegionPrices>;
}

/** Reads and checks a price table file. */
export function loadPriceTable(file: string = DEFAULT_PRICE_FILE): PriceTable {
  const table = JSON.parse(readFileSync(file, 'utf8')) as PriceTable;
  if (!table.date || !table.source || !table.regions) throw new Error(`${file}: not a price table (needs source, date and regions)`);
  return table;
}

export class MissingPriceError extends Error {}

/** The prices of one region, or a clear error naming the file's regions. */
export function regionPrices(table: PriceTable, region: string): RegionPrices {
  const prices = table.regions[region];
  if (!prices) {
    throw new MissingPriceError(`no prices for region ${region} (the table has ${Object.keys(table.regions).join(', ')}); run npm run prices:update -- --regions ${region}`);
  }
  return prices;
}

/** On-demand USD per hour for `type` in `region`. */
export function onDemandHourly(table: PriceTable, region: string, type: string): number {
  const price = regionPrices(table, region).onDemand[type];
  if (price === undefined) throw new MissingPriceError(`no on-demand price for ${type} in ${region}; run npm run prices:update -- --instance-types ${type}`);
  return price;
}

/** Average Spot USD per hour for `type` in `region`: on-demand less the type's average discount. */
export function spotHourly(table: PriceTable, region: string, type: string): number {
  const discount = regionPrices(table, region).spotDiscount[type];
  if (discount === undefined) throw new MissingPriceError(`no Spot discount for ${type} in ${region}; run npm run prices:update -- --instance-types ${type}`);
  return onDemandHourly(table, region, type) * (1 - discount);
}

/** Aurora on-demand USD per hour for `instanceClass` in `region`. */
export function auroraHourly(table: PriceTable, region: string, instanceClass: string): number {
  const price = regionPrices(table, region).auroraInstanceHour?.[instanceClass];
  if (price === undefined) throw new MissingPriceError(`no Aurora price for ${instanceClass} in ${region}; add it to auroraInstanceHour in the price table`);
  return price;
}
