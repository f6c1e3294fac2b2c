/** The data tier: an Aurora PostgreSQL cluster in isolated subnets, reached by the web fleet only. */
import { z } from 'zod';
import { AURORA_DEFAULTS } from '../../modules/database';
import { DEFAULT_SUBNET_PREFIX_LENGTH } from '../../modules/network';
import { contains, defaultSubnetLayout, overlaps, parseCidr } from '../../modules/network/cidr';
import { databaseSubnetLayout } from '../../modules/network/network';
import { ec2ResourceId } from '../aws-limits';
import type { networkSchema } from './network';
import type { Report } from './primitives';

/** Aurora PostgreSQL's smallest classes are medium; micro and small are RDS-only. */
const INSTANCE_CLASS = /^db\.[a-z][a-z0-9-]*\.(medium|large|\d*xlarge)$/;
/** Names PostgreSQL or RDS keep for themselves. */
const RESERVED_DATABASE_NAMES = ['postgres', 'template0', 'template1', 'rdsadmin'];
/** The writer and up to 15 Aurora Replicas. */
const MAX_INSTANCES = 16;
/** Production keeps at least a week of point-in-time recovery. */
export const MIN_PRODUCTION_BACKUP_RETENTION_DAYS = 7;

export const databaseSchema = z
  .strictObject({
    instances: z
      .number()
      .int()
      .min(2, 'needs at least 2: a writer and a reader in another AZ to fail over to')
      .max(MAX_INSTANCES, `is at most ${MAX_INSTANCES}: a writer and 15 Aurora Replicas`)
      .default(AURORA_DEFAULTS.instances)
      .meta({ description: 'Instances of the cluster: the first is the writer, the rest readers, placed round-robin over availabilityZones so writer and first reader never share an AZ. 2 to 16.' }),
    instanceClass: z
      .string()
      .regex(INSTANCE_CLASS, 'is not an Aurora instance class like db.r6g.large or db.t4g.medium (Aurora has no micro or small)')
      .default(AURORA_DEFAULTS.instanceClass)
      .meta({ description: 'DB instance class of every instance, e.g. `db.r6g.large` (the guide\'s) or `db.t4g.medium` (burstable, for non-production).' }),
    engineVersion: z
      .string()
      .regex(/^(1[1-9])\.\d{1,2}$/, 'is not an Aurora PostgreSQL version like 16.4 (<major>.<minor>, major 11 or later)')
      .default(AURORA_DEFAULTS.engineVersion)
      .meta({ description: 'Aurora PostgreSQL engine version, `<major>.<minor>`, e.g. `16.4`; the major picks the parameter group family (aurora-postgresql16). Minor upgrades are applied automatically.' }),
    databaseName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must start with a letter and hold at most 63 letters, digits and underscores')
      .refine((name) => !RESERVED_DATABASE_NAMES.includes(name.toLowerCase()), { message: `is reserved (${RESERVED_DATABASE_NAMES.join(', ')})` })
      .default(AURORA_DEFAULTS.databaseName)
      .meta({ description: 'Name of the database created with the cluster.' }),
    port: z
      .number()
      .int()
      .min(1150, 'must be 1150–65535 (RDS\'s range)')
      .max(65535, 'must be 1150–65535 (RDS\'s range)')
      .default(AURORA_DEFAULTS.port)
      .meta({ description: 'Port the cluster listens on; the web fleet may reach it there and nowhere else.' }),
    backupRetentionDays: z
      .number()
      .int()
      .min(1, 'must be 1–35 days')
      .max(35, 'must be 1–35 days')
      .default(AURORA_DEFAULTS.backupRetentionDays)
      .meta({ description: `Days of automated backups (point-in-time recovery), 1 to 35; production at least ${MIN_PRODUCTION_BACKUP_RETENTION_DAYS}.` }),
    subnetIds: z
      .array(ec2ResourceId('subnet', 'subnet').meta({ description: 'An isolated subnet ID (`subnet-…`), without a route to a NAT or the internet.' }))
      .optional()
      .meta({
        description:
          'With network.existing only (required there): the brought VPC\'s isolated subnets for the database, one per AZ, in availabilityZones order. A built VPC gets its own (network.databaseSubnets).',
      }),
  })
  .meta({
    description:
      'Aurora PostgreSQL in isolated subnets: encrypted with a key of its own, TLS forced, IAM authentication, the master password kept by RDS in Secrets Manager, Performance Insights and enhanced monitoring, alarms and dashboard widgets; production adds deletion protection and a final snapshot. The web fleet alone may connect, and read the master secret. The standby region builds none.',
  });

