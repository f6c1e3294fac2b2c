/**
 * A monthly cost estimate of one synthesized stack: every billable resource
 * priced from the bundled table, fleets at the capacity they will run at,
 * and what the same stack would cost provisioned the static way.
 */
import { estimateBatch } from './batch-cost';
import type { BatchInputs } from './batch-inputs';
import { auroraHourly, MissingPriceError, regionPrices, type PriceTable, type RegionPrices } from './price-table';
import { fargateTasks } from './fargate-tasks';
import { provisionedConcurrency } from './provisioned-concurrency';
import { applyScheduledAction, scheduleEvents } from './schedule';
import { cents, instancesFor, splitCapacity, unitPrices, type UnitPrices } from './split';
import type { Fleet, PlacedResource, StackModel } from './stack-model';
import { block, type Block } from './tf-json';

/** Usage the stacks cannot tell; every figure can be overridden with `--assume key=value`. */
export interface Assumptions {
  /** GB each NAT gateway processes in a month. */
  natGbPerGateway: number;
  /** Millions of requests each web ACL inspects in a month. */
  wafRequestMillions: number;
  /** GB each interface VPC endpoint processes in a month. */
  endpointGbPerEndpoint: number;
  /** Average load balancer capacity units an ALB consumes. */
  albLcu: number;
  /** GB of VPC flow logs each flow log delivers in a month. */
  flowLogGb: number;
  /** GB stored in each S3 bucket. */
  s3GbPerBucket: number;
  /** GB stored in each DynamoDB table (a state lock table holds a few KB). */
  dynamodbGbPerTable: number;
  /** GB each Aurora cluster stores (billed once per cluster, however many instances). */
  auroraGbPerCluster: number;
  /** Millions of I/O requests each Aurora cluster makes in a month (Aurora Standard bills them). */
  auroraIoMillionsPerCluster: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  natGbPerGateway: 100,
  endpointGbPerEndpoint: 1,
  wafRequestMillions: 10,
  albLcu: 1,
  flowLogGb: 10,
  s3GbPerBucket: 5,
  dynamodbGbPerTable: 0.001,
  auroraGbPerCluster: 20,
  auroraIoMillionsPerCluster: 20,
};

/** Which capacity fleets are priced at. */
export type CapacityBasis = 'scheduled' | 'desired' | 'min' | 'max' | number;

export interface LineItem {
  /** What is billed, by construct path inside the stack. */
  resource: string;
  region: string;
  /** What the quantity counts, e.g. "t3.medium instance-hours". */
  unit: string;
  quantity: number;
  unitPrice: number;
  /** USD per month, to the cent. */
  monthly: number;
  /** True when the quantity is an assumption rather than read from the stack. */
  assumed?: boolean;
}

/** A fleet's capacity through the month, and its split. */
export interface FleetEstimate {
  name: string;
  region: string;
  /** Average capacity units running. */
  averageUnits: number;
  onDemandInstanceHours: number;
  spotUnitHours: number;
  prices: UnitPrices;
  /** Max capacity on-demand, 24/7: how a static tier sized for peak is bought. */
  staticPeakMonthly: number;
  /** The capacity priced here, all on-demand. */
  allOnDemandMonthly: number;
  /** What the fleet (instances and volumes) costs as designed. */
  monthly: number;
}

export interface StackEstimate {
  stack: string;
  lines: LineItem[];
  fleets: FleetEstimate[];
  monthly: number;
  baselines: {
    /** The stack with every fleet at max capacity, on-demand, all month. */
    staticPeak: number;
    /** The stack with the same capacity, all on-demand. */
    allOnDemand: number;
  };
  /** Resources billed by usage that the estimate leaves at zero. */
  usageOnly: string[];
  /** The batch tier, when the stack has one: its instance-hours and their cost (the rest of it is in `lines`). */
  batch?: Array<{ runner: 'workflow' | 'spot-fleet'; region: string; instanceHours: number; instanceMonthly: number; transitionsPerRun?: number; inputs: string }>;
}

