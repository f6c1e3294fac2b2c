/**
 * Reads what the cost estimate and the simulator need out of a synthesized
 * `cdk.tf.json`: the Auto Scaling groups as they will be created — sizes,
 * mixed-instances split, overrides, scaling policies with their alarms,
 * scheduled actions — and the region each resource lands in.
 *
 * It reads the Terraform JSON, not the environment files, so that what is
 * priced and simulated is exactly what `terraform apply` would build.
 */
import { block, type Block, type TfJson } from './tf-json';

export type SpotStrategy = 'capacity-optimized' | 'capacity-optimized-prioritized' | 'price-capacity-optimized' | 'lowest-price';

export interface InstanceOverride {
  type: string;
  /** Capacity units one instance of this type counts for. */
  weight: number;
}

export interface InstancesDistribution {
  /** Capacity units always on-demand. */
  onDemandBase: number;
  /** Percent of the capacity above the base that is on-demand. */
  onDemandPercentAboveBase: number;
  onDemandStrategy: 'prioritized' | 'lowest-price';
  spotStrategy: SpotStrategy;
}

export type Comparison = '>' | '>=' | '<' | '<=';

/** A CloudWatch alarm that drives a step or simple policy. */
export interface PolicyAlarm {
  /** `cpu` for the group's average CPUUtilization; anything else is not simulated. */
  metric: 'cpu' | 'other';
  metricName: string;
  comparison: Comparison;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  periodSeconds: number;
}

export type TrackedMetric = 'cpu' | 'requests-per-target' | 'other';

export interface TargetTrackingPolicy {
  kind: 'target-tracking';
  name: string;
  metric: TrackedMetric;
  target: number;
  disableScaleIn: boolean;
  /** Per-policy warm-up, seconds; the group's default instance warm-up when absent. */
  warmupSeconds?: number;
}

export interface PredictivePolicy {
  kind: 'predictive';
  name: string;
  mode: 'ForecastAndScale' | 'ForecastOnly';
  metric: TrackedMetric;
  target: number;
  /** Seconds ahead of each forecast hour that capacity is launched. */
  bufferSeconds: number;
  maxCapacityBreach: 'HonorMaxCapacity' | 'IncreaseMaxCapacity';
  /** Percent the forecast may lift max capacity by, with IncreaseMaxCapacity. */
  maxCapacityBufferPercent: number;
}

export interface StepAdjustment {
  /** Bounds relative to the alarm threshold; absent means unbounded. */
  lower?: number;
  upper?: number;
  adjustment: number;
}

export type AdjustmentType = 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';

export interface StepPolicy {
  kind: 'step';
  name: string;
  adjustmentType: AdjustmentType;
  steps: StepAdjustment[];
  alarm?: PolicyAlarm;
  warmupSeconds?: number;
}

export interface SimplePolicy {
  kind: 'simple';
  name: string;
  adjustmentType: AdjustmentType;
  adjustment: number;
  /** Seconds after an activity before the policy may act again (group default 300). */
  cooldownSeconds: number;
  alarm?: PolicyAlarm;
}

export type ScalingPolicy = TargetTrackingPolicy | PredictivePolicy | StepPolicy | SimplePolicy;

export interface ScheduledAction {
  name: string;
  /** Cron expression (minute hour day month weekday). */
  recurrence?: string;
  /** One-off start time, ISO 8601. */
  startTime?: string;
  timeZone: string;
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
}

/** One Auto Scaling group as synthesized. */
export interface Fleet {
  /** Terraform address, e.g. `aws_autoscaling_group.primary_fleet_group_E4430D3F`. */
  address: string;
  /** Construct path, e.g. `prod/primary/fleet/group`, when cdktf recorded one. */
  path: string;
  name: string;
  region: string;
  minSize: number;
  maxSize: number;
  /** Desired capacity at creation; the minimum when not set. */
  desiredCapacity: number;
  defaultWarmupSeconds: number;
  defaultCooldownSeconds: number;
  capacityRebalance: boolean;
  distribution: InstancesDistribution;
  /** Instance types in priority order. */
  overrides: InstanceOverride[];
  /** gp3 GB attached to each instance. */
  volumeGbPerInstance: number;
  policies: ScalingPolicy[];
  schedules: ScheduledAction[];
}

