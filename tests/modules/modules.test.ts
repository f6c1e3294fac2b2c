/** Module defaults, and that each default can be overridden. */
import { describe, expect, it } from 'vitest';
import { WebFleet, type WebFleetProps } from '../../modules/compute';
import { DEFAULT_SSL_POLICY, LoadBalancer } from '../../modules/load-balancer';
import { Network, type NetworkProps } from '../../modules/network';
import { defaultSubnetLayout, parseCidr } from '../../modules/network/cidr';
import { requestResourceLabel, Scaling } from '../../modules/scaling';
import { GUARDED_STATE_ACTIONS, KEY_ADMIN_ACTIONS, StateBackend } from '../../modules/state-backend';
import { useAccount } from '../../modules/shared/iam';
import { dataSources, only, resourceList, synthConstruct, type Block } from '../support/synth';
import type { Construct } from 'constructs';
import { FLEET_PROPS, LOAD_BALANCER_PROPS } from '../support/module-props';

/** A Network in a scope whose account is recorded, as an environment stack records it. */
const network = (scope: Construct, props: NetworkProps) => {
  useAccount(scope, '111122223333');
  return new Network(scope, 'net', props);
};

/** The statements of the one policy document whose logical id contains `id`. */
function statementsOf(json: ReturnType<typeof synthConstruct>, id: string): Block[] {
  const docs = Object.entries(dataSources(json, 'aws_iam_policy_document')).filter(([docId]) => docId.includes(id));
  if (docs.length !== 1) throw new Error(`expected one policy document ${id}, found ${docs.length}`);
  return docs[0]![1].statement as Block[];
}

const fleetProps = FLEET_PROPS;

const lbProps = LOAD_BALANCER_PROPS;

const networkProps: NetworkProps = {
  name: 'demo-test',
  region: 'us-east-1',
  cidr: '10.0.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
};