/** What a stack's cost depends on beyond the stack: the environment's batch.expected. */
export interface StackInputs {
  batch?: BatchInputs;
}

/** Billed purely by use; listed so nobody thinks they were forgotten. */
const USAGE_ONLY: Record<string, string> = {
  aws_lambda_function: 'Lambda (requests and GB-seconds)',
  aws_sqs_queue: 'SQS (requests)',
  aws_sns_topic: 'SNS (publishes and deliveries)',
  aws_cloudwatch_log_group: 'CloudWatch Logs (ingestion and storage)',
  aws_cloudwatch_event_rule: 'EventBridge (AWS service events are free)',
  aws_cloudfront_distribution: 'CloudFront (requests and transfer)',
  aws_fis_experiment_template: 'FIS (action-minutes while an experiment runs)',
  aws_s3_object: 'S3 objects (in their bucket)',
  aws_ecs_cluster: 'Container Insights (its metrics and performance log events)',
};

export function estimateStack(
  model: StackModel,
  table: PriceTable,
  assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
  basis: CapacityBasis = 'scheduled',
  inputs: StackInputs = {},
): StackEstimate {
  const hours = table.hoursPerMonth;
  const lines: LineItem[] = [];
  const label = (r: PlacedResource): string => resourceLabel(model.name, r);
  const add = (r: PlacedResource, unit: string, quantity: number, unitPrice: number, assumed = false): void => {
    // Route 53 is a global service, whichever provider created the resource.
    const region = r.type.startsWith('aws_route53_') ? 'global' : r.region;
    lines.push({ resource: label(r), region, unit, quantity, unitPrice, monthly: cents(quantity * unitPrice), ...(assumed ? { assumed } : {}) });
  };

  const fleets = model.fleets.map((fleet) => estimateFleet(fleet, table, basis));
  for (const [i, fleet] of model.fleets.entries()) lines.push(...fleetLines(fleet, fleets[i]!, table));

  // The batch tier prices its own buckets (at batch.expected.storedGiB), its Spot hours and its transitions.
  const batches = estimateBatch(model, table, inputs.batch);
  const batchBuckets = new Set(batches.flatMap((e) => [...e.bucketIds]));
  for (const line of batches.flatMap((e) => e.lines)) add(line.resource, line.unit, line.quantity, line.unitPrice, line.assumed);

  const usage = new Set<string>();
  for (const r of model.resources) {
    const p = regionPrices(table, r.region);
    const b = r.body;
    switch (r.type) {
      case 'aws_nat_gateway':
        add(r, 'NAT gateway-hours', hours, p.natGatewayHour);
        add(r, 'GB processed', assumptions.natGbPerGateway, p.natGatewayGb, true);
        break;
      case 'aws_vpc_endpoint':
        // Gateway endpoints (S3) are free; an interface endpoint bills each AZ it has an interface in.
        if (b.vpc_endpoint_type !== 'Interface') break;
        add(r, 'endpoint-AZ-hours', (Array.isArray(b.subnet_ids) ? b.subnet_ids.length : 1) * hours, p.interfaceEndpointHour);
        add(r, 'endpoint GB processed', assumptions.endpointGbPerEndpoint, p.interfaceEndpointGb, true);
        break;
      case 'aws_eip':
        add(r, 'public IPv4 address-hours', hours, p.publicIpv4Hour);
        break;
      case 'aws_lb':
        if (b.load_balancer_type !== undefined && b.load_balancer_type !== 'application') break;
        add(r, 'ALB-hours', hours, p.albHour);
        add(r, 'LCU-hours', assumptions.albLcu * hours, p.albLcuHour, true);
        // An internet-facing ALB holds a public IPv4 address in each of its subnets.
        if (b.internal !== true) add(r, 'public IPv4 address-hours', subnetCount(b) * hours, p.publicIpv4Hour);
        break;
      case 'aws_kms_key':
        add(r, 'key-months', 1, p.kmsKeyMonth);
        break;
      case 'aws_cloudwatch_metric_alarm':
        add(r, 'alarm-months (per metric)', alarmMetrics(b), p.cloudwatchAlarmMonth);
        break;
      case 'aws_autoscaling_policy':
      case 'aws_appautoscaling_policy':
        // Target tracking creates and bills two alarms of its own (high and low).
        if (b.policy_type === 'TargetTrackingScaling') add(r, 'alarm-months (created by target tracking)', 2, p.cloudwatchAlarmMonth);
        break;
      case 'aws_cloudwatch_dashboard':
        add(r, 'dashboard-months', 1, p.cloudwatchDashboardMonth);
        break;
      case 'aws_flow_log':
        add(r, 'GB of flow logs ingested', assumptions.flowLogGb, p.logsIngestGb, true);
        break;
      case 'aws_route53_zone':
        add(r, 'hosted zone-months', 1, table.global.route53ZoneMonth);
        break;
      case 'aws_route53_health_check': {
        add(r, 'health check-months', 1, table.global.route53HealthCheckMonth);
        const features = healthCheckFeatures(b);
        if (features.length > 0) add(r, `optional features (${features.join(', ')})`, features.length, table.global.route53HealthCheckFeatureMonth);
        break;
      }
      case 'aws_wafv2_web_acl': {
        // Every rule counts, a managed rule group as one; the baseline groups (common, known bad inputs, IP reputation) carry no subscription fee.
        const rules = Array.isArray(b.rule) ? b.rule.length : 0;
        add(r, 'web ACL-months', 1, table.global.wafWebAclMonth);
        if (rules > 0) add(r, 'rule-months', rules, table.global.wafRuleMonth);
        add(r, 'million requests inspected', assumptions.wafRequestMillions, table.global.wafRequestMillion, true);
        break;
      }
      case 'aws_s3_bucket':
        if (batchBuckets.has(r.id)) break;
        add(r, 'GB-months S3 Standard', assumptions.s3GbPerBucket, p.s3StandardGbMonth, true);
        break;
      case 'aws_dynamodb_table':
        add(r, 'GB-months stored', assumptions.dynamodbGbPerTable, p.dynamodbGbMonth, true);
        if (block(b.point_in_time_recovery)?.enabled === true) add(r, 'GB-months PITR', assumptions.dynamodbGbPerTable, p.dynamodbPitrGbMonth, true);
        break;
      case 'aws_rds_cluster_instance': {
        const instanceClass = String(b.instance_class);
        const discount = p.auroraReservedDiscount;
        const reserved = discount === undefined ? '' : ` (1-year reserved: ${Math.round(discount * 100)} % less)`;
        add(r, `${instanceClass} instance-hours${reserved}`, hours, auroraHourly(table, r.region, instanceClass));
        break;
      }
      case 'aws_rds_cluster':
        if (p.auroraStorageGbMonth === undefined || p.auroraIoMillion === undefined) throw new MissingPriceError(`no Aurora storage or I/O price in ${r.region}`);
        add(r, 'GB-months Aurora storage', assumptions.auroraGbPerCluster, p.auroraStorageGbMonth, true);
        add(r, 'million Aurora I/O requests', assumptions.auroraIoMillionsPerCluster, p.auroraIoMillion, true);
        break;
      default:
        if (USAGE_ONLY[r.type]) usage.add(USAGE_ONLY[r.type]!);
    }
  }

  // Fargate bills each running task's vCPU and GB by the hour; Spot tasks at the table's discount.
  for (const service of fargateTasks(model.resources)) {
    const p = regionPrices(table, service.resource.region);
    if (p.fargateVcpuHour === undefined || p.fargateGbHour === undefined || p.fargateSpotDiscount === undefined) {
      throw new MissingPriceError(`no Fargate vCPU, GB or Spot price in ${service.resource.region}`);
    }
    const spot = 1 - p.fargateSpotDiscount;
    for (const [tasks, kind, factor] of [[service.onDemandTasks, 'on demand', 1], [service.spotTasks, 'Spot', spot]] as const) {
      if (tasks === 0) continue;
      add(service.resource, `Fargate vCPU-hours (${kind}, ${tasks} tasks at the minimum)`, tasks * service.vcpu * hours, p.fargateVcpuHour * factor);
      add(service.resource, `Fargate GB-hours (${kind}, ${tasks} tasks at the minimum)`, tasks * service.memoryGb * hours, p.fargateGbHour * factor);
    }
  }

  // Provisioned concurrency is held (and billed) whether or not requests come; requests and duration stay usage-only.
  for (const held of provisionedConcurrency(model.resources, hours)) {
    const p = regionPrices(table, held.resource.region);
    const perGbSecond = held.architecture === 'arm64' ? p.lambdaProvisionedArmGbSecond : p.lambdaProvisionedGbSecond;
    if (perGbSecond === undefined) throw new MissingPriceError(`no Lambda provisioned-concurrency price (${held.architecture}) in ${held.resource.region}`);
    add(held.resource, `GB-hours of provisioned concurrency (${held.architecture})`, held.concurrencyHours * held.memoryGb, perGbSecond * 3600);
  }

  // Biggest first; ties by name so the output is stable.
  lines.sort((a, b) => b.monthly - a.monthly || a.resource.localeCompare(b.resource) || a.unit.localeCompare(b.unit));
  const monthly = cents(lines.reduce((sum, l) => sum + l.monthly, 0));
  const fleetMonthly = fleets.reduce((sum, f) => sum + f.monthly, 0);
  return {
    stack: model.name,
    lines,
    fleets,
    monthly,
    baselines: {
      staticPeak: cents(monthly - fleetMonthly + fleets.reduce((sum, f) => sum + f.staticPeakMonthly, 0)),
      allOnDemand: cents(monthly - fleetMonthly + fleets.reduce((sum, f) => sum + f.allOnDemandMonthly, 0)),
    },
    usageOnly: [...usage].sort(),
    ...(batches.length > 0
      ? {
          batch: batches.map((e) => ({
            runner: e.batch.runner,
            region: e.batch.region,
            instanceHours: e.instanceHours,
            instanceMonthly: cents(e.instanceMonthly),
            ...(e.transitionsPerRun === undefined ? {} : { transitionsPerRun: e.transitionsPerRun }),
            inputs: e.inputs.source,
          })),
        }
      : {}),
  };
}

