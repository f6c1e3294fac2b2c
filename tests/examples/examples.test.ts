/**
 * The worked examples (examples/): environment files a team copies into
 * environments/ as they stand. Every one loads, validates, synthesizes with
 * the security pack (no finding, no waiver of its own), matches its reviewed snapshot
 * and plans offline with the real Terraform; and every feature it turns on is
 * found in its stack, checked against the file's own values, so an example
 * cannot claim what the stack does not do.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import { App } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentFiles, type EnvironmentSource, readEnvironmentSources, validateConfiguration } from '../../environments/load';
import type { EnvironmentSpec } from '../../environments/schema';
import { stateBackend } from '../../environments/state-backend';
import { assertCompliant, type ComplianceReport } from '../../modules/security';
import { buildStacks } from '../../stacks';
import { offlinePlan, type OfflinePlanResult } from '../../tools/lib/terraform';
import { compareSnapshot, describeChanges } from '../../tools/synth-model/snapshot';
// Imported as well as discovered: the type checker then holds the example to the schema's types.
import ordersProd from '../../examples/orders-prod';
import { ROOT } from '../support/paths';
import { type Block, readStacks, resourceList, type TfJson } from '../support/synth';

const EXAMPLES_DIR = join(ROOT, 'examples');
const SNAPSHOT_DIR = join(__dirname, '__snapshots__');
/** Example names: the file name without `.ts`, as `npm run snapshots` keys their snapshots. */
const NAMES = environmentFiles(EXAMPLES_DIR).map((file) => basename(file, extname(file)));

interface Example {
  readonly source: EnvironmentSource;
  readonly spec: EnvironmentSpec;
  /** Soft risks synth would list under Warnings. */
  readonly warnings: readonly string[];
  readonly stack: TfJson;
  readonly reports: ComplianceReport[];
  readonly plan: OfflinePlanResult;
}

const examples = new Map<string, Example>();

beforeAll(async () => {
  const sources = await readEnvironmentSources(EXAMPLES_DIR);
  for (const source of sources) {
    // Each in an app of its own, as a team would deploy it: examples may share an environment name. Checked as main.ts
    // checks a configuration: with the state backend, whose account a state role must belong to.
    const { environments, warnings } = validateConfiguration([source], stateBackend);
    const [spec] = environments;
    const outdir = mkdtempSync(join(tmpdir(), 'example-synth-'));
    const app = new App({ outdir });
    buildStacks(app, [spec!], stateBackend);
    app.synth();
    const reports = assertCompliant(app);
    const stack = readStacks(outdir)[spec!.name]!;
    const plan = await offlinePlan(join(outdir, 'stacks', spec!.name));
    examples.set(basename(source.file, extname(source.file)), { source, spec: spec!, warnings, stack, reports, plan });
  }
}, 600_000);

function example(name: string): Example {
  const found = examples.get(name);
  if (!found) throw new Error(`example ${name} was not synthesized`);
  return found;
}

/** Every resource of `type` in the stack, whatever construct built it. */
const all = (stack: TfJson, type: string): Block[] => resourceList(stack, type);

describe('examples/', () => {
  it('holds at least the orders example', () => {
    expect(NAMES).toContain('orders-prod');
  });
});

