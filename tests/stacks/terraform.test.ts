/**
 * Real Terraform, offline: every synthesized stack goes through
 * `terraform init` (provider from the local filesystem mirror), `validate`,
 * `plan` (local-backend override, mock credentials) and `show -json`, and the
 * plan is checked for what matters. Missing Terraform or provider fails here,
 * with what to install; nothing is skipped.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { offlinePlan, type OfflinePlanResult, type PlannedChange } from '../../tools/lib/terraform';
import acme, { ACME_SERVER_JS, ACME_USER_DATA } from '../fixtures/environments/acme';
import { synthApp, synthEnvironments } from '../support/synth';
import { bootUserData, lintScript, STUB_INSTANCE_ID } from '../support/user-data';

const STACKS = ['state-backend', 'dev', 'staging', 'prod'] as const;
/** A fixture environment with user data of its own (tests/fixtures/environments/acme.ts). */
const FIXTURE = 'shop';
type StackName = (typeof STACKS)[number] | typeof FIXTURE;

const results = new Map<StackName, OfflinePlanResult>();

beforeAll(async () => {
  const { outdir } = await synthApp();
  const fixture = synthEnvironments([{ file: 'acme.ts', data: acme }]).outdir;
  // Two at a time: each plan runs a 700 MB provider process, and this machine has 2 cores.
  const queue: [StackName, string][] = [...STACKS.map((name) => [name, outdir] as [StackName, string]), [FIXTURE, fixture]];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, dir] = next;
      results.set(name, await offlinePlan(join(dir, 'stacks', name)));
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
  // Literals, as planned: a schema or environment bug must not move both sides.
  it.each([
    ['dev', { min_size: 1, max_size: 4, desired_capacity: 1 }, { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 0, spot_allocation_strategy: 'price-capacity-optimized' }],
    ['staging', { min_size: 1, max_size: 10, desired_capacity: 2 }, { on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 20, spot_allocation_strategy: 'capacity-optimized' }],
    ['prod', { min_size: 2, max_size: 30, desired_capacity: 4 }, { on_demand_base_capacity: 2, on_demand_percentage_above_base_capacity: 20, spot_allocation_strategy: 'capacity-optimized' }],
  ] as const)('%s: the ASG plans with its capacity, mixed-instances split and refresh', (name, capacity, split) => {
    const group = after(name, 'aws_autoscaling_group');
    expect(group).toMatchObject({
      ...capacity,
      health_check_type: 'ELB',
      capacity_rebalance: true,
      instance_refresh: [{ strategy: 'Rolling', preferences: [{ min_healthy_percentage: 80, skip_matching: true }] }],
    });
    const distribution = ((group.mixed_instances_policy as Record<string, unknown>[])[0]!.instances_distribution as Record<string, unknown>[])[0];
    expect(distribution).toEqual({ on_demand_allocation_strategy: 'prioritized', ...split, spot_instance_pools: 0, spot_max_price: null });
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
    expect(https?.change.after).toMatchObject({ port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' });
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

  it('IAM trust policies render at plan time to the right service principals, for prod\'s account (and flow logs) only, inside the boundary', () => {
    type Trust = { Statement: { Principal: { Service: string }; Condition: Record<string, Record<string, string>> }[] };
    const trust = Object.fromEntries(
      primaryChanges('prod', 'aws_iam_role').map((c) => {
        const document = JSON.parse(String(c.change.after?.assume_role_policy)) as Trust;
        const [statement] = document.Statement;
        return [String(c.change.after?.name), [statement?.Principal.Service, statement?.Condition, c.change.after?.permissions_boundary]];
      }),
    );
    const account = { StringEquals: { 'aws:SourceAccount': '210987654321' } };
    const boundary = 'arn:aws:iam::210987654321:policy/web-app-workload-boundary';
    expect(trust).toEqual({
      'web-app-prod-instance': ['ec2.amazonaws.com', account, boundary],
      'web-app-prod-vpc-flow-logs': [
        'vpc-flow-logs.amazonaws.com',
        { ...account, ArnLike: { 'aws:SourceArn': 'arn:aws:ec2:ap-northeast-2:210987654321:vpc-flow-log/*' } },
        boundary,
      ],
      'web-app-prod-spot-interruption': ['lambda.amazonaws.com', account, boundary],
      'web-app-prod-lifecycle-hooks': ['autoscaling.amazonaws.com', account, boundary],
    });
  });

  it('prod: the PagerDuty URL is read from Parameter Store only once the topic exists, so an offline plan reads nothing', () => {
    const reads = result('prod').plan.resource_changes.filter((c) => c.mode === 'data' && c.type === 'aws_ssm_parameter');
    expect(reads.map((c) => [c.change.actions, c.change.after?.name])).toEqual([
      [['read'], '/web-app/prod/pagerduty-url'],
      [['read'], '/web-app/prod/pagerduty-url'],
    ]);
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

/** The state bucket's own resource of `type` (not its access-log bucket's). */
function stateAfter(type: string): Record<string, unknown> {
  const list = changes('state-backend', type).filter((c) => !c.name.includes('access-logs'));
  if (list.length !== 1) throw new Error(`expected one ${type} of the state bucket, found ${list.length}`);
  return list[0]!.change.after ?? {};
}

describe('planned state backend', () => {
  it('bucket versioned and KMS-encrypted, lock table with PITR', () => {
    expect(stateAfter('aws_s3_bucket_versioning')).toMatchObject({ versioning_configuration: [{ status: 'Enabled' }] });
    expect(stateAfter('aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms' }], bucket_key_enabled: true }],
    });
    expect(after('state-backend', 'aws_kms_key')).toMatchObject({ enable_key_rotation: true });
    expect(after('state-backend', 'aws_dynamodb_table')).toMatchObject({
      hash_key: 'LockID',
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: [{ enabled: true }],
    });
  });

  // Known at plan time when the stack names the account (StateBackend `account`); else it is read from the key's ARN after apply.
  it('bucket policy, known at plan time, denies non-TLS access', () => {
    const policy = JSON.parse(String(stateAfter('aws_s3_bucket_policy').policy)) as {
      Statement: { Sid?: string; Effect: string; Action?: string[]; Resource: string[]; Condition?: Record<string, Record<string, string>> }[];
    };
    const denial = policy.Statement.find((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect([...(denial?.Resource ?? [])].sort()).toEqual([
      'arn:aws:s3:::web-app-tfstate-apne2-example',
      'arn:aws:s3:::web-app-tfstate-apne2-example/*',
    ]);
    const guard = policy.Statement.find((s) => s.Sid === 'OnlyBreakGlassDestroysHistory');
    expect(guard?.Effect).toBe('Deny');
    expect([...(guard?.Action ?? [])].sort()).toEqual(['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration']);
    expect(guard?.Condition?.ArnNotEquals?.['aws:PrincipalArn']).toMatch(/^arn:aws:iam::\d{12}:role\/state-break-glass$/);
  });
});

/**
 * The user data each launch template sends, taken from the plan (base64, as
 * EC2 receives it) and run as an instance's first boot would: see
 * tests/support/user-data.ts. Expected names are literals, then checked
 * against the planned group and launch hook they must reach.
 */
describe('planned user data, run', () => {
  const TEMPLATES = [
    { stack: 'dev', prefix: 'web-app-dev', region: 'ap-northeast-2', healthUrl: 'http://127.0.0.1:80/health' },
    { stack: 'staging', prefix: 'web-app-staging', region: 'ap-northeast-2', healthUrl: 'http://127.0.0.1:80/health' },
    { stack: 'prod', prefix: 'web-app-prod', region: 'ap-northeast-2', healthUrl: 'http://127.0.0.1:80/health' },
    { stack: 'prod', prefix: 'web-app-prod-dr', region: 'ap-northeast-1', healthUrl: 'http://127.0.0.1:80/health' },
    { stack: FIXTURE, prefix: 'acme-shop', region: 'eu-west-1', healthUrl: 'http://127.0.0.1:8080/healthz' },
  ] as const;

  function userData(stack: StackName, prefix: string): string {
    const template = changes(stack, 'aws_launch_template').find((c) => c.change.after?.name_prefix === `${prefix}-`);
    if (!template) throw new Error(`no launch template ${prefix}- in ${stack}`);
    return Buffer.from(String(template.change.after?.user_data), 'base64').toString('utf8');
  }

  const completion = (t: (typeof TEMPLATES)[number], result: 'CONTINUE' | 'ABANDON') => [
    [
      'autoscaling', 'complete-lifecycle-action',
      '--region', t.region,
      '--auto-scaling-group-name', `${t.prefix}-web`,
      '--lifecycle-hook-name', `${t.prefix}-launch`,
      '--instance-id', STUB_INSTANCE_ID,
      '--lifecycle-action-result', result,
    ],
  ];

  it('covers every planned launch template', () => {
    const planned = ([...STACKS, FIXTURE] as StackName[]).flatMap((stack) =>
      changes(stack, 'aws_launch_template').map((c) => `${stack} ${String(c.change.after?.name_prefix)}${c.change.after?.user_data ? '' : ' (no user data)'}`),
    );
    // The batch workflow's instances get their job through SSM Run Command, not user data (tests/modules/batch runs that script).
    expect(planned.sort()).toEqual([...TEMPLATES.map((t) => `${t.stack} ${t.prefix}-`), 'staging web-app-staging-batch- (no user data)'].sort());
  });

  it.each(TEMPLATES)('$stack $prefix: reports to a group and launch hook that the plan creates', (t) => {
    expect(changes(t.stack, 'aws_autoscaling_group').map((c) => c.change.after?.name)).toContain(`${t.prefix}-web`);
    const hooks = changes(t.stack, 'aws_autoscaling_lifecycle_hook').map((c) => c.change.after ?? {});
    expect(hooks).toContainEqual(
      expect.objectContaining({ name: `${t.prefix}-launch`, autoscaling_group_name: `${t.prefix}-web`, lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON' }),
    );
  });

  it.each(TEMPLATES)('$stack $prefix: passes bash -n and shellcheck', (t) => {
    expect(lintScript(userData(t.stack, t.prefix))).toEqual([]);
  });

  it.each(TEMPLATES)('$stack $prefix: completes the launch hook with CONTINUE once the app answers', (t) => {
    const boot = bootUserData(userData(t.stack, t.prefix), { region: t.region, healthUrl: t.healthUrl, healthy: true });
    expect(boot.status, boot.stderr).toBe(0);
    expect(boot.calls.aws).toEqual(completion(t, 'CONTINUE'));
  });

  it.each(TEMPLATES)('$stack $prefix: completes it with ABANDON when the app never answers', (t) => {
    const boot = bootUserData(userData(t.stack, t.prefix), { region: t.region, healthUrl: t.healthUrl, healthy: false });
    expect(boot.status, boot.stderr).toBe(0);
    expect(boot.calls.aws).toEqual(completion(t, 'ABANDON'));
    // Every attempt polled the app's own URL (READINESS_ATTEMPTS=3 in the runner).
    expect(boot.calls.curl.filter((argv) => argv.includes(t.healthUrl))).toHaveLength(3);
  });

  it("the fixture's own user data reaches the instance byte for byte, then the readiness check", () => {
    const script = userData(FIXTURE, 'acme-shop');
    expect(script.startsWith(ACME_USER_DATA)).toBe(true);
    const boot = bootUserData(script, {
      region: 'eu-west-1',
      healthUrl: 'http://127.0.0.1:8080/healthz',
      healthy: true,
      capture: ['/opt/app/server.js', '/var/log/acme-boot.log', '/etc/systemd/system/acme.service'],
    });
    expect(boot.status, boot.stderr).toBe(0);
    expect(boot.files['/opt/app/server.js']).toBe(ACME_SERVER_JS);
    expect(boot.files['/var/log/acme-boot.log']).toBe('acme %{ready}\n');
    expect(boot.files['/etc/systemd/system/acme.service']).toContain('ExecStart=/usr/bin/node /opt/app/server.js\n');
    expect(boot.calls.systemctl).toEqual([['daemon-reload'], ['enable', '--now', 'acme']]);
  });

  it('the shipped default user data installs and starts httpd, which serves /health', () => {
    const boot = bootUserData(userData('dev', 'web-app-dev'), {
      region: 'ap-northeast-2',
      healthUrl: 'http://127.0.0.1:80/health',
      healthy: true,
      capture: ['/var/www/html/health'],
    });
    expect(boot.calls.dnf).toEqual([['install', '-y', 'httpd']]);
    expect(boot.calls.systemctl).toEqual([['enable', '--now', 'httpd']]);
    expect(boot.files['/var/www/html/health']).toBe('ok\n');
  });
});
