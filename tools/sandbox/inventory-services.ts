/**
 * What the optional services of an environment left in one region of the
 * emulator, read back with the AWS SDK: the Aurora data tier, the Fargate
 * service and its scaling, the API function's alias and concurrency
 * schedules, Step Functions state machines and Secrets Manager secrets. The
 * end-to-end tests assert on these; the counts feed the leftover check after
 * a destroy.
 */
import { DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, type ServiceNamespace } from '@aws-sdk/client-application-auto-scaling';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { GetAliasCommand, ListAliasesCommand, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import type { EmulatorClients } from './aws-clients';

export interface DatabaseCluster {
  readonly region: string;
  readonly identifier: string;
  readonly engine?: string;
  readonly engineVersion?: string;
  readonly port?: number;
  readonly encrypted?: boolean;
  readonly kmsKey?: string;
  readonly iamAuthentication?: boolean;
  readonly deletionProtection?: boolean;
  readonly backupRetentionDays?: number;
  readonly logExports: readonly string[];
  /** The RDS-managed master secret's ARN: RDS keeps the password, never the stack. */
  readonly masterSecretArn?: string;
  readonly securityGroups: readonly string[];
  readonly subnetGroup?: string;
  /** Its instances: identifier, class, zone, public or not. */
  readonly instances: readonly { readonly identifier: string; readonly instanceClass?: string; readonly zone?: string; readonly publiclyAccessible?: boolean }[];
}

export interface ContainerService {
  readonly region: string;
  readonly cluster: string;
  readonly name: string;
  readonly containerInsights?: string;
  readonly desired?: number;
  readonly capacityProviderStrategy: readonly { readonly provider?: string; readonly base?: number; readonly weight?: number }[];
  readonly circuitBreaker?: { readonly enable?: boolean; readonly rollback?: boolean };
  readonly assignPublicIp?: string;
  readonly targetGroups: readonly string[];
  readonly task: { readonly cpu?: string; readonly memory?: string; readonly networkMode?: string; readonly readonlyRoot: readonly boolean[]; readonly stopTimeout: readonly (number | undefined)[] };
}

export interface ScalableTarget {
  readonly region: string;
  readonly namespace: string;
  readonly resourceId: string;
  readonly dimension: string;
  readonly min?: number;
  readonly max?: number;
  readonly scheduledActions: readonly { readonly name?: string; readonly schedule?: string; readonly timeZone?: string; readonly min?: number; readonly max?: number }[];
}

export interface FunctionAlias {
  readonly region: string;
  readonly functionName: string;
  readonly alias: string;
  readonly version?: string;
}

export interface StateMachine {
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly definition?: string;
  readonly roleArn?: string;
  readonly tracing?: boolean;
  readonly loggingLevel?: string;
}

export interface Services {
  readonly databases: readonly DatabaseCluster[];
  readonly containerServices: readonly ContainerService[];
  /** ECS clusters, with or without services. */
  readonly ecsClusters: number;
  readonly scalableTargets: readonly ScalableTarget[];
  readonly aliases: readonly FunctionAlias[];
  readonly stateMachines: readonly StateMachine[];
  readonly secrets: number;
}

/** The namespaces the stacks register scalable targets in (the web fleet scales through Auto Scaling itself). */
const SCALING_NAMESPACES: readonly ServiceNamespace[] = ['ecs', 'lambda'];

export async function readServices(clients: EmulatorClients, region: string): Promise<Services> {
  const [databases, ecs, scalableTargets, aliases, stateMachines, secrets] = await Promise.all([
    readDatabases(clients, region),
    readContainerServices(clients, region),
    readScalableTargets(clients, region),
    readAliases(clients, region),
    readStateMachines(clients, region),
    clients.get('secretsmanager', region).send(new ListSecretsCommand({})).then((r) => r.SecretList?.length ?? 0),
  ]);
  return { databases, containerServices: ecs.services, ecsClusters: ecs.clusters, scalableTargets, aliases, stateMachines, secrets };
}

async function readDatabases(clients: EmulatorClients, region: string): Promise<DatabaseCluster[]> {
  const rds = clients.get('rds', region);
  const [clusters, instances] = await Promise.all([
    rds.send(new DescribeDBClustersCommand({})).then((r) => r.DBClusters ?? []),
    rds.send(new DescribeDBInstancesCommand({})).then((r) => r.DBInstances ?? []),
  ]);
  return clusters.map((c) => ({
    region,
    identifier: c.DBClusterIdentifier ?? '',
    engine: c.Engine,
    engineVersion: c.EngineVersion,
    port: c.Port,
    encrypted: c.StorageEncrypted,
    kmsKey: c.KmsKeyId,
    iamAuthentication: c.IAMDatabaseAuthenticationEnabled,
    deletionProtection: c.DeletionProtection,
    backupRetentionDays: c.BackupRetentionPeriod,
    logExports: c.EnabledCloudwatchLogsExports ?? [],
    masterSecretArn: c.MasterUserSecret?.SecretArn,
    securityGroups: (c.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? ''),
    subnetGroup: c.DBSubnetGroup,
    instances: instances
      .filter((i) => i.DBClusterIdentifier === c.DBClusterIdentifier)
      .map((i) => ({ identifier: i.DBInstanceIdentifier ?? '', instanceClass: i.DBInstanceClass, zone: i.AvailabilityZone, publiclyAccessible: i.PubliclyAccessible })),
  }));
}

async function readContainerServices(clients: EmulatorClients, region: string): Promise<{ clusters: number; services: ContainerService[] }> {
  const ecs = clients.get('ecs', region);
  const clusterArns = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  if (clusterArns.length === 0) return { clusters: 0, services: [] };
  // A deleted cluster stays describable as INACTIVE for a while, on AWS as in the emulator: it is gone, not left over.
  const clusters = ((await ecs.send(new DescribeClustersCommand({ clusters: clusterArns, include: ['SETTINGS'] }))).clusters ?? []).filter((c) => c.status !== 'INACTIVE');
  const services = await Promise.all(
    clusters.map(async (cluster) => {
      const serviceArns = (await ecs.send(new ListServicesCommand({ cluster: cluster.clusterArn }))).serviceArns ?? [];
      if (serviceArns.length === 0) return [];
      const described = (await ecs.send(new DescribeServicesCommand({ cluster: cluster.clusterArn, services: serviceArns }))).services ?? [];
      return Promise.all(
        described
          .filter((s) => s.status !== 'INACTIVE')
          .map(async (s): Promise<ContainerService> => {
            const task = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }))).taskDefinition;
            return {
              region,
              cluster: cluster.clusterName ?? '',
              name: s.serviceName ?? '',
              containerInsights: cluster.settings?.find((setting) => setting.name === 'containerInsights')?.value,
              desired: s.desiredCount,
              capacityProviderStrategy: (s.capacityProviderStrategy ?? []).map((p) => ({ provider: p.capacityProvider, base: p.base, weight: p.weight })),
              circuitBreaker: s.deploymentConfiguration?.deploymentCircuitBreaker,
              assignPublicIp: s.networkConfiguration?.awsvpcConfiguration?.assignPublicIp,
              targetGroups: (s.loadBalancers ?? []).map((lb) => lb.targetGroupArn ?? ''),
              task: {
                cpu: task?.cpu,
                memory: task?.memory,
                networkMode: task?.networkMode,
                readonlyRoot: (task?.containerDefinitions ?? []).map((c) => c.readonlyRootFilesystem === true),
                stopTimeout: (task?.containerDefinitions ?? []).map((c) => c.stopTimeout),
              },
            };
          }),
      );
    }),
  );
  return { clusters: clusters.length, services: services.flat() };
}

