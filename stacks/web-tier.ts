import { Construct } from 'constructs';
import type { AlarmMetric, EnvironmentSpec, SubscriberSpec } from '../environments/schema';
import { WebFleet } from '../modules/compute';
import { ContainerService, containerServiceLogGroupName } from '../modules/container-service';
import { batchLogGroupNames, BatchTier } from '../modules/batch';
import { AuroraPostgres } from '../modules/database';
import { createsWebAcl, LoadBalancer, webAclLogGroupName } from '../modules/load-balancer';
import { Monitoring } from '../modules/monitoring';
import type { Subscriber } from '../modules/notifications';
import { ExistingNetwork, Network, type VpcNetwork } from '../modules/network';
import { launchHookName, LifecycleHooks, SpotChaosExperiment, SpotInterruptionHandler, spotHandlerLogGroupName } from '../modules/resilience';
import { type MetricSpec, Scaling } from '../modules/scaling';
import { ServerlessApi, serverlessApiLogGroupName } from '../modules/serverless';
import { OperationsKey } from '../modules/shared/kms';

/** The parts of an environment that describe one region's web tier. */
export type TierSpec = Pick<
  EnvironmentSpec,
  | 'region'
  | 'availabilityZones'
  | 'network'
  | 'instanceTypes'
  | 'capacity'
  | 'instancesDistribution'
  | 'instances'
  | 'app'
  | 'loadBalancer'
  | 'scaling'
  | 'flowLogs'
  | 'deletionProtection'
  | 'account'
  | 'project'
  | 'name'
  | 'security'
  | 'monitoring'
  | 'resilience'
  | 'containerService'
  | 'serverlessApi'
  | 'batch'
  | 'database'
  | 'production'
>;

export interface WebTierProps {
  /** Name prefix, e.g. `web-app-prod` (or `web-app-prod-dr` for a standby). */
  readonly name: string;
  readonly spec: TierSpec;
  /** Certificate for the HTTPS listener, in `spec.region`. */
  readonly certificateArn: string;
  /** Tags for instances and volumes (provider default_tags cover the rest). */
  readonly tags: Record<string, string>;
}

/**
 * One region's web tier, wired from the modules: network, load balancer,
 * fleet and its scaling, and the operations around them — alarms and
 * dashboard, Spot interruption handling, lifecycle hooks and, where asked
 * for, a chaos experiment. A stack builds one per region it serves.
 */
export class WebTier extends Construct {
  public readonly key: OperationsKey;
  public readonly network: VpcNetwork;
  public readonly loadBalancer: LoadBalancer;
  public readonly fleet: WebFleet;
  public readonly scaling: Scaling;
  public readonly monitoring: Monitoring;
  public readonly containerService?: ContainerService;
  public readonly database?: AuroraPostgres;
  public readonly lifecycleHooks?: LifecycleHooks;
  public readonly spotHandler?: SpotInterruptionHandler;
  public readonly chaos?: SpotChaosExperiment;
  public readonly serverlessApi?: ServerlessApi;
  public readonly batch?: BatchTier;

