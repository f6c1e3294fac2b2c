/**
 * Cost estimate: the pricing arithmetic and the split against hand-worked
 * numbers (the guide's own among them), the estimate of a hand-made stack,
 * the CLI's output for prod (golden) and a cost diff between two synth outputs.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costReport, parseCostArgs } from '../../../tools/cost/main';
import { capacityThroughMonth, DEFAULT_ASSUMPTIONS, estimateStack, healthCheckFeatures } from '../../../tools/synth-model/estimate';
import type { PriceTable, RegionPrices } from '../../../tools/synth-model/price-table';
import { purchaseOptionRows, SEED_M5_XLARGE_US_EAST_1, SEED_WEB_TIER } from '../../../tools/synth-model/seed-figures';
import { cents, instancesFor, splitCapacity, unitPrices } from '../../../tools/synth-model/split';
import { readStack, type Fleet } from '../../../tools/synth-model/stack-model';
import type { TfJson } from '../../../tools/synth-model/tf-json';
import { synthApp } from '../../support/synth';

/** A small price table with round numbers, so every expectation can be worked by hand. */
function testPrices(): PriceTable {
  const region: RegionPrices = {
    location: 'Test',
    onDemand: { 'a.small': 0.1, 'a.large': 0.2, 'b.small': 0.08, 'm5.xlarge': 0.192 },
    spotDiscount: { 'a.small': 0.7, 'a.large': 0.6, 'b.small': 0.5, 'm5.xlarge': 0.7 },
    ebsGp3GbMonth: 0.08,
    natGatewayHour: 0.05,
    natGatewayGb: 0.05,
    interfaceEndpointHour: 0.01,
    interfaceEndpointGb: 0.01,
    albHour: 0.02,
    albLcuHour: 0.008,
    publicIpv4Hour: 0.005,
    cloudwatchAlarmMonth: 0.1,
    cloudwatchDashboardMonth: 3,
    logsIngestGb: 0.5,
    kmsKeyMonth: 1,
    s3StandardGbMonth: 0.025,
    dynamodbGbMonth: 0.25,
    dynamodbPitrGbMonth: 0.2,
    lambdaProvisionedGbSecond: 0.000005,
    lambdaProvisionedArmGbSecond: 0.000004,
    fargateVcpuHour: 0.04,
    fargateGbHour: 0.004,
    fargateSpotDiscount: 0.7,
  };
  return {
    source: 'test',
    date: '2026-01-01',
    currency: 'USD',
    hoursPerMonth: 730,
    global: { route53ZoneMonth: 0.5, route53HealthCheckMonth: 0.5, route53HealthCheckFeatureMonth: 1, wafWebAclMonth: 5, wafRuleMonth: 1, wafRequestMillion: 0.6 },
    regions: { 'test-east-1': region },
  };
}

const distribution = { onDemandBase: 2, onDemandPercentAboveBase: 20, onDemandStrategy: 'prioritized' as const, spotStrategy: 'capacity-optimized' as const };

describe("the guide's price table (m5.xlarge, us-east-1)", () => {
  const rows = purchaseOptionRows(SEED_M5_XLARGE_US_EAST_1, 730);

  it('730-hour months: $0.192 → $140.16, $0.120 → $87.60, $0.125 → $91.25, $0.058 → $42.34, $0.019 → $13.87', () => {
    expect(rows.map((r) => r.monthly)).toEqual([140.16, 87.6, 91.25, 42.34, 13.87]);
  });

  it('discount column 37 / 35 / 70 / 90 %', () => {
    // 1 − 0.120/0.192 = 37.5 % exactly (the guide prints 37); 34.9 → 35; 69.8 → 70; 90.1 → 90.
    expect(rows.map((r) => r.discountPercent)).toEqual([undefined, 37, 35, 70, 90]);
  });

  it("web-tier before: 10 × $0.192 × 730 h = $1,401.60, the guide's $1,401", () => {
    expect(cents(SEED_WEB_TIER.staticInstances * SEED_M5_XLARGE_US_EAST_1[0].hourly * 730)).toBe(1401.6);
    expect(Math.floor(1401.6)).toBe(SEED_WEB_TIER.before);
  });
});