describe('WebFleet', () => {
  const userDataOf = (props: Partial<WebFleetProps>) =>
    Buffer.from(String(only(synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, ...props })), 'aws_launch_template').user_data), 'base64').toString('utf8');

  it('sends user data base64-encoded at synth, byte for byte, backslashes and ${…} included', () => {
    const script = '#!/bin/bash\nprintf "%s\\n" "${HOME}" \\\n  > /tmp/x %{y}\n';
    expect(userDataOf({ userData: script })).toBe(script);
    expect(synthConstruct((scope) => new WebFleet(scope, 'fleet', fleetProps)).resource?.aws_launch_template).not.toHaveProperty('fleet_template_0.user_data');
  });

  it('appends the readiness check to the user data, or gives it a #! line of its own', () => {
    const withHook = userDataOf({ userData: '#!/bin/bash\necho app\n', readinessHookName: 'demo-test-launch' });
    expect(withHook).toMatch(/^#!\/bin\/bash\necho app\n\n# Report ready/);
    expect(withHook).toContain("READY_HOOK='demo-test-launch'\nREADY_URL='http://127.0.0.1:8080/health'\n");
    expect(userDataOf({ readinessHookName: 'demo-test-launch' })).toMatch(/^#!\/bin\/bash\n# Report ready/);
    expect(() => userDataOf({ userData: '#cloud-config\n', readinessHookName: 'demo-test-launch' })).toThrow(/must be a script starting with #!/);
  });

  it('refuses what Auto Scaling would refuse: min > max, desired outside, a percentage outside 0–100, no types', () => {
    const build = (props: Partial<WebFleetProps>) => () => synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, ...props }));
    expect(build({ minSize: 5, maxSize: 3 })).toThrow('WebFleet demo-test: minSize 5 > maxSize 3');
    expect(build({ desiredCapacity: 9 })).toThrow('desiredCapacity 9 is outside [minSize 1, maxSize 4]');
    expect(build({ instancesDistribution: { onDemandPercentageAboveBaseCapacity: 120 } })).toThrow('onDemandPercentageAboveBaseCapacity 120 is outside 0–100');
    expect(build({ instanceTypes: [] })).toThrow('needs at least one instance type');
  });

  // Mutation testing found these edges unguarded: AWS accepts each equality, so the construct must too.
  it('accepts the edges AWS accepts: min = max, desired at either bound, 0 % and 100 % on demand', () => {
    const build = (props: Partial<WebFleetProps>) => () => synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, ...props }));
    expect(build({ minSize: 3, maxSize: 3, desiredCapacity: 3 })).not.toThrow();
    expect(build({ desiredCapacity: 1 })).not.toThrow();
    expect(build({ desiredCapacity: 4 })).not.toThrow();
    expect(build({ desiredCapacity: 0 })).toThrow('desiredCapacity 0 is outside [minSize 1, maxSize 4]');
    expect(build({ instancesDistribution: { onDemandPercentageAboveBaseCapacity: 0 } })).not.toThrow();
    expect(build({ instancesDistribution: { onDemandPercentageAboveBaseCapacity: 100 } })).not.toThrow();
    expect(build({ instancesDistribution: { onDemandPercentageAboveBaseCapacity: -1 } })).toThrow('onDemandPercentageAboveBaseCapacity -1 is outside 0–100');
    expect(build({ instancesDistribution: { onDemandPercentageAboveBaseCapacity: 101 } })).toThrow('onDemandPercentageAboveBaseCapacity 101 is outside 0–100');
  });

  it('launches into its own security group, tags what it launches, and is replaced before it is destroyed', () => {
    const json = synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, tags: { Team: 'web' } }));
    const [sgId, sg] = Object.entries(json.resource?.aws_security_group ?? {})[0] ?? [];
    const template = only(json, 'aws_launch_template');
    expect({
      vpc_security_group_ids: template.vpc_security_group_ids,
      update_default_version: template.update_default_version,
      tag_specifications: template.tag_specifications,
      lifecycle: template.lifecycle,
    }).toEqual({
      vpc_security_group_ids: [`\${aws_security_group.${sgId}.id}`],
      update_default_version: true,
      tag_specifications: ['instance', 'volume', 'network-interface'].map((resource_type) => ({ resource_type, tags: { Team: 'web', Name: 'demo-test-web' } })),
      lifecycle: { create_before_destroy: true },
    });
    expect(sg).toMatchObject({ vpc_id: 'vpc-1', tags: { Name: 'demo-test-web' }, lifecycle: { create_before_destroy: true } });
    expect(only(json, 'aws_iam_instance_profile')).toMatchObject({ name: 'demo-test-instance' });
    // No readiness hook: no permission to complete one.
    expect(Object.values(json.resource?.aws_iam_role_policy ?? {}).map((p) => p.name)).not.toContain('report-ready');
    const withHook = synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, readinessHookName: 'demo-test-launch' }));
    expect(Object.values(withHook.resource?.aws_iam_role_policy ?? {}).map((p) => p.name)).toContain('report-ready');
  });

  it('defaults to the seed distribution and a hardened launch template', () => {
    const json = synthConstruct((scope) => new WebFleet(scope, 'fleet', fleetProps));
    expect(only(json, 'aws_autoscaling_group')).toMatchObject({
      desired_capacity: 1,
      health_check_grace_period: 300,
      default_instance_warmup: 120,
      mixed_instances_policy: {
        instances_distribution: {
          on_demand_base_capacity: 2,
          on_demand_percentage_above_base_capacity: 20,
          spot_allocation_strategy: 'capacity-optimized',
        },
      },
      instance_refresh: { preferences: { min_healthy_percentage: 80 } },
    });
    expect(only(json, 'aws_launch_template')).toMatchObject({
      image_id: 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      instance_type: 't3.medium',
      monitoring: { enabled: true },
      metadata_options: { http_tokens: 'required' },
      block_device_mappings: [{ ebs: { volume_size: 30, volume_type: 'gp3', encrypted: 'true' } }],
    });
    const egress = resourceList(json, 'aws_vpc_security_group_egress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(egress.map((r) => r.from_port)).toEqual([443]);
  });

  it('lets every default be overridden', () => {
    const json = synthConstruct(
      (scope) =>
        new WebFleet(scope, 'fleet', {
          ...fleetProps,
          desiredCapacity: 3,
          instancesDistribution: { onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 50, spotAllocationStrategy: 'price-capacity-optimized' },
          imageId: 'ami-0123456789abcdef0',
          rootVolumeSizeGb: 50,
          healthCheckGracePeriod: 60,
          defaultInstanceWarmup: 30,
          refreshMinHealthyPercentage: 90,
          detailedMonitoring: false,
          egressPorts: [443, 5432],
        }),
    );
    expect(only(json, 'aws_autoscaling_group')).toMatchObject({
      desired_capacity: 3,
      health_check_grace_period: 60,
      default_instance_warmup: 30,
      mixed_instances_policy: {
        instances_distribution: {
          on_demand_base_capacity: 0,
          on_demand_percentage_above_base_capacity: 50,
          spot_allocation_strategy: 'price-capacity-optimized',
        },
      },
      instance_refresh: { preferences: { min_healthy_percentage: 90 } },
    });
    expect(only(json, 'aws_launch_template')).toMatchObject({
      image_id: 'ami-0123456789abcdef0',
      monitoring: { enabled: false },
      block_device_mappings: [{ ebs: { volume_size: 50 } }],
    });
    const egress = resourceList(json, 'aws_vpc_security_group_egress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(egress.map((r) => r.from_port)).toEqual([443, 5432]);
  });
});

