/**
 * A brought VPC with every interface endpoint and an S3 endpoint policy,
 * through real Terraform offline (init, validate, plan): it plans, creates
 * no network of its own, and puts what it does create in the given VPC.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import dev from '../../../environments/dev';
import type { EnvironmentInput } from '../../../environments/schema';
import { INTERFACE_ENDPOINT_SERVICES } from '../../../modules/network';
import { offlinePlan, type OfflinePlanResult, type PlannedChange } from '../../../tools/lib/terraform';
import { synthEnvironments } from '../../support/synth';

const VPC = 'vpc-0a1b2c3d4e5f60718';
const PRIVATE = ['subnet-0a1b2c3d4e5f61001', 'subnet-0a1b2c3d4e5f61002'];
const TABLE = 'rtb-0a1b2c3d4e5f62001';
const REPOS = 'arn:aws:s3:::al2023-repos-ap-northeast-2-de612dc2/*';

const brought: EnvironmentInput = {
  ...structuredClone(dev),
  network: {
    existing: { vpcId: VPC, publicSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'], privateSubnetIds: PRIVATE, privateRouteTableIds: [TABLE] },
    interfaceEndpoints: [...INTERFACE_ENDPOINT_SERVICES],
    s3EndpointPolicy: {
      statements: [
        { sid: 'OsRepositories', actions: ['s3:GetObject'], resources: [REPOS] },
        { sid: 'OwnAccount', actions: ['s3:*'], resources: ['*'], conditions: [{ test: 'StringEquals', variable: 'aws:ResourceAccount', values: [dev.account] }] },
      ],
    },
  },
  // Flow logs on, on the brought VPC; dev's waiver for the VPC it no longer builds goes.
  flowLogs: { enabled: true },
  securityExceptions: dev.securityExceptions?.filter((e) => e.resource !== 'primary/network/vpc'),
};

let result: OfflinePlanResult;
const changes = (type: string): PlannedChange[] => result.plan.resource_changes.filter((c) => c.mode === 'managed' && c.type === type);
const after = (change: PlannedChange) => change.change.after ?? {};

beforeAll(async () => {
  const { outdir } = synthEnvironments([{ file: 'dev.ts', data: brought }]);
  result = await offlinePlan(join(outdir, 'stacks', 'dev'));
}, 300_000);

describe('a brought VPC, planned offline', () => {
  it('validates and plans only creates', () => {
    expect(result.validate.valid, JSON.stringify(result.validate.diagnostics)).toBe(true);
    const managed = result.plan.resource_changes.filter((c) => c.mode === 'managed');
    expect([...new Set(managed.flatMap((c) => c.change.actions))]).toEqual(['create']);
  });

  it('creates no VPC, subnet, NAT gateway, internet gateway or route', () => {
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_nat_gateway', 'aws_internet_gateway', 'aws_eip', 'aws_route_table', 'aws_route', 'aws_route_table_association', 'aws_default_security_group']) {
      expect(changes(type), type).toEqual([]);
    }
  });

  it('one interface endpoint per service in the given VPC and private subnets, private DNS on', () => {
    const endpoints = changes('aws_vpc_endpoint').map(after).filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.ap-northeast-2.${s}`).sort());
    for (const endpoint of endpoints) expect(endpoint).toMatchObject({ vpc_id: VPC, private_dns_enabled: true, subnet_ids: PRIVATE });
  });

  it('the S3 gateway endpoint on the given route table, with the policy as written', () => {
    const [gateway] = changes('aws_vpc_endpoint').map(after).filter((e) => e.vpc_endpoint_type === 'Gateway');
    expect(gateway).toMatchObject({ vpc_id: VPC, service_name: 'com.amazonaws.ap-northeast-2.s3', route_table_ids: [TABLE] });
    const policy = JSON.parse(String(gateway!.policy)) as { Statement: Record<string, unknown>[] };
    expect(policy.Statement).toEqual([
      { Sid: 'OsRepositories', Effect: 'Allow', Action: 's3:GetObject', Resource: REPOS, Principal: '*' },
      { Sid: 'OwnAccount', Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*', Condition: { StringEquals: { 'aws:ResourceAccount': dev.account } } },
    ]);
  });

  it('the endpoints take HTTPS from the fleet only; flow logs record the brought VPC', () => {
    const groups = changes('aws_security_group').map(after);
    expect(groups.map((g) => g.vpc_id)).toEqual(groups.map(() => VPC));
    const endpointRules = changes('aws_vpc_security_group_ingress_rule').filter((c) => c.name.includes('endpoints')).map(after);
    expect(endpointRules).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, ip_protocol: 'tcp', cidr_ipv4: null })]);
    expect(changes('aws_flow_log').map(after)).toEqual([expect.objectContaining({ vpc_id: VPC, traffic_type: 'ALL' })]);
  });
});
