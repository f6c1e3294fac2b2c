/**
 * Real Terraform, offline: every synthesized stack goes through
 * `terraform init` (provider from the local filesystem mirror), `validate`,
 * `plan` (local-backend override, mock credentials) and `show -json`, and the
 * plan is checked for what matters. Missing Terraform or provider fails here,
 * with what to install; nothing is skipped.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { offlinePlan, type OfflinePlanResult, type PlannedChange } from '../scripts/lib/terraform';
import { synthApp } from './support/synth';

const STACKS = ['state-backend', 'dev', 'staging', 'prod'] as const;
type StackName = (typeof STACKS)[number];

const results = new Map<StackName, OfflinePlanResult>();

beforeAll(async () => {
  const { outdir } = await synthApp();
  // Two at a time: each plan runs a 700 MB provider process, and this machine has 2 cores.
  const queue = [...STACKS];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      results.set(name, await offlinePlan(join(outdir, 'stacks', name)));
    }
  };
  await Promise.all([worker(), worker()]);
}, 600_000);

function result(name: StackName): OfflinePlanResult {
  const found = results.get(name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
}

function changes(name: StackName, type: string): PlannedChange[] {
  return result(name).plan.resource_changes.filter((c) => c.type === type);
}

/** Changes of the primary region's web tier (logical ids under the `primary` construct). */
function primaryChanges(name: StackName, type: string): PlannedChange[] {
  return changes(name, type).filter((c) => c.name.startsWith('primary_'));
}

function after(name: StackName, type: string): Record<string, unknown> {
  const list = name === 'state-backend' ? changes(name, type) : primaryChanges(name, type);
  if (list.length !== 1) throw new Error(`expected one ${type} in ${name}, found ${list.length}`);
  return list[0]!.change.after ?? {};
}

describe.each(STACKS)('terraform on %s', (name) => {
  it('validates with no errors or warnings about the configuration', () => {
    const { validate } = result(name);
    expect(validate.valid, JSON.stringify(validate.diagnostics)).toBe(true);
    expect(validate.error_count).toBe(0);
  });

  it('plans only creates against an empty state', () => {
    const managed = result(name).plan.resource_changes.filter((c) => c.mode === 'managed');
    expect(managed.length).toBeGreaterThan(5);
    expect([...new Set(managed.flatMap((c) => c.change.actions))]).toEqual(['create']);
  });

  it('uses hashicorp/aws 5.100.0 from the mirror', () => {
    const { plan } = result(name);
    expect(plan.configuration.provider_config.aws?.full_name).toBe('registry.terraform.io/hashicorp/aws');
    expect(plan.configuration.provider_config.aws?.version_constraint).toBe('5.100.0');
  });
});

