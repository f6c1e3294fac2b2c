import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import type { LoadBalancer, TargetHealthCheck } from '../load-balancer';
import { instanceTargetGroup, TARGET_GROUP_DEFAULTS } from '../load-balancer';
import { DEFAULT_CAPACITY_PROVIDER_STRATEGY, FARGATE_CAPACITY_PROVIDERS, type CapacityProviderShare } from './fargate';
import { executionRole, taskRole, type TaskRoleStatement } from './roles';

export * from './fargate';
export { ecrRepositoryArn, secretResourceArn, type TaskRoleStatement } from './roles';

/** The container's name in the task definition (and the load balancer's target). */
export const CONTAINER_NAME = 'app';

/**
 * One default per field; the environment schema uses them. Cooldowns and
 * CPU target are the guide's; stopTimeout is Fargate's most, what a Spot
 * task's two-minute notice leaves; draining stays well under it.
 */
export const CONTAINER_SERVICE_DEFAULTS = {
  containerPort: 8080,
  readonlyRootFilesystem: true,
  stopTimeout: 120,
  minTasks: 2,
  maxTasks: 20,
  cpuTarget: 70,
  scaleInCooldown: 300,
  scaleOutCooldown: 60,
  deregistrationDelay: TARGET_GROUP_DEFAULTS.deregistrationDelay,
  containerInsights: 'enabled',
  healthCheckGracePeriod: 60,
} as const;

/** Fargate's longest stopTimeout: SIGTERM, then SIGKILL this many seconds later. */
export const MAX_STOP_TIMEOUT = 120;

/** The service's log group: the OperationsKey must let CloudWatch Logs use its key for it. */
export function containerServiceLogGroupName(name: string): string {
  return `/ecs/${name}-svc`;
}

export interface ContainerSecret {
  /** Environment variable the value arrives in. */
  readonly name: string;
  /** Secrets Manager secret ARN (optionally `:json-key:stage:version`) or SSM parameter ARN. */
  readonly valueFrom: string;
}

export interface ContainerListenerRule {
  /** Priority on the HTTPS listener, unique there. */
  readonly priority: number;
  readonly hostHeaders?: readonly string[];
  readonly pathPatterns?: readonly string[];
}

export interface ContainerServiceProps {
  /** Name prefix, e.g. `web-app-staging`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  /** Private subnets the tasks run in (awsvpc, no public IP). */
  readonly subnetIds: string[];
  /** The load balancer in front: the service gets a target group and a rule on its HTTPS listener. */
  readonly loadBalancer: LoadBalancer;
  /** Key of the log group; its policy must name `containerServiceLogGroupName(name)`. */
  readonly kmsKeyArn: string;
  /** Days the log group keeps events. */
  readonly logRetentionDays: number;
  /** `registry/repository:tag` or `…@sha256:<digest>` (a digest cannot move under a running service). */
  readonly image: string;
  /** Task CPU units, a Fargate size. */
  readonly cpu: number;
  /** Task memory (MiB), one Fargate pairs with `cpu`. */
  readonly memory: number;
  /** Port the container listens on. @default CONTAINER_SERVICE_DEFAULTS.containerPort */
  readonly containerPort?: number;
  /** Plain, non-secret environment variables. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Variables ECS fills from Secrets Manager or SSM at start; the execution role reads exactly these. @default [] */
  readonly secrets?: readonly ContainerSecret[];
  /** Read-only root filesystem (CKV_AWS_336); `writablePaths` get task storage. @default CONTAINER_SERVICE_DEFAULTS.readonlyRootFilesystem */
  readonly readonlyRootFilesystem?: boolean;
  /** Paths mounted writable from the task's ephemeral storage (e.g. /tmp). @default [] */
  readonly writablePaths?: readonly string[];
  /** `uid`, `uid:gid` or a user name the container runs as. @default the image's user */
  readonly user?: string;
  /** Seconds between SIGTERM and SIGKILL. @default CONTAINER_SERVICE_DEFAULTS.stopTimeout */
  readonly stopTimeout?: number;
  /** @default CONTAINER_SERVICE_DEFAULTS.minTasks */
  readonly minTasks?: number;
  /** @default CONTAINER_SERVICE_DEFAULTS.maxTasks */
  readonly maxTasks?: number;
  /** @default DEFAULT_CAPACITY_PROVIDER_STRATEGY (FARGATE base 2 weight 1, FARGATE_SPOT weight 4) */
  readonly capacityProviderStrategy?: readonly CapacityProviderShare[];
  /** Target group health check on the traffic port. @default TARGET_GROUP_DEFAULTS.healthCheck */
  readonly healthCheck?: TargetHealthCheck;
  /** Seconds a deregistering task keeps its requests; under `stopTimeout`. @default CONTAINER_SERVICE_DEFAULTS.deregistrationDelay */
  readonly deregistrationDelay?: number;
  /** Seconds after a task starts before failed health checks count. @default CONTAINER_SERVICE_DEFAULTS.healthCheckGracePeriod */
  readonly healthCheckGracePeriod?: number;
  /** Which requests of the HTTPS listener reach the service. */
  readonly listenerRule: ContainerListenerRule;
  /** Average CPU % the tasks are kept at. @default CONTAINER_SERVICE_DEFAULTS.cpuTarget */
  readonly cpuTarget?: number;
  /** Requests per task per minute to track (ALBRequestCountPerTarget). @default no request tracking */
  readonly requestsPerTarget?: number;
  /** @default CONTAINER_SERVICE_DEFAULTS.scaleInCooldown */
  readonly scaleInCooldown?: number;
  /** @default CONTAINER_SERVICE_DEFAULTS.scaleOutCooldown */
  readonly scaleOutCooldown?: number;
  /** Container Insights (CKV_AWS_65): `enhanced` adds task- and container-level metrics, at more cost. @default CONTAINER_SERVICE_DEFAULTS.containerInsights */
  readonly containerInsights?: 'enabled' | 'enhanced';
  /** The application's own permissions. @default [] (the task role can do nothing) */
  readonly taskRoleStatements?: readonly TaskRoleStatement[];
}