export type DatabaseSpec = z.output<typeof databaseSchema>;

interface DatabaseSections {
  production?: boolean;
  availabilityZones?: string[];
  network?: z.output<typeof networkSchema>;
  database?: DatabaseSpec;
}

/** The database against the network it sits in, and production's floor on backups. */
export function checkDatabase(env: DatabaseSections, report: Report): void {
  const { database, network } = env;
  if (!database) {
    if (network?.databaseSubnets) report(['network', 'databaseSubnets'], 'applies to no database: add a database section or remove them');
    return;
  }
  if (env.production && database.backupRetentionDays < MIN_PRODUCTION_BACKUP_RETENTION_DAYS) {
    report(['database', 'backupRetentionDays'], `${database.backupRetentionDays} days in production; keep at least ${MIN_PRODUCTION_BACKUP_RETENTION_DAYS}`);
  }
  if (!network || !env.availabilityZones) return;
  const azCount = env.availabilityZones.length;
  if (network.existing) {
    if (!database.subnetIds) report(['database', 'subnetIds'], 'is required with network.existing: the stack builds no subnets in a brought VPC');
    else if (database.subnetIds.length !== azCount) report(['database', 'subnetIds'], `has ${database.subnetIds.length} subnets for ${azCount} availability zones; give one per AZ, in availabilityZones order`);
    else checkDistinctFromFleet(database.subnetIds, network.existing, report);
    return;
  }
  if (database.subnetIds) report(['database', 'subnetIds'], 'is for a brought VPC (network.existing); a built VPC gets isolated subnets from network.databaseSubnets');
  checkBuiltDatabaseSubnets(network, azCount, report);
}

function checkDistinctFromFleet(subnetIds: readonly string[], existing: NonNullable<z.output<typeof networkSchema>['existing']>, report: Report): void {
  subnetIds.forEach((id, i) => {
    const tier = existing.publicSubnetIds.includes(id) ? 'publicSubnetIds' : existing.privateSubnetIds.includes(id) ? 'privateSubnetIds' : undefined;
    if (tier) report(['database', 'subnetIds', i], `${id} is also in network.existing.${tier}; the database needs isolated subnets of its own`);
  });
}

/** Database subnets must fit in the VPC, one per AZ, clear of the public and private subnets. */
function checkBuiltDatabaseSubnets(network: z.output<typeof networkSchema>, azCount: number, report: Report): void {
  const { vpcCidr, subnetPrefixLength = DEFAULT_SUBNET_PREFIX_LENGTH, databaseSubnets } = network;
  const vpc = vpcCidr === undefined ? undefined : parseCidr(vpcCidr);
  if (!vpc || vpcCidr === undefined) return;
  const generated = defaultSubnetLayout(vpcCidr, subnetPrefixLength, azCount);
  // Malformed CIDRs are reported by their own fields; only parsed ones are compared.
  const others = [...(network.publicSubnets ?? generated?.public ?? []), ...(network.privateSubnets ?? generated?.private ?? [])].filter((c) => parseCidr(c));
  if (!databaseSubnets) {
    const layout = databaseSubnetLayout(vpcCidr, subnetPrefixLength, azCount);
    if (!layout) {
      report(['network', 'subnetPrefixLength'], `${azCount} database /${subnetPrefixLength} subnets do not fit after the private subnets in VPC ${vpcCidr}; give network.databaseSubnets`);
      return;
    }
    const clash = layout.find((cidr) => others.some((other) => overlaps(parseCidr(cidr)!, parseCidr(other)!)));
    if (clash) report(['network', 'databaseSubnets'], `the generated database subnet ${clash} overlaps a public or private subnet; give network.databaseSubnets`);
    return;
  }
  if (databaseSubnets.length !== azCount) report(['network', 'databaseSubnets'], `has ${databaseSubnets.length} subnets for ${azCount} availability zones`);
  databaseSubnets.forEach((subnet, i) => {
    const block = parseCidr(subnet);
    if (!block) return;
    if (!contains(vpc, block)) report(['network', 'databaseSubnets', i], `${subnet} does not fit in VPC ${vpcCidr}`);
    const clash = [...others, ...databaseSubnets.slice(0, i).filter((c) => parseCidr(c))].find((other) => overlaps(parseCidr(other)!, block));
    if (clash) report(['network', 'databaseSubnets', i], `${subnet} overlaps ${clash}`);
  });
}
