import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import { stateBackend } from '../../environments/state-backend';
import { EnvironmentStack } from '../../stacks';
import { type Block, findBy, only, ref, resourceList, resources, stackNamed, synthApp, type TfJson, underPath } from '../support/synth';
import { ROOT } from '../support/paths';
import { assetReferences, compareSnapshot, describeChanges } from '../../tools/synth-model/snapshot';

let stacks: Record<string, TfJson>;

beforeAll(async () => {
  stacks = (await synthApp()).stacks;
});

const stack = (name: string): TfJson => stackNamed(stacks, name);

/** The primary region's web tier of an environment stack, without the batch tier (its own launch template and buckets: tests/modules/batch). */
function primary(name: string): TfJson {
  return underPath(stack(name), `${name}/primary/`, [`${name}/primary/batch/`]);
}

const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** The fleet's own target group (the listener's default): services behind listener rules bring target groups of their own. */
function fleetTargetGroupId(s: TfJson): string {
  const ids = Object.entries(resources(s, 'aws_lb_target_group'))
    .filter(([, group]) => String((group.tags as Record<string, string> | undefined)?.Name).endsWith('-targets'))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one fleet target group, found ${ids.length}`);
  return ids[0]!;
}
const fleetTargetGroupRef = (s: TfJson, attribute: string): string => `\${aws_lb_target_group.${fleetTargetGroupId(s)}.${attribute}}`;

describe('synthesized app', () => {
  it('has exactly the four stacks', () => {
    expect(Object.keys(stacks).sort()).toEqual(['dev', 'prod', 'staging', 'state-backend']);
  });

  it.each([...ENVIRONMENTS, 'state-backend'])('%s has no absolute paths or timestamps', (name) => {
    const text = JSON.stringify(stack(name), null, 2);
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(tmpdir());
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  // Mutation testing (SNAPSHOTS=off) switches the snapshots off: any mutant changes some synthesized text, so a
  // snapshot would "kill" every one of them and hide which mutants the property tests below really catch.
  it.skipIf(process.env.SNAPSHOTS === 'off').each([...ENVIRONMENTS, 'state-backend'])('%s matches its committed snapshot', (name) => {
    const file = join(__dirname, '__snapshots__', `${name}.tf.json`);
    const comparison = compareSnapshot(existsSync(file) ? readFileSync(file, 'utf8') : undefined, stack(name));
    if (comparison.matches) return;
    // By address, not a line diff of 3,000 lines; and no `vitest -u`: the update goes through a command that shows it first.
    const lines = describeChanges(comparison, 40).map((line) => `  ${line}`);
    expect.fail([`${relative(ROOT, file)} differs from the synthesized ${name} stack (committed → synthesized):`, ...lines, 'Review and update the snapshots with: npm run snapshots'].join('\n'));
  });

  describe('what the snapshots leave out (asset paths and hashes) is still right', () => {
    let outdir: string;
    beforeAll(async () => {
      ({ outdir } = await synthApp());
    });

    it.each([...ENVIRONMENTS, 'state-backend'])('%s: every asset it names is in the synth output', (name) => {
      for (const asset of assetReferences(stack(name))) {
        expect(existsSync(join(outdir, 'stacks', name, asset.path)), `${asset.address}: ${asset.path}`).toBe(true);
      }
    });

    it.each(ENVIRONMENTS)('%s: every Lambda takes its code from an asset whose source_code_hash is the base64 SHA-256 of the file', (name) => {
      const assets = assetReferences(stack(name));
      const functions = Object.keys(resources(stack(name), 'aws_lambda_function')).map((id) => `aws_lambda_function.${id}.filename`);
      expect(functions.length).toBeGreaterThan(0);
      expect(assets.filter((asset) => asset.address.startsWith('aws_lambda_function.')).map((asset) => asset.address).sort()).toEqual(functions.sort());
      for (const asset of assets.filter((a) => a.address.startsWith('aws_lambda_function.') || a.hashes.source_code_hash !== undefined)) {
        const digest = createHash('sha256').update(readFileSync(join(outdir, 'stacks', name, asset.path))).digest('base64');
        expect(asset.hashes.source_code_hash, asset.address).toBe(digest);
      }
    });
  });

  it.each([...ENVIRONMENTS, 'state-backend'])('%s pins hashicorp/aws 5.100.0', (name) => {
    expect(stack(name).terraform.required_providers).toEqual({ aws: { source: 'aws', version: '5.100.0' } });
  });
});

describe.each(ENVIRONMENTS)('environment stack %s', (name) => {
  it('keeps state in the S3 backend, encrypted and locked through DynamoDB', () => {
    expect(stack(name).terraform.backend).toEqual({
      s3: {
        bucket: 'web-app-tfstate-apne2-example',
        key: `web-app/${name}/terraform.tfstate`,
        region: 'ap-northeast-2',
        encrypt: true,
        kms_key_id: 'alias/web-app-tfstate-apne2-example',
        dynamodb_table: 'web-app-tfstate-lock',
      },
    });
  });

  it('tags everything through provider default_tags', () => {
    expect(stack(name).provider?.aws?.[0]).toMatchObject({
      region: 'ap-northeast-2',
      default_tags: [
        { tags: { Environment: name, ManagedBy: 'cdktf', Project: 'web-app', CostCenter: 'engineering', Team: 'platform' } },
      ],
    });
  });

  it('outputs the ALB DNS name, ASG name and VPC ID', () => {
    const s = primary(name);
    expect(stack(name).output).toMatchObject({
      alb_dns_name: { value: ref(s, 'aws_lb', 'dns_name') },
      asg_name: { value: ref(s, 'aws_autoscaling_group', 'name') },
      vpc_id: { value: ref(s, 'aws_vpc', 'id') },
    });
  });

  it('network: DNS on, tiers tagged, default SG closed, private egress through NAT', () => {
    const s = primary(name);
    expect(only(s, 'aws_vpc')).toMatchObject({ enable_dns_support: true, enable_dns_hostnames: true });
    const subnets = resourceList(s, 'aws_subnet');
    const tiers = subnets.map((subnet) => (subnet.tags as Record<string, string>).Tier);
    // One public and one private subnet per AZ; a database adds isolated ones of its own (staging).
    expect(tiers.filter((t) => t === 'public')).toHaveLength(tiers.filter((t) => t === 'private').length);
    expect(tiers.filter((t) => t !== 'public' && t !== 'private')).toEqual(name === 'staging' ? ['database', 'database'] : []);
    const defaultSg = only(s, 'aws_default_security_group');
    expect(defaultSg.ingress ?? []).toEqual([]);
    expect(defaultSg.egress ?? []).toEqual([]);
    const natRoutes = resourceList(s, 'aws_route').filter((r) => typeof r.nat_gateway_id === 'string');
    expect(natRoutes.length).toBe(resourceList(s, 'aws_nat_gateway').length);
    expect(findBy(s, 'aws_route', 'gateway_id', ref(s, 'aws_internet_gateway', 'id'))).toMatchObject({
      destination_cidr_block: '0.0.0.0/0',
    });
  });

  it('load balancer: drops invalid headers, TLS 1.3 policy, HTTP→HTTPS 301, seed health check', () => {
    const s = primary(name);
    expect(only(s, 'aws_lb')).toMatchObject({
      internal: false,
      load_balancer_type: 'application',
      drop_invalid_header_fields: true,
      access_logs: { bucket: ref(s, 'aws_s3_bucket', 'bucket'), enabled: true, prefix: 'alb' },
    });
    expect(findBy(s, 'aws_lb_listener', 'port', 443)).toMatchObject({
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      default_action: [{ type: 'forward', target_group_arn: fleetTargetGroupRef(s, 'arn') }],
    });
    // A WAF in front of every environment's ALB (the module's default): IP reputation, a per-IP rate limit, the AWS common and known-bad-inputs rule groups, logged.
    expect(only(s, 'aws_wafv2_web_acl_association')).toMatchObject({ resource_arn: ref(s, 'aws_lb', 'arn'), web_acl_arn: ref(s, 'aws_wafv2_web_acl', 'arn') });
    expect((only(s, 'aws_wafv2_web_acl').rule as Block[]).map((r) => r.name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'rate-limit-per-ip',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(only(s, 'aws_wafv2_web_acl_logging_configuration')).toMatchObject({ resource_arn: ref(s, 'aws_wafv2_web_acl', 'arn') });
    expect(findBy(s, 'aws_lb_listener', 'port', 80)).toMatchObject({
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
    expect(resources(s, 'aws_lb_target_group')[fleetTargetGroupId(s)]).toMatchObject({
      deregistration_delay: '30',
      health_check: { path: '/health', healthy_threshold: 2, unhealthy_threshold: 3, interval: 15, timeout: 5, matcher: '200' },
    });
  });

  it('load balancer: access-log bucket is private, encrypted, expiring, writable by ELB only', () => {
    const s = primary(name);
    expect(only(s, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(s, 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(only(s, 'aws_s3_bucket_lifecycle_configuration')).toMatchObject({
      rule: [{ status: 'Enabled', expiration: [{ days: 90 }] }],
    });
    const policy = Object.values(s.data?.aws_iam_policy_document ?? {}).find((doc) =>
      JSON.stringify(doc).includes('ElbAccountLogDelivery'),
    );
    expect(JSON.stringify(policy)).toContain('logdelivery.elasticloadbalancing.amazonaws.com');
    expect(JSON.stringify(policy)).toContain('aws:SecureTransport');
  });

  it('compute: IMDSv2 required, encrypted gp3 root volume, SSM-managed', () => {
    const s = primary(name);
    const template = only(s, 'aws_launch_template');
    expect(template).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      metadata_options: { http_tokens: 'required', http_endpoint: 'enabled', http_put_response_hop_limit: 1 },
      block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_type: 'gp3', encrypted: 'true' } }],
      iam_instance_profile: { arn: ref(s, 'aws_iam_instance_profile', 'arn') },
    });
    // Base64 at synth, so Terraform passes the script on as written (no HCL escaping on the way).
    expect(Buffer.from(String(template.user_data), 'base64').toString('utf8')).toMatch(/^#!\/bin\/bash\n/);
    // Session Manager through the instance's own policy: no AmazonSSMManagedInstanceCore, whose GetParameter* reads every parameter.
    expect(resourceList(s, 'aws_iam_role_policy_attachment')).toEqual([]);
    const instanceRole = Object.entries(resources(s, 'aws_iam_role')).find(([, r]) => r.name === `web-app-${name}-instance`)?.[0];
    expect(findBy(s, 'aws_iam_role_policy', 'name', 'session-manager-and-parameters').role).toBe(`\${aws_iam_role.${instanceRole}.name}`);
  });

  it('compute: instances accept the app port from the ALB security group only', () => {
    const s = primary(name);
    const sgId = (suffix: string) =>
      Object.entries(resources(s, 'aws_security_group')).find(([, sg]) => String(sg.name_prefix).endsWith(suffix))?.[0];
    const albSgId = sgId('-alb-');
    const webSgId = sgId('-web-');
    expect(albSgId).toBeDefined();
    const fromAlb = resourceList(s, 'aws_vpc_security_group_ingress_rule').filter(
      (rule) => rule.security_group_id === `\${aws_security_group.${webSgId}.id}`,
    );
    expect(fromAlb).toHaveLength(1);
    expect(fromAlb[0]).toMatchObject({ from_port: 80, to_port: 80, ip_protocol: 'tcp' });
    expect(fromAlb[0]?.referenced_security_group_id).toBe(`\${aws_security_group.${albSgId}.id}`);
    expect(fromAlb[0]?.cidr_ipv4).toBeUndefined();
  });

  it('compute: mixed ASG on latest_version, rolling refresh, desired capacity left to autoscaling', () => {
    const s = primary(name);
    const group = only(s, 'aws_autoscaling_group');
    expect(group).toMatchObject({
      health_check_type: 'ELB',
      health_check_grace_period: 300,
      default_instance_warmup: 120,
      capacity_rebalance: true,
      target_group_arns: [fleetTargetGroupRef(s, 'arn')],
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 80 } },
      lifecycle: { ignore_changes: ['desired_capacity'] },
      mixed_instances_policy: {
        launch_template: {
          launch_template_specification: {
            launch_template_id: ref(s, 'aws_launch_template', 'id'),
            version: ref(s, 'aws_launch_template', 'latest_version'),
          },
        },
      },
    });
    expect((group.enabled_metrics as string[]).length).toBeGreaterThan(0);
    const privateSubnets = Object.entries(resources(s, 'aws_subnet'))
      .filter(([, subnet]) => (subnet.tags as Record<string, string>).Tier === 'private')
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    expect(group.vpc_zone_identifier).toEqual(privateSubnets);
    expect((group.tag as Block[]).every((t) => t.propagate_at_launch === true)).toBe(true);
  });

  it('scaling: CPU target tracking at the configured target', () => {
    const s = primary(name);
    expect(findBy(s, 'aws_autoscaling_policy', 'name', `web-app-${name}-cpu-target`)).toMatchObject({
      policy_type: 'TargetTrackingScaling',
      autoscaling_group_name: ref(s, 'aws_autoscaling_group', 'name'),
      target_tracking_configuration: {
        predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' },
        target_value: 70,
      },
    });
  });
});

describe('prod follows the seed', () => {
  it('spans three AZs with a NAT gateway and private route table per AZ', () => {
    const prod = primary('prod');
    expect(resourceList(prod, 'aws_subnet').map((s) => s.availability_zone)).toEqual([
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c',
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c',
    ]);
    expect(resourceList(prod, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourceList(prod, 'aws_route_table')).toHaveLength(4);
  });

  it('has flow logs to CloudWatch with retention and a role', () => {
    const prod = primary('prod');
    const [groupId, group] = Object.entries(resources(prod, 'aws_cloudwatch_log_group')).find(([, g]) => String(g.name).startsWith('/aws/vpc-flow-logs/')) ?? [];
    expect(only(prod, 'aws_flow_log')).toMatchObject({
      traffic_type: 'ALL',
      log_destination_type: 'cloud-watch-logs',
      log_destination: `\${aws_cloudwatch_log_group.${groupId}.arn}`,
      vpc_id: ref(prod, 'aws_vpc', 'id'),
    });
    expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: ref(prod, 'aws_kms_key', 'arn') });
    expect(resourceList(prod, 'aws_iam_role').some((r) => r.name === 'web-app-prod-vpc-flow-logs')).toBe(true);
  });

  it('protects the ALB from deletion', () => {
    expect(only(primary('prod'), 'aws_lb').enable_deletion_protection).toBe(true);
  });

  it('runs base 2 on demand + 20% above base, capacity-optimized, with weighted overrides, min 2 / max 30', () => {
    const group = only(primary('prod'), 'aws_autoscaling_group');
    expect(group).toMatchObject({ min_size: 2, max_size: 30 });
    expect(group.mixed_instances_policy).toMatchObject({
      instances_distribution: {
        on_demand_base_capacity: 2,
        on_demand_percentage_above_base_capacity: 20,
        spot_allocation_strategy: 'capacity-optimized',
      },
      launch_template: {
        override: [
          { instance_type: 't3.medium', weighted_capacity: '1' },
          { instance_type: 't3a.medium', weighted_capacity: '1' },
          { instance_type: 'm5.large', weighted_capacity: '2' },
          { instance_type: 'm5a.large', weighted_capacity: '2' },
        ],
      },
    });
  });

  it('tracks ALB requests per target, labelled load balancer first then target group', () => {
    const prod = primary('prod');
    const policy = findBy(prod, 'aws_autoscaling_policy', 'name', 'web-app-prod-requests-target');
    expect(policy).toMatchObject({
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: {
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: `${ref(prod, 'aws_lb', 'arn_suffix')}/${ref(prod, 'aws_lb_target_group', 'arn_suffix')}`,
        },
        target_value: 1000,
      },
    });
    expect(policy.depends_on).toEqual([`aws_lb_listener.${Object.keys(resources(prod, 'aws_lb_listener')).find((id) => id.includes('https'))}`]);
  });

  it('scales predictively: ForecastAndScale, 300 s buffer, honouring max capacity', () => {
    expect(findBy(primary('prod'), 'aws_autoscaling_policy', 'policy_type', 'PredictiveScaling')).toMatchObject({
      predictive_scaling_configuration: {
        mode: 'ForecastAndScale',
        scheduling_buffer_time: '300',
        max_capacity_breach_behavior: 'HonorMaxCapacity',
        metric_specification: {
          target_value: 70,
          predefined_metric_pair_specification: { predefined_metric_type: 'ASGCPUUtilization' },
        },
      },
    });
  });
});

describe('dev is small, all Spot, and sleeps', () => {
  it('uses two AZs and a single NAT gateway, no flow logs, no deletion protection', () => {
    const dev = primary('dev');
    expect(new Set(resourceList(dev, 'aws_subnet').map((s) => s.availability_zone))).toEqual(
      new Set(['ap-northeast-2a', 'ap-northeast-2c']),
    );
    expect(resourceList(dev, 'aws_nat_gateway')).toHaveLength(1);
    expect(resourceList(dev, 'aws_flow_log')).toHaveLength(0);
    expect(only(dev, 'aws_lb').enable_deletion_protection).toBe(false);
  });

  it('buys only Spot', () => {
    expect(only(primary('dev'), 'aws_autoscaling_group').mixed_instances_policy).toMatchObject({
      instances_distribution: { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 0 },
    });
  });

  it('scales down on weeknights and weekends, Seoul time', () => {
    const schedules = resourceList(primary('dev'), 'aws_autoscaling_schedule');
    const rows = schedules.map((s) => [s.scheduled_action_name, s.recurrence, s.time_zone, s.min_size, s.desired_capacity]);
    expect(rows.sort()).toEqual([
      ['web-app-dev-sleep-nights', '0 20 * * 1-5', 'Asia/Seoul', 0, 0],
      ['web-app-dev-sleep-weekends', '0 0 * * 6', 'Asia/Seoul', 0, 0],
      ['web-app-dev-wake-weekdays', '0 8 * * 1-5', 'Asia/Seoul', 1, 1],
    ]);
  });
});

describe('staging exercises step and simple scaling', () => {
  it('has a step policy driven by its own CPU alarm', () => {
    const staging = primary('staging');
    const step = findBy(staging, 'aws_autoscaling_policy', 'policy_type', 'StepScaling');
    expect(step).toMatchObject({
      adjustment_type: 'ChangeInCapacity',
      step_adjustment: [
        { metric_interval_lower_bound: '0', metric_interval_upper_bound: '10', scaling_adjustment: 1 },
        { metric_interval_lower_bound: '10', metric_interval_upper_bound: '20', scaling_adjustment: 3 },
        { metric_interval_lower_bound: '20', scaling_adjustment: 5 },
      ],
    });
    const stepId = Object.entries(resources(staging, 'aws_autoscaling_policy')).find(([, p]) => p === step)?.[0];
    expect(findBy(staging, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'web-app-staging-cpu-burst')).toMatchObject({
      namespace: 'AWS/EC2',
      metric_name: 'CPUUtilization',
      threshold: 80,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      dimensions: { AutoScalingGroupName: ref(staging, 'aws_autoscaling_group', 'name') },
      alarm_actions: [`\${aws_autoscaling_policy.${stepId}.arn}`],
    });
  });

  it('has a simple scale-in policy with cooldown and its alarm', () => {
    const staging = primary('staging');
    expect(findBy(staging, 'aws_autoscaling_policy', 'policy_type', 'SimpleScaling')).toMatchObject({
      scaling_adjustment: -1,
      cooldown: 300,
    });
    expect(findBy(staging, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'web-app-staging-cpu-idle')).toMatchObject({
      threshold: 20,
      comparison_operator: 'LessThanOrEqualToThreshold',
      evaluation_periods: 5,
    });
  });

  it('forecasts without acting', () => {
    expect(findBy(primary('staging'), 'aws_autoscaling_policy', 'policy_type', 'PredictiveScaling')).toMatchObject({
      predictive_scaling_configuration: { mode: 'ForecastOnly' },
    });
  });
});

describe('state-backend stack', () => {
  it('keeps its own state local', () => {
    // Relative to cdktf.out/stacks/state-backend: the project root, which survives re-synthesis.
    expect(stack('state-backend').terraform.backend).toEqual({ local: { path: '../../../terraform.state-backend.tfstate' } });
  });

  it('bucket: versioned, KMS-encrypted with a rotating key, private, owner-enforced, TLS-only, undeletable', () => {
    const s = stack('state-backend');
    expect(findBy(s, 'aws_s3_bucket', 'bucket', 'web-app-tfstate-apne2-example')).toMatchObject({ lifecycle: { prevent_destroy: true }, force_destroy: false });
    // The second bucket takes the state bucket's server access logs.
    expect(findBy(s, 'aws_s3_bucket', 'bucket', 'web-app-tfstate-apne2-example-logs')).toMatchObject({ force_destroy: false });
    expect(only(s, 'aws_s3_bucket_logging')).toMatchObject({ target_prefix: 'state/' });
    expect(resourceList(s, 'aws_s3_bucket_versioning').map((v) => v.versioning_configuration)).toEqual([{ status: 'Enabled' }, { status: 'Enabled' }]);
    expect(only(s, 'aws_kms_key_policy')).toMatchObject({ key_id: ref(s, 'aws_kms_key', 'key_id') });
    expect(resourceList(s, 'aws_s3_bucket_object_lock_configuration')).toEqual([]);
    expect(only(s, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
    expect(only(s, 'aws_kms_alias')).toMatchObject({ name: 'alias/web-app-tfstate-apne2-example' });
    // The state bucket: the state key; the access-log bucket: SSE-S3, what S3 log delivery writes to.
    const encryption = resourceList(s, 'aws_s3_bucket_server_side_encryption_configuration').map((e) => e.rule);
    expect(encryption).toHaveLength(2);
    expect(encryption).toContainEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: ref(s, 'aws_kms_key', 'arn') }, bucket_key_enabled: true },
    ]);
    expect(encryption).toContainEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    for (const block of resourceList(s, 'aws_s3_bucket_public_access_block')) {
      expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
    expect(resourceList(s, 'aws_s3_bucket_ownership_controls').map((o) => o.rule)).toEqual([
      { object_ownership: 'BucketOwnerEnforced' },
      { object_ownership: 'BucketOwnerEnforced' },
    ]);
    const policyDocument = JSON.stringify(s.data?.aws_iam_policy_document);
    expect(policyDocument).toContain('"variable":"aws:SecureTransport"');
    expect(policyDocument).toContain('"effect":"Deny"');
    const guard = Object.values(s.data?.aws_iam_policy_document ?? {})
      .flatMap((d) => d.statement as Block[])
      .find((st) => st.sid === 'OnlyBreakGlassDestroysHistory');
    expect(guard).toMatchObject({
      effect: 'Deny',
      actions: ['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration'],
      condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn' }],
    });
  });

  it('lock table: LockID string key, on demand, point-in-time recovery, encrypted', () => {
    expect(only(stack('state-backend'), 'aws_dynamodb_table')).toMatchObject({
      name: 'web-app-tfstate-lock',
      hash_key: 'LockID',
      attribute: [{ name: 'LockID', type: 'S' }],
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      lifecycle: { prevent_destroy: true },
    });
  });
});

describe('source hygiene', () => {
  function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : sourceFiles(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  }

  it('imports provider classes per resource, never the slow barrel', () => {
    const offenders = ['main.ts', 'environments', 'modules', 'stacks', 'tools']
      .flatMap((p) => (p.endsWith('.ts') ? [join(ROOT, p)] : sourceFiles(join(ROOT, p))))
      .filter((file) => /from\s+['"]@cdktf\/provider-aws['"]/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('environment files hold data only', () => {
    for (const file of ['dev.ts', 'staging.ts', 'prod.ts']) {
      const text = readFileSync(join(ROOT, 'environments', file), 'utf8');
      const imports = [...text.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
      expect(imports, file).toEqual(['./schema']);
    }
  });
});

describe('backend locking option', () => {
  it('locking "both" adds the S3 lock file next to the DynamoDB lock', () => {
    const [environment] = validateEnvironments([{ file: 'prod.ts', data: prod }]);
    const app = new App({ outdir: join(tmpdir(), 'lockfile-app') });
    const built = new EnvironmentStack(app, { environment: environment!, backend: { ...stateBackend, locking: 'both' } });
    const json = JSON.parse(Testing.synth(built)) as TfJson;
    expect(json.terraform.backend?.s3).toMatchObject({ dynamodb_table: 'web-app-tfstate-lock', use_lockfile: true });
  });
});
