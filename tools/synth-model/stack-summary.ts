/**
 * A human summary of one synthesized stack, read back from its cdk.tf.json
 * (what Terraform will see), not from the environment file that produced it.
 */
import { type Block, countDataSources, countResources, resourceList, type TfJson } from './tf-json';

export interface SummaryRow {
  readonly area: string;
  readonly detail: string;
}

export function summarizeStack(stack: TfJson): SummaryRow[] {
  return [
    ...stateRows(stack),
    ...networkRows(stack),
    ...loadBalancerRows(stack),
    ...fleetRows(stack),
    ...scalingRows(stack),
    ...operationsRows(stack),
    ...dnsRows(stack),
    ...stateBackendRows(stack),
    { area: 'resources', detail: `${countResources(stack)} resources, ${countDataSources(stack)} data sources` },
  ];
}

function stateRows(stack: TfJson): SummaryRow[] {
  const region = String(stack.provider?.aws?.[0]?.region ?? '?');
  const s3 = stack.terraform.backend?.s3;
  const local = stack.terraform.backend?.local;
  const state = s3
    ? `s3://${str(s3.bucket)}/${str(s3.key)}, lock ${s3.dynamodb_table ? `dynamodb:${str(s3.dynamodb_table)}` : 'none'}${s3.use_lockfile ? ' + S3 lock file' : ''}`
    : `local ${str(local?.path)}`;
  return [
    { area: 'region', detail: region },
    { area: 'state', detail: state },
  ];
}

/** Label for rows of a resource built by a provider alias (e.g. a standby region). */
function regionLabel(stack: TfJson, block: Block): string {
  if (typeof block.provider !== 'string') return '';
  const alias = block.provider.replace(/^aws\./, '');
  const region = stack.provider?.aws?.find((p) => p.alias === alias)?.region;
  return ` (${alias}${region ? `, ${String(region)}` : ''})`;
}

function sameProvider(a: Block, b: Block): boolean {
  return a.provider === b.provider;
}

function networkRows(stack: TfJson): SummaryRow[] {
  return [...resourceList(stack, 'aws_vpc').flatMap((vpc) => networkRow(stack, vpc)), ...broughtNetworkRows(stack)];
}