/**
 * The guide's Fargate service behind the tier's load balancer: a cluster
 * with Container Insights and both Fargate capacity providers, a hardened
 * task (read-only root, awslogs to an encrypted group, secrets by ARN, two
 * roles), tasks in the private subnets reachable only from the load
 * balancer, a listener rule to an IP target group, target-tracking
 * scaling, and deploys that roll back on their own.
 *
 * Spot: ECS sends SIGTERM two minutes before reclaiming a task (and on
 * every deploy or scale-in), deregisters it from the target group, and
 * sends SIGKILL `stopTimeout` seconds later. The application must stop
 * accepting, finish in-flight requests and exit within that time; the
 * target group's draining (`deregistrationDelay`) is kept shorter.
 */
export class ContainerService extends Construct {
  public readonly clusterName: string;
  public readonly serviceName: string;
  public readonly securityGroupId: string;
  public readonly targetGroupArn: string;
  /** `targetgroup/<name>/<id>`: the CloudWatch `TargetGroup` dimension. */
  public readonly targetGroupArnSuffix: string;
  public readonly logGroupName: string;
  public readonly executionRoleArn: string;
  public readonly taskRoleArn: string;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    const d = CONTAINER_SERVICE_DEFAULTS;
    const port = props.containerPort ?? d.containerPort;
    const name = `${props.name}-svc`;

    const cluster = new EcsCluster(this, 'cluster', {
      name,
      setting: [{ name: 'containerInsights', value: props.containerInsights ?? d.containerInsights }],
    });
    const providers = new EcsClusterCapacityProviders(this, 'capacity-providers', {
      clusterName: cluster.name,
      capacityProviders: [...FARGATE_CAPACITY_PROVIDERS],
    });
    this.clusterName = cluster.name;

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: containerServiceLogGroupName(props.name),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    this.logGroupName = logGroup.name;

    const execution = executionRole(this, {
      name: props.name,
      account: props.account,
      region: props.region,
      image: props.image,
      logGroupArn: logGroup.arn,
      secretArns: (props.secrets ?? []).map((s) => s.valueFrom),
    });
    const task = taskRole(this, props.name, props.account, props.taskRoleStatements ?? []);
    this.executionRoleArn = execution.arn;
    this.taskRoleArn = task.arn;