describe('planned environment stacks', () => {
  it.each(['dev', 'staging', 'prod'] as const)('%s: the ASG plans with the mixed-instances split and refresh', (name) => {
    const group = after(name, 'aws_autoscaling_group');
    expect(group).toMatchObject({
      health_check_type: 'ELB',
      capacity_rebalance: true,
      instance_refresh: [{ strategy: 'Rolling', preferences: [{ min_healthy_percentage: 80 }] }],
    });
    const distribution = ((group.mixed_instances_policy as Record<string, unknown>[])[0]!.instances_distribution as Record<string, unknown>[])[0];
    expect(distribution).toBeDefined();
  });

  it('prod: base 2 + 20 %, capacity-optimized, weighted overrides, min 2 / max 30', () => {
    const group = after('prod', 'aws_autoscaling_group');
    expect(group).toMatchObject({ min_size: 2, max_size: 30, desired_capacity: 4 });
    expect(group.mixed_instances_policy).toMatchObject([
      {
        instances_distribution: [
          { on_demand_base_capacity: 2, on_demand_percentage_above_base_capacity: 20, spot_allocation_strategy: 'capacity-optimized' },
        ],
        launch_template: [
          {
            override: [
              { instance_type: 't3.medium', weighted_capacity: '1' },
              { instance_type: 't3a.medium', weighted_capacity: '1' },
              { instance_type: 'm5.large', weighted_capacity: '2' },
              { instance_type: 'm5a.large', weighted_capacity: '2' },
            ],
          },
        ],
      },
    ]);
  });

  it('prod: launch template requires IMDSv2 and encrypts its gp3 root volume', () => {
    expect(after('prod', 'aws_launch_template')).toMatchObject({
      metadata_options: [{ http_tokens: 'required' }],
      block_device_mappings: [{ ebs: [{ volume_type: 'gp3', encrypted: 'true' }] }],
    });
  });

  it('prod: three NAT gateways, flow logs, TLS 1.3 HTTPS listener, deletion-protected ALB', () => {
    expect(primaryChanges('prod', 'aws_nat_gateway')).toHaveLength(3);
    expect(primaryChanges('prod', 'aws_flow_log')).toHaveLength(1);
    expect(after('prod', 'aws_lb')).toMatchObject({ drop_invalid_header_fields: true, enable_deletion_protection: true });
    const https = primaryChanges('prod', 'aws_lb_listener').find((c) => c.change.after?.protocol === 'HTTPS');
    expect(https?.change.after).toMatchObject({ port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
  });

  it('prod: CPU 70 target tracking, request tracking and ForecastAndScale with a 300 s buffer', () => {
    const policies = primaryChanges('prod', 'aws_autoscaling_policy').map((c) => c.change.after ?? {});
    expect(policies.map((p) => p.policy_type).sort()).toEqual(['PredictiveScaling', 'TargetTrackingScaling', 'TargetTrackingScaling']);
    const predictive = policies.find((p) => p.policy_type === 'PredictiveScaling');
    expect(predictive?.predictive_scaling_configuration).toMatchObject([
      { mode: 'ForecastAndScale', scheduling_buffer_time: '300', max_capacity_breach_behavior: 'HonorMaxCapacity' },
    ]);
  });

  it('dev: schedules plan in Asia/Seoul', () => {
    const zones = primaryChanges('dev', 'aws_autoscaling_schedule').map((c) => c.change.after?.time_zone);
    expect(zones).toEqual(['Asia/Seoul', 'Asia/Seoul', 'Asia/Seoul']);
  });

  it('default tags reach every taggable resource', () => {
    const vpc = after('prod', 'aws_vpc');
    expect(vpc.tags_all).toMatchObject({ Environment: 'prod', ManagedBy: 'cdktf', CostCenter: 'engineering', Team: 'platform', Project: 'web-app' });
  });

  it('IAM trust policies render at plan time to the right service principals', () => {
    const trust = Object.fromEntries(
      primaryChanges('prod', 'aws_iam_role').map((c) => {
        const document = JSON.parse(String(c.change.after?.assume_role_policy)) as { Statement: { Principal: { Service: string } }[] };
        return [String(c.change.after?.name), document.Statement[0]?.Principal.Service];
      }),
    );
    expect(trust).toEqual({
      'web-app-prod-instance': 'ec2.amazonaws.com',
      'web-app-prod-vpc-flow-logs': 'vpc-flow-logs.amazonaws.com',
      'web-app-prod-spot-interruption': 'lambda.amazonaws.com',
      'web-app-prod-lifecycle-hooks': 'autoscaling.amazonaws.com',
    });
  });
});

describe('planned DNS and failover', () => {
  function providerKeyOf(name: StackName, address: string): string | undefined {
    return result(name).plan.configuration.root_module.resources?.find((r) => r.address === address)?.provider_config_key;
  }

  it('prod plans three providers: primary, standby in ap-northeast-1, and us-east-1', () => {
    const config = result('prod').plan.configuration.provider_config;
    expect(config['aws.standby']?.expressions?.region?.constant_value).toBe('ap-northeast-1');
    expect(config['aws.us_east_1']?.expressions?.region?.constant_value).toBe('us-east-1');
  });

  it('prod: the standby ASG and load balancer belong to the standby provider, the health alarms to us-east-1', () => {
    const byType = (type: string) => changes('prod', type).map((c) => providerKeyOf('prod', c.address));
    expect(byType('aws_autoscaling_group').sort()).toEqual(['aws', 'aws.standby']);
    expect(byType('aws_lb').sort()).toEqual(['aws', 'aws.standby']);
    const alarms = changes('prod', 'aws_cloudwatch_metric_alarm').filter((c) => c.change.after?.namespace === 'AWS/Route53');
    expect(alarms.map((c) => providerKeyOf('prod', c.address))).toEqual(['aws.us_east_1', 'aws.us_east_1']);
  });

  it('prod: PRIMARY and SECONDARY failover records with health checks', () => {
    const records = changes('prod', 'aws_route53_record')
      .map((c) => c.change.after ?? {})
      .filter((r) => r.set_identifier);
    expect(records.map((r) => [r.set_identifier, r.failover_routing_policy, r.name])).toEqual([
      ['primary', [{ type: 'PRIMARY' }], 'app.example.com'],
      ['secondary', [{ type: 'SECONDARY' }], 'app.example.com'],
    ]);
    expect(changes('prod', 'aws_route53_health_check').map((c) => c.change.after)).toEqual([
      expect.objectContaining({ type: 'HTTPS', port: 443, resource_path: '/health', failure_threshold: 3, request_interval: 10 }),
      expect.objectContaining({ type: 'HTTPS', port: 443, resource_path: '/health', failure_threshold: 3, request_interval: 10 }),
    ]);
  });

  it('staging: a CloudFront maintenance site over a private bucket', () => {
    const distributions = changes('staging', 'aws_cloudfront_distribution');
    expect(distributions).toHaveLength(1);
    expect(distributions[0]?.change.after).toMatchObject({
      aliases: ['staging.example.com'],
      viewer_certificate: [{ ssl_support_method: 'sni-only', minimum_protocol_version: 'TLSv1.2_2021' }],
    });
    expect(changes('staging', 'aws_s3_object')).toHaveLength(1);
  });
});

describe('planned state backend', () => {
  it('bucket versioned and KMS-encrypted, lock table with PITR', () => {
    expect(after('state-backend', 'aws_s3_bucket_versioning')).toMatchObject({ versioning_configuration: [{ status: 'Enabled' }] });
    expect(after('state-backend', 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms' }], bucket_key_enabled: true }],
    });
    expect(after('state-backend', 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
    expect(after('state-backend', 'aws_dynamodb_table')).toMatchObject({
      hash_key: 'LockID',
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: [{ enabled: true }],
    });
  });

  it('bucket policy, known at plan time, denies non-TLS access', () => {
    const policy = JSON.parse(String(after('state-backend', 'aws_s3_bucket_policy').policy)) as {
      Statement: { Effect: string; Resource: string[]; Condition?: Record<string, Record<string, string>> }[];
    };
    const denial = policy.Statement.find((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect([...(denial?.Resource ?? [])].sort()).toEqual([
      'arn:aws:s3:::web-app-tfstate-apne2-example',
      'arn:aws:s3:::web-app-tfstate-apne2-example/*',
    ]);
  });
});
