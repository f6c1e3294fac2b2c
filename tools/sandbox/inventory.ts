/**
 * What exists in an AWS account (here: the emulator), read with the AWS SDK
 * for JavaScript v3 — never from the Terraform JSON we wrote. The sandbox
 * prints it, the end-to-end tests assert on it, and after a destroy it must
 * be empty.
 */
import { ListCertificatesCommand } from '@aws-sdk/client-acm';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribePoliciesCommand,
  DescribeScheduledActionsCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand, ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeContinuousBackupsCommand, DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListHealthChecksCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import { GetFunctionCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import type { EmulatorClients } from './aws-clients';
import { readServices, type Services } from './inventory-services';

export interface Network {
  readonly region: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly name?: string;
  readonly subnets: readonly { id: string; cidr: string; zone: string; tier?: string }[];
  readonly natGateways: number;
}

export interface Listener {
  readonly port: number;
  readonly protocol: string;
  readonly sslPolicy?: string;
  /** `forward`, or `redirect → HTTPS:443 (HTTP_301)` */
  readonly action: string;
}

export interface LoadBalancer {
  readonly region: string;
  readonly name: string;
  readonly dnsName: string;
  readonly scheme: string;
  readonly state: string;
  readonly attributes: Record<string, string>;
  readonly listeners: readonly Listener[];
  readonly targetGroups: readonly {
    name: string;
    port: number;
    protocol: string;
    healthCheck: { path?: string; protocol?: string; matcher?: string; intervalSeconds?: number; healthyThreshold?: number };
  }[];
}

export interface ScalingPolicy {
  readonly name: string;
  readonly type: string;
  readonly enabled?: boolean;
  /** Target-tracking metric type and target, e.g. `ASGAverageCPUUtilization`. */
  readonly target?: { metric?: string; value?: number; resourceLabel?: string };
  readonly predictive?: {
    mode?: string;
    schedulingBufferTime?: number;
    maxCapacityBreachBehavior?: string;
    metric?: string;
    targetValue?: number;
  };
  readonly steps?: number;
}

export interface LifecycleHook {
  readonly name: string;
  readonly transition: string;
  readonly heartbeatTimeout?: number;
  readonly defaultResult?: string;
  readonly roleArn?: string;
  readonly notificationTargetArn?: string;
}

export interface AutoScalingGroup {
  readonly region: string;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  readonly instances: number;
  readonly healthCheckType?: string;
  readonly capacityRebalance?: boolean;
  readonly defaultInstanceWarmup?: number;
  readonly mixed?: {
    onDemandBase: number;
    onDemandAboveBasePercent: number;
    spotStrategy?: string;
    overrides: readonly { type: string; weight: number }[];
  };
  readonly policies: readonly ScalingPolicy[];
  readonly schedules: readonly { name: string; recurrence?: string; timeZone?: string; min?: number; max?: number; desired?: number }[];
  readonly lifecycleHooks: readonly LifecycleHook[];
}

export interface Alarm {
  readonly region: string;
  readonly name: string;
  readonly metric?: string;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly treatMissingData?: string;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
}

export interface LambdaFunction {
  readonly region: string;
  readonly name: string;
  readonly runtime?: string;
  readonly tracing?: string;
  readonly deadLetterTarget?: string;
  readonly reservedConcurrency?: number;
  readonly environment: Record<string, string>;
}

export interface EventRule {
  readonly region: string;
  readonly name: string;
  readonly pattern: unknown;
  readonly targets: readonly string[];
}

export interface Topic {
  readonly region: string;
  readonly arn: string;
  readonly kmsKey?: string;
}

export interface Operations {
  readonly alarms: readonly Alarm[];
  readonly functions: readonly LambdaFunction[];
  readonly rules: readonly EventRule[];
  readonly topics: readonly Topic[];
  readonly dashboards: readonly string[];
}

export interface DnsRecord {
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly failover?: string;
  readonly healthCheckId?: string;
  readonly aliasTarget?: string;
}

export interface HostedZone {
  readonly id: string;
  readonly name: string;
  readonly records: readonly DnsRecord[];
}

export interface Bucket {
  readonly name: string;
  readonly region: string;
  readonly versioning?: string;
  readonly encryption?: { algorithm?: string; kmsKeyId?: string; bucketKey?: boolean };
  readonly publicAccessBlock?: { blockPublicAcls?: boolean; ignorePublicAcls?: boolean; blockPublicPolicy?: boolean; restrictPublicBuckets?: boolean };
  readonly policyStatements: readonly string[];
}

export interface Table {
  readonly name: string;
  readonly region: string;
  readonly status?: string;
  readonly hashKey?: string;
  readonly pointInTimeRecovery?: string;
  readonly encryption?: string;
  readonly deletionProtection?: boolean;
}

export interface Inventory {
  readonly networks: readonly Network[];
  readonly loadBalancers: readonly LoadBalancer[];
  readonly autoScalingGroups: readonly AutoScalingGroup[];
  readonly hostedZones: readonly HostedZone[];
  readonly healthChecks: number;
  readonly buckets: readonly Bucket[];
  readonly tables: readonly Table[];
  readonly operations: Operations;
  /** The optional services: data tier, Fargate service, API alias and its scaling, state machines. */
  readonly services: Services;
  /** Everything else a stack creates, counted so a destroy can be checked for leftovers. */
  readonly counts: Readonly<Record<string, number>>;
}

/** Reads everything in `regions` (IAM, Route 53 and S3 are global and read once). */
export async function readInventory(clients: EmulatorClients, regions: readonly string[]): Promise<Inventory> {
  const [home = 'us-east-1'] = regions;
  const perRegion = await Promise.all(regions.map((region) => readRegion(clients, region)));
  const [hostedZones, healthChecks, buckets, roles] = await Promise.all([
    readHostedZones(clients, home),
    clients.get('route53', home).send(new ListHealthChecksCommand({})).then((r) => r.HealthChecks?.length ?? 0),
    readBuckets(clients, home),
    clients.get('iam', home).send(new ListRolesCommand({})).then((r) => (r.Roles ?? []).filter((role) => !role.Path?.startsWith('/aws-service-role/')).length),
  ]);
  const sum = (pick: (r: RegionInventory) => number) => perRegion.reduce((n, r) => n + pick(r), 0);
  return {
    networks: perRegion.flatMap((r) => r.networks),
    loadBalancers: perRegion.flatMap((r) => r.loadBalancers),
    autoScalingGroups: perRegion.flatMap((r) => r.autoScalingGroups),
    hostedZones,
    healthChecks,
    buckets,
    tables: perRegion.flatMap((r) => r.tables),
    services: {
      databases: perRegion.flatMap((r) => r.services.databases),
      containerServices: perRegion.flatMap((r) => r.services.containerServices),
      ecsClusters: sum((r) => r.services.ecsClusters),
      scalableTargets: perRegion.flatMap((r) => r.services.scalableTargets),
      aliases: perRegion.flatMap((r) => r.services.aliases),
      stateMachines: perRegion.flatMap((r) => r.services.stateMachines),
      secrets: sum((r) => r.services.secrets),
    },
    operations: {
      alarms: perRegion.flatMap((r) => r.operations.alarms),
      functions: perRegion.flatMap((r) => r.operations.functions),
      rules: perRegion.flatMap((r) => r.operations.rules),
      topics: perRegion.flatMap((r) => r.operations.topics),
      dashboards: perRegion.flatMap((r) => r.operations.dashboards),
    },
    counts: {
      'VPCs': sum((r) => r.networks.length),
      'load balancers': sum((r) => r.loadBalancers.length),
      'target groups': sum((r) => r.targetGroups),
      'Auto Scaling groups': sum((r) => r.autoScalingGroups.length),
      'running instances': sum((r) => r.instances),
      'launch templates': sum((r) => r.launchTemplates),
      'security groups': sum((r) => r.securityGroups),
      'NAT gateways': sum((r) => r.networks.reduce((n, net) => n + net.natGateways, 0)),
      'elastic IPs': sum((r) => r.addresses),
      'hosted zones': hostedZones.length,
      'health checks': healthChecks,
      'buckets': buckets.length,
      'DynamoDB tables': sum((r) => r.tables.length),
      'KMS keys': sum((r) => r.enabledKeys),
      'certificates': sum((r) => r.certificates),
      'SNS topics': sum((r) => r.operations.topics.length),
      'CloudWatch alarms': sum((r) => r.operations.alarms.length),
      'dashboards': sum((r) => r.operations.dashboards.length),
      'Lambda functions': sum((r) => r.operations.functions.length),
      'EventBridge rules': sum((r) => r.operations.rules.length),
      'SQS queues': sum((r) => r.queues),
      'log groups': sum((r) => r.logGroups),
      'IAM roles': roles,
      'Aurora clusters': sum((r) => r.services.databases.length),
      'ECS clusters': sum((r) => r.services.ecsClusters),
      'scalable targets': sum((r) => r.services.scalableTargets.length),
      'state machines': sum((r) => r.services.stateMachines.length),
      'secrets': sum((r) => r.services.secrets),
    },
  };
}

/** Names of resource kinds that still exist, with how many: empty means nothing is left. */
export function leftovers(inventory: Inventory): Record<string, number> {
  return Object.fromEntries(Object.entries(inventory.counts).filter(([, n]) => n > 0));
}

interface RegionInventory {
  networks: Network[];
  loadBalancers: LoadBalancer[];
  autoScalingGroups: AutoScalingGroup[];
  tables: Table[];
  targetGroups: number;
  instances: number;
  launchTemplates: number;
  securityGroups: number;
  addresses: number;
  enabledKeys: number;
  certificates: number;
  operations: Operations;
  queues: number;
  logGroups: number;
  services: Services;
}

async function readRegion(clients: EmulatorClients, region: string): Promise<RegionInventory> {
  const ec2 = clients.get('ec2', region);
  const [networks, loadBalancers, targetGroups, autoScalingGroups, tables, instances, launchTemplates, securityGroups, addresses, enabledKeys, certificates, operations, queues, logGroups, services] =
    await Promise.all([
      readNetworks(clients, region),
      readLoadBalancers(clients, region),
      clients.get('elbv2', region).send(new DescribeTargetGroupsCommand({})).then((r) => r.TargetGroups?.length ?? 0),
      readAutoScalingGroups(clients, region),
      readTables(clients, region),
      ec2
        .send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] }))
        .then((r) => (r.Reservations ?? []).reduce((n, res) => n + (res.Instances?.length ?? 0), 0)),
      ec2.send(new DescribeLaunchTemplatesCommand({})).then((r) => r.LaunchTemplates?.length ?? 0),
      ec2.send(new DescribeSecurityGroupsCommand({})).then((r) => (r.SecurityGroups ?? []).filter((g) => g.GroupName !== 'default').length),
      ec2.send(new DescribeAddressesCommand({})).then((r) => r.Addresses?.length ?? 0),
      countEnabledKeys(clients, region),
      clients.get('acm', region).send(new ListCertificatesCommand({})).then((r) => r.CertificateSummaryList?.length ?? 0),
      readOperations(clients, region),
      clients.get('sqs', region).send(new ListQueuesCommand({})).then((r) => r.QueueUrls?.length ?? 0),
      clients.get('logs', region).send(new DescribeLogGroupsCommand({})).then((r) => r.logGroups?.length ?? 0),
      readServices(clients, region),
    ]);
  return { networks, loadBalancers, targetGroups, autoScalingGroups, tables, instances, launchTemplates, securityGroups, addresses, enabledKeys, certificates, operations, queues, logGroups, services };
}