    const writable = props.writablePaths ?? [];
    const volumeName = (i: number) => `writable-${i}`;
    const container = {
      name: CONTAINER_NAME,
      image: props.image,
      essential: true,
      portMappings: [{ containerPort: port, protocol: 'tcp' }],
      environment: Object.entries(props.environment ?? {}).map(([key, value]) => ({ name: key, value })),
      secrets: (props.secrets ?? []).map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
      readonlyRootFilesystem: props.readonlyRootFilesystem ?? d.readonlyRootFilesystem,
      mountPoints: writable.map((path, i) => ({ sourceVolume: volumeName(i), containerPath: path, readOnly: false })),
      privileged: false,
      ...(props.user !== undefined ? { user: props.user } : {}),
      stopTimeout: props.stopTimeout ?? d.stopTimeout,
      // An init process as PID 1 passes SIGTERM on to the app and reaps its children.
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': containerServiceLogGroupName(props.name),
          'awslogs-region': props.region,
          'awslogs-stream-prefix': CONTAINER_NAME,
          // A full log buffer drops lines rather than blocking the app.
          mode: 'non-blocking',
        },
      },
    };
    const definition = new EcsTaskDefinition(this, 'task', {
      family: name,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: execution.arn,
      taskRoleArn: task.arn,
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      containerDefinitions: JSON.stringify([container]),
      volume: writable.map((_, i) => ({ name: volumeName(i) })),
      dependsOn: [logGroup],
    });

    const sg = new SecurityGroup(this, 'sg', {
      namePrefix: `${name}-`,
      description: `Fargate tasks of ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: name },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = sg.id;
    new VpcSecurityGroupIngressRule(this, 'from-alb', {
      securityGroupId: sg.id,
      description: 'Container port from the load balancer only',
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: props.loadBalancer.securityGroupId,
    });
    props.loadBalancer.allowTrafficTo('service', sg.id, port);
    // Image pulls, Secrets Manager, SSM and CloudWatch Logs: HTTPS, through NAT or the interface endpoints.
    new VpcSecurityGroupEgressRule(this, 'egress-443', {
      securityGroupId: sg.id,
      description: 'Outbound HTTPS: image registry, secrets, logs',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });

    const targets = instanceTargetGroup(this, 'targets', {
      namePrefix: 'svc-',
      displayName: name,
      port,
      // awsvpc tasks register by their ENI's address.
      targetType: 'ip',
      vpcId: props.vpcId,
      deregistrationDelay: props.deregistrationDelay ?? d.deregistrationDelay,
      healthCheck: props.healthCheck,
    });
    this.targetGroupArn = targets.arn;
    this.targetGroupArnSuffix = targets.arnSuffix;
    const rule = props.listenerRule;
    const listenerRule = new LbListenerRule(this, 'listener-rule', {
      listenerArn: props.loadBalancer.httpsListener.arn,
      priority: rule.priority,
      condition: [
        ...(rule.hostHeaders?.length ? [{ hostHeader: { values: [...rule.hostHeaders] } }] : []),
        ...(rule.pathPatterns?.length ? [{ pathPattern: { values: [...rule.pathPatterns] } }] : []),
      ],
      action: [{ type: 'forward', targetGroupArn: targets.arn }],
    });

    const minTasks = props.minTasks ?? d.minTasks;
    const service = new EcsService(this, 'service', {
      name,
      cluster: cluster.arn,
      taskDefinition: definition.arn,
      desiredCount: minTasks,
      // No launch_type: the strategy places tasks on FARGATE and FARGATE_SPOT.
      capacityProviderStrategy: (props.capacityProviderStrategy ?? DEFAULT_CAPACITY_PROVIDER_STRATEGY).map((s) => ({
        capacityProvider: s.capacityProvider,
        base: s.base ?? 0,
        weight: s.weight,
      })),
      platformVersion: 'LATEST',
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [sg.id], assignPublicIp: false },
      loadBalancer: [{ targetGroupArn: targets.arn, containerName: CONTAINER_NAME, containerPort: port }],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriod ?? d.healthCheckGracePeriod,
      // New tasks are healthy before old ones stop; a deploy that never gets there rolls back.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      // Auto Scaling owns the count once the service exists.
      lifecycle: { ignoreChanges: ['desired_count'] },
      dependsOn: [providers, listenerRule],
    });
    this.serviceName = service.name;

    const target = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${cluster.name}/${service.name}`,
      minCapacity: minTasks,
      maxCapacity: props.maxTasks ?? d.maxTasks,
    });
    const tracking = (id: string, metric: { predefinedMetricType: string; resourceLabel?: string }, value: number, after: LbListenerRule[] = []) =>
      new AppautoscalingPolicy(this, id, {
        name: `${name}-${id}`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: metric,
          targetValue: value,
          scaleInCooldown: props.scaleInCooldown ?? d.scaleInCooldown,
          scaleOutCooldown: props.scaleOutCooldown ?? d.scaleOutCooldown,
        },
        // The request metric exists once the target group is behind a listener.
        dependsOn: after,
      });
    tracking('cpu-target', { predefinedMetricType: 'ECSServiceAverageCPUUtilization' }, props.cpuTarget ?? d.cpuTarget);
    if (props.requestsPerTarget !== undefined) {
      tracking(
        'requests-target',
        {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: `${props.loadBalancer.loadBalancerArnSuffix}/${targets.arnSuffix}`,
        },
        props.requestsPerTarget,
        [listenerRule],
      );
    }
  }
}