  constructor(scope: Construct, id: string, props: WebTierProps) {
    super(scope, id);
    const { spec, name } = props;
    const { monitoring, resilience } = spec;
    const handlesSpot = resilience.spotInterruptionHandler.enabled;
    this.key = new OperationsKey(this, 'ops-key', {
      alias: `${name}-ops`,
      account: spec.account,
      region: spec.region,
      administratorArns: spec.security.keyAdministratorArns,
      // Monitoring names its alarms `<name>-…`; they publish to topics under this key.
      alarmNamePrefix: name,
      // The tier's log groups, named as the network module and the Spot handler name them.
      logGroupNames: [
        ...(spec.flowLogs.enabled ? [`/aws/vpc-flow-logs/${name}`] : []),
        ...(handlesSpot ? [spotHandlerLogGroupName(name)] : []),
        ...(createsWebAcl(spec.loadBalancer.webAcl) ? [webAclLogGroupName(name)] : []),
        ...(spec.containerService ? [containerServiceLogGroupName(name)] : []),
        ...(spec.serverlessApi ? [serverlessApiLogGroupName(name)] : []),
        ...(spec.batch ? batchLogGroupNames(name, spec.batch.runner) : []),
      ],
      // The handler's rules are `<name>-spot-…`, the batch tier's `<name>-batch-…`; both deliver to queues under this key.
      eventRuleNamePrefixes: [...(handlesSpot ? [`${name}-spot`] : []), ...(spec.batch ? [`${name}-batch`] : [])],
    });

    // Built from vpcCidr, or brought by ID: the rest of the tier sees the same VpcNetwork.
    const { existing, vpcCidr, ...network } = spec.network;
    if (!existing && vpcCidr === undefined) throw new Error(`${name}: network has neither vpcCidr nor existing (schema should have caught this)`);
    const addOns = {
      name,
      region: spec.region,
      s3GatewayEndpoint: network.s3GatewayEndpoint,
      s3EndpointPolicy: network.s3EndpointPolicy?.statements,
      interfaceEndpoints: network.interfaceEndpoints,
      flowLogs: { ...spec.flowLogs, kmsKeyArn: this.key.keyArn },
    };
    this.network = existing
      ? new ExistingNetwork(this, 'network', { ...addOns, ...existing })
      : new Network(this, 'network', {
          ...addOns,
          cidr: vpcCidr!,
          availabilityZones: spec.availabilityZones,
          natMode: network.natMode,
          subnetPrefixLength: network.subnetPrefixLength,
          publicSubnetCidrs: network.publicSubnets,
          privateSubnetCidrs: network.privateSubnets,
          // Isolated subnets only for a database: without one the VPC is as before.
          databaseSubnets: spec.database ? { cidrs: network.databaseSubnets } : undefined,
        });

    this.loadBalancer = new LoadBalancer(this, 'load-balancer', {
      name,
      vpcId: this.network.vpcId,
      // An internal load balancer sits beside the instances, in the private subnets.
      subnetIds: spec.loadBalancer.internal ? this.network.privateSubnetIds : this.network.publicSubnetIds,
      internal: spec.loadBalancer.internal,
      certificateArn: props.certificateArn,
      certificateArns: spec.loadBalancer.certificateArns,
      targetPort: spec.app.port,
      ingressCidrs: spec.loadBalancer.ingressCidrs,
      deletionProtection: spec.deletionProtection,
      accessLogRetentionDays: spec.loadBalancer.accessLogRetentionDays,
      webAcl: spec.loadBalancer.webAcl,
      webAclLogKmsKeyArn: this.key.keyArn,
      account: spec.account,
      ...spec.loadBalancer.targetGroup,
      healthCheck: { ...spec.loadBalancer.targetGroup.healthCheck, path: spec.app.healthPath },
      targetGroups: spec.loadBalancer.targetGroups,
      listenerRules: spec.loadBalancer.listenerRules,
    });
    if (spec.serverlessApi) {
      // Its rule sits on the HTTPS listener beside loadBalancer.listenerRules (the schema keeps priorities apart).
      this.serverlessApi = new ServerlessApi(this, 'serverless-api', {
        ...spec.serverlessApi,
        name,
        account: spec.account,
        listenerArn: this.loadBalancer.httpsListener.arn,
        kmsKeyArn: this.key.keyArn,
        logRetentionDays: monitoring.logRetentionDays,
      });
    }

    this.fleet = new WebFleet(this, 'fleet', {
      name,
      account: spec.account,
      region: spec.region,
      // The environment's parameters; a standby reads the same path in its own region.
      parameterPath: `/${spec.project}/${spec.name}`,
      vpcId: this.network.vpcId,
      subnetIds: this.network.privateSubnetIds,
      instanceTypes: spec.instanceTypes,
      minSize: spec.capacity.minSize,
      maxSize: spec.capacity.maxSize,
      desiredCapacity: spec.capacity.desiredCapacity,
      instancesDistribution: spec.instancesDistribution,
      appPort: spec.app.port,
      loadBalancerSecurityGroupId: this.loadBalancer.securityGroupId,
      targetGroupArns: this.loadBalancer.targetGroupArns,
      additionalTargetPorts: this.loadBalancer.additionalTargetPorts,
      imageId: spec.app.imageId,
      userData: spec.app.userData,
      tags: props.tags,
      readinessHookName: resilience.lifecycleHooks.enabled ? launchHookName(name) : undefined,
      healthPath: spec.app.healthPath,
      managedPolicyArns: spec.instances.iam.managedPolicyArns,
      policyStatements: spec.instances.iam.statements,
      // Omitted, the environment's boundary reaches this role like every other (applyPermissionsBoundary).
      permissionsBoundaryArn: spec.instances.iam.permissionsBoundaryArn,
      securityGroupIds: spec.instances.securityGroupIds,
      egressRules: spec.instances.egress,
      egressPorts: spec.instances.egressPorts,
      refreshMinHealthyPercentage: spec.instances.instanceRefresh.minHealthyPercentage,
      instanceRefresh: spec.instances.instanceRefresh,
      instanceMaintenancePolicy: spec.instances.instanceMaintenancePolicy,
      terminationPolicies: spec.instances.terminationPolicies,
      maxInstanceLifetime: spec.instances.maxInstanceLifetime,
      warmPool: spec.instances.warmPool,
    });

    // The instances call SSM, ECR, Logs, … through the interface endpoints.
    this.network.allowEndpointAccessFrom(this.fleet.securityGroupId);

    if (spec.containerService) {
      // Its rule sits on the HTTPS listener beside loadBalancer.listenerRules (the schema keeps priorities apart).
      const { taskRole, listenerRule, ...service } = spec.containerService;
      this.containerService = new ContainerService(this, 'container-service', {
        ...service,
        listenerRule,
        taskRoleStatements: taskRole.statements,
        name,
        account: spec.account,
        region: spec.region,
        vpcId: this.network.vpcId,
        subnetIds: this.network.privateSubnetIds,
        loadBalancer: this.loadBalancer,
        kmsKeyArn: this.key.keyArn,
        logRetentionDays: monitoring.logRetentionDays,
      });
      // The tasks pull images and read secrets through the interface endpoints where there are some.
      this.network.allowEndpointAccessFrom(this.containerService.securityGroupId);
    }

    if (spec.database) this.database = this.buildDatabase(spec.database, name, spec);

    this.scaling = new Scaling(this, 'scaling', {
      autoScalingGroupName: this.fleet.autoScalingGroupName,
      namePrefix: name,
    });
    this.addScalingPolicies(spec.scaling);

    this.monitoring = new Monitoring(this, 'monitoring', {
      name,
      region: spec.region,
      account: spec.account,
      autoScalingGroupName: this.fleet.autoScalingGroupName,
      loadBalancerArnSuffix: this.loadBalancer.loadBalancerArnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroupArnSuffix,
      additionalTargetGroups: this.loadBalancer.additionalTargetGroupArnSuffixes,
      kmsKeyArn: this.key.keyArn,
      alertSubscribers: monitoring.alerts.map(subscriberOf),
      criticalSubscribers: monitoring.critical.map(subscriberOf),
      thresholds: monitoring,
      database: this.database ? { clusterIdentifier: this.database.clusterIdentifier } : undefined,
    });
    if (spec.instances.instanceRefresh.rollbackOnAlarm) {
      // By name (the configured literal): the alarm watches the group, so a reference back would be a cycle.
      const errorRate = this.monitoring.alarms.errorRate.alarmNameInput;
      if (errorRate === undefined) throw new Error(`${name}: the 5xx alarm has no name to stop a refresh on`);
      this.fleet.stopRefreshOnAlarms([errorRate]);
    }

    if (resilience.lifecycleHooks.enabled) {
      this.lifecycleHooks = new LifecycleHooks(this, 'lifecycle-hooks', {
        name,
        account: spec.account,
        autoScalingGroupName: this.fleet.autoScalingGroupName,
        kmsKeyArn: this.key.keyArn,
        launchHeartbeatSeconds: resilience.lifecycleHooks.launchHeartbeatSeconds,
        terminateHeartbeatSeconds: resilience.lifecycleHooks.terminateHeartbeatSeconds,
      });
    }
    if (handlesSpot) {
      this.spotHandler = new SpotInterruptionHandler(this, 'spot-handler', {
        name,
        account: spec.account,
        autoScalingGroupName: this.fleet.autoScalingGroupName,
        autoScalingGroupArn: this.fleet.autoScalingGroupArn,
        topicArn: this.monitoring.alertsTopicArn,
        kmsKeyArn: this.key.keyArn,
        logRetentionDays: monitoring.logRetentionDays,
        reservedConcurrency: resilience.spotInterruptionHandler.reservedConcurrency,
      });
    }
    if (spec.batch) {
      const { expected: _costInputsOnly, ...batch } = spec.batch;
      this.batch = new BatchTier(this, 'batch', {
        ...batch,
        name,
        account: spec.account,
        region: spec.region,
        vpcId: this.network.vpcId,
        subnetIds: this.network.privateSubnetIds,
        kmsKeyArn: this.key.keyArn,
        alertsTopicArn: this.monitoring.alertsTopicArn,
        logRetentionDays: monitoring.logRetentionDays,
        tags: props.tags,
        // Without deletion protection a teardown is one step: the buckets go with what they hold.
        forceDestroy: !spec.deletionProtection,
      });
      // The batch instances reach SSM and S3 through the interface endpoints where there are some.
      this.network.allowEndpointAccessFrom(this.batch.securityGroupId);
    }
    if (resilience.chaos) {
      this.chaos = new SpotChaosExperiment(this, 'chaos', {
        name,
        environment: spec.name,
        autoScalingGroupName: this.fleet.autoScalingGroupName,
        account: spec.account,
        region: spec.region,
        stopAlarmArn: this.monitoring.errorRateAlarmArn,
        instances: resilience.chaos.instances,
        warning: resilience.chaos.warning,
      });
    }
  }