describe('mixed-instances split', () => {
  it('quiz Q2: 12 instances, base 2, 20 % above → 4 on-demand + 8 Spot', () => {
    expect(splitCapacity(12, distribution)).toEqual({ onDemandUnits: 4, spotUnits: 8 });
  });

  it('weighted Q2: 12 units with t3.medium (1) first and m5.large (2) for Spot → 4 on-demand instances, 4 Spot instances', () => {
    const split = splitCapacity(12, distribution);
    expect(instancesFor(split.onDemandUnits, 1)).toBe(4);
    expect(instancesFor(split.spotUnits, 2)).toBe(4);
    // Had Spot come as t3.medium (weight 1) it would be 8 instances for the same 8 units.
    expect(instancesFor(split.spotUnits, 1)).toBe(8);
    // An odd unit count overshoots rather than falls short: 3 units of weight 2 → 2 instances.
    expect(instancesFor(3, 2)).toBe(2);
  });

  it('rounds a fraction up in favour of on-demand, without float noise', () => {
    // prod's desired 4: base 2, 2 above × 20 % = 0.4 → 1 on-demand.
    expect(splitCapacity(4, distribution)).toEqual({ onDemandUnits: 3, spotUnits: 1 });
    // 10 × 20 % is exactly 2: must not become 3.
    expect(splitCapacity(12, distribution).onDemandUnits).toBe(4);
    // Below the base everything is on-demand.
    expect(splitCapacity(1, distribution)).toEqual({ onDemandUnits: 1, spotUnits: 0 });
    // dev: all Spot.
    expect(splitCapacity(3, { ...distribution, onDemandBase: 0, onDemandPercentAboveBase: 0 })).toEqual({ onDemandUnits: 0, spotUnits: 3 });
  });
});

function fleet(overrides: Partial<Fleet> = {}): Fleet {
  return {
    address: 'aws_autoscaling_group.g',
    path: 's/g',
    name: 'web',
    region: 'test-east-1',
    minSize: 2,
    maxSize: 10,
    desiredCapacity: 4,
    defaultWarmupSeconds: 120,
    defaultCooldownSeconds: 300,
    capacityRebalance: true,
    distribution,
    overrides: [
      { type: 'a.small', weight: 1 },
      { type: 'b.small', weight: 1 },
      { type: 'a.large', weight: 2 },
    ],
    volumeGbPerInstance: 10,
    policies: [],
    schedules: [],
    ...overrides,
  };
}

describe('unit prices', () => {
  it('prioritized on-demand takes the first override; capacity-optimized Spot is the mean over pools', () => {
    const prices = unitPrices(fleet(), testPrices());
    expect(prices.onDemandType.type).toBe('a.small');
    expect(prices.onDemandPerUnitHour).toBeCloseTo(0.1, 10);
    // Spot per unit: a.small 0.1×0.3 = 0.03; b.small 0.08×0.5 = 0.04; a.large 0.2×0.4/2 = 0.04 → mean 0.11/3.
    expect(prices.spotPerUnitHour).toBeCloseTo(0.11 / 3, 10);
    // Instances per Spot unit: (1 + 1 + 0.5) / 3.
    expect(prices.spotInstancesPerUnit).toBeCloseTo(2.5 / 3, 10);
  });

  it('lowest-price Spot takes the cheapest pool; lowest-price on-demand the cheapest per unit', () => {
    const f = fleet({ distribution: { ...distribution, onDemandStrategy: 'lowest-price', spotStrategy: 'lowest-price' } });
    const prices = unitPrices(f, testPrices());
    expect(prices.onDemandType.type).toBe('b.small');
    expect(prices.spotPools.map((p) => p.type)).toEqual(['a.small']);
    expect(prices.spotPerUnitHour).toBeCloseTo(0.03, 10);
  });
});