/** A resource with the region its provider points at. */
export interface PlacedResource {
  type: string;
  id: string;
  region: string;
  body: Block;
}

export interface StackModel {
  name: string;
  defaultRegion: string;
  resources: PlacedResource[];
  fleets: Fleet[];
}

const COMPARISONS: Record<string, Comparison> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** Builds the model of one synthesized stack. */
export function readStack(name: string, stack: TfJson): StackModel {
  const regions = providerRegions(name, stack);
  const defaultRegion = regions.get('aws') ?? '';
  const resources: PlacedResource[] = [];
  for (const [type, byId] of Object.entries(stack.resource ?? {})) {
    for (const [id, body] of Object.entries(byId)) {
      const provider = typeof body.provider === 'string' ? body.provider : 'aws';
      const region = regions.get(provider);
      if (!region) throw new Error(`${name}: ${type}.${id} uses provider ${provider}, which has no region`);
      resources.push({ type, id, region, body });
    }
  }
  const fleets = resources.filter((r) => r.type === 'aws_autoscaling_group').map((group) => readFleet(name, group, resources));
  return { name, defaultRegion, resources, fleets };
}

function providerRegions(stackName: string, stack: TfJson): Map<string, string> {
  const regions = new Map<string, string>();
  for (const config of stack.provider?.aws ?? []) {
    const key = typeof config.alias === 'string' ? `aws.${config.alias}` : 'aws';
    if (typeof config.region !== 'string') throw new Error(`${stackName}: provider ${key} has no literal region`);
    regions.set(key, config.region);
  }
  return regions;
}

function readFleet(stackName: string, group: PlacedResource, all: PlacedResource[]): Fleet {
  const body = group.body;
  const address = `aws_autoscaling_group.${group.id}`;
  const where = `${stackName}: ${address}`;
  const minSize = num(body.min_size, `${where}.min_size`);
  const maxSize = num(body.max_size, `${where}.max_size`);
  const mixed = block(body.mixed_instances_policy);
  const distribution = readDistribution(block(mixed?.instances_distribution));
  const template = findReferenced(all, 'aws_launch_template', launchTemplateRef(body, mixed));
  const overrides = readOverrides(mixed, template, where);
  const refersToGroup = (value: unknown): boolean => typeof value === 'string' && value.includes(`\${${address}.`);
  const defaultCooldownSeconds = body.default_cooldown === undefined ? 300 : num(body.default_cooldown, `${where}.default_cooldown`);

  const policies = all
    .filter((r) => r.type === 'aws_autoscaling_policy' && refersToGroup(r.body.autoscaling_group_name))
    .map((policy) => readPolicy(policy, all, defaultCooldownSeconds));
  const schedules = all
    .filter((r) => r.type === 'aws_autoscaling_schedule' && refersToGroup(r.body.autoscaling_group_name))
    .map((r) => readSchedule(r.body));

  return {
    address,
    path: metadataPath(body) ?? address,
    name: typeof body.name === 'string' ? body.name : group.id,
    region: group.region,
    minSize,
    maxSize,
    desiredCapacity: body.desired_capacity === undefined ? minSize : num(body.desired_capacity, `${where}.desired_capacity`),
    defaultWarmupSeconds: body.default_instance_warmup === undefined ? 300 : num(body.default_instance_warmup, `${where}.default_instance_warmup`),
    defaultCooldownSeconds,
    capacityRebalance: body.capacity_rebalance === true,
    distribution,
    overrides,
    volumeGbPerInstance: template ? gp3Gigabytes(template.body) : 0,
    policies,
    schedules,
  };
}