describe('WebFleet permissions', () => {
  const json = () => synthConstruct((scope) => new WebFleet(scope, 'fleet', fleetProps));

  it('instances get Session Manager and their own parameters only, not AmazonSSMManagedInstanceCore', () => {
    const fleet = json();
    expect(resourceList(fleet, 'aws_iam_role_policy_attachment')).toEqual([]);
    const statements = statementsOf(fleet, 'instance-permissions').map((s) => JSON.parse(JSON.stringify(s).replace(/\$\{data\.aws_partition\.[^}]+\}/g, 'PARTITION')) as Block);
    expect(statements).toEqual([
      { sid: 'RegisterWithSystemsManager', actions: ['ssm:UpdateInstanceInformation'], resources: ['*'] },
      {
        sid: 'SessionManagerChannels',
        actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        resources: ['*'],
      },
      {
        sid: 'AgentMessages',
        actions: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
        resources: ['*'],
      },
      {
        sid: 'ReadOwnParameters',
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        resources: ['arn:PARTITION:ssm:eu-west-1:111122223333:parameter/demo/test', 'arn:PARTITION:ssm:eu-west-1:111122223333:parameter/demo/test/*'],
      },
      {
        sid: 'DecryptOwnSecureStrings',
        actions: ['kms:Decrypt'],
        resources: ['arn:PARTITION:kms:eu-west-1:111122223333:key/*'],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: ['ssm.eu-west-1.amazonaws.com'] },
          { test: 'ArnLike', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: ['arn:PARTITION:ssm:eu-west-1:111122223333:parameter/demo/test/*'] },
        ],
      },
    ]);
    expect(only(fleet, 'aws_iam_role_policy')).toMatchObject({ name: 'session-manager-and-parameters' });
  });

  it('no statement grants ssm:GetParameter* on every parameter', () => {
    for (const statement of statementsOf(json(), 'instance-permissions')) {
      const actions = statement.actions as string[];
      if (actions.some((a) => a.startsWith('ssm:GetParameter'))) expect(statement.resources).not.toContain('*');
    }
  });

  it('refuses a parameter path that is not one, or that is the root of every parameter', () => {
    const build = (parameterPath: string) => () => synthConstruct((scope) => new WebFleet(scope, 'fleet', { ...fleetProps, parameterPath }));
    expect(build('/')).toThrow('WebFleet demo-test: parameterPath "/" is not a parameter path like /web-app/prod');
    expect(build('demo/test')).toThrow('parameterPath "demo/test" is not a parameter path like /web-app/prod');
    expect(build('/demo/test/')).not.toThrow();
  });

  it('EC2 may assume the instance role for this account only', () => {
    expect(statementsOf(json(), 'ec2-trust')).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] }],
      },
    ]);
  });
});