describe('capacity through the month', () => {
  it("replays scheduled actions over a week: dev's 12 h on weekdays only → 60/168 of 730 h at 1 unit", () => {
    const schedules = [
      { name: 'wake', recurrence: '0 8 * * 1-5', timeZone: 'Asia/Seoul', minSize: 1, maxSize: 4, desiredCapacity: 1 },
      { name: 'sleep', recurrence: '0 20 * * 1-5', timeZone: 'Asia/Seoul', minSize: 0, maxSize: 2, desiredCapacity: 0 },
    ];
    const segments = capacityThroughMonth(fleet({ minSize: 1, desiredCapacity: 1, schedules }), 'scheduled', 730);
    const hoursAt = (units: number): number => segments.filter(([, u]) => u === units).reduce((sum, [h]) => sum + h, 0);
    expect(hoursAt(1)).toBeCloseTo((60 / 168) * 730, 9);
    expect(hoursAt(0)).toBeCloseTo((108 / 168) * 730, 9);
  });

  it('desired, min, max and a number mean what they say', () => {
    const f = fleet();
    expect(capacityThroughMonth(f, 'desired', 730)).toEqual([[730, 4]]);
    expect(capacityThroughMonth(f, 'min', 730)).toEqual([[730, 2]]);
    expect(capacityThroughMonth(f, 'max', 730)).toEqual([[730, 10]]);
    expect(capacityThroughMonth(f, 7, 730)).toEqual([[730, 7]]);
  });
});

/** A stack written by hand: one of everything the estimate prices. */
function handMadeStack(): TfJson {
  return {
    terraform: {},
    provider: { aws: [{ region: 'test-east-1' }] },
    resource: {
      aws_launch_template: { lt: { instance_type: 'a.small', block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_type: 'gp3', volume_size: 10 } }] } },
      aws_autoscaling_group: {
        g: {
          name: 'web',
          min_size: 2,
          max_size: 10,
          desired_capacity: 4,
          mixed_instances_policy: {
            instances_distribution: { on_demand_base_capacity: 2, on_demand_percentage_above_base_capacity: 20, spot_allocation_strategy: 'capacity-optimized' },
            launch_template: {
              launch_template_specification: { launch_template_id: '${aws_launch_template.lt.id}' },
              override: [
                { instance_type: 'a.small', weighted_capacity: '1' },
                { instance_type: 'b.small', weighted_capacity: '1' },
                { instance_type: 'a.large', weighted_capacity: '2' },
              ],
            },
          },
        },
      },
      aws_autoscaling_policy: {
        cpu: { autoscaling_group_name: '${aws_autoscaling_group.g.name}', name: 'cpu', policy_type: 'TargetTrackingScaling', target_tracking_configuration: { target_value: 70, predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' } } },
      },
      aws_nat_gateway: { nat: {} },
      aws_eip: { ip: {} },
      aws_lb: { alb: { internal: false, subnets: ['a', 'b'] } },
      aws_kms_key: { key: {} },
      aws_cloudwatch_metric_alarm: { alarm: { metric_name: 'CPUUtilization' } },
      aws_cloudwatch_dashboard: { dash: {} },
      aws_route53_health_check: { hc: { type: 'HTTPS', request_interval: 10 } },
      aws_dynamodb_table: { locks: { point_in_time_recovery: { enabled: true } } },
      aws_lambda_function: { fn: {} },
      aws_vpc_endpoint: { ssm: { vpc_endpoint_type: 'Interface', subnet_ids: ['a', 'b'] }, s3: { vpc_endpoint_type: 'Gateway' } },
      aws_wafv2_web_acl: { acl: { rule: [{ name: 'rate' }, { name: 'common' }, { name: 'bad-inputs' }] } },
    },
  };
}

