/**
 * The data tier as the stacks build it: staging with a database (the
 * shipped section, on a copy), prod with one (production's protections,
 * and a standby region that builds none), and the offline plan of staging.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import prod from '../../../environments/prod';
import type { EnvironmentInput } from '../../../environments/schema';
import staging from '../../../environments/staging';
import { AURORA_DEFAULTS, parameterGroupFamily } from '../../../modules/database';
import { databaseSubnetLayout } from '../../../modules/network/network';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { DEFAULT_ASSUMPTIONS, estimateStack } from '../../../tools/synth-model/estimate';
import { loadPriceTable } from '../../../tools/synth-model/price-table';
import { readStack } from '../../../tools/synth-model/stack-model';
import { type Block, resourceList, stackNamed, synthEnvironments, type TfJson, underPath } from '../../support/synth';

const stagingWithDatabase: EnvironmentInput = { ...staging, database: { instanceClass: 'db.t4g.medium', backupRetentionDays: 3 } };
const prodWithDatabase: EnvironmentInput = { ...prod, database: { instances: 3, engineVersion: '16.6' } };

let stagingOut: string;
let stagingStack: TfJson;
let prodStack: TfJson;
let plan: OfflinePlanResult;

beforeAll(async () => {
  const synthesized = synthEnvironments([{ file: 'staging.ts', data: stagingWithDatabase }]);
  stagingOut = synthesized.outdir;
  stagingStack = stackNamed(synthesized.stacks, 'staging');
  prodStack = stackNamed(synthEnvironments([{ file: 'prod.ts', data: prodWithDatabase }]).stacks, 'prod');
  plan = await offlinePlan(join(stagingOut, 'stacks', 'staging'));
}, 300_000);

const one = (json: TfJson, type: string): Block => {
  const list = resourceList(json, type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0]!;
};
const byTag = (json: TfJson, type: string, name: string): Block => {
  const found = resourceList(json, type).find((r) => (r.tags as Record<string, string> | undefined)?.Name === name);
  if (!found) throw new Error(`no ${type} tagged ${name}`);
  return found;
};
const idOf = (json: TfJson, type: string, match: (r: Block) => boolean): string => {
  const entry = Object.entries(json.resource?.[type] ?? {}).find(([, r]) => match(r));
  if (!entry) throw new Error(`no matching ${type}`);
  return entry[0];
};

describe('the cluster', () => {
  it('Aurora PostgreSQL, encrypted with its own key, TLS forced, IAM auth, logs exported, password kept by RDS', () => {
    const cluster = one(stagingStack, 'aws_rds_cluster');
    const keyId = idOf(stagingStack, 'aws_kms_key', (k) => String(k.description).startsWith('Storage, snapshots'));
    expect(cluster).toMatchObject({
      cluster_identifier: 'web-app-staging-db',
      engine: 'aurora-postgresql',
      engine_mode: 'provisioned',
      engine_version: AURORA_DEFAULTS.engineVersion,
      database_name: 'app',
      port: 5432,
      storage_encrypted: true,
      kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: `\${aws_kms_key.${keyId}.arn}`,
      iam_database_authentication_enabled: true,
      enabled_cloudwatch_logs_exports: ['postgresql'],
      copy_tags_to_snapshot: true,
      backup_retention_period: 3,
      deletion_protection: false,
      skip_final_snapshot: true,
    });
    expect(cluster).not.toHaveProperty('master_password');
    expect(cluster).not.toHaveProperty('final_snapshot_identifier');
    const parameters = one(stagingStack, 'aws_rds_cluster_parameter_group');
    expect(parameters).toMatchObject({ family: 'aurora-postgresql16', parameter: [{ name: 'rds.force_ssl', value: '1' }] });
    expect(cluster.db_cluster_parameter_group_name).toContain('aws_rds_cluster_parameter_group.');
  });

  it('the key lets the account use it only through RDS and Secrets Manager of its region', () => {
    const documents = Object.values(stagingStack.data?.aws_iam_policy_document ?? {});
    const viaService = documents.flatMap((d) => (d.statement as Block[]) ?? []).find((s) => s.sid === 'UseThroughRdsAndSecretsManager');
    expect(viaService?.condition).toEqual(
      expect.arrayContaining([
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['rds.ap-northeast-2.amazonaws.com', 'secretsmanager.ap-northeast-2.amazonaws.com'] },
        { test: 'StringEquals', variable: 'kms:CallerAccount', values: [staging.account] },
      ]),
    );
  });

  it('a writer and a reader in different AZs, Performance Insights under the key, enhanced monitoring, private', () => {
    const instances = resourceList(stagingStack, 'aws_rds_cluster_instance');
    expect(instances.map((i) => [i.identifier, i.availability_zone, i.promotion_tier])).toEqual([
      ['web-app-staging-db-1', 'ap-northeast-2a', 0],
      ['web-app-staging-db-2', 'ap-northeast-2c', 1],
    ]);
    for (const instance of instances) {
      expect(instance).toMatchObject({
        instance_class: 'db.t4g.medium',
        publicly_accessible: false,
        auto_minor_version_upgrade: true,
        performance_insights_enabled: true,
        performance_insights_retention_period: 7,
        monitoring_interval: 60,
      });
      expect(instance.performance_insights_kms_key_id).toMatch(/^\$\{aws_kms_key\..+\.arn\}$/);
      expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    }
  });

  it('production: deletion protection and a final snapshot; instances round-robin over three AZs', () => {
    const primary = underPath(prodStack, 'prod/primary/');
    expect(one(primary, 'aws_rds_cluster')).toMatchObject({ deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: 'web-app-prod-db-final', engine_version: '16.6' });
    expect(resourceList(primary, 'aws_rds_cluster_instance').map((i) => i.availability_zone)).toEqual(['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']);
  });

  it('the standby region builds no database and no database subnets', () => {
    const standby = underPath(prodStack, 'prod/standby/');
    expect(resourceList(standby, 'aws_subnet').length).toBeGreaterThan(0);
    expect(resourceList(standby, 'aws_rds_cluster')).toEqual([]);
    expect(resourceList(standby, 'aws_db_subnet_group')).toEqual([]);
    expect(resourceList(standby, 'aws_subnet').filter((s) => (s.tags as Record<string, string>).Tier === 'database')).toEqual([]);
  });

  it('the parameter group family follows the engine major', () => {
    expect(parameterGroupFamily('16.4')).toBe('aurora-postgresql16');
    expect(parameterGroupFamily('15.10')).toBe('aurora-postgresql15');
    expect(() => parameterGroupFamily('16')).toThrow(/<major>\.<minor>/);
  });
});

describe('isolated subnets', () => {
  it('one per AZ after the private ones, on a route table with no route at all (no NAT, no internet)', () => {
    const subnets = resourceList(stagingStack, 'aws_subnet').filter((s) => (s.tags as Record<string, string>).Tier === 'database');
    expect(subnets.map((s) => [s.cidr_block, s.availability_zone])).toEqual([
      ['10.20.130.0/24', 'ap-northeast-2a'],
      ['10.20.131.0/24', 'ap-northeast-2c'],
    ]);
    expect(databaseSubnetLayout('10.20.0.0/16', 24, 2)).toEqual(['10.20.130.0/24', '10.20.131.0/24']);
    const tableId = idOf(stagingStack, 'aws_route_table', (t) => (t.tags as Record<string, string>).Name === 'web-app-staging-database');
    expect(byTag(stagingStack, 'aws_route_table', 'web-app-staging-database')).not.toHaveProperty('route');
    const routes = resourceList(stagingStack, 'aws_route').filter((r) => String(r.route_table_id).includes(`.${tableId}.`));
    expect(routes).toEqual([]);
    const associations = resourceList(stagingStack, 'aws_route_table_association').filter((a) => String(a.route_table_id).includes(`.${tableId}.`));
    expect(associations).toHaveLength(2);
    const group = one(stagingStack, 'aws_db_subnet_group');
    expect(group.subnet_ids).toHaveLength(2);
    expect((group.subnet_ids as string[]).every((id) => id.startsWith('${aws_subnet.') && id.includes('database'))).toBe(true);
  });

  it('without a database the VPC is as before: no database subnets', () => {
    const shipped = stackNamed(synthEnvironments([{ file: 'prod.ts', data: prod }]).stacks, 'prod');
    expect(resourceList(shipped, 'aws_subnet').filter((s) => (s.tags as Record<string, string>).Tier === 'database')).toEqual([]);
    expect(resourceList(shipped, 'aws_rds_cluster')).toEqual([]);
  });
});

describe('access', () => {
  it('the database group admits the web instances on 5432 and nothing else, and has no egress', () => {
    const dbSg = idOf(stagingStack, 'aws_security_group', (g) => String(g.name_prefix) === 'web-app-staging-db-');
    const webSg = idOf(stagingStack, 'aws_security_group', (g) => String(g.name_prefix) === 'web-app-staging-web-');
    const onDb = (type: string) => resourceList(stagingStack, type).filter((r) => r.security_group_id === `\${aws_security_group.${dbSg}.id}`);
    expect(onDb('aws_vpc_security_group_ingress_rule')).toEqual([
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 5432, to_port: 5432, referenced_security_group_id: `\${aws_security_group.${webSg}.id}` }),
    ]);
    expect(onDb('aws_vpc_security_group_egress_rule')).toEqual([]);
    expect(resourceList(stagingStack, 'aws_security_group').find((g) => g.name_prefix === 'web-app-staging-db-')).not.toHaveProperty('egress');
    const fleetToDb = resourceList(stagingStack, 'aws_vpc_security_group_egress_rule').filter(
      (r) => r.security_group_id === `\${aws_security_group.${webSg}.id}` && r.referenced_security_group_id === `\${aws_security_group.${dbSg}.id}`,
    );
    expect(fleetToDb).toEqual([expect.objectContaining({ ip_protocol: 'tcp', from_port: 5432, to_port: 5432 })]);
  });

  it('the instances may read the master secret, and decrypt it only through Secrets Manager', () => {
    const clusterId = idOf(stagingStack, 'aws_rds_cluster', () => true);
    const secret = `\${aws_rds_cluster.${clusterId}.master_user_secret[0].secret_arn}`;
    const statements = Object.values(stagingStack.data?.aws_iam_policy_document ?? {}).flatMap((d) => (d.statement as Block[]) ?? []);
    expect(statements.find((s) => s.sid === 'ReadSecret')).toMatchObject({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [secret] });
    expect(statements.find((s) => s.sid === 'DecryptSecret')).toMatchObject({
      actions: ['kms:Decrypt'],
      condition: expect.arrayContaining([
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.ap-northeast-2.amazonaws.com'] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secret] },
      ]),
    });
    const rolePolicy = resourceList(stagingStack, 'aws_iam_role_policy').find((p) => String(p.name).startsWith('read-secret-'));
    expect(rolePolicy?.role).toMatch(/aws_iam_role\..*fleet.*\.name/);
  });
});

describe('operations', () => {
  it('CPU, memory, replica lag and connection alarms, named <name>-db-…, into the alerts topic', () => {
    const alarms = resourceList(stagingStack, 'aws_cloudwatch_metric_alarm').filter((a) => a.namespace === 'AWS/RDS');
    expect(alarms.map((a) => [a.alarm_name, a.metric_name, a.comparison_operator, a.threshold]).sort()).toEqual([
      ['web-app-staging-db-connections-high', 'DatabaseConnections', 'GreaterThanThreshold', 300],
      ['web-app-staging-db-cpu-high', 'CPUUtilization', 'GreaterThanThreshold', 80],
      ['web-app-staging-db-freeable-memory-low', 'FreeableMemory', 'LessThanThreshold', 536870912],
      ['web-app-staging-db-replica-lag', 'AuroraReplicaLag', 'GreaterThanThreshold', 1000],
    ]);
    const alerts = idOf(stagingStack, 'aws_sns_topic', (t) => t.name === 'web-app-staging-alerts');
    for (const alarm of alarms) {
      expect(alarm.dimensions).toEqual({ DBClusterIdentifier: expect.stringMatching(/aws_rds_cluster\..+\.cluster_identifier/) });
      expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${alerts}.arn}`]);
    }
  });

  it('the dashboard shows the database', () => {
    const body = JSON.parse(String(one(stagingStack, 'aws_cloudwatch_dashboard').dashboard_body)) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] };
    const titles = body.widgets.map((w) => w.properties.title);
    expect(titles).toEqual(expect.arrayContaining(['Database CPU and connections', 'Database memory and replica lag']));
    const metrics = body.widgets.flatMap((w) => w.properties.metrics.map((m) => m[1]));
    expect(metrics).toEqual(expect.arrayContaining(['AuroraReplicaLag', 'FreeableMemory', 'DatabaseConnections']));
  });
});

describe('enhanced monitoring', () => {
  it('its role writes only to RDSOSMetrics of this account and region, inline (no managed policy attached)', () => {
    expect(resourceList(stagingStack, 'aws_iam_role_policy_attachment')).toEqual([]);
    const statements = Object.values(stagingStack.data?.aws_iam_policy_document ?? {}).flatMap((d) => (d.statement as Block[]) ?? []);
    const streams = statements.find((s) => s.sid === 'EnableCreationAndManagementOfRDSCloudwatchLogStreams');
    expect(streams?.resources).toEqual([expect.stringMatching(/:logs:ap-northeast-2:123456789012:log-group:RDSOSMetrics:log-stream:\*$/)]);
    const trust = Object.values(stagingStack.data?.aws_iam_policy_document ?? {}).find((d) =>
      JSON.stringify(d.statement).includes('monitoring.rds.amazonaws.com'),
    );
    expect(JSON.stringify(trust)).toContain('aws:SourceAccount');
  });
});

describe('cost', () => {
  it('prices each instance by class, storage and I/O as assumptions, and shows the 1-year reserved discount beside them', () => {
    const estimate = estimateStack(readStack('staging', stagingStack), loadPriceTable(), DEFAULT_ASSUMPTIONS, 'desired');
    const db = estimate.lines.filter((l) => l.resource.startsWith('primary/database/'));
    const instances = db.filter((l) => l.unit.startsWith('db.t4g.medium instance-hours'));
    expect(instances).toHaveLength(2);
    expect(instances[0]).toMatchObject({ unit: 'db.t4g.medium instance-hours (1-year reserved: 35 % less)', quantity: 730, unitPrice: 0.086 });
    expect(db.filter((l) => l.assumed).map((l) => [l.unit, l.quantity, l.unitPrice])).toEqual(
      expect.arrayContaining([
        ['GB-months Aurora storage', DEFAULT_ASSUMPTIONS.auroraGbPerCluster, 0.11],
        ['million Aurora I/O requests', DEFAULT_ASSUMPTIONS.auroraIoMillionsPerCluster, 0.22],
      ]),
    );
  });
});

describe('offline plan', () => {
  it('staging with a database validates and plans every database resource', () => {
    expect(plan.validate.valid, JSON.stringify(plan.validate.diagnostics)).toBe(true);
    const creates = (type: string) => plan.plan.resource_changes.filter((c) => c.type === type && c.change.actions.includes('create'));
    expect(creates('aws_rds_cluster')).toHaveLength(1);
    expect(creates('aws_rds_cluster_instance')).toHaveLength(2);
    expect(creates('aws_db_subnet_group')).toHaveLength(1);
    expect(creates('aws_rds_cluster_parameter_group')).toHaveLength(1);
    expect(creates('aws_rds_cluster')[0]!.change.after).toMatchObject({ storage_encrypted: true, manage_master_user_password: true, deletion_protection: false });
  });
});