describe('Network flow-log role', () => {
  it('trusts VPC flow logs of the recorded account, and of its flow logs in this region only', () => {
    const json = synthConstruct((scope) => network(scope, networkProps));
    expect(statementsOf(json, 'flow-log-trust')).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
          {
            test: 'ArnLike',
            variable: 'aws:SourceArn',
            values: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.net_flow-log-trust-partition_[0-9A-F]{8}\.partition\}:ec2:\$\{data\.aws_region\.net_flow-log-trust-region_[0-9A-F]{8}\.name\}:111122223333:vpc-flow-log\/\*$/)],
          },
        ],
      },
    ]);
  });

  it('refuses to build a trust policy without an account', () => {
    expect(() => synthConstruct((scope) => new Network(scope, 'net', networkProps))).toThrow(
      /the vpc-flow-logs\.amazonaws\.com trust policy needs the account \(pass \{ account \}, or build it in a stack that called useAccount\)/,
    );
  });
});

describe('LoadBalancer', () => {
  /** Statements with provider tokens replaced by names, for literal comparison. */
  const plain = (statements: Block[]) =>
    JSON.parse(
      JSON.stringify(statements)
        .replace(/\$\{aws_s3_bucket\.[^.}]+\.arn\}/g, 'BUCKET')
        .replace(/\$\{data\.aws_elb_service_account\.[^.}]+\.arn\}/g, 'ELB_ACCOUNT'),
    ) as Block[];

  it('defaults: TLS 1.3 forward-secret policy, a WAF with IP reputation, a per-IP rate limit, and the AWS common and known-bad-inputs rules', () => {
    const json = synthConstruct((scope) => new LoadBalancer(scope, 'lb', lbProps));
    expect(DEFAULT_SSL_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    expect(resourceList(json, 'aws_lb_listener').find((l) => l.port === 443)?.ssl_policy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-2021-06');
    const acl = only(json, 'aws_wafv2_web_acl');
    expect(acl).toMatchObject({ name: 'demo-test-alb', scope: 'REGIONAL', default_action: { allow: {} } });
    expect((acl.rule as Block[]).map((r) => [r.name, r.priority, r.override_action, r.statement])).toEqual([
      ['AWSManagedRulesAmazonIpReputationList', 0, { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesAmazonIpReputationList', vendor_name: 'AWS' } }],
      ['rate-limit-per-ip', 1, undefined, { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } }],
      ['AWSManagedRulesCommonRuleSet', 2, { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } }],
      ['AWSManagedRulesKnownBadInputsRuleSet', 3, { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesKnownBadInputsRuleSet', vendor_name: 'AWS' } }],
    ]);
    expect((acl.rule as Block[])[1]!.action).toEqual({ block: {} });
    const albId = Object.keys(json.resource?.aws_lb ?? {})[0];
    const aclId = Object.keys(json.resource?.aws_wafv2_web_acl ?? {})[0];
    expect(only(json, 'aws_wafv2_web_acl_association')).toEqual({ resource_arn: `\${aws_lb.${albId}.arn}`, web_acl_arn: `\${aws_wafv2_web_acl.${aclId}.arn}` });
  });

  it("access logs: ELB may write only under this account's prefix, the service principal only for this account", () => {
    const json = synthConstruct((scope) => new LoadBalancer(scope, 'lb', lbProps));
    expect(plain(statementsOf(json, 'access-logs_policy-document')).slice(0, 2)).toEqual([
      { sid: 'ElbAccountLogDelivery', actions: ['s3:PutObject'], resources: ['BUCKET/alb/AWSLogs/123456789012/*'], principals: [{ type: 'AWS', identifiers: ['ELB_ACCOUNT'] }] },
      {
        sid: 'ElbServiceLogDelivery',
        actions: ['s3:PutObject'],
        resources: ['BUCKET/alb/AWSLogs/123456789012/*'],
        principals: [{ type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] }],
      },
    ]);
    const overridden = synthConstruct((scope) => new LoadBalancer(scope, 'lb', { ...lbProps, account: '111122223333' }));
    expect(plain(statementsOf(overridden, 'access-logs_policy-document'))[1]).toMatchObject({
      resources: ['BUCKET/alb/AWSLogs/111122223333/*'],
      condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] }],
    });
  });

  it('defaults: deletion protection on, open 443/80, seed health check', () => {
    const json = synthConstruct((scope) => new LoadBalancer(scope, 'lb', lbProps));
    expect(only(json, 'aws_lb')).toMatchObject({ enable_deletion_protection: true, idle_timeout: 60, drop_invalid_header_fields: true });
    const ingress = resourceList(json, 'aws_vpc_security_group_ingress_rule');
    expect(ingress.map((r) => [r.from_port, r.cidr_ipv4])).toEqual([
      [443, '0.0.0.0/0'],
      [80, '0.0.0.0/0'],
    ]);
    expect(only(json, 'aws_lb_target_group')).toMatchObject({ port: 8080, health_check: { path: '/health', matcher: '200' } });
  });

  it('lets every default be overridden', () => {
    const json = synthConstruct(
      (scope) =>
        new LoadBalancer(scope, 'lb', {
          ...lbProps,
          ingressCidrs: ['203.0.113.0/24'],
          sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06',
          deletionProtection: false,
          accessLogRetentionDays: 7,
          idleTimeout: 120,
          deregistrationDelay: 5,
          healthCheck: { path: '/ready', interval: 30, matcher: '200-299' },
          webAcl: false,
        }),
    );
    expect(resourceList(json, 'aws_wafv2_web_acl')).toEqual([]);
    expect(resourceList(json, 'aws_wafv2_web_acl_association')).toEqual([]);
    expect(only(json, 'aws_lb')).toMatchObject({ enable_deletion_protection: false, idle_timeout: 120 });
    expect(resourceList(json, 'aws_vpc_security_group_ingress_rule').map((r) => r.cidr_ipv4)).toEqual(['203.0.113.0/24', '203.0.113.0/24']);
    expect(resourceList(json, 'aws_lb_listener').find((l) => l.port === 443)?.ssl_policy).toBe('ELBSecurityPolicy-TLS13-1-3-2021-06');
    expect(only(json, 'aws_lb_target_group')).toMatchObject({ deregistration_delay: '5', health_check: { path: '/ready', interval: 30, matcher: '200-299' } });
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')).toMatchObject({ rule: [{ expiration: [{ days: 7 }] }] });
  });
});

