/**
 * The database section: each rule on a copy of staging or prod changed in
 * one place, with the exact line a user reads.
 */
import { describe, expect, it } from 'vitest';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import staging from '../../environments/staging';
import { problemsFor } from '../support/problems';

type DatabaseInput = NonNullable<EnvironmentInput['database']>;

const EXISTING = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  publicSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f61001', 'subnet-0a1b2c3d4e5f61002', 'subnet-0a1b2c3d4e5f61003'],
};
const DB_SUBNETS = ['subnet-0a1b2c3d4e5f63001', 'subnet-0a1b2c3d4e5f63002', 'subnet-0a1b2c3d4e5f63003'];

const onStaging = (database: DatabaseInput | undefined, network?: EnvironmentInput['network']) =>
  problemsFor((e) => {
    e.database = database;
    if (network) e.network = network;
  }, [], staging);
const onProd = (mutate: (e: EnvironmentInput) => void) => problemsFor(mutate, [], prod);

describe('database fields', () => {
  it('the shipped staging section and an empty one pass', () => {
    expect(onStaging(staging.database)).toEqual([]);
    expect(onStaging({})).toEqual([]);
  });

  it('instances: a writer and at least one reader, at most 16', () => {
    expect(onStaging({ instances: 1 })).toEqual(['staging.database.instances: needs at least 2: a writer and a reader in another AZ to fail over to']);
    expect(onStaging({ instances: 17 })).toEqual(['staging.database.instances: is at most 16: a writer and 15 Aurora Replicas']);
  });

  it('instanceClass: an Aurora class; no micro or small', () => {
    expect(onStaging({ instanceClass: 'db.r7g.2xlarge' })).toEqual([]);
    for (const bad of ['r6g.large', 'db.t3.micro', 'db.t4g.small', 'db.R6G.large']) {
      expect(onStaging({ instanceClass: bad })).toEqual([
        'staging.database.instanceClass: is not an Aurora instance class like db.r6g.large or db.t4g.medium (Aurora has no micro or small)',
      ]);
    }
  });

  it('engineVersion: <major>.<minor>, major 11 or later', () => {
    expect(onStaging({ engineVersion: '15.10' })).toEqual([]);
    for (const bad of ['16', '16.4.1', '9.6', 'latest', '16.x']) {
      expect(onStaging({ engineVersion: bad })).toEqual(['staging.database.engineVersion: is not an Aurora PostgreSQL version like 16.4 (<major>.<minor>, major 11 or later)']);
    }
  });

  it('databaseName: a PostgreSQL identifier, not a reserved one', () => {
    expect(onStaging({ databaseName: '1app' })).toEqual(['staging.database.databaseName: must start with a letter and hold at most 63 letters, digits and underscores']);
    expect(onStaging({ databaseName: 'a'.repeat(64) })).toEqual(['staging.database.databaseName: must start with a letter and hold at most 63 letters, digits and underscores']);
    expect(onStaging({ databaseName: 'Postgres' })).toEqual(['staging.database.databaseName: is reserved (postgres, template0, template1, rdsadmin)']);
  });

  it('port and backupRetentionDays: RDS ranges', () => {
    expect(onStaging({ port: 80 })).toEqual(["staging.database.port: must be 1150–65535 (RDS's range)"]);
    expect(onStaging({ backupRetentionDays: 0 })).toEqual(['staging.database.backupRetentionDays: must be 1–35 days']);
    expect(onStaging({ backupRetentionDays: 36 })).toEqual(['staging.database.backupRetentionDays: must be 1–35 days']);
    expect(onStaging({ bogus: 1 } as DatabaseInput)).toEqual([expect.stringMatching(/^staging\.database: .*bogus/)]);
  });

  it('production keeps at least 7 days of backups; other environments may keep fewer', () => {
    expect(onStaging({ backupRetentionDays: 3 })).toEqual([]);
    expect(onProd((e) => (e.database = { backupRetentionDays: 3 }))).toEqual(['prod.database.backupRetentionDays: 3 days in production; keep at least 7']);
    expect(onProd((e) => (e.database = {}))).toEqual([]);
  });
});