describe('estimate of a hand-made stack', () => {
  const estimate = estimateStack(readStack('s', handMadeStack()), testPrices(), { ...DEFAULT_ASSUMPTIONS, dynamodbGbPerTable: 1 }, 'desired');
  const monthlyOf = (unit: string): number => estimate.lines.filter((l) => l.unit.startsWith(unit)).reduce((sum, l) => sum + l.monthly, 0);

  it('prices every billable resource from the table', () => {
    // desired 4 → 3 on-demand a.small (0.1/h) + 1 Spot unit (0.11/3 per h).
    expect(monthlyOf('a.small on-demand')).toBe(cents(3 * 730 * 0.1)); // 219.00
    expect(monthlyOf('Spot unit-hours')).toBe(cents((730 * 0.11) / 3)); // 26.77
    // Volumes: (3 + 2.5/3) instances × 10 GB × 0.08.
    expect(monthlyOf('gp3')).toBe(cents((3 + 2.5 / 3) * 10 * 0.08)); // 3.07
    expect(monthlyOf('NAT gateway-hours')).toBe(36.5);
    expect(monthlyOf('GB processed')).toBe(5); // 100 GB assumed × 0.05
    // EIP (730 h) + the ALB's two public addresses (1,460 h), at 0.005.
    expect(monthlyOf('public IPv4')).toBe(10.95);
    expect(monthlyOf('ALB-hours')).toBe(14.6);
    expect(monthlyOf('LCU-hours')).toBe(5.84);
    expect(monthlyOf('key-months')).toBe(1);
    expect(monthlyOf('alarm-months (per metric)')).toBe(0.1);
    // Target tracking's own two alarms are billed too.
    expect(monthlyOf('alarm-months (created by target tracking)')).toBe(0.2);
    expect(monthlyOf('dashboard-months')).toBe(3);
    // Health check: basic 0.50 + HTTPS + fast interval at 1.00 each.
    expect(monthlyOf('health check-months')).toBe(0.5);
    expect(monthlyOf('optional features')).toBe(2);
    expect(monthlyOf('GB-months stored')).toBe(0.25);
    expect(monthlyOf('GB-months PITR')).toBe(0.2);
    // The interface endpoint bills each of its two AZs (2 × 730 h × 0.01) and 1 GB assumed; the gateway endpoint is free.
    expect(monthlyOf('endpoint-AZ-hours')).toBe(14.6);
    expect(monthlyOf('endpoint GB processed')).toBe(0.01);
    // The web ACL: 5 a month, 1 per rule, and 10 million requests assumed at 0.60.
    expect(monthlyOf('web ACL-months')).toBe(5);
    expect(monthlyOf('rule-months')).toBe(3);
    expect(monthlyOf('million requests inspected')).toBe(6);
    expect(estimate.usageOnly).toEqual(['Lambda (requests and GB-seconds)']);
    expect(estimate.monthly).toBe(cents(estimate.lines.reduce((sum, l) => sum + l.monthly, 0)));
  });

  it('baselines: static peak is max capacity on-demand; same capacity on-demand is 4 a.small', () => {
    const others = estimate.monthly - estimate.fleets[0]!.monthly;
    // 10 × a.small × 730 h × 0.1 + 10 volumes × 10 GB × 0.08.
    expect(estimate.baselines.staticPeak).toBe(cents(others + 730 + 8));
    expect(estimate.baselines.allOnDemand).toBe(cents(others + 4 * 73 + 3.2));
    expect(estimate.monthly).toBeLessThan(estimate.baselines.allOnDemand);
  });

  it('Route 53 and health-check features are global, and each optional feature is billed', () => {
    expect(estimate.lines.filter((l) => l.resource.startsWith('aws_route53')).every((l) => l.region === 'global')).toBe(true);
    expect(healthCheckFeatures({ type: 'HTTPS_STR_MATCH', request_interval: 10, measure_latency: true })).toEqual(['HTTPS', 'string matching', 'fast interval', 'latency measurement']);
    expect(healthCheckFeatures({ type: 'HTTP', request_interval: 30 })).toEqual([]);
  });
});