async function readOperations(clients: EmulatorClients, region: string): Promise<Operations> {
  const lambda = clients.get('lambda', region);
  const events = clients.get('events', region);
  const sns = clients.get('sns', region);
  const [alarms, functionNames, ruleList, topicArns, dashboards] = await Promise.all([
    clients.get('cloudwatch', region).send(new DescribeAlarmsCommand({})),
    lambda.send(new ListFunctionsCommand({})).then((r) => (r.Functions ?? []).map((f) => f.FunctionName ?? '')),
    events.send(new ListRulesCommand({})).then((r) => r.Rules ?? []),
    sns.send(new ListTopicsCommand({})).then((r) => (r.Topics ?? []).map((t) => t.TopicArn ?? '')),
    clients.get('cloudwatch', region).send(new ListDashboardsCommand({})).then((r) => (r.DashboardEntries ?? []).map((d) => d.DashboardName ?? '')),
  ]);
  const [functions, rules, topics] = await Promise.all([
    Promise.all(
      functionNames.map(async (name) => {
        const fn = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
        const config = fn.Configuration;
        return {
          region,
          name,
          runtime: config?.Runtime,
          tracing: config?.TracingConfig?.Mode,
          deadLetterTarget: config?.DeadLetterConfig?.TargetArn,
          reservedConcurrency: fn.Concurrency?.ReservedConcurrentExecutions,
          environment: config?.Environment?.Variables ?? {},
        };
      }),
    ),
    Promise.all(
      ruleList.map(async (rule) => ({
        region,
        name: rule.Name ?? '',
        pattern: rule.EventPattern ? (JSON.parse(rule.EventPattern) as unknown) : undefined,
        targets: ((await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets ?? []).map((t) => t.Arn ?? ''),
      })),
    ),
    Promise.all(
      topicArns.map(async (arn) => ({ region, arn, kmsKey: (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.KmsMasterKeyId })),
    ),
  ]);
  return {
    alarms: [...(alarms.MetricAlarms ?? [])].map((a) => ({
      region,
      name: a.AlarmName ?? '',
      metric: a.MetricName ?? a.Metrics?.find((m) => m.ReturnData)?.Expression,
      threshold: a.Threshold,
      comparison: a.ComparisonOperator,
      treatMissingData: a.TreatMissingData,
      alarmActions: a.AlarmActions ?? [],
      okActions: a.OKActions ?? [],
    })),
    functions,
    rules,
    topics,
    dashboards,
  };
}

async function readNetworks(clients: EmulatorClients, region: string): Promise<Network[]> {
  const ec2 = clients.get('ec2', region);
  const [vpcs, subnets, nats] = await Promise.all([
    ec2.send(new DescribeVpcsCommand({})),
    ec2.send(new DescribeSubnetsCommand({})),
    ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending', 'available'] }] })),
  ]);
  return (vpcs.Vpcs ?? [])
    .filter((vpc) => !vpc.IsDefault)
    .map((vpc) => ({
      region,
      vpcId: vpc.VpcId ?? '',
      cidr: vpc.CidrBlock ?? '',
      name: tag(vpc.Tags, 'Name'),
      subnets: (subnets.Subnets ?? [])
        .filter((s) => s.VpcId === vpc.VpcId)
        .map((s) => ({ id: s.SubnetId ?? '', cidr: s.CidrBlock ?? '', zone: s.AvailabilityZone ?? '', tier: tag(s.Tags, 'Tier') }))
        .sort((a, b) => a.cidr.localeCompare(b.cidr, 'en', { numeric: true })),
      natGateways: (nats.NatGateways ?? []).filter((n) => n.VpcId === vpc.VpcId).length,
    }));
}

async function readLoadBalancers(clients: EmulatorClients, region: string): Promise<LoadBalancer[]> {
  const elbv2 = clients.get('elbv2', region);
  const balancers = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  return Promise.all(
    balancers.map(async (lb) => {
      const arn = lb.LoadBalancerArn ?? '';
      const [attributes, listeners, groups] = await Promise.all([
        elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn })),
        elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn })),
        // moto answers TargetGroupNotFound where AWS answers an empty list.
        optional(elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }))),
      ]);
      return {
        region,
        name: lb.LoadBalancerName ?? '',
        dnsName: lb.DNSName ?? '',
        scheme: lb.Scheme ?? '',
        state: lb.State?.Code ?? '',
        attributes: Object.fromEntries((attributes.Attributes ?? []).map((a) => [a.Key ?? '', a.Value ?? ''])),
        listeners: (listeners.Listeners ?? [])
          .map((l) => {
            const action = l.DefaultActions?.[0];
            const redirect = action?.RedirectConfig;
            return {
              port: l.Port ?? 0,
              protocol: l.Protocol ?? '',
              sslPolicy: l.SslPolicy,
              action: redirect ? `redirect → ${redirect.Protocol}:${redirect.Port} (${redirect.StatusCode})` : (action?.Type ?? ''),
            };
          })
          .sort((a, b) => a.port - b.port),
        targetGroups: (groups?.TargetGroups ?? []).map((tg) => ({
          name: tg.TargetGroupName ?? '',
          port: tg.Port ?? 0,
          protocol: tg.Protocol ?? '',
          healthCheck: {
            path: tg.HealthCheckPath,
            protocol: tg.HealthCheckProtocol,
            matcher: tg.Matcher?.HttpCode,
            intervalSeconds: tg.HealthCheckIntervalSeconds,
            healthyThreshold: tg.HealthyThresholdCount,
          },
        })),
      };
    }),
  );
}