describe('Network', () => {
  it('defaults: single NAT, flow logs on for a year, S3 gateway endpoint, /24 subnets', () => {
    const json = synthConstruct((scope) => network(scope, networkProps));
    expect(resourceList(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(only(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(365);
    expect(only(json, 'aws_vpc_endpoint')).toMatchObject({ service_name: 'com.amazonaws.us-east-1.s3', vpc_endpoint_type: 'Gateway' });
    expect(resourceList(json, 'aws_subnet').map((s) => [s.cidr_block, (s.tags as Record<string, string>).Tier]).sort()).toEqual([
      ['10.0.0.0/24', 'public'],
      ['10.0.1.0/24', 'public'],
      ['10.0.128.0/24', 'private'],
      ['10.0.129.0/24', 'private'],
      ['10.0.130.0/24', 'private'],
      ['10.0.2.0/24', 'public'],
    ]);
  });

  it('per-AZ NAT gives each AZ its own NAT gateway and route table', () => {
    const json = synthConstruct((scope) => network(scope, { ...networkProps, natMode: 'per-az' }));
    expect(resourceList(json, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourceList(json, 'aws_route').filter((r) => r.nat_gateway_id)).toHaveLength(3);
  });

  it('no NAT leaves private subnets without a default route; flow logs and endpoint can be turned off', () => {
    const json = synthConstruct(
      (scope) => network(scope, { ...networkProps, natMode: 'none', flowLogs: { enabled: false }, s3GatewayEndpoint: false }),
    );
    expect(resourceList(json, 'aws_nat_gateway')).toHaveLength(0);
    expect(resourceList(json, 'aws_route').filter((r) => r.nat_gateway_id)).toHaveLength(0);
    expect(resourceList(json, 'aws_flow_log')).toHaveLength(0);
    expect(resourceList(json, 'aws_vpc_endpoint')).toHaveLength(0);
  });
});

describe('CIDR layout', () => {
  it('matches Terraform cidrsubnet numbering and rejects what does not fit', () => {
    expect(defaultSubnetLayout('10.1.0.0/20', 24, 2)).toEqual({
      public: ['10.1.0.0/24', '10.1.1.0/24'],
      private: ['10.1.8.0/24', '10.1.9.0/24'],
    });
    expect(defaultSubnetLayout('10.1.0.0/23', 24, 2)).toBeUndefined();
    expect(parseCidr('10.0.0.0/8')).toEqual({ network: 167772160, prefix: 8 });
    expect(parseCidr('256.0.0.0/8')).toBeUndefined();
  });
});

describe('Scaling', () => {
  it('builds each policy type with intent-named methods', () => {
    const json = synthConstruct((scope) => {
      const scaling = new Scaling(scope, 'scaling', { autoScalingGroupName: 'asg', namePrefix: 'demo' });
      scaling.scaleOnCpuUtilization('cpu', { targetUtilizationPercent: 60 });
      scaling.scaleOnRequestCount('rps', { targetRequestsPerTarget: 500, loadBalancerArnSuffix: 'app/lb/1', targetGroupArnSuffix: 'targetgroup/tg/2' });
      scaling.scaleOnForecast('forecast', { metric: { kind: 'cpu', targetUtilizationPercent: 60 } });
      scaling.scaleOnMetric('burst', {
        metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'asg' } },
        threshold: 80,
        comparison: 'above',
        steps: [{ lower: 0, adjustment: 2 }],
      });
      scaling.scaleOnAlarm('idle', {
        metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'asg' } },
        threshold: 10,
        comparison: 'below',
        adjustment: -1,
      });
      scaling.scaleOnSchedule('night', { recurrence: '0 22 * * *', minSize: 0, maxSize: 1, desiredCapacity: 0 });
    });
    const policies = resourceList(json, 'aws_autoscaling_policy');
    const byName = (name: string) => policies.find((p) => p.name === name);
    expect(policies.map((p) => [p.name, p.policy_type]).sort()).toEqual([
      ['demo-burst', 'StepScaling'],
      ['demo-cpu', 'TargetTrackingScaling'],
      ['demo-forecast', 'PredictiveScaling'],
      ['demo-idle', 'SimpleScaling'],
      ['demo-rps', 'TargetTrackingScaling'],
    ]);
    expect(byName('demo-rps')?.target_tracking_configuration).toMatchObject({
      predefined_metric_specification: { resource_label: 'app/lb/1/targetgroup/tg/2' },
    });
    expect(byName('demo-forecast')?.predictive_scaling_configuration).toMatchObject({
      mode: 'ForecastAndScale',
      scheduling_buffer_time: '300',
      max_capacity_breach_behavior: 'HonorMaxCapacity',
    });
    expect(byName('demo-idle')).toMatchObject({ cooldown: 300, scaling_adjustment: -1 });
    const alarms = resourceList(json, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => [a.alarm_name, a.comparison_operator]).sort()).toEqual([
      ['demo-burst', 'GreaterThanOrEqualToThreshold'],
      ['demo-idle', 'LessThanOrEqualToThreshold'],
    ]);
    expect(only(json, 'aws_autoscaling_schedule')).toMatchObject({ time_zone: 'Etc/UTC', recurrence: '0 22 * * *' });
  });

  it('labels request metrics load balancer first', () => {
    expect(requestResourceLabel('app/a/1', 'targetgroup/b/2')).toBe('app/a/1/targetgroup/b/2');
  });
});