async function readScalableTargets(clients: EmulatorClients, region: string): Promise<ScalableTarget[]> {
  const scaling = clients.get('applicationautoscaling', region);
  const perNamespace = await Promise.all(
    SCALING_NAMESPACES.map(async (namespace) => {
      const [targets, actions] = await Promise.all([
        scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: namespace })).then((r) => r.ScalableTargets ?? []),
        scaling.send(new DescribeScheduledActionsCommand({ ServiceNamespace: namespace })).then((r) => r.ScheduledActions ?? []),
      ]);
      return targets.map((t) => ({
        region,
        namespace,
        resourceId: t.ResourceId ?? '',
        dimension: t.ScalableDimension ?? '',
        min: t.MinCapacity,
        max: t.MaxCapacity,
        scheduledActions: actions
          .filter((a) => a.ResourceId === t.ResourceId && a.ScalableDimension === t.ScalableDimension)
          .map((a) => ({ name: a.ScheduledActionName, schedule: a.Schedule, timeZone: a.Timezone, min: a.ScalableTargetAction?.MinCapacity, max: a.ScalableTargetAction?.MaxCapacity }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      }));
    }),
  );
  return perNamespace.flat();
}

async function readAliases(clients: EmulatorClients, region: string): Promise<FunctionAlias[]> {
  const lambda = clients.get('lambda', region);
  const names = ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName ?? '');
  const perFunction = await Promise.all(
    names.map(async (functionName) => {
      const aliases = (await lambda.send(new ListAliasesCommand({ FunctionName: functionName }))).Aliases ?? [];
      return Promise.all(
        aliases.map(async (a) => {
          const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: a.Name }));
          return { region, functionName, alias: alias.Name ?? '', version: alias.FunctionVersion };
        }),
      );
    }),
  );
  return perFunction.flat();
}

async function readStateMachines(clients: EmulatorClients, region: string): Promise<StateMachine[]> {
  const sfn = clients.get('sfn', region);
  const machines = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
  return Promise.all(
    machines.map(async (m) => {
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: m.stateMachineArn }));
      return {
        region,
        name: m.name ?? '',
        arn: m.stateMachineArn ?? '',
        definition: described.definition,
        roleArn: described.roleArn,
        tracing: described.tracingConfiguration?.enabled,
        loggingLevel: described.loggingConfiguration?.level,
      };
    }),
  );
}