async function readAutoScalingGroups(clients: EmulatorClients, region: string): Promise<AutoScalingGroup[]> {
  const autoscaling = clients.get('autoscaling', region);
  const [groups, policies, schedules] = await Promise.all([
    autoscaling.send(new DescribeAutoScalingGroupsCommand({})),
    autoscaling.send(new DescribePoliciesCommand({})),
    autoscaling.send(new DescribeScheduledActionsCommand({})),
  ]);
  const hooks = await Promise.all(
    (groups.AutoScalingGroups ?? []).map((g) =>
      autoscaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.AutoScalingGroupName })).then((r) => r.LifecycleHooks ?? []),
    ),
  );
  return (groups.AutoScalingGroups ?? []).map((group, index) => {
    const name = group.AutoScalingGroupName ?? '';
    const mixed = group.MixedInstancesPolicy;
    const distribution = mixed?.InstancesDistribution;
    return {
      region,
      name,
      min: group.MinSize ?? 0,
      max: group.MaxSize ?? 0,
      desired: group.DesiredCapacity ?? 0,
      instances: group.Instances?.length ?? 0,
      healthCheckType: group.HealthCheckType,
      capacityRebalance: group.CapacityRebalance,
      defaultInstanceWarmup: group.DefaultInstanceWarmup,
      mixed: mixed
        ? {
            onDemandBase: distribution?.OnDemandBaseCapacity ?? 0,
            onDemandAboveBasePercent: distribution?.OnDemandPercentageAboveBaseCapacity ?? 100,
            spotStrategy: distribution?.SpotAllocationStrategy,
            overrides: (mixed.LaunchTemplate?.Overrides ?? []).map((o) => ({ type: o.InstanceType ?? '', weight: Number(o.WeightedCapacity ?? 1) })),
          }
        : undefined,
      policies: (policies.ScalingPolicies ?? [])
        .filter((p) => p.AutoScalingGroupName === name)
        .map((p) => {
          const tracking = p.TargetTrackingConfiguration;
          const predictive = p.PredictiveScalingConfiguration;
          const spec = predictive?.MetricSpecifications?.[0];
          return {
            name: p.PolicyName ?? '',
            type: p.PolicyType ?? '',
            enabled: p.Enabled,
            target: tracking
              ? {
                  metric: tracking.PredefinedMetricSpecification?.PredefinedMetricType,
                  value: tracking.TargetValue,
                  resourceLabel: tracking.PredefinedMetricSpecification?.ResourceLabel,
                }
              : undefined,
            predictive: predictive?.Mode
              ? {
                  mode: predictive.Mode,
                  schedulingBufferTime: predictive.SchedulingBufferTime,
                  maxCapacityBreachBehavior: predictive.MaxCapacityBreachBehavior,
                  metric: spec?.PredefinedMetricPairSpecification?.PredefinedMetricType,
                  targetValue: spec?.TargetValue,
                }
              : undefined,
            steps: p.StepAdjustments?.length,
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
      schedules: (schedules.ScheduledUpdateGroupActions ?? [])
        .filter((s) => s.AutoScalingGroupName === name)
        .map((s) => ({
          name: s.ScheduledActionName ?? '',
          recurrence: s.Recurrence,
          timeZone: s.TimeZone,
          min: s.MinSize,
          max: s.MaxSize,
          desired: s.DesiredCapacity,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      lifecycleHooks: (hooks[index] ?? [])
        .map((h) => ({
          name: h.LifecycleHookName ?? '',
          transition: h.LifecycleTransition ?? '',
          heartbeatTimeout: h.HeartbeatTimeout,
          defaultResult: h.DefaultResult,
          roleArn: h.RoleARN,
          notificationTargetArn: h.NotificationTargetARN,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  });
}

async function readHostedZones(clients: EmulatorClients, region: string): Promise<HostedZone[]> {
  const route53 = clients.get('route53', region);
  const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? [];
  return Promise.all(
    zones.map(async (zone) => {
      const id = (zone.Id ?? '').replace('/hostedzone/', '');
      const sets = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }))).ResourceRecordSets ?? [];
      return {
        id,
        name: zone.Name ?? '',
        records: sets
          .filter((set) => set.Type !== 'SOA' && set.Type !== 'NS')
          .map((set) => ({
            name: (set.Name ?? '').replace(/\.$/, ''),
            type: set.Type ?? '',
            setIdentifier: set.SetIdentifier,
            failover: set.Failover,
            healthCheckId: set.HealthCheckId,
            aliasTarget: set.AliasTarget?.DNSName?.replace(/\.$/, ''),
          })),
      };
    }),
  );
}

async function readBuckets(clients: EmulatorClients, home: string): Promise<Bucket[]> {
  const global = clients.get('s3', home);
  const names = ((await global.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');
  return Promise.all(
    names.map(async (name) => {
      const location = await global.send(new GetBucketLocationCommand({ Bucket: name }));
      const region = location.LocationConstraint || 'us-east-1';
      const s3 = clients.get('s3', region);
      const [versioning, encryption, publicAccess, policy] = await Promise.all([
        s3.send(new GetBucketVersioningCommand({ Bucket: name })),
        optional(s3.send(new GetBucketEncryptionCommand({ Bucket: name }))),
        optional(s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))),
        optional(s3.send(new GetBucketPolicyCommand({ Bucket: name }))),
      ]);
      const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0];
      const block = publicAccess?.PublicAccessBlockConfiguration;
      const statements = policy?.Policy ? (JSON.parse(policy.Policy) as { Statement?: { Sid?: string }[] }).Statement ?? [] : [];
      return {
        name,
        region,
        versioning: versioning.Status,
        encryption: rule
          ? {
              algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
              kmsKeyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
              bucketKey: rule.BucketKeyEnabled,
            }
          : undefined,
        publicAccessBlock: block
          ? {
              blockPublicAcls: block.BlockPublicAcls,
              ignorePublicAcls: block.IgnorePublicAcls,
              blockPublicPolicy: block.BlockPublicPolicy,
              restrictPublicBuckets: block.RestrictPublicBuckets,
            }
          : undefined,
        policyStatements: statements.map((s) => s.Sid ?? ''),
      };
    }),
  );
}

async function readTables(clients: EmulatorClients, region: string): Promise<Table[]> {
  const dynamodb = clients.get('dynamodb', region);
  const names = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
  return Promise.all(
    names.map(async (name) => {
      const [described, backups] = await Promise.all([
        dynamodb.send(new DescribeTableCommand({ TableName: name })),
        optional(dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name }))),
      ]);
      const table = described.Table;
      return {
        name,
        region,
        status: table?.TableStatus,
        hashKey: table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName,
        pointInTimeRecovery: backups?.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
        encryption: table?.SSEDescription?.SSEType,
        deletionProtection: table?.DeletionProtectionEnabled,
      };
    }),
  );
}

/**
 * Customer keys not scheduled for deletion. AWS-managed keys (the targets of
 * `alias/aws/*`) belong to the account, not to a stack; moto labels the
 * `aws/dynamodb` one CUSTOMER, so the alias decides.
 */
async function countEnabledKeys(clients: EmulatorClients, region: string): Promise<number> {
  const kms = clients.get('kms', region);
  const [keys, aliases] = await Promise.all([kms.send(new ListKeysCommand({})), kms.send(new ListAliasesCommand({}))]);
  const awsManaged = new Set((aliases.Aliases ?? []).filter((a) => a.AliasName?.startsWith('alias/aws/')).map((a) => a.TargetKeyId));
  const mine = (keys.Keys ?? []).filter((k) => !awsManaged.has(k.KeyId));
  const described = await Promise.all(mine.map((k) => kms.send(new DescribeKeyCommand({ KeyId: k.KeyId })).then((d) => d.KeyMetadata)));
  return described.filter((key) => key?.KeyManager === 'CUSTOMER' && key.KeyState === 'Enabled').length;
}

function tag(tags: readonly { Key?: string; Value?: string }[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** A read whose "not configured" error means absent (e.g. a bucket without a policy). */
async function optional<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 400) return undefined;
    throw error;
  }
}