describe.each(NAMES)('example %s', (name) => {
  it('loads and validates, with no warning', () => {
    const { source, spec, warnings } = example(name);
    expect(source.loadError).toBeUndefined();
    expect(spec.name).toMatch(/^[a-z0-9-]+$/);
    expect(warnings).toEqual([]);
  });

  it('synthesizes with the security pack: every rule checked, no finding, no waiver of its own', () => {
    const { reports, spec } = example(name);
    const own = reports.find((r) => r.stack === spec.name);
    expect(own).toBeDefined();
    expect(own!.checks).toBeGreaterThan(50);
    expect(own!.production).toBe(spec.production);
    expect(reports.flatMap((r) => r.violations)).toEqual([]);
    expect(reports.flatMap((r) => r.unusedWaivers)).toEqual([]);
    // What an example shows is the secure default: the stack's own waivers (access-log bucket, Spot handler) only.
    expect(spec.securityExceptions).toEqual([]);
  });

  it('terraform validate passes and the plan only creates', () => {
    const { validate, plan } = example(name).plan;
    expect(validate.valid, JSON.stringify(validate.diagnostics)).toBe(true);
    expect(validate.error_count).toBe(0);
    const managed = plan.resource_changes.filter((c) => c.mode === 'managed');
    expect(managed.length).toBeGreaterThan(20);
    expect([...new Set(managed.flatMap((c) => c.change.actions))]).toEqual(['create']);
  });

  it('has no absolute paths or timestamps (its snapshot is the same on every machine)', () => {
    const text = JSON.stringify(example(name).stack, null, 2);
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(tmpdir());
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it.skipIf(process.env.SNAPSHOTS === 'off')('matches its committed snapshot', () => {
    const file = join(SNAPSHOT_DIR, `${name}.tf.json`);
    const comparison = compareSnapshot(existsSync(file) ? readFileSync(file, 'utf8') : undefined, example(name).stack);
    if (comparison.matches) return;
    const lines = describeChanges(comparison, 40).map((line) => `  ${line}`);
    expect.fail([`${relative(ROOT, file)} differs from the synthesized example ${name} (committed → synthesized):`, ...lines, 'Review and update the snapshots with: npm run snapshots'].join('\n'));
  });
});

/** Logical id of the one resource of `type` that `match` picks. */
function idOf(stack: TfJson, type: string, match: (block: Block) => boolean): string {
  const ids = Object.entries(stack.resource?.[type] ?? {}).filter(([, block]) => match(block)).map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one matching ${type}, found ${ids.length}`);
  return ids[0]!;
}

/** The fleet's instance role (`<project>-<name>-instance`, primary region). */
function instanceRole(stack: TfJson, spec: EnvironmentSpec): string {
  return idOf(stack, 'aws_iam_role', (role) => role.name === `${spec.project}-${spec.name}-instance`);
}

/** Every statement of the instance role's inline policies, read from the policy documents they render. */
function instancePolicyStatements(stack: TfJson, spec: EnvironmentSpec): Block[] {
  const role = `\${aws_iam_role.${instanceRole(stack, spec)}.name}`;
  const documents = all(stack, 'aws_iam_role_policy')
    .filter((policy) => policy.role === role)
    .map((policy) => /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(policy.policy))?.[1]);
  expect(documents.length).toBeGreaterThan(0);
  return documents.flatMap((id) => (stack.data?.aws_iam_policy_document?.[id!]?.statement as Block[] | undefined) ?? []);
}

/** `${aws_lb_target_group.<id>.arn}` of the target group on `port`. */
function targetGroupArn(stack: TfJson, port: number): string {
  return `\${aws_lb_target_group.${idOf(stack, 'aws_lb_target_group', (group) => group.port === port)}.arn}`;
}

describe.each(NAMES)('what example %s turns on is in its stack', (name) => {
  const stack = () => example(name).stack;
  const spec = () => example(name).spec;

  it('network.existing: no VPC, subnet, NAT, internet gateway or route is built; everything sits in the given VPC and subnets', () => {
    const existing = spec().network.existing;
    if (!existing) return;
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_nat_gateway', 'aws_internet_gateway', 'aws_route_table', 'aws_route', 'aws_eip']) {
      expect(all(stack(), type), type).toEqual([]);
    }
    const vpcIds = new Set(['aws_security_group', 'aws_lb_target_group', 'aws_vpc_endpoint', 'aws_flow_log'].flatMap((type) => all(stack(), type).map((r) => r.vpc_id)).filter(Boolean));
    expect([...vpcIds]).toEqual([existing.vpcId]);
    expect(all(stack(), 'aws_autoscaling_group').map((g) => g.vpc_zone_identifier)).toEqual([existing.privateSubnetIds]);
    const subnets = spec().loadBalancer.internal ? existing.privateSubnetIds : existing.publicSubnetIds;
    expect(all(stack(), 'aws_lb').map((lb) => lb.subnets)).toEqual([subnets]);
  });

  it('network.interfaceEndpoints: one interface endpoint per service, private DNS on, in the private subnets', () => {
    const services = spec().network.interfaceEndpoints;
    const endpoints = all(stack(), 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(services.map((s) => `com.amazonaws.${spec().region}.${s}`).sort());
    for (const endpoint of endpoints) expect(endpoint).toMatchObject({ private_dns_enabled: true });
  });

  it('network.s3GatewayEndpoint and s3EndpointPolicy: a gateway endpoint on the private route tables, with the policy given', () => {
    const gateways = all(stack(), 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Gateway');
    const { existing, s3GatewayEndpoint, s3EndpointPolicy } = spec().network;
    // A brought VPC gets one only where its route tables are given (its owner usually has one).
    if (!s3GatewayEndpoint || (existing && !existing.privateRouteTableIds)) {
      expect(gateways).toEqual([]);
      return;
    }
    expect(gateways).toHaveLength(1);
    expect(gateways[0]!.service_name).toBe(`com.amazonaws.${spec().region}.s3`);
    if (existing) expect(gateways[0]!.route_table_ids).toEqual(existing.privateRouteTableIds);
    if (!s3EndpointPolicy) return;
    const document = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(gateways[0]!.policy))?.[1];
    const statements = stack().data!.aws_iam_policy_document![document!]!.statement as Block[];
    expect(statements.map((st) => [st.sid, st.effect, st.actions, st.resources, st.condition ?? []])).toEqual(
      s3EndpointPolicy.statements.map((st) => [st.sid, st.effect, st.actions, st.resources, st.conditions ?? []]),
    );
  });

  it('loadBalancer.internal: the scheme', () => {
    expect(all(stack(), 'aws_lb').map((lb) => lb.internal ?? false)).toEqual([spec().loadBalancer.internal]);
  });

  it('loadBalancer.targetGroups: each on its own port and health check, and the fleet registered in it', () => {
    const groups = all(stack(), 'aws_lb_target_group');
    for (const wanted of spec().loadBalancer.targetGroups) {
      const group = groups.find((g) => g.port === wanted.port);
      expect(group, wanted.name).toBeDefined();
      expect(group!.health_check).toMatchObject({ path: wanted.healthCheck.path });
    }
    expect(groups).toHaveLength(1 + spec().loadBalancer.targetGroups.length);
    const [asg] = all(stack(), 'aws_autoscaling_group');
    expect((asg!.target_group_arns as string[]).length).toBe(groups.length);
  });

  it('loadBalancer.listenerRules: each on the HTTPS listener with its priority, conditions and action', () => {
    const rules = all(stack(), 'aws_lb_listener_rule');
    expect(rules.map((r) => r.priority).sort()).toEqual(spec().loadBalancer.listenerRules.map((r) => r.priority).sort());
    for (const wanted of spec().loadBalancer.listenerRules) {
      const rule = rules.find((r) => r.priority === wanted.priority)!;
      const conditions = rule.condition as Block[];
      if (wanted.hostHeaders) expect(conditions).toContainEqual({ host_header: { values: wanted.hostHeaders } });
      if (wanted.pathPatterns) expect(conditions).toContainEqual({ path_pattern: { values: wanted.pathPatterns } });
      expect(rule.listener_arn).toMatch(/^\$\{aws_lb_listener\.[^.]*https[^.]*\.arn\}$/);
      const [action] = rule.action as Block[];
      if (wanted.forward) {
        const port = wanted.forward === 'default' ? spec().app.port : spec().loadBalancer.targetGroups.find((g) => g.name === wanted.forward)!.port;
        expect(action).toEqual({ type: 'forward', target_group_arn: targetGroupArn(stack(), port) });
      }
      if (wanted.fixedResponse) expect(action).toMatchObject({ type: 'fixed-response', fixed_response: { status_code: String(wanted.fixedResponse.statusCode) } });
      if (wanted.redirect) expect(action).toMatchObject({ type: 'redirect', redirect: { status_code: wanted.redirect.statusCode } });
    }
  });

  it('loadBalancer.webAcl: a web ACL with the rate limit, associated with the load balancer', () => {
    const webAcl = spec().loadBalancer.webAcl;
    if (webAcl === false) return;
    const associations = all(stack(), 'aws_wafv2_web_acl_association');
    expect(associations).toHaveLength(1);
    if (typeof webAcl === 'object' && 'arn' in webAcl) {
      expect(all(stack(), 'aws_wafv2_web_acl')).toEqual([]);
      expect(associations[0]!.web_acl_arn).toBe(webAcl.arn);
      return;
    }
    const [acl] = all(stack(), 'aws_wafv2_web_acl');
    expect(acl).toMatchObject({ scope: 'REGIONAL' });
    if (typeof webAcl === 'object' && webAcl.rateLimit !== undefined) {
      expect(JSON.stringify(acl!.rule)).toContain(`"limit":${webAcl.rateLimit}`);
    }
  });

  it('loadBalancer.certificateArns: each on the HTTPS listener', () => {
    expect(all(stack(), 'aws_lb_listener_certificate').map((c) => c.certificate_arn).sort()).toEqual([...spec().loadBalancer.certificateArns].sort());
  });

  it('instances.iam: each statement in the instance role\'s inline policy, each managed policy attached to it, inside its boundary', () => {
    const statements = instancePolicyStatements(stack(), spec());
    for (const wanted of spec().instances.iam.statements) {
      const found = statements.find((s) => s.sid === wanted.sid && JSON.stringify(s.actions) === JSON.stringify(wanted.actions));
      expect(found, wanted.sid).toMatchObject({ effect: wanted.effect, resources: wanted.resources });
      expect(found!.condition ?? []).toEqual(wanted.conditions ?? []);
    }
    const role = instanceRole(stack(), spec());
    const attached = all(stack(), 'aws_iam_role_policy_attachment').filter((a) => a.role === `\${aws_iam_role.${role}.name}`).map((a) => a.policy_arn);
    expect(attached.sort()).toEqual([...spec().instances.iam.managedPolicyArns].sort());
    const boundary = spec().instances.iam.permissionsBoundaryArn ?? spec().security.permissionsBoundaryArn;
    expect(stack().resource!.aws_iam_role![role]!.permissions_boundary).toBe(boundary);
  });

  it('instances.egress and egressPorts: each rule on the instances\' security group, to its destination only', () => {
    const group = `\${aws_security_group.${idOf(stack(), 'aws_security_group', (sg) => sg.name_prefix === `${spec().project}-${spec().name}-web-`)}.id}`;
    const rules = all(stack(), 'aws_vpc_security_group_egress_rule').filter((rule) => rule.security_group_id === group);
    const anywhere = rules.filter((rule) => rule.cidr_ipv4 === '0.0.0.0/0').map((rule) => [rule.ip_protocol, rule.from_port, rule.to_port]);
    expect(anywhere.sort()).toEqual(spec().instances.egressPorts.map((port) => ['tcp', port, port]).sort());
    for (const wanted of spec().instances.egress) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          ip_protocol: wanted.protocol === 'all' ? '-1' : wanted.protocol,
          from_port: wanted.fromPort,
          to_port: wanted.toPort ?? wanted.fromPort,
          ...(wanted.securityGroupId ? { referenced_security_group_id: wanted.securityGroupId } : {}),
          ...(wanted.cidrIpv4 ? { cidr_ipv4: wanted.cidrIpv4 } : {}),
          ...(wanted.prefixListId ? { prefix_list_id: wanted.prefixListId } : {}),
        }),
      );
    }
  });

  it('instances.securityGroupIds: attached to the instances beside their own group', () => {
    const [template] = all(stack(), 'aws_launch_template');
    const groups = template!.vpc_security_group_ids as string[];
    expect(groups).toHaveLength(1 + spec().instances.securityGroupIds.length);
    expect(groups.slice(1)).toEqual(spec().instances.securityGroupIds);
  });

  it('instances: refresh checkpoints, alarm and rollback, maintenance policy, termination policies, lifetime', () => {
    const [group] = all(stack(), 'aws_autoscaling_group');
    const { instanceRefresh, instanceMaintenancePolicy, terminationPolicies, maxInstanceLifetime } = spec().instances;
    expect(group!.instance_refresh).toMatchObject({
      strategy: 'Rolling',
      preferences: {
        min_healthy_percentage: instanceRefresh.minHealthyPercentage,
        skip_matching: instanceRefresh.skipMatching,
        ...(instanceRefresh.checkpointPercentages.length ? { checkpoint_percentages: instanceRefresh.checkpointPercentages } : {}),
        ...(instanceRefresh.checkpointDelay !== undefined ? { checkpoint_delay: String(instanceRefresh.checkpointDelay) } : {}),
        ...(instanceRefresh.rollbackOnAlarm ? { alarm_specification: { alarms: [`${spec().project}-${spec().name}-5xx-rate`] } } : {}),
      },
    });
    // Left out when off (AWS's default), as the shipped stacks have it.
    expect(((group!.instance_refresh as Block).preferences as Block).auto_rollback ?? false).toBe(instanceRefresh.autoRollback);
    if (instanceMaintenancePolicy) {
      expect(group!.instance_maintenance_policy).toEqual({
        min_healthy_percentage: instanceMaintenancePolicy.minHealthyPercentage,
        max_healthy_percentage: instanceMaintenancePolicy.maxHealthyPercentage,
      });
    }
    expect(group!.termination_policies ?? ['Default']).toEqual(terminationPolicies);
    if (maxInstanceLifetime !== undefined) expect(group!.max_instance_lifetime).toBe(maxInstanceLifetime);
  });

  it('scaling.customTargets: a target-tracking policy each, on its metric', () => {
    const policies = all(stack(), 'aws_autoscaling_policy').filter((p) => p.policy_type === 'TargetTrackingScaling');
    for (const wanted of spec().scaling.customTargets) {
      const policy = policies.find((p) => String(p.name).endsWith(wanted.name));
      expect(policy, wanted.name).toBeDefined();
      expect(policy!.target_tracking_configuration).toMatchObject({ target_value: wanted.targetValue, disable_scale_in: wanted.disableScaleIn });
      const custom = (policy!.target_tracking_configuration as Block).customized_metric_specification as Block;
      if (wanted.metric) expect(custom).toMatchObject({ namespace: wanted.metric.namespace, metric_name: wanted.metric.metricName, statistic: wanted.metric.statistic });
      if (wanted.metrics) {
        expect((custom.metrics as Block[]).map((q) => [q.id, q.return_data])).toEqual(wanted.metrics.map((q) => [q.id, q.returnData]));
      }
    }
  });

  it('deployRole and the account: every AWS provider assumes the role and accepts the environment\'s account only', () => {
    const providers = stack().provider?.aws as Block[];
    expect(providers.length).toBeGreaterThan(0);
    const role = spec().deployRole;
    for (const provider of providers) {
      expect(provider.allowed_account_ids).toEqual([spec().account]);
      if (role) expect(provider.assume_role).toEqual([expect.objectContaining({ role_arn: role.roleArn, ...(role.externalId ? { external_id: role.externalId } : {}) })]);
    }
  });

  it('state: the backend it names (through the state account\'s role when given)', () => {
    const state = spec().state;
    const backend = stack().terraform.backend as Record<string, Block> | undefined;
    if (state.kind === 's3') {
      expect(backend?.s3).toBeDefined();
      if (state.roleArn) expect(backend!.s3!.assume_role).toMatchObject({ role_arn: state.roleArn });
    }
  });

  it('tags: on every resource through the providers\' default_tags, beside the cost tags', () => {
    for (const provider of stack().provider?.aws as Block[]) {
      expect((provider.default_tags as Block[])[0]!.tags).toMatchObject({ ...spec().tags, CostCenter: spec().costTags.CostCenter, Team: spec().costTags.Team });
    }
  });
});

describe('the orders example', () => {
  /** The extension points an environment file has: the example shows every one of them. */
  const EXTENSION_POINTS = [
    'network.existing',
    'network.existing.privateRouteTableIds',
    'network.interfaceEndpoints',
    'network.s3EndpointPolicy',
    'loadBalancer.internal',
    'loadBalancer.webAcl.rateLimit',
    'loadBalancer.certificateArns',
    'loadBalancer.targetGroup.healthCheck',
    'loadBalancer.targetGroups',
    'loadBalancer.listenerRules',
    'instances.iam.managedPolicyArns',
    'instances.iam.statements',
    'instances.iam.permissionsBoundaryArn',
    'instances.securityGroupIds',
    'instances.egress',
    'instances.egressPorts',
    'instances.instanceRefresh.checkpointPercentages',
    'instances.instanceRefresh.autoRollback',
    'instances.instanceMaintenancePolicy',
    'instances.terminationPolicies',
    'instances.maxInstanceLifetime',
    'scaling.customTargets',
    'deployRole.externalId',
    'state.roleArn',
    'tags',
  ];

  it.each(EXTENSION_POINTS)('sets %s', (path) => {
    const value = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], ordersProd);
    expect(value).toBeDefined();
    if (Array.isArray(value)) expect(value.length).toBeGreaterThan(0);
  });

  it('routes the API host to the api target group, on its own port', () => {
    const { stack } = example('orders-prod');
    const rule = all(stack, 'aws_lb_listener_rule').find((r) => JSON.stringify(r.condition).includes('api.orders.example.com'));
    expect(rule).toBeDefined();
    const api = Object.entries(stack.resource?.aws_lb_target_group ?? {}).find(([, g]) => g.port === 8081);
    expect(api).toBeDefined();
    expect((rule!.action as Block[])[0]!.target_group_arn).toBe(`\${aws_lb_target_group.${api![0]}.arn}`);
  });

  it('reads its own secrets only, and decrypts through Secrets Manager only', () => {
    const statements = instancePolicyStatements(example('orders-prod').stack, example('orders-prod').spec);
    expect(statements).toContainEqual(
      expect.objectContaining({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:ap-northeast-2:345678901234:secret:orders/prod/*'] }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        actions: ['kms:Decrypt'],
        condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.ap-northeast-2.amazonaws.com'] }],
      }),
    );
  });

  it('reaches PostgreSQL on the database\'s security group, and nothing else on 5432', () => {
    const rules = all(example('orders-prod').stack, 'aws_vpc_security_group_egress_rule').filter((r) => r.from_port === 5432);
    expect(rules).toEqual([expect.objectContaining({ ip_protocol: 'tcp', to_port: 5432, referenced_security_group_id: 'sg-0d1e2f3a4b5c60718' })]);
  });

  it('plans what it claims: no VPC, three listener rules, the web ACL association', () => {
    // The plan runs offline without the provider's role and account guard (tools/lib/terraform.ts offlineStack); the synthesized stack has them (above).
    const { plan } = example('orders-prod').plan;
    const created = (type: string) => plan.resource_changes.filter((c) => c.type === type && c.change.actions.includes('create'));
    expect(created('aws_vpc')).toEqual([]);
    expect(created('aws_lb_listener_rule')).toHaveLength(3);
    expect(created('aws_wafv2_web_acl_association')).toHaveLength(1);
  });
});
