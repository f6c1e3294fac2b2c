/**
 * The batch tier's monthly cost. The workflow runner is paid for by use: the
 * Spot hours of the jobs expected (batch.expected, from the environment
 * file), the state transitions each run takes (counted on the synthesized
 * definition's happy path), the buckets' storage and requests, and the sweep
 * that runs every few minutes. The spot-fleet runner is paid for by the hour,
 * 24/7, its on-demand part at the on-demand price and the rest at Spot.
 */
import { defaultBatchInputs, type BatchInputs } from './batch-inputs';
import { readBatch, transitionsPerRun, type BatchFleetModel, type BatchModel, type BatchWorkflowModel } from './batch-model';
import { MissingPriceError, onDemandHourly, regionPrices, spotHourly, type PriceTable } from './price-table';
import type { PlacedResource, StackModel } from './stack-model';
import { block } from './tf-json';

/**
 * Seconds from createFleet to the instance running, for the boot polling
 * loop's rounds (EC2 reports `running` well before the OS has booted; the
 * SSM agent's registration then lands inside the first job round).
 */
export const BATCH_BOOT_SECONDS = 60;
/** Requests one run makes: the object put into the input bucket, the instance's GET of it, its PUT of the result. */
const PUTS_PER_RUN = 2;
const GETS_PER_RUN = 1;
/** How long one sweep invocation is assumed to run (it lists and terminates a few instances). */
const SWEEP_SECONDS = 1;

/** One priced line, before the estimate adds its region and rounds it (estimate.ts's `add`). */
export interface BatchLine {
  resource: PlacedResource;
  unit: string;
  quantity: number;
  unitPrice: number;
  assumed?: boolean;
}

export interface BatchEstimate {
  batch: BatchModel;
  inputs: BatchInputs;
  lines: BatchLine[];
  /** Buckets priced here at batch.expected.storedGiB, which the estimate's per-bucket assumption must skip. */
  bucketIds: Set<string>;
  /** Instance-hours a month and what they cost: the guide table's batch row. */
  instanceHours: number;
  instanceMonthly: number;
  /** State transitions of one run, when the runner is the workflow. */
  transitionsPerRun?: number;
}

export function estimateBatch(model: StackModel, table: PriceTable, inputs: BatchInputs | undefined): BatchEstimate[] {
  return readBatch(model).map((batch) => {
    const given = inputs ?? defaultBatchInputs();
    const buckets = batchBuckets(model, batch);
    return batch.runner === 'workflow' ? workflowCost(model, batch, table, given, buckets) : fleetCost(batch, table, given, buckets);
  });
}

function workflowCost(model: StackModel, batch: BatchWorkflowModel, table: PriceTable, inputs: BatchInputs, buckets: PlacedResource[]): BatchEstimate {
  const p = regionPrices(table, batch.region);
  const { jobsPerDay, minutesPerJob, storedGiB } = inputs.expected;
  const runs = (jobsPerDay * table.hoursPerMonth) / 24;
  const type = batch.instanceTypes[0]!;
  const instanceHours = (runs * minutesPerJob) / 60;
  const spot = spotHourly(table, batch.region, type);
  const lines: BatchLine[] = [];
  const machine = batch.stateMachine;
  lines.push({ resource: machine, unit: `${type} Spot instance-hours (${fmt(jobsPerDay)} jobs a day × ${fmt(minutesPerJob)} min)`, quantity: instanceHours, unitPrice: spot, assumed: true });
  if (batch.volumeGbPerInstance > 0) {
    lines.push({ resource: machine, unit: 'gp3 GB-months (batch instance volumes)', quantity: (instanceHours / table.hoursPerMonth) * batch.volumeGbPerInstance, unitPrice: p.ebsGp3GbMonth, assumed: true });
  }
  const perRun = transitionsPerRun(batch.path, minutesPerJob * 60, BATCH_BOOT_SECONDS);
  const loops = batch.path.loops.map((l) => `${l.waitsFor} poll every ${l.waitSeconds} s`).join(', ');
  lines.push({
    resource: machine,
    unit: `thousand state transitions (${perRun} a run: ${batch.path.states.length} states${loops ? `, ${loops}` : ''})`,
    quantity: (runs * perRun) / 1000,
    unitPrice: need(p.stepFunctionsTransitionThousand, 'Step Functions state-transition', batch.region),
    assumed: true,
  });
  lines.push(...bucketLines(buckets, table, batch.region, storedGiB, runs));
  const sweep = sweepLine(model, batch.region, table);
  if (sweep) lines.push(sweep);
  return { batch, inputs, lines, bucketIds: new Set(buckets.map((b) => b.id)), instanceHours, instanceMonthly: instanceHours * spot, transitionsPerRun: perRun };
}