function readDistribution(d: Block | undefined): InstancesDistribution {
  // Without a mixed-instances policy every instance is on-demand: AWS's defaults are base 0, 100 % above.
  return {
    onDemandBase: d?.on_demand_base_capacity === undefined ? 0 : Number(d.on_demand_base_capacity),
    onDemandPercentAboveBase: d?.on_demand_percentage_above_base_capacity === undefined ? 100 : Number(d.on_demand_percentage_above_base_capacity),
    onDemandStrategy: d?.on_demand_allocation_strategy === 'lowest-price' ? 'lowest-price' : 'prioritized',
    spotStrategy: (typeof d?.spot_allocation_strategy === 'string' ? d.spot_allocation_strategy : 'lowest-price') as SpotStrategy,
  };
}

function readOverrides(mixed: Block | undefined, template: PlacedResource | undefined, where: string): InstanceOverride[] {
  const launch = block(mixed?.launch_template);
  const list = Array.isArray(launch?.override) ? (launch.override as Block[]) : [];
  if (list.length > 0) {
    return list.map((o, i) => {
      if (typeof o.instance_type !== 'string') throw new Error(`${where}: override ${i} has no literal instance_type (instance requirements are not priced)`);
      return { type: o.instance_type, weight: o.weighted_capacity === undefined ? 1 : num(o.weighted_capacity, `${where}: override ${i} weighted_capacity`) };
    });
  }
  const type = template?.body.instance_type;
  if (typeof type !== 'string') throw new Error(`${where}: no instance type in overrides or launch template`);
  return [{ type, weight: 1 }];
}

function launchTemplateRef(group: Block, mixed: Block | undefined): unknown {
  const fromMixed = block(block(block(mixed?.launch_template)?.launch_template_specification));
  return fromMixed?.launch_template_id ?? block(group.launch_template)?.id;
}

function gp3Gigabytes(template: Block): number {
  const devices = Array.isArray(template.block_device_mappings) ? (template.block_device_mappings as Block[]) : [];
  return devices.reduce((sum, d) => {
    const ebs = block(d.ebs);
    return ebs && ebs.volume_type === 'gp3' ? sum + Number(ebs.volume_size ?? 0) : sum;
  }, 0);
}

function readPolicy(policy: PlacedResource, all: PlacedResource[], groupCooldown: number): ScalingPolicy {
  const b = policy.body;
  const name = typeof b.name === 'string' ? b.name : policy.id;
  const type = typeof b.policy_type === 'string' ? b.policy_type : 'SimpleScaling';
  const adjustmentType = (typeof b.adjustment_type === 'string' ? b.adjustment_type : 'ChangeInCapacity') as AdjustmentType;
  const alarm = findAlarm(all, `aws_autoscaling_policy.${policy.id}`);
  const warmup = b.estimated_instance_warmup === undefined ? undefined : Number(b.estimated_instance_warmup);
  switch (type) {
    case 'TargetTrackingScaling': {
      const config = block(b.target_tracking_configuration) ?? {};
      return {
        kind: 'target-tracking',
        name,
        metric: trackedMetric(block(config.predefined_metric_specification)?.predefined_metric_type),
        target: Number(config.target_value),
        disableScaleIn: config.disable_scale_in === true,
        ...(warmup === undefined ? {} : { warmupSeconds: warmup }),
      };
    }
    case 'PredictiveScaling': {
      const config = block(b.predictive_scaling_configuration) ?? {};
      const spec = block(config.metric_specification) ?? {};
      const pair = block(spec.predefined_metric_pair_specification)?.predefined_metric_type;
      return {
        kind: 'predictive',
        name,
        mode: config.mode === 'ForecastAndScale' ? 'ForecastAndScale' : 'ForecastOnly',
        metric: pair === 'ASGCPUUtilization' ? 'cpu' : pair === 'ALBRequestCount' ? 'requests-per-target' : 'other',
        target: Number(spec.target_value),
        bufferSeconds: config.scheduling_buffer_time === undefined ? 0 : Number(config.scheduling_buffer_time),
        maxCapacityBreach: config.max_capacity_breach_behavior === 'IncreaseMaxCapacity' ? 'IncreaseMaxCapacity' : 'HonorMaxCapacity',
        maxCapacityBufferPercent: config.max_capacity_buffer === undefined ? 0 : Number(config.max_capacity_buffer),
      };
    }
    case 'StepScaling':
      return {
        kind: 'step',
        name,
        adjustmentType,
        steps: (Array.isArray(b.step_adjustment) ? (b.step_adjustment as Block[]) : []).map((s) => ({
          ...(s.metric_interval_lower_bound === undefined ? {} : { lower: Number(s.metric_interval_lower_bound) }),
          ...(s.metric_interval_upper_bound === undefined ? {} : { upper: Number(s.metric_interval_upper_bound) }),
          adjustment: Number(s.scaling_adjustment),
        })),
        ...(alarm ? { alarm } : {}),
        ...(warmup === undefined ? {} : { warmupSeconds: warmup }),
      };
    default:
      return {
        kind: 'simple',
        name,
        adjustmentType,
        adjustment: Number(b.scaling_adjustment ?? 0),
        cooldownSeconds: b.cooldown === undefined ? groupCooldown : Number(b.cooldown),
        ...(alarm ? { alarm } : {}),
      };
  }
}

