import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { AlarmMetric, EnvironmentSpec } from '../environments/schema';
import { WebFleet } from '../modules/compute';
import { LoadBalancer } from '../modules/load-balancer';
import { Network } from '../modules/network';
import { type MetricSpec, Scaling } from '../modules/scaling';
import { type BackendSettings, stateKey, stateKmsAlias } from './backend-settings';

export interface EnvironmentStackProps {
  readonly environment: EnvironmentSpec;
  readonly backend: BackendSettings;
}

/** One environment's web tier: network, load balancer, fleet and its scaling. */
export class EnvironmentStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: LoadBalancer;
  public readonly fleet: WebFleet;
  public readonly scaling: Scaling;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const env = props.environment;
    super(scope, env.name);
    const qualifiedName = `${env.project}-${env.name}`;
    const tags = environmentTags(env);

    this.useRemoteState(env, props.backend);
    new AwsProvider(this, 'aws', { region: env.region, defaultTags: [{ tags }] });

    this.network = new Network(this, 'network', {
      name: qualifiedName,
      region: env.region,
      cidr: env.network.vpcCidr,
      availabilityZones: env.availabilityZones,
      natMode: env.network.natMode,
      subnetPrefixLength: env.network.subnetPrefixLength,
      publicSubnetCidrs: env.network.publicSubnets,
      privateSubnetCidrs: env.network.privateSubnets,
      s3GatewayEndpoint: env.network.s3GatewayEndpoint,
      flowLogs: env.flowLogs,
    });

    this.loadBalancer = new LoadBalancer(this, 'load-balancer', {
      name: qualifiedName,
      vpcId: this.network.vpcId,
      subnetIds: this.network.publicSubnetIds,
      certificateArn: env.certificateArn,
      targetPort: env.app.port,
      ingressCidrs: env.loadBalancer.ingressCidrs,
      deletionProtection: env.deletionProtection,
      accessLogRetentionDays: env.loadBalancer.accessLogRetentionDays,
      healthCheck: { path: env.app.healthPath },
    });

    this.fleet = new WebFleet(this, 'fleet', {
      name: qualifiedName,
      vpcId: this.network.vpcId,
      subnetIds: this.network.privateSubnetIds,
      instanceTypes: env.instanceTypes,
      minSize: env.capacity.minSize,
      maxSize: env.capacity.maxSize,
      desiredCapacity: env.capacity.desiredCapacity,
      distribution: env.mixedInstances,
      appPort: env.app.port,
      loadBalancerSecurityGroupId: this.loadBalancer.securityGroupId,
      targetGroupArns: [this.loadBalancer.targetGroupArn],
      imageId: env.app.imageId,
      userData: env.app.userData,
      tags,
    });

    this.scaling = new Scaling(this, 'scaling', {
      autoScalingGroupName: this.fleet.autoScalingGroupName,
      namePrefix: qualifiedName,
    });
    this.addScalingPolicies(env);

    new TerraformOutput(this, 'alb_dns_name', { value: this.loadBalancer.dnsName });
    new TerraformOutput(this, 'asg_name', { value: this.fleet.autoScalingGroupName });
    new TerraformOutput(this, 'vpc_id', { value: this.network.vpcId });
  }

  private useRemoteState(env: EnvironmentSpec, backend: BackendSettings): void {
    const s3 = new S3Backend(this, {
      bucket: backend.bucket,
      key: stateKey(backend, env.name),
      region: backend.region,
      encrypt: true,
      kmsKeyId: stateKmsAlias(backend),
      dynamodbTable: backend.lockTable,
    });
    // cdktf 0.21 predates the S3 lock file option; the override adds it verbatim.
    if (backend.locking === 'both') s3.addOverride('use_lockfile', true);
  }

  private addScalingPolicies(env: EnvironmentSpec): void {
    const { scaling } = env;
    const lb = this.loadBalancer;
    const attached = [lb.httpsListener];

    this.scaling.scaleOnCpuUtilization('cpu-target', { targetUtilizationPercent: scaling.cpuTarget });
    if (scaling.requestsPerTarget !== undefined) {
      this.scaling.scaleOnRequestCount('requests-target', {
        targetRequestsPerTarget: scaling.requestsPerTarget,
        loadBalancerArnSuffix: lb.loadBalancerArnSuffix,
        targetGroupArnSuffix: lb.targetGroupArnSuffix,
        dependsOn: attached,
      });
    }
    const predictive = scaling.predictive;
    if (predictive) {
      this.scaling.scaleOnForecast('predictive', {
        mode: predictive.mode,
        schedulingBufferTime: predictive.schedulingBufferTime,
        maxCapacityBreachBehavior: predictive.maxCapacityBreachBehavior,
        maxCapacityBuffer: predictive.maxCapacityBuffer,
        metric:
          predictive.metric === 'requests'
            ? {
                kind: 'requests',
                targetRequestsPerTarget: scaling.requestsPerTarget ?? 1000,
                loadBalancerArnSuffix: lb.loadBalancerArnSuffix,
                targetGroupArnSuffix: lb.targetGroupArnSuffix,
              }
            : { kind: 'cpu', targetUtilizationPercent: scaling.cpuTarget },
        dependsOn: predictive.metric === 'requests' ? attached : undefined,
      });
    }
    for (const policy of scaling.stepPolicies) {
      this.scaling.scaleOnMetric(policy.name, { ...policy, metric: this.metric(policy.metric) });
    }
    for (const policy of scaling.simplePolicies) {
      this.scaling.scaleOnAlarm(policy.name, { ...policy, metric: this.metric(policy.metric) });
    }
    for (const schedule of scaling.schedules) {
      this.scaling.scaleOnSchedule(schedule.name, schedule);
    }
  }

  /** Environment files name metrics; only the stack knows their dimensions. */
  private metric(name: AlarmMetric): MetricSpec {
    const lb = this.loadBalancer;
    switch (name) {
      case 'cpu':
        return {
          namespace: 'AWS/EC2',
          metricName: 'CPUUtilization',
          statistic: 'Average',
          dimensions: { AutoScalingGroupName: this.fleet.autoScalingGroupName },
        };
      case 'requestCountPerTarget':
        return {
          namespace: 'AWS/ApplicationELB',
          metricName: 'RequestCountPerTarget',
          statistic: 'Sum',
          dimensions: { TargetGroup: lb.targetGroupArnSuffix },
        };
      case 'targetResponseTime':
        return {
          namespace: 'AWS/ApplicationELB',
          metricName: 'TargetResponseTime',
          statistic: 'Average',
          dimensions: { LoadBalancer: lb.loadBalancerArnSuffix },
        };
    }
  }
}

/** Provider default_tags: who owns it and who pays for it. */
export function environmentTags(env: EnvironmentSpec): Record<string, string> {
  return {
    Environment: env.name,
    ManagedBy: 'cdktf',
    Project: env.costTags.Project ?? env.project,
    CostCenter: env.costTags.CostCenter,
    Team: env.costTags.Team,
  };
}