function fleetCost(batch: BatchFleetModel, table: PriceTable, inputs: BatchInputs, buckets: PlacedResource[]): BatchEstimate {
  const p = regionPrices(table, batch.region);
  const hours = table.hoursPerMonth;
  const onDemandType = batch.onDemandAllocationStrategy === 'prioritized' ? batch.instanceTypes[0]! : cheapest(batch.instanceTypes, (t) => onDemandHourly(table, batch.region, t));
  const pools = spotPools(batch, (t) => spotHourly(table, batch.region, t));
  const spotMean = pools.reduce((sum, t) => sum + spotHourly(table, batch.region, t), 0) / pools.length;
  const spotInstances = batch.targetCapacity - batch.onDemandTargetCapacity;
  const lines: BatchLine[] = [];
  const push = (unit: string, quantity: number, unitPrice: number): void => {
    if (quantity > 0) lines.push({ resource: batch.fleet, unit, quantity, unitPrice });
  };
  push(`${onDemandType} on-demand instance-hours (Spot Fleet, ${batch.onDemandTargetCapacity} on demand 24/7)`, batch.onDemandTargetCapacity * hours, onDemandHourly(table, batch.region, onDemandType));
  push(`Spot instance-hours (Spot Fleet ${batch.allocationStrategy}, mean of ${pools.join(', ')})`, spotInstances * hours, spotMean);
  push('gp3 GB-months (batch instance volumes)', batch.targetCapacity * batch.volumeGbPerInstance, p.ebsGp3GbMonth);
  const runs = (inputs.expected.jobsPerDay * hours) / 24;
  lines.push(...bucketLines(buckets, table, batch.region, inputs.expected.storedGiB, runs));
  const instanceMonthly = hours * (batch.onDemandTargetCapacity * onDemandHourly(table, batch.region, onDemandType) + spotInstances * spotMean);
  return { batch, inputs, lines, bucketIds: new Set(buckets.map((b) => b.id)), instanceHours: batch.targetCapacity * hours, instanceMonthly };
}

/** The pools Spot Fleet draws from, as the group's arithmetic reads them (split.ts): by spare capacity all of them; by price the cheapest. */
function spotPools(batch: BatchFleetModel, spot: (type: string) => number): string[] {
  const byPrice = [...batch.instanceTypes].sort((a, b) => spot(a) - spot(b));
  if (batch.allocationStrategy === 'lowestPrice') return byPrice.slice(0, 1);
  if (batch.allocationStrategy === 'priceCapacityOptimized') return byPrice.slice(0, 2);
  return batch.instanceTypes;
}

function cheapest(types: string[], price: (type: string) => number): string {
  return [...types].sort((a, b) => price(a) - price(b))[0]!;
}

/** storedGiB over the input and output buckets together (split evenly), and each run's requests. */
function bucketLines(buckets: PlacedResource[], table: PriceTable, region: string, storedGiB: number, runs: number): BatchLine[] {
  if (buckets.length === 0) return [];
  const p = regionPrices(table, region);
  const lines: BatchLine[] = buckets.map((bucket) => ({ resource: bucket, unit: 'GB-months S3 Standard (batch.expected.storedGiB)', quantity: storedGiB / buckets.length, unitPrice: p.s3StandardGbMonth, assumed: true }));
  const first = buckets[0]!;
  lines.push({ resource: first, unit: `thousand PUT requests (${PUTS_PER_RUN} a run)`, quantity: (runs * PUTS_PER_RUN) / 1000, unitPrice: need(p.s3PutThousand, 'S3 PUT', region), assumed: true });
  lines.push({ resource: first, unit: `thousand GET requests (${GETS_PER_RUN} a run)`, quantity: (runs * GETS_PER_RUN) / 1000, unitPrice: need(p.s3GetThousand, 'S3 GET', region), assumed: true });
  return lines;
}

/** The batch tier's own buckets (input and output; their access-log bucket stays with the estimate's per-bucket assumption). */
function batchBuckets(model: StackModel, batch: BatchModel): PlacedResource[] {
  return model.resources.filter((r) => r.type === 'aws_s3_bucket' && r.region === batch.region && /\/batch\//.test(pathOf(r)) && /\b(input|output)\b/i.test(pathOf(r)));
}

/** The sweep: requests at its schedule's rate, and a second of its memory each; cents a month, shown so it is not mistaken for free. */
function sweepLine(model: StackModel, region: string, table: PriceTable): BatchLine | undefined {
  const sweep = model.resources.find((r) => r.type === 'aws_lambda_function' && r.region === region && /-batch-sweep$/.test(String(r.body.function_name ?? '')));
  if (!sweep) return undefined;
  const rule = model.resources.find((r) => r.type === 'aws_cloudwatch_event_rule' && r.region === region && /sweep/.test(`${String(r.body.name ?? '')} ${pathOf(r)}`) && typeof r.body.schedule_expression === 'string');
  const minutes = rateMinutes(String(rule?.body.schedule_expression ?? 'rate(15 minutes)'));
  const invocations = (table.hoursPerMonth * 60) / minutes;
  const p = regionPrices(table, region);
  const memoryGb = Number(sweep.body.memory_size ?? 128) / 1024;
  const perInvocation = need(p.lambdaRequestMillion, 'Lambda request', region) / 1e6 + memoryGb * SWEEP_SECONDS * need(p.lambdaGbSecond, 'Lambda GB-second', region);
  return { resource: sweep, unit: `sweep invocations (every ${minutes} min, ~${SWEEP_SECONDS} s at ${Math.round(memoryGb * 1024)} MB)`, quantity: invocations, unitPrice: perInvocation, assumed: true };
}

function rateMinutes(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression);
  if (!match) return 15;
  return Number(match[1]) * (match[2]!.startsWith('hour') ? 60 : 1);
}

function pathOf(r: PlacedResource): string {
  const meta = block(block(r.body['//'])?.metadata);
  return typeof meta?.path === 'string' ? meta.path : r.id;
}

function need(price: number | undefined, what: string, region: string): number {
  if (price === undefined) throw new MissingPriceError(`no ${what} price in ${region}; add it to the price table`);
  return price;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