/** Capacity segments over a month: [hours, units]. */
export function capacityThroughMonth(fleet: Fleet, basis: CapacityBasis, hoursPerMonth: number): Array<[number, number]> {
  if (typeof basis === 'number') return [[hoursPerMonth, basis]];
  if (basis === 'min') return [[hoursPerMonth, fleet.minSize]];
  if (basis === 'max') return [[hoursPerMonth, fleet.maxSize]];
  if (basis === 'desired' || fleet.schedules.length === 0) return [[hoursPerMonth, fleet.desiredCapacity]];
  // A representative week (Monday 00:00 UTC, 2024-01-01), scaled to the month.
  const from = Date.UTC(2024, 0, 1);
  const to = from + 7 * 24 * 3600_000;
  let sizes = { minSize: fleet.minSize, maxSize: fleet.maxSize, desiredCapacity: fleet.desiredCapacity };
  let cursor = from;
  const segments: Array<[number, number]> = [];
  for (const event of scheduleEvents(fleet.schedules, from, to)) {
    const at = Math.max(event.at, from);
    if (at > cursor) segments.push([((at - cursor) / (to - from)) * hoursPerMonth, sizes.desiredCapacity]);
    cursor = at;
    sizes = applyScheduledAction(sizes, event.action);
  }
  segments.push([((to - cursor) / (to - from)) * hoursPerMonth, sizes.desiredCapacity]);
  return segments.filter(([h]) => h > 0);
}