describe('database subnets', () => {
  it('a built VPC gets generated ones; subnetIds are for a brought VPC', () => {
    expect(onStaging({ subnetIds: DB_SUBNETS.slice(0, 2) })).toEqual([
      'staging.database.subnetIds: is for a brought VPC (network.existing); a built VPC gets isolated subnets from network.databaseSubnets',
    ]);
  });

  it('explicit network.databaseSubnets: one per AZ, inside the VPC, clear of the other subnets', () => {
    const network = (databaseSubnets: string[]) => ({ ...staging.network, databaseSubnets });
    expect(onStaging({}, network(['10.20.200.0/24', '10.20.201.0/24']))).toEqual([]);
    expect(onStaging({}, network(['10.20.200.0/24']))).toEqual(['staging.network.databaseSubnets: has 1 subnets for 2 availability zones']);
    expect(onStaging({}, network(['10.21.0.0/24', '10.20.201.0/24']))).toEqual(['staging.network.databaseSubnets[0]: 10.21.0.0/24 does not fit in VPC 10.20.0.0/16']);
    expect(onStaging({}, network(['10.20.128.0/24', '10.20.201.0/24']))).toEqual(['staging.network.databaseSubnets[0]: 10.20.128.0/24 overlaps 10.20.128.0/24']);
    expect(onStaging({}, network(['10.20.200.0/24', '10.20.200.0/25']))).toEqual(['staging.network.databaseSubnets[1]: 10.20.200.0/25 overlaps 10.20.200.0/24']);
  });

  it('network.databaseSubnets without a database applies to nothing', () => {
    expect(onStaging(undefined, { ...staging.network, databaseSubnets: ['10.20.200.0/24', '10.20.201.0/24'] })).toEqual([
      'staging.network.databaseSubnets: applies to no database: add a database section or remove them',
    ]);
  });

  it('generated subnets that do not fit are reported at subnetPrefixLength', () => {
    // A /22 of /24s: two public, two private, no room left for two more after the private ones.
    expect(onStaging({}, { vpcCidr: '10.20.0.0/22', natMode: 'single' })).toEqual([
      'staging.network.subnetPrefixLength: 2 database /24 subnets do not fit after the private subnets in VPC 10.20.0.0/22; give network.databaseSubnets',
    ]);
  });

  it('a brought VPC: subnetIds required, one per AZ, not the fleet\'s', () => {
    const brought = (database: DatabaseInput) => onProd((e) => {
      e.network = { existing: EXISTING };
      e.database = database;
    });
    expect(brought({ subnetIds: DB_SUBNETS })).toEqual([]);
    expect(brought({})).toEqual(['prod.database.subnetIds: is required with network.existing: the stack builds no subnets in a brought VPC']);
    expect(brought({ subnetIds: DB_SUBNETS.slice(0, 2) })).toEqual(['prod.database.subnetIds: has 2 subnets for 3 availability zones; give one per AZ, in availabilityZones order']);
    expect(brought({ subnetIds: [EXISTING.privateSubnetIds[0]!, ...DB_SUBNETS.slice(1)] })).toEqual([
      `prod.database.subnetIds[0]: ${EXISTING.privateSubnetIds[0]} is also in network.existing.privateSubnetIds; the database needs isolated subnets of its own`,
    ]);
    expect(brought({ subnetIds: ['subnet-123', ...DB_SUBNETS.slice(1)] })).toEqual([
      'prod.database.subnetIds[0]: "subnet-123" is not a subnet ID (subnet- then 8 or 17 lowercase hex digits)',
    ]);
    expect(onProd((e) => (e.network = { existing: EXISTING, databaseSubnets: ['10.30.200.0/24'] }))).toEqual(
      expect.arrayContaining(['prod.network.databaseSubnets: cannot be combined with existing: give database.subnetIds']),
    );
  });
});
