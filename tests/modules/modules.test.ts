/** Module defaults, and that each default can be overridden. */
import { describe, expect, it } from 'vitest';
import { WebFleet, type WebFleetProps } from '../../modules/compute';
import { LoadBalancer, type LoadBalancerProps } from '../../modules/load-balancer';
import { Network, type NetworkProps } from '../../modules/network';
import { defaultSubnetLayout, parseCidr } from '../../modules/network/cidr';
import { requestResourceLabel, Scaling } from '../../modules/scaling';
import { StateBackend } from '../../modules/state-backend';
import { only, resourceList, synthConstruct } from '../support/synth';

const fleetProps: WebFleetProps = {
  name: 'demo-test',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  instanceTypes: [{ type: 't3.medium', weight: 1 }],
  minSize: 1,
  maxSize: 4,
  appPort: 8080,
  loadBalancerSecurityGroupId: 'sg-alb',
  targetGroupArns: ['arn:tg'],
};

const lbProps: LoadBalancerProps = {
  name: 'demo-test',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  targetPort: 8080,
};

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

describe('LoadBalancer', () => {
  it('defaults: deletion protection on, TLS 1.3 policy, open 443/80, seed health check', () => {
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
        }),
    );
    expect(only(json, 'aws_lb')).toMatchObject({ enable_deletion_protection: false, idle_timeout: 120 });
    expect(resourceList(json, 'aws_vpc_security_group_ingress_rule').map((r) => r.cidr_ipv4)).toEqual(['203.0.113.0/24', '203.0.113.0/24']);
    expect(resourceList(json, 'aws_lb_listener').find((l) => l.port === 443)?.ssl_policy).toBe('ELBSecurityPolicy-TLS13-1-3-2021-06');
    expect(only(json, 'aws_lb_target_group')).toMatchObject({ deregistration_delay: '5', health_check: { path: '/ready', interval: 30, matcher: '200-299' } });
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')).toMatchObject({ rule: [{ expiration: [{ days: 7 }] }] });
  });
});

describe('Network', () => {
  it('defaults: single NAT, flow logs on for 90 days, S3 gateway endpoint, /24 subnets', () => {
    const json = synthConstruct((scope) => new Network(scope, 'net', networkProps));
    expect(resourceList(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(only(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(90);
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
    const json = synthConstruct((scope) => new Network(scope, 'net', { ...networkProps, natMode: 'per-az' }));
    expect(resourceList(json, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourceList(json, 'aws_route').filter((r) => r.nat_gateway_id)).toHaveLength(3);
  });

  it('no NAT leaves private subnets without a default route; flow logs and endpoint can be turned off', () => {
    const json = synthConstruct(
      (scope) => new Network(scope, 'net', { ...networkProps, natMode: 'none', flowLogs: { enabled: false }, s3GatewayEndpoint: false }),
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
  it('protects bucket and table by default, and can be unprotected for sandboxes', () => {
    const guarded = synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't' }));
    expect(only(guarded, 'aws_s3_bucket')).toMatchObject({ lifecycle: { prevent_destroy: true } });
    expect(only(guarded, 'aws_dynamodb_table')).toMatchObject({ deletion_protection_enabled: true });
    expect(only(guarded, 'aws_kms_alias').name).toBe('alias/b');

    const sandbox = synthConstruct((scope) => new StateBackend(scope, 'state', { bucketName: 'b', lockTableName: 't', protect: false }));
    expect(only(sandbox, 'aws_s3_bucket')).toMatchObject({ lifecycle: { prevent_destroy: false } });
    expect(only(sandbox, 'aws_dynamodb_table')).toMatchObject({ deletion_protection_enabled: false });
  });
});