  /** The cluster in the isolated subnets, reachable by the fleet alone, whose master secret the fleet may read. */
  private buildDatabase(database: NonNullable<TierSpec['database']>, name: string, spec: TierSpec): AuroraPostgres {
    const subnetIds = this.network instanceof Network ? this.network.databaseSubnetIds : database.subnetIds;
    if (!subnetIds?.length) throw new Error(`${name}: the database has no subnets (schema should have caught this)`);
    const cluster = new AuroraPostgres(this, 'database', {
      name,
      account: spec.account,
      region: spec.region,
      vpcId: this.network.vpcId,
      subnetIds,
      availabilityZones: spec.availabilityZones,
      instances: database.instances,
      instanceClass: database.instanceClass,
      engineVersion: database.engineVersion,
      databaseName: database.databaseName,
      port: database.port,
      backupRetentionDays: database.backupRetentionDays,
      production: spec.production,
      keyAdministratorArns: spec.security.keyAdministratorArns,
    });
    cluster.allowConnectionsFrom(this.fleet.securityGroupId, 'PostgreSQL from the web instances only');
    this.fleet.allowConnectionTo(cluster.securityGroupId, cluster.port, 'PostgreSQL to the database only');
    this.fleet.grantSecretRead(cluster.masterSecretArn, cluster.keyArn);
    return cluster;
  }

