import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { assumeRolePolicy } from '../shared/iam';
import { DatabaseKey } from './key';

/** One default per field; the schema imports them. */
export const AURORA_DEFAULTS = {
  /** A writer and one reader, in different AZs: a failover promotes the reader in about a minute. */
  instances: 2,
  /** The guide's class (Graviton, memory-optimized). */
  instanceClass: 'db.r6g.large',
  engineVersion: '16.4',
  databaseName: 'app',
  port: 5432,
  /** RDS's console default; production is held to at least this. */
  backupRetentionDays: 7,
  masterUsername: 'dbadmin',
} as const;

/** Seconds between enhanced-monitoring samples (OS metrics per instance). */
export const ENHANCED_MONITORING_INTERVAL = 60;
/** Days of Performance Insights history kept: the free tier. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7;

/** `16.4` → `aurora-postgresql16`: the parameter group family of an engine version. */
export function parameterGroupFamily(engineVersion: string): string {
  const major = /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
  if (!major) throw new Error(`engine version ${JSON.stringify(engineVersion)} is not <major>.<minor>, e.g. 16.4`);
  return `aurora-postgresql${major}`;
}

export interface AuroraPostgresProps {
  /** Prefix for names, e.g. `web-app-staging`; the cluster is `<name>-db`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  /** Isolated subnets (no route to a NAT or the internet), one per AZ, in `availabilityZones` order. */
  readonly subnetIds: readonly string[];
  /** AZs of `subnetIds`; instance i goes to AZ i mod n, so writer and readers sit apart. */
  readonly availabilityZones: readonly string[];
  /**
   * Writer plus readers.
   * @default 2 (AURORA_DEFAULTS.instances)
   */
  readonly instances?: number;
  /** @default 'db.r6g.large' */
  readonly instanceClass?: string;
  /** `<major>.<minor>`. @default '16.4' */
  readonly engineVersion?: string;
  /** @default 'app' */
  readonly databaseName?: string;
  /** @default 5432 */
  readonly port?: number;
  /** Days of automated backups, 1–35. @default 7 */
  readonly backupRetentionDays?: number;
  /**
   * Production: deletion protection on, and a final snapshot taken when the cluster is destroyed.
   * @default false
   */
  readonly production?: boolean;
  /**
   * Administrators of the database's key.
   * @default the account root
   */
  readonly keyAdministratorArns?: readonly string[];
}

/**
 * An Aurora PostgreSQL cluster in isolated subnets: a writer and readers in
 * different AZs, storage, Performance Insights and the master secret under
 * a key of its own, TLS forced, IAM authentication on, the master password
 * kept by RDS in Secrets Manager (never in code or state), and a security
 * group that admits only what `allowConnectionsFrom` names, with no egress.
 */
export class AuroraPostgres extends Construct {
  public readonly clusterIdentifier: string;
  public readonly instanceIdentifiers: string[];
  public readonly port: number;
  public readonly securityGroupId: string;
  public readonly keyArn: string;
  /** The master user's secret, kept and rotated by RDS. */
  public readonly masterSecretArn: string;
  public readonly endpoint: string;
  public readonly readerEndpoint: string;

  constructor(scope: Construct, id: string, props: AuroraPostgresProps) {
    super(scope, id);
    const d = AURORA_DEFAULTS;
    const instances = props.instances ?? d.instances;
    const engineVersion = props.engineVersion ?? d.engineVersion;
    this.port = props.port ?? d.port;
    const production = props.production ?? false;
    const problems = [
      ...(instances < 2 ? [`instances ${instances}: a writer needs at least one reader to fail over to`] : []),
      ...(props.subnetIds.length < 2 ? ['subnetIds: a DB subnet group spans at least 2 AZs'] : []),
      ...(props.availabilityZones.length < 2 ? ['availabilityZones: writer and readers need at least 2 AZs'] : []),
    ];
    if (problems.length) throw new Error(`AuroraPostgres ${props.name}: ${problems.join('; ')}`);
    const family = parameterGroupFamily(engineVersion);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;

    const key = new DatabaseKey(this, 'key', { alias: `${props.name}-db`, account: props.account, region: props.region, administratorArns: props.keyAdministratorArns });
    this.keyArn = key.keyArn;

    const sg = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.name}-db-`,
      description: `Aurora PostgreSQL of ${props.name}: clients named by rule only, no egress`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-db` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = sg.id;

    const subnetGroup = new DbSubnetGroup(this, 'subnet-group', {
      name: `${props.name}-db`,
      description: `Isolated subnets of ${props.name}'s database`,
      subnetIds: [...props.subnetIds],
    });