function estimateFleet(fleet: Fleet, table: PriceTable, basis: CapacityBasis): FleetEstimate {
  const prices = unitPrices(fleet, table);
  const odType = prices.onDemandType;
  const odHourly = prices.onDemandPerUnitHour * odType.weight;
  const gp3 = regionPrices(table, fleet.region).ebsGp3GbMonth;
  const volumesMonthly = (instanceHours: number): number => (instanceHours / table.hoursPerMonth) * fleet.volumeGbPerInstance * gp3;

  let onDemandInstanceHours = 0;
  let spotUnitHours = 0;
  let unitHours = 0;
  let allOnDemandInstanceHours = 0;
  for (const [hours, units] of capacityThroughMonth(fleet, basis, table.hoursPerMonth)) {
    const split = splitCapacity(units, fleet.distribution);
    onDemandInstanceHours += instancesFor(split.onDemandUnits, odType.weight) * hours;
    spotUnitHours += split.spotUnits * hours;
    unitHours += units * hours;
    allOnDemandInstanceHours += instancesFor(units, odType.weight) * hours;
  }
  const spotInstanceHours = spotUnitHours * prices.spotInstancesPerUnit;
  const monthly = onDemandInstanceHours * odHourly + spotUnitHours * prices.spotPerUnitHour + volumesMonthly(onDemandInstanceHours + spotInstanceHours);
  const peakInstances = instancesFor(fleet.maxSize, odType.weight);
  return {
    name: fleet.name,
    region: fleet.region,
    averageUnits: unitHours / table.hoursPerMonth,
    onDemandInstanceHours,
    spotUnitHours,
    prices,
    staticPeakMonthly: cents(peakInstances * table.hoursPerMonth * odHourly + volumesMonthly(peakInstances * table.hoursPerMonth)),
    allOnDemandMonthly: cents(allOnDemandInstanceHours * odHourly + volumesMonthly(allOnDemandInstanceHours)),
    monthly: cents(monthly),
  };
}