  private addScalingPolicies(scaling: TierSpec['scaling']): void {
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
      const onRequests = predictive.metric === 'requests';
      this.scaling.scaleOnForecast('predictive', {
        mode: predictive.mode,
        schedulingBufferTime: predictive.schedulingBufferTime,
        maxCapacityBreachBehavior: predictive.maxCapacityBreachBehavior,
        maxCapacityBuffer: predictive.maxCapacityBuffer,
        metric: onRequests
          ? {
              kind: 'requests',
              targetRequestsPerTarget: scaling.requestsPerTarget ?? 1000,
              loadBalancerArnSuffix: lb.loadBalancerArnSuffix,
              targetGroupArnSuffix: lb.targetGroupArnSuffix,
            }
          : { kind: 'cpu', targetUtilizationPercent: scaling.cpuTarget },
        dependsOn: onRequests ? attached : undefined,
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
    for (const target of scaling.customTargets) {
      this.scaling.scaleOnMetricTarget(target.name, target);
    }
  }

  /** Environment files name metrics; only the tier knows their dimensions. */
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

/** A subscriber as the module takes it: the schema has checked that each protocol has its own field. */
function subscriberOf(subscriber: SubscriberSpec): Subscriber {
  if (subscriber.protocol === 'email' && subscriber.endpoint !== undefined) return { protocol: 'email', endpoint: subscriber.endpoint };
  if (subscriber.protocol === 'https' && subscriber.endpointParameter !== undefined) return { protocol: 'https', endpointParameter: subscriber.endpointParameter };
  throw new Error(`subscriber ${JSON.stringify(subscriber)} has no ${subscriber.protocol === 'email' ? 'endpoint' : 'endpointParameter'} (schema should have caught this)`);
}