    const parameters = new RdsClusterParameterGroup(this, 'parameters', {
      name: `${props.name}-db-${family}`,
      family,
      description: `TLS-only connections to ${props.name}'s database`,
      // Clients without TLS are refused: credentials and data never cross the VPC in clear.
      parameter: [{ name: 'rds.force_ssl', value: '1' }],
      lifecycle: { createBeforeDestroy: true },
    });

    const cluster = new RdsCluster(this, 'cluster', {
      clusterIdentifier: `${props.name}-db`,
      engine: 'aurora-postgresql',
      engineMode: 'provisioned',
      engineVersion,
      databaseName: props.databaseName ?? d.databaseName,
      port: this.port,
      masterUsername: d.masterUsername,
      // RDS generates the password and keeps it in Secrets Manager under the key: never in code or state.
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.keyArn,
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [sg.id],
      dbClusterParameterGroupName: parameters.name,
      backupRetentionPeriod: props.backupRetentionDays ?? d.backupRetentionDays,
      copyTagsToSnapshot: true,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ['postgresql'],
      deletionProtection: production,
      // Production keeps a last snapshot when destroyed; other environments are rebuilt from code.
      skipFinalSnapshot: !production,
      finalSnapshotIdentifier: production ? `${props.name}-db-final` : undefined,
    });
    this.clusterIdentifier = cluster.clusterIdentifier;
    this.masterSecretArn = cluster.masterUserSecret.get(0).secretArn;
    this.endpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;

    // Enhanced monitoring: OS metrics (memory, swap, processes) CloudWatch's RDS metrics do not show.
    const monitoringRole = new IamRole(this, 'monitoring-role', {
      name: `${props.name}-db-monitoring`,
      assumeRolePolicy: assumeRolePolicy(this, 'monitoring-trust', 'monitoring.rds.amazonaws.com', { account: props.account }),
    });
    // AmazonRDSEnhancedMonitoringRole's permissions, inline and narrowed to this account and region:
    // RDS writes the OS metrics to the RDSOSMetrics log group it creates.
    const metricsGroup = `arn:${partition}:logs:${props.region}:${props.account}:log-group:RDSOSMetrics`;
    const monitoringPolicy = new DataAwsIamPolicyDocument(this, 'monitoring-permissions', {
      statement: [
        { sid: 'EnableCreationAndManagementOfRDSCloudwatchLogGroups', actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'], resources: [`${metricsGroup}`, `${metricsGroup}:*`] },
        {
          sid: 'EnableCreationAndManagementOfRDSCloudwatchLogStreams',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
          resources: [`${metricsGroup}:log-stream:*`],
        },
      ],
    });
    new IamRolePolicy(this, 'monitoring-policy', { name: 'enhanced-monitoring', role: monitoringRole.name, policy: monitoringPolicy.json });

    const azs = props.availabilityZones;
    this.instanceIdentifiers = Array.from({ length: instances }, (_, i) => {
      const instance = new RdsClusterInstance(this, `instance-${i + 1}`, {
        identifier: `${props.name}-db-${i + 1}`,
        clusterIdentifier: cluster.id,
        engine: cluster.engine,
        engineVersion: cluster.engineVersion,
        instanceClass: props.instanceClass ?? d.instanceClass,
        dbSubnetGroupName: subnetGroup.name,
        // Round-robin over the AZs: the writer (1) and its first reader (2) never share one.
        availabilityZone: azs[i % azs.length],
        publiclyAccessible: false,
        // The first instance is the writer; readers share the next tier, so any may be promoted.
        promotionTier: i === 0 ? 0 : 1,
        autoMinorVersionUpgrade: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.keyArn,
        performanceInsightsRetentionPeriod: PERFORMANCE_INSIGHTS_RETENTION_DAYS,
        monitoringInterval: ENHANCED_MONITORING_INTERVAL,
        monitoringRoleArn: monitoringRole.arn,
        copyTagsToSnapshot: true,
      });
      return instance.identifier;
    });
  }

  /** Admits members of `securityGroupId` on the database port; nothing else reaches the cluster. */
  allowConnectionsFrom(securityGroupId: string, description: string): void {
    new VpcSecurityGroupIngressRule(this, `from-${this.node.children.filter((c) => c instanceof VpcSecurityGroupIngressRule).length + 1}`, {
      securityGroupId: this.securityGroupId,
      description,
      ipProtocol: 'tcp',
      fromPort: this.port,
      toPort: this.port,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