describe('StateBackend', () => {
  const backend = (extra: Partial<ConstructorParameters<typeof StateBackend>[2]> = {}) =>
    synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't', account: '111122223333', ...extra }));
  const plain = (statements: Block[]) =>
    JSON.parse(
      JSON.stringify(statements)
        .replace(/\$\{data\.aws_partition\.[^.}]+\.partition\}/g, 'aws')
        .replace(/\$\{data\.aws_region\.[^.}]+\.name\}/g, 'ap-northeast-2')
        .replace(/\$\{aws_s3_bucket\.[^.}]+\.arn\}/g, 'LOG_BUCKET'),
    ) as Block[];

  it('bucket policy: TLS only, and only the break-glass role may delete versions or change policy, versioning or lifecycle', () => {
    const statements = plain(statementsOf(backend(), 'state_policy-document'));
    expect(statements.map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'OnlyBreakGlassDestroysHistory']);
    expect(GUARDED_STATE_ACTIONS).toEqual(['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration']);
    expect(statements[2]).toEqual({
      sid: 'OnlyBreakGlassDestroysHistory',
      effect: 'Deny',
      actions: ['s3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:PutBucketVersioning', 's3:PutLifecycleConfiguration'],
      resources: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
      principals: [{ type: '*', identifiers: ['*'] }],
      condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::111122223333:role/state-break-glass'] }],
    });
    const named = plain(statementsOf(backend({ breakGlassRoleArn: 'arn:aws:iam::111122223333:role/ops/recovery' }), 'state_policy-document'));
    expect(named[2]?.condition).toEqual([{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::111122223333:role/ops/recovery'] }]);
    // A sandbox must be able to empty and destroy its bucket.
    expect(plain(statementsOf(backend({ protect: false }), 'state_policy-document')).map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls']);
    // The policy goes on last: after it, versioning and lifecycle changes need the break-glass role.
    const policy = resourceList(backend(), 'aws_s3_bucket_policy').find((p) => !String(p.bucket).includes('access-logs'));
    expect((policy?.depends_on as string[]).map((d) => d.split('.')[0])).toEqual(['aws_s3_bucket_versioning', 'aws_s3_bucket_lifecycle_configuration']);
  });

  it('key policy: administrators manage, users encrypt and decrypt only through S3 (and DynamoDB for the lock table)', () => {
    const json = backend({ keyAdministratorArns: ['arn:aws:iam::111122223333:role/kms-admin'] });
    expect(resourceList(json, 'aws_kms_key_policy')).toHaveLength(1);
    const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
    const inAccount = { test: 'StringEquals', variable: 'kms:CallerAccount', values: ['111122223333'] };
    expect(plain(statementsOf(json, 'key-policy-document'))).toEqual([
      { sid: 'BreakGlassAccountRootAdministers', actions: KEY_ADMIN_ACTIONS, resources: ['*'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }] },
      { sid: 'KeyAdministrators', actions: KEY_ADMIN_ACTIONS, resources: ['*'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:role/kms-admin'] }] },
      {
        sid: 'UsersThroughS3Only',
        actions: use,
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        condition: [inAccount, { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.ap-northeast-2.amazonaws.com'] }],
      },
      {
        sid: 'LockTableThroughDynamoDbOnly',
        actions: [...use, 'kms:CreateGrant'],
        resources: ['*'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        condition: [inAccount, { test: 'StringEquals', variable: 'kms:ViaService', values: ['dynamodb.ap-northeast-2.amazonaws.com'] }],
      },
    ]);
    expect(KEY_ADMIN_ACTIONS).not.toContain('kms:Decrypt');
    expect(KEY_ADMIN_ACTIONS.some((a) => a === 'kms:*' || a.startsWith('kms:Encrypt') || a.startsWith('kms:GenerateDataKey'))).toBe(false);
  });

  it('logs bucket requests to <bucket>-logs, which only S3 log delivery for this bucket and account may write', () => {
    const json = backend();
    expect(resourceList(json, 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual(['b', 'b-logs']);
    expect(only(json, 'aws_s3_bucket_logging')).toMatchObject({ target_prefix: 'state/' });
    expect(plain(statementsOf(json, 'access-logs_policy-document'))[0]).toEqual({
      sid: 'S3ServerAccessLogDelivery',
      actions: ['s3:PutObject'],
      resources: ['LOG_BUCKET/*'],
      principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
      condition: [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111122223333'] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:s3:::b'] },
      ],
    });
    const encryption = resourceList(json, 'aws_s3_bucket_server_side_encryption_configuration').map((e) => (e.rule as Block[])[0]?.apply_server_side_encryption_by_default);
    expect(encryption).toContainEqual({ sse_algorithm: 'AES256' });
    const logLifecycle = resourceList(json, 'aws_s3_bucket_lifecycle_configuration').find((l) => (l.rule as Block[])[0]?.id === 'expire-access-logs');
    expect(logLifecycle?.rule).toMatchObject([{ expiration: [{ days: 365 }], noncurrent_version_expiration: [{ noncurrent_days: 30 }] }]);
  });

  it('Object Lock is off by default, and locks new versions in the mode and for the days given', () => {
    expect(resourceList(backend(), 'aws_s3_bucket_object_lock_configuration')).toEqual([]);
    expect(only(backend({ objectLock: { mode: 'GOVERNANCE', days: 30 } }), 'aws_s3_bucket_object_lock_configuration')).toMatchObject({
      object_lock_enabled: 'Enabled',
      rule: { default_retention: { mode: 'GOVERNANCE', days: 30 } },
    });
  });

  it('without an account, reads it from the key ARN rather than looking it up (plans stay offline)', () => {
    const json = synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't' }));
    expect(json.data?.aws_caller_identity).toBeUndefined();
    expect(JSON.stringify(statementsOf(json, 'key-policy-document')[0])).toMatch(/element\(split\(\\"\:\\", aws_kms_key\.[^.]+\.arn\), 4\)/);
  });

  it('protects bucket and table by default, and can be unprotected for sandboxes', () => {
    const guarded = synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't' }));
    expect(resourceList(guarded, 'aws_s3_bucket').find((b) => b.bucket === 'b')).toMatchObject({ lifecycle: { prevent_destroy: true } });
    expect(only(guarded, 'aws_dynamodb_table')).toMatchObject({ deletion_protection_enabled: true });
    expect(only(guarded, 'aws_kms_alias').name).toBe('alias/b');

    const sandbox = synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't', protect: false }));
    expect(resourceList(sandbox, 'aws_s3_bucket').find((b) => b.bucket === 'b')).toMatchObject({ lifecycle: { prevent_destroy: false }, force_destroy: true });
    expect(only(sandbox, 'aws_dynamodb_table')).toMatchObject({ deletion_protection_enabled: false });
  });
});
