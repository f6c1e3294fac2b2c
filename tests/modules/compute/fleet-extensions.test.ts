/**
 * WebFleet's extension points: instance IAM and boundary, network
 * reach, instance refresh, maintenance, termination, lifetime and warm pool,
 * as the synthesized resources carry them; and the defaults leave the group
 * as it was.
 */
import { Aspects, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { type InstancePolicyStatement, WebFleet, type WebFleetProps } from '../../../modules/compute';
import { applyPermissionsBoundary } from '../../../modules/shared/iam';
import { dataSources, only, resourceList, resources, synthConstruct, type Block, type TfJson } from '../../support/synth';
import { FLEET_PROPS } from '../../support/module-props';

const fleetProps = FLEET_PROPS;

const fleet = (props: Partial<WebFleetProps> = {}, after?: (f: WebFleet) => void): TfJson =>
  synthConstruct((scope) => {
    const built = new WebFleet(scope, 'fleet', { ...fleetProps, ...props });
    after?.(built);
  });

const group = (json: TfJson): Block => only(json, 'aws_autoscaling_group');

describe('WebFleet defaults', () => {
  it('keep the group, template and role as they were: no new attribute, no new resource', () => {
    const json = fleet();
    const asg = group(json);
    expect(asg.instance_refresh).toEqual({ strategy: 'Rolling', preferences: { min_healthy_percentage: 80, skip_matching: true } });
    for (const key of ['termination_policies', 'max_instance_lifetime', 'instance_maintenance_policy', 'warm_pool', 'launch_template']) expect(asg).not.toHaveProperty(key);
    expect(asg).toHaveProperty('mixed_instances_policy');
    expect(only(json, 'aws_iam_role')).not.toHaveProperty('permissions_boundary');
    expect(resources(json, 'aws_iam_role_policy_attachment')).toEqual({});
    expect(resourceList(json, 'aws_iam_role_policy').map((p) => p.name)).toEqual(['session-manager-and-parameters']);
    expect(only(json, 'aws_launch_template').vpc_security_group_ids).toHaveLength(1);
    expect(only(json, 'aws_launch_template')).not.toHaveProperty('hibernation_options');
  });
});

describe('WebFleet instance IAM', () => {
  const statements: InstancePolicyStatement[] = [
    { sid: 'ReadReports', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] },
    { effect: 'Deny', actions: ['s3:*'], resources: ['*'], conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
  ];

  it('attaches each managed policy and puts the statements in an inline policy of their own', () => {
    const json = fleet({ managedPolicyArns: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy', 'arn:aws:iam::111122223333:policy/team/reports'], policyStatements: statements });
    expect(resourceList(json, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn).sort()).toEqual([
      'arn:aws:iam::111122223333:policy/team/reports',
      'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy',
    ]);
    expect(resourceList(json, 'aws_iam_role_policy').map((p) => p.name).sort()).toEqual(['application', 'session-manager-and-parameters']);
    const [doc] = Object.entries(dataSources(json, 'aws_iam_policy_document')).filter(([id]) => id.includes('app-permissions'));
    expect(doc![1].statement).toEqual([
      { sid: 'ReadReports', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] },
      { effect: 'Deny', actions: ['s3:*'], resources: ['*'], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
    ]);
  });

  it("an instance boundary wins for the instance role only; the stack's boundary reaches the others", () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        new WebFleet(scope, 'fleet', { ...fleetProps, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/instance-boundary' });
        // A role built beside it, as the network's flow-log role is.
        new WebFleet(scope, 'other', { ...fleetProps, name: 'demo-other' });
        applyPermissionsBoundary(scope, 'arn:aws:iam::111122223333:policy/workload-boundary');
        expect(Aspects.of(scope).all).toHaveLength(1);
      }),
    ) as TfJson;
    const boundaries = Object.fromEntries(resourceList(json, 'aws_iam_role').map((r) => [r.name, r.permissions_boundary]));
    expect(boundaries).toEqual({
      'demo-test-instance': 'arn:aws:iam::111122223333:policy/instance-boundary',
      'demo-other-instance': 'arn:aws:iam::111122223333:policy/workload-boundary',
    });
  });
});

describe('WebFleet network reach', () => {
  it('attaches extra security groups beside its own', () => {
    const json = fleet({ securityGroupIds: ['sg-0123456789abcdef0'] });
    const ids = only(json, 'aws_launch_template').vpc_security_group_ids as string[];
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe('sg-0123456789abcdef0');
  });

  it('adds one described egress rule per destination, ports as given, none with every protocol', () => {
    const json = fleet({
      egressRules: [
        { description: 'PostgreSQL on the orders database', fromPort: 5432, securityGroupId: 'sg-0d1e2f3a4b5c60718' },
        { description: 'DNS to the resolver', protocol: 'udp', fromPort: 53, cidrIpv4: '10.0.0.2/32' },
        { description: 'S3 through its prefix list', fromPort: 443, prefixListId: 'pl-0123abcd' },
        { description: 'Everything to the shared services VPC', protocol: 'all', cidrIpv4: '10.99.0.0/16' },
      ],
    });
    const rules = resourceList(json, 'aws_vpc_security_group_egress_rule').filter((r) => String(r.description).match(/PostgreSQL|DNS|prefix|shared/));
    const shapes = rules.map((r) => [r.ip_protocol, r.from_port, r.to_port, r.referenced_security_group_id ?? r.cidr_ipv4 ?? r.prefix_list_id]);
    expect(shapes).toHaveLength(4);
    expect(shapes).toEqual(
      expect.arrayContaining([
        ['tcp', 5432, 5432, 'sg-0d1e2f3a4b5c60718'],
        ['udp', 53, 53, '10.0.0.2/32'],
        ['tcp', 443, 443, 'pl-0123abcd'],
        ['-1', undefined, undefined, '10.99.0.0/16'],
      ]),
    );
  });

  it('opens additional target ports from the load balancer, both ways, and skips the app port', () => {
    const json = fleet({ additionalTargetPorts: [8081, 8080, 8081] });
    const ingress = resourceList(json, 'aws_vpc_security_group_ingress_rule')
      .map((r) => [r.from_port, r.referenced_security_group_id])
      .sort();
    expect(ingress).toEqual([
      [8080, 'sg-alb'],
      [8081, 'sg-alb'],
    ]);
    const fromAlb = resourceList(json, 'aws_vpc_security_group_egress_rule').filter((r) => r.security_group_id === 'sg-alb');
    expect(fromAlb.map((r) => r.from_port).sort()).toEqual([8080, 8081]);
  });
});

describe('WebFleet instance refresh', () => {
  it('carries checkpoints, warm-up and rollback, and names the alarms it stops on', () => {
    const json = fleet(
      { imageId: 'ami-0123456789abcdef0', instanceRefresh: { skipMatching: false, instanceWarmup: 60, checkpointPercentages: [25, 50, 100], checkpointDelay: 600, autoRollback: true } },
      (f) => f.stopRefreshOnAlarms(['demo-test-5xx-rate']),
    );
    expect(group(json).instance_refresh).toEqual({
      strategy: 'Rolling',
      preferences: {
        min_healthy_percentage: 80,
        skip_matching: false,
        instance_warmup: '60',
        checkpoint_percentages: [25, 50, 100],
        checkpoint_delay: '600',
        auto_rollback: true,
        alarm_specification: { alarms: ['demo-test-5xx-rate'] },
      },
    });
  });

  it('refuses what StartInstanceRefresh would: checkpoints out of order or short of 100, rollback to an SSM-resolved image', () => {
    expect(() => fleet({ instanceRefresh: { checkpointPercentages: [50, 25] } })).toThrow(/must ascend, each percent once: 25 follows 50/);
    expect(() => fleet({ instanceRefresh: { checkpointPercentages: [50] } })).toThrow(/must end at 100/);
    expect(() => fleet({ instanceRefresh: { autoRollback: true } })).toThrow(/instanceRefresh.autoRollback: AWS cannot roll back .*SSM parameter/);
    // A reference (any token) would make the group depend on the alarm that watches it.
    expect(() => fleet({}, (f) => f.stopRefreshOnAlarms([f.autoScalingGroupName]))).toThrow(/refresh alarms must be literal names/);
  });
});

describe('WebFleet replacement, retirement and warm pool', () => {
  it('sets maintenance policy, termination order and lifetime', () => {
    const asg = group(
      fleet({
        instanceMaintenancePolicy: { minHealthyPercentage: 100, maxHealthyPercentage: 150 },
        terminationPolicies: ['OldestLaunchTemplate', 'Default'],
        maxInstanceLifetime: 1_209_600,
      }),
    );
    expect(asg).toMatchObject({
      instance_maintenance_policy: { min_healthy_percentage: 100, max_healthy_percentage: 150 },
      termination_policies: ['OldestLaunchTemplate', 'Default'],
      max_instance_lifetime: 1_209_600,
    });
    expect(() => fleet({ maxInstanceLifetime: 3600 })).toThrow(/maxInstanceLifetime: 3600 is neither 0/);
    expect(() => fleet({ instanceMaintenancePolicy: { minHealthyPercentage: 50, maxHealthyPercentage: 200 } })).toThrow(/more than 100 above/);
  });

  it('a warm pool swaps the mixed instances policy for the plain launch template AWS requires', () => {
    const json = fleet({
      instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 },
      warmPool: { poolState: 'Hibernated', minSize: 1, maxGroupPreparedCapacity: 6, reuseOnScaleIn: true },
    });
    const asg = group(json);
    expect(asg).not.toHaveProperty('mixed_instances_policy');
    expect(asg.launch_template).toMatchObject({ id: expect.stringContaining('aws_launch_template'), version: expect.stringContaining('latest_version') });
    expect(asg.warm_pool).toEqual({ pool_state: 'Hibernated', min_size: 1, max_group_prepared_capacity: 6, instance_reuse_policy: { reuse_on_scale_in: true } });
    expect(only(json, 'aws_launch_template').hibernation_options).toEqual({ configured: true });
  });

  it('refuses a warm pool on Spot or on several instance types', () => {
    expect(() => fleet({ warmPool: {} })).toThrow(/warmPool: AWS refuses warm pools on groups that request Spot/);
    expect(() =>
      fleet({
        instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 },
        instanceTypes: [
          { type: 't3.medium', weight: 1 },
          { type: 't3a.medium', weight: 1 },
        ],
        warmPool: {},
      }),
    ).toThrow(/needs exactly one instance type, instanceTypes has 2/);
  });
});