describe('npm run cost', () => {
  it('golden: the output for prod', async () => {
    const { outdir } = await synthApp();
    const report = costReport(parseCostArgs(['prod', '--out', outdir]));
    await expect(report).toMatchFileSnapshot('__golden__/cost-prod.txt');
    // Properties that must hold whatever the golden says.
    expect(report).toContain('web-app-prod-web (Auto Scaling group)');
    expect(report).toContain('web-app-prod-dr-web (Auto Scaling group)');
    expect(report).toMatch(/ap-northeast-1 .*NAT gateway-hours/);
  });

  it('prices the state backend, every environment and the standby region', async () => {
    const { outdir } = await synthApp();
    const json = JSON.parse(costReport(parseCostArgs(['--json', '--out', outdir]))) as { stacks: Array<{ stack: string; monthly: number; lines: Array<{ region: string; unit: string }> }> };
    expect(json.stacks.map((s) => s.stack)).toEqual(['state-backend', 'dev', 'prod', 'staging']);
    const backend = json.stacks.find((s) => s.stack === 'state-backend')!;
    expect(backend.lines.map((l) => l.unit)).toEqual(expect.arrayContaining(['key-months', 'GB-months S3 Standard', 'GB-months stored', 'GB-months PITR']));
    const prod = json.stacks.find((s) => s.stack === 'prod')!;
    expect(new Set(prod.lines.map((l) => l.region))).toEqual(new Set(['ap-northeast-2', 'ap-northeast-1', 'us-east-1', 'global']));
    for (const s of json.stacks) expect(s.monthly).toBeGreaterThan(0);
  });

  it('--compare: a cost diff between two synth outputs, line by line', async () => {
    const { outdir } = await synthApp();
    // The pull request: prod's desired capacity 4 → 12.
    const head = mkdtempSync(join(tmpdir(), 'cost-head-'));
    cpSync(outdir, head, { recursive: true });
    const file = join(head, 'stacks', 'prod', 'cdk.tf.json');
    const stack = JSON.parse(readFileSync(file, 'utf8')) as TfJson;
    const group = Object.values(stack.resource!.aws_autoscaling_group!).find((g) => g.name === 'web-app-prod-web')!;
    group.desired_capacity = 12;
    writeFileSync(file, JSON.stringify(stack));

    const diff = JSON.parse(costReport(parseCostArgs(['--json', '--out', head, '--compare', outdir]))) as {
      diffs: Array<{ stack: string; before: number; after: number; changes: Array<{ unit: string; before: number; after: number }> }>;
    };
    const prod = diff.diffs.find((d) => d.stack === 'prod')!;
    // 4 → 12 units: on-demand 3 → 4 instances (Q2), Spot 1 → 8 units.
    const od = prod.changes.find((c) => c.unit.includes('on-demand instance-hours'))!;
    expect(od.after / od.before).toBeCloseTo(4 / 3, 2);
    const spot = prod.changes.find((c) => c.unit.startsWith('Spot'))!;
    expect(spot.after / spot.before).toBeCloseTo(8, 1);
    for (const other of diff.diffs.filter((d) => d.stack !== 'prod')) expect(other.changes).toEqual([]);
    expect(costReport(parseCostArgs(['--out', head, '--compare', outdir]))).toMatch(/prod +\$[\d,.]+ +\$[\d,.]+ +\+\$/);
  });

  it('bad arguments are named', () => {
    expect(() => parseCostArgs(['--assume', 'natGB=1'])).toThrow(/unknown key natGB/);
    expect(() => parseCostArgs(['--capacity', 'lots'])).toThrow(/--capacity/);
    expect(() => parseCostArgs(['--spot-discount', 'm5.large=1.5'])).toThrow(/fraction/);
  });
});