function fleetLines(fleet: Fleet, estimate: FleetEstimate, table: PriceTable): LineItem[] {
  const p: RegionPrices = regionPrices(table, fleet.region);
  const { prices } = estimate;
  const od = prices.onDemandType;
  const resource = `${fleet.name} (Auto Scaling group)`;
  const spotInstanceHours = estimate.spotUnitHours * prices.spotInstancesPerUnit;
  const volumeGbMonths = ((estimate.onDemandInstanceHours + spotInstanceHours) / table.hoursPerMonth) * fleet.volumeGbPerInstance;
  const lines: LineItem[] = [];
  const push = (unit: string, quantity: number, unitPrice: number): void => {
    if (quantity > 0) lines.push({ resource, region: fleet.region, unit, quantity, unitPrice, monthly: cents(quantity * unitPrice) });
  };
  push(`${od.type} on-demand instance-hours`, estimate.onDemandInstanceHours, prices.onDemandPerUnitHour * od.weight);
  push(`Spot unit-hours (mean of ${prices.spotPools.length} pool${prices.spotPools.length === 1 ? '' : 's'})`, estimate.spotUnitHours, prices.spotPerUnitHour);
  push('gp3 GB-months (instance volumes)', volumeGbMonths, p.ebsGp3GbMonth);
  return lines;
}

function resourceLabel(stack: string, r: PlacedResource): string {
  const meta = block(block(r.body['//'])?.metadata);
  const path = typeof meta?.path === 'string' ? meta.path : `${r.type}.${r.id}`;
  return path.startsWith(`${stack}/`) ? path.slice(stack.length + 1) : path;
}

function subnetCount(b: Block): number {
  if (Array.isArray(b.subnets)) return b.subnets.length;
  return Array.isArray(b.subnet_mapping) ? b.subnet_mapping.length : 1;
}

function alarmMetrics(b: Block): number {
  if (!Array.isArray(b.metric_query)) return 1;
  return Math.max(1, (b.metric_query as Block[]).filter((q) => q.metric !== undefined).length);
}

/** Route 53 bills each of these per health check on top of the basic check. */
export function healthCheckFeatures(b: Block): string[] {
  const type = String(b.type ?? '');
  const features: string[] = [];
  if (type.startsWith('HTTPS')) features.push('HTTPS');
  if (type.endsWith('STR_MATCH') || b.search_string !== undefined) features.push('string matching');
  if (Number(b.request_interval ?? 30) === 10) features.push('fast interval');
  if (b.measure_latency === true) features.push('latency measurement');
  return features;
}