/** A brought VPC (network.existing) is named by ID, not created: its target groups name it literally. */
function broughtNetworkRows(stack: TfJson): SummaryRow[] {
  const groups = resourceList(stack, 'aws_lb_target_group').filter((g) => typeof g.vpc_id === 'string' && !g.vpc_id.startsWith('${'));
  const seen = new Set<string>();
  return groups.flatMap((group) => {
    const key = `${str(group.provider)} ${str(group.vpc_id)}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const endpoints = resourceList(stack, 'aws_vpc_endpoint').filter((e) => sameProvider(e, group) && e.vpc_id === group.vpc_id);
    const flowLog = resourceList(stack, 'aws_flow_log').some((f) => sameProvider(f, group));
    return [
      {
        area: `network${regionLabel(stack, group)}`,
        detail: [`existing VPC ${str(group.vpc_id)} (not managed here)`, `${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}`, flowLog ? 'flow logs on' : 'flow logs off'].join(' · '),
      },
    ];
  });
}

function networkRow(stack: TfJson, vpc: Block): SummaryRow[] {
  const mine = (type: string) => resourceList(stack, type).filter((b) => sameProvider(b, vpc));
  const subnets = mine('aws_subnet');
  const azs = new Set(subnets.map((s) => str(s.availability_zone)));
  const nat = mine('aws_nat_gateway').length;
  const flowLog = mine('aws_flow_log').length > 0;
  const retention = mine('aws_cloudwatch_log_group')[0]?.retention_in_days;
  return [
    {
      area: `network${regionLabel(stack, vpc)}`,
      detail: [
        `VPC ${str(vpc.cidr_block)}`,
        `${azs.size} AZs (${[...azs].join(', ')})`,
        `${subnets.length} subnets`,
        `${nat} NAT gateway${nat === 1 ? '' : 's'}`,
        flowLog ? `flow logs ${String(retention)} d` : 'flow logs off',
      ].join(' · '),
    },
  ];
}

function loadBalancerRows(stack: TfJson): SummaryRow[] {
  return resourceList(stack, 'aws_lb').flatMap((lb) => loadBalancerRow(stack, lb));
}

function loadBalancerRow(stack: TfJson, lb: Block): SummaryRow[] {
  const listeners = resourceList(stack, 'aws_lb_listener').filter((l) => sameProvider(l, lb));
  const https = listeners.find((l) => l.protocol === 'HTTPS');
  const http = listeners.find((l) => l.protocol === 'HTTP');
  const health = resourceList(stack, 'aws_lb_target_group').find((t) => sameProvider(t, lb))?.health_check as Block | undefined;
  return [
    {
      area: `load balancer${regionLabel(stack, lb)}`,
      detail: [
        `HTTPS ${String(https?.port)} (${str(https?.ssl_policy)})`,
        http ? `HTTP ${String(http.port)} → 301 HTTPS` : undefined,
        `health ${str(health?.path)}`,
        `invalid headers ${lb.drop_invalid_header_fields ? 'dropped' : 'kept'}`,
        `deletion protection ${lb.enable_deletion_protection ? 'on' : 'off'}`,
      ]
        .filter(Boolean)
        .join(' · '),
    },
  ];
}

function fleetRows(stack: TfJson): SummaryRow[] {
  return resourceList(stack, 'aws_autoscaling_group').flatMap((group) => fleetRow(stack, group));
}

function fleetRow(stack: TfJson, group: Block): SummaryRow[] {
  const label = regionLabel(stack, group);
  const policy = group.mixed_instances_policy as Block | undefined;
  // A warm pool takes a plain launch template: one type, all on demand.
  if (!policy) return [{ area: `fleet${label}`, detail: `min ${String(group.min_size)} / max ${String(group.max_size)} / desired ${String(group.desired_capacity)} · one launch template, on demand${group.warm_pool ? ' · warm pool' : ''}` }];
  const distribution = policy.instances_distribution as Block;
  const overrides = (policy.launch_template as Block).override as Block[];
  return [
    {
      area: `fleet${label}`,
      detail: [
        `min ${String(group.min_size)} / max ${String(group.max_size)} / desired ${String(group.desired_capacity)} (units)`,
        `on-demand base ${String(distribution.on_demand_base_capacity)} + ${String(distribution.on_demand_percentage_above_base_capacity)}% above`,
        `Spot ${str(distribution.spot_allocation_strategy)}`,
      ].join(' · '),
    },
    {
      area: `instance types${label}`,
      detail: overrides.map((o) => `${str(o.instance_type)}×${str(o.weighted_capacity)}`).join(' '),
    },
  ];
}

function scalingRows(stack: TfJson): SummaryRow[] {
  const policies = resourceList(stack, 'aws_autoscaling_policy').map((p) => `${describePolicy(p)}${regionLabel(stack, p)}`);
  const schedules = resourceList(stack, 'aws_autoscaling_schedule').map(
    (s) => `${str(s.recurrence)} ${str(s.time_zone)} → ${String(s.min_size)}/${String(s.max_size)}/${String(s.desired_capacity)}`,
  );
  return [
    ...(policies.length ? [{ area: 'scaling', detail: policies.join(' · ') }] : []),
    ...(schedules.length ? [{ area: 'schedules', detail: schedules.join(' · ') }] : []),
  ];
}

function describePolicy(policy: Block): string {
  switch (policy.policy_type) {
    case 'TargetTrackingScaling': {
      const config = policy.target_tracking_configuration as Block;
      const metric = str((config.predefined_metric_specification as Block).predefined_metric_type);
      return `target ${metric} ${String(config.target_value)}`;
    }
    case 'PredictiveScaling': {
      const config = policy.predictive_scaling_configuration as Block;
      return `predictive ${str(config.mode)} (buffer ${str(config.scheduling_buffer_time)} s)`;
    }
    case 'StepScaling':
      return `step ${str(policy.name)} (${(policy.step_adjustment as Block[]).map((s) => signed(s.scaling_adjustment)).join('/')})`;
    default:
      return `simple ${str(policy.name)} (${signed(policy.scaling_adjustment)}, cooldown ${String(policy.cooldown)} s)`;
  }
}

function operationsRows(stack: TfJson): SummaryRow[] {
  const count = (type: string, label: string) => {
    const n = resourceList(stack, type).length;
    return n ? `${n} ${label}${n === 1 ? '' : 's'}` : '';
  };
  const parts = [
    count('aws_cloudwatch_metric_alarm', 'alarm'),
    count('aws_cloudwatch_dashboard', 'dashboard'),
    count('aws_lambda_function', 'Spot handler'),
    count('aws_autoscaling_lifecycle_hook', 'lifecycle hook'),
    count('aws_fis_experiment_template', 'FIS experiment'),
  ].filter(Boolean);
  return parts.length ? [{ area: 'operations', detail: parts.join(' · ') }] : [];
}

function dnsRows(stack: TfJson): SummaryRow[] {
  const records = resourceList(stack, 'aws_route53_record').filter((r) => r.alias);
  if (records.length === 0) return [];
  const describe = (r: Block) => {
    const failover = (r.failover_routing_policy as Block | undefined)?.type;
    const aliasName = String((r.alias as Block).name);
    const kind = aliasName.match(/\$\{aws_([a-z_]+)\./)?.[1];
    const target = kind === 'lb' ? (aliasName.includes('standby') ? 'standby ALB' : 'ALB') : kind === 'cloudfront_distribution' ? 'CloudFront maintenance page' : (kind ?? 'target');
    return `${str(r.name)}${failover ? ` ${str(failover)}` : ''} → ${target}${r.health_check_id ? ' (health-checked)' : ''}`;
  };
  const checks = resourceList(stack, 'aws_route53_health_check').length;
  const certificates = resourceList(stack, 'aws_acm_certificate').length;
  return [
    { area: 'dns', detail: records.map(describe).join(' · ') },
    { area: 'certificates', detail: `${certificates} ACM (DNS-validated) · ${checks} Route 53 health check${checks === 1 ? '' : 's'}` },
  ];
}

function stateBackendRows(stack: TfJson): SummaryRow[] {
  const table = resourceList(stack, 'aws_dynamodb_table')[0];
  const bucket = resourceList(stack, 'aws_s3_bucket').find((b) => typeof b.bucket === 'string');
  if (!table || !bucket) return [];
  return [
    { area: 'state bucket', detail: `${str(bucket.bucket)} · versioned · SSE-KMS (rotating key) · public access blocked · TLS only` },
    { area: 'lock table', detail: `${str(table.name)} · ${str(table.billing_mode)} · PITR on` },
  ];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : String(value ?? '?');
}

function signed(value: unknown): string {
  const n = Number(value);
  return n > 0 ? `+${n}` : String(n);
}

/** Renders rows as an aligned two-column block. */
export function renderRows(rows: readonly SummaryRow[], indent = '  '): string {
  const width = Math.max(...rows.map((r) => r.area.length));
  return rows.map((r) => `${indent}${r.area.padEnd(width)}  ${r.detail}`).join('\n');
}