function trackedMetric(value: unknown): TrackedMetric {
  if (value === 'ASGAverageCPUUtilization') return 'cpu';
  if (value === 'ALBRequestCountPerTarget') return 'requests-per-target';
  return 'other';
}

function findAlarm(all: PlacedResource[], policyAddress: string): PolicyAlarm | undefined {
  const alarm = all.find(
    (r) => r.type === 'aws_cloudwatch_metric_alarm' && JSON.stringify(r.body.alarm_actions ?? []).includes(`\${${policyAddress}.arn}`),
  );
  if (!alarm) return undefined;
  const b = alarm.body;
  const metricName = typeof b.metric_name === 'string' ? b.metric_name : 'metric math';
  const evaluationPeriods = Number(b.evaluation_periods ?? 1);
  return {
    metric: metricName === 'CPUUtilization' && b.namespace === 'AWS/EC2' ? 'cpu' : 'other',
    metricName,
    comparison: COMPARISONS[String(b.comparison_operator)] ?? '>',
    threshold: Number(b.threshold),
    evaluationPeriods,
    datapointsToAlarm: b.datapoints_to_alarm === undefined ? evaluationPeriods : Number(b.datapoints_to_alarm),
    periodSeconds: Number(b.period ?? 60),
  };
}

function readSchedule(b: Block): ScheduledAction {
  const optional = (key: string): number | undefined => (b[key] === undefined || Number(b[key]) < 0 ? undefined : Number(b[key]));
  const min = optional('min_size');
  const max = optional('max_size');
  const desired = optional('desired_capacity');
  return {
    name: String(b.scheduled_action_name),
    ...(typeof b.recurrence === 'string' ? { recurrence: b.recurrence } : {}),
    ...(typeof b.start_time === 'string' ? { startTime: b.start_time } : {}),
    timeZone: typeof b.time_zone === 'string' ? b.time_zone : 'Etc/UTC',
    ...(min === undefined ? {} : { minSize: min }),
    ...(max === undefined ? {} : { maxSize: max }),
    ...(desired === undefined ? {} : { desiredCapacity: desired }),
  };
}

function findReferenced(all: PlacedResource[], type: string, reference: unknown): PlacedResource | undefined {
  if (typeof reference !== 'string') return undefined;
  const match = new RegExp(`\\$\\{${type}\\.([^.}]+)\\.`).exec(reference);
  return match ? all.find((r) => r.type === type && r.id === match[1]) : undefined;
}

function metadataPath(body: Block): string | undefined {
  const meta = block(block(body['//'])?.metadata);
  return typeof meta?.path === 'string' ? meta.path : undefined;
}

function num(value: unknown, where: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`${where}: expected a literal number, found ${JSON.stringify(value)}`);
  return n;
}
