/** The two network constructs behind one VpcNetwork, and the endpoints both add. */
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ExistingNetwork, type ExistingNetworkProps, INTERFACE_ENDPOINT_SERVICES, Network, type NetworkProps } from '../../../modules/network';
import { useAccount } from '../../../modules/shared/iam';
import { type Block, dataSources, only, resourceList, synthConstruct, type TfJson } from '../../support/synth';
import { seededRandom } from '../../support/random';

const ACCOUNT = '111122223333';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const PUBLIC = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];
const PRIVATE = ['subnet-0a1b2c3d4e5f61001', 'subnet-0a1b2c3d4e5f61002'];

const builtProps: NetworkProps = { name: 'demo-test', region: 'eu-west-1', cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'] };
const existingProps: ExistingNetworkProps = { name: 'demo-test', region: 'eu-west-1', vpcId: VPC, publicSubnetIds: PUBLIC, privateSubnetIds: PRIVATE };

function synthBuilt(props: Partial<NetworkProps> = {}, fleetGroup?: string): TfJson {
  return synthConstruct((scope: Construct) => {
    useAccount(scope, ACCOUNT);
    const network = new Network(scope, 'net', { ...builtProps, ...props });
    if (fleetGroup) network.allowEndpointAccessFrom(fleetGroup);
  });
}

function synthExisting(props: Partial<ExistingNetworkProps> = {}, fleetGroup?: string): TfJson {
  return synthConstruct((scope: Construct) => {
    useAccount(scope, ACCOUNT);
    const network = new ExistingNetwork(scope, 'net', { ...existingProps, ...props });
    if (fleetGroup) network.allowEndpointAccessFrom(fleetGroup);
  });
}

const interfaceEndpoints = (json: TfJson) => resourceList(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Interface');
const gatewayEndpoints = (json: TfJson) => resourceList(json, 'aws_vpc_endpoint').filter((e) => e.vpc_endpoint_type === 'Gateway');
const ingress = (json: TfJson) => resourceList(json, 'aws_vpc_security_group_ingress_rule');

describe('ExistingNetwork', () => {
  it('builds no VPC, subnet, gateway, NAT or route: only flow logs on the given VPC', () => {
    const json = synthExisting();
    for (const type of ['aws_vpc', 'aws_subnet', 'aws_internet_gateway', 'aws_nat_gateway', 'aws_eip', 'aws_route_table', 'aws_route', 'aws_route_table_association', 'aws_default_security_group', 'aws_vpc_endpoint']) {
      expect(resourceList(json, type), type).toEqual([]);
    }
    expect(only(json, 'aws_flow_log')).toMatchObject({ vpc_id: VPC, traffic_type: 'ALL' });
    expect(only(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/vpc-flow-logs/demo-test', retention_in_days: 365 });
    expect(Object.keys(dataSources(json, 'aws_vpc')).length + Object.keys(dataSources(json, 'aws_subnet')).length).toBe(0);
  });

  it('hands the tier the given IDs, in order, and no NAT gateways', () => {
    let network: ExistingNetwork | undefined;
    synthConstruct((scope) => {
      useAccount(scope, ACCOUNT);
      network = new ExistingNetwork(scope, 'net', existingProps);
    });
    expect(network).toMatchObject({ vpcId: VPC, publicSubnetIds: PUBLIC, privateSubnetIds: PRIVATE, natGatewayCount: 0, flowLogGroupName: expect.any(String) });
  });

  it('flow logs can be turned off', () => {
    expect(resourceList(synthExisting({ flowLogs: { enabled: false } }), 'aws_flow_log')).toEqual([]);
  });

  it('an S3 gateway endpoint only with the private route tables, and only when asked', () => {
    const tables = ['rtb-0a1b2c3d4e5f62001', 'rtb-0a1b2c3d4e5f62002'];
    expect(only(synthExisting({ privateRouteTableIds: tables }), 'aws_vpc_endpoint')).toMatchObject({
      vpc_id: VPC,
      service_name: 'com.amazonaws.eu-west-1.s3',
      vpc_endpoint_type: 'Gateway',
      route_table_ids: tables,
    });
    expect(resourceList(synthExisting({ privateRouteTableIds: tables, s3GatewayEndpoint: false }), 'aws_vpc_endpoint')).toEqual([]);
  });

  it('interface endpoints take HTTPS only from the groups the tier allows, not from any range', () => {
    const json = synthExisting({ interfaceEndpoints: ['ssm', 'ecr.api'] }, 'sg-0fleet0000000000a');
    const endpoints = interfaceEndpoints(json);
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(['com.amazonaws.eu-west-1.ecr.api', 'com.amazonaws.eu-west-1.ssm']);
    const sgId = Object.keys(json.resource?.aws_security_group ?? {})[0];
    for (const endpoint of endpoints) {
      expect(endpoint).toMatchObject({ vpc_id: VPC, private_dns_enabled: true, subnet_ids: PRIVATE, security_group_ids: [`\${aws_security_group.${sgId}.id}`] });
    }
    expect(only(json, 'aws_security_group')).toMatchObject({ vpc_id: VPC, name_prefix: 'demo-test-endpoints-' });
    expect(only(json, 'aws_security_group').egress).toBeUndefined();
    expect(ingress(json).map((r) => [r.from_port, r.to_port, r.ip_protocol, r.referenced_security_group_id, r.cidr_ipv4])).toEqual([[443, 443, 'tcp', 'sg-0fleet0000000000a', undefined]]);
  });

  it('allowing a group with no interface endpoints adds nothing', () => {
    const json = synthExisting({}, 'sg-0fleet0000000000a');
    expect(ingress(json)).toEqual([]);
    expect(resourceList(json, 'aws_security_group')).toEqual([]);
  });

  it('refuses subnet lists of different lengths', () => {
    expect(() => synthExisting({ privateSubnetIds: PRIVATE.slice(0, 1) })).toThrow('demo-test: 2 public and 1 private subnets; give one of each per AZ');
  });
});

describe('Network interface endpoints and S3 endpoint policy', () => {
  it('none by default: the shipped shape (one gateway endpoint, full access, no endpoint group)', () => {
    const json = synthBuilt();
    expect(interfaceEndpoints(json)).toEqual([]);
    expect(gatewayEndpoints(json)[0]!.policy).toBeUndefined();
    expect(resourceList(json, 'aws_security_group')).toEqual([]);
    expect(Object.keys(dataSources(json, 'aws_iam_policy_document')).filter((id) => id.includes('s3-endpoint'))).toEqual([]);
  });

  it('every listed service as com.amazonaws.<region>.<name>, private DNS, one interface per private subnet, HTTPS from the VPC range', () => {
    const services = ['ssm', 'ssmmessages', 'ec2messages', 'ecr.api', 'ecr.dkr', 'logs', 'sts', 'secretsmanager'] as const;
    const json = synthBuilt({ interfaceEndpoints: services }, 'sg-0fleet0000000000a');
    const endpoints = interfaceEndpoints(json);
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(services.map((s) => `com.amazonaws.eu-west-1.${s}`).sort());
    const privateSubnets = resourceList(json, 'aws_subnet').filter((s) => (s.tags as Record<string, string>).Tier === 'private');
    const subnetIds = Object.entries(json.resource?.aws_subnet ?? {})
      .filter(([, s]) => privateSubnets.includes(s))
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    for (const endpoint of endpoints) expect(endpoint).toMatchObject({ private_dns_enabled: true, subnet_ids: subnetIds });
    // The range covers the fleet's group: allowing it adds no second rule.
    expect(ingress(json).map((r) => [r.from_port, r.to_port, r.cidr_ipv4, r.referenced_security_group_id])).toEqual([[443, 443, '10.0.0.0/16', undefined]]);
    expect(only(json, 'aws_security_group').description).toBe('Interface VPC endpoints of demo-test');
  });

  it('an S3 endpoint policy: each statement as given, principal *, rendered locally', () => {
    const json = synthBuilt({
      s3EndpointPolicy: [
        { sid: 'OsRepositories', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*'] },
        {
          effect: 'Deny',
          actions: ['s3:PutObject'],
          resources: ['*'],
          conditions: [{ test: 'StringNotEquals', variable: 'aws:ResourceAccount', values: [ACCOUNT] }],
        },
      ],
    });
    const [docId, doc] = Object.entries(dataSources(json, 'aws_iam_policy_document')).find(([id]) => id.includes('s3-endpoint-policy'))!;
    expect(doc.statement as Block[]).toEqual([
      { sid: 'OsRepositories', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*'], principals: [{ type: '*', identifiers: ['*'] }] },
      {
        effect: 'Deny',
        actions: ['s3:PutObject'],
        resources: ['*'],
        principals: [{ type: '*', identifiers: ['*'] }],
        condition: [{ test: 'StringNotEquals', variable: 'aws:ResourceAccount', values: [ACCOUNT] }],
      },
    ]);
    expect(gatewayEndpoints(json)[0]!.policy).toBe(`\${data.aws_iam_policy_document.${docId}.json}`);
  });
});

describe('ExistingNetwork, any shape (seeded)', () => {
  it('builds exactly: an endpoint per service in every given private subnet, an S3 endpoint iff route tables, one rule per allowed group', () => {
    const random = seededRandom(1616);
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
    for (let i = 0; i < 25; i++) {
      const azs = 2 + Math.floor(random() * 3);
      const ids = (prefix: string, n: number) => Array.from({ length: n }, () => `${prefix}-${hex(17)}`);
      const services = INTERFACE_ENDPOINT_SERVICES.filter(() => random() < 0.4);
      const tables = ids('rtb', Math.floor(random() * (azs + 1)));
      const groups = ids('sg', Math.floor(random() * 3));
      const props = { vpcId: `vpc-${hex(8)}`, publicSubnetIds: ids('subnet', azs), privateSubnetIds: ids('subnet', azs), interfaceEndpoints: services, privateRouteTableIds: tables };
      const json = synthConstruct((scope: Construct) => {
        useAccount(scope, ACCOUNT);
        const network = new ExistingNetwork(scope, 'net', { ...existingProps, ...props });
        groups.forEach((g) => network.allowEndpointAccessFrom(g));
      });
      const shape = JSON.stringify(props);
      for (const type of ['aws_vpc', 'aws_subnet', 'aws_nat_gateway', 'aws_route_table', 'aws_route']) expect(resourceList(json, type), `${type} ${shape}`).toEqual([]);
      expect(interfaceEndpoints(json).map((e) => e.service_name).sort(), shape).toEqual(services.map((s) => `com.amazonaws.eu-west-1.${s}`).sort());
      for (const endpoint of interfaceEndpoints(json)) expect(endpoint, shape).toMatchObject({ vpc_id: props.vpcId, subnet_ids: props.privateSubnetIds });
      expect(gatewayEndpoints(json).map((e) => e.route_table_ids), shape).toEqual(tables.length > 0 ? [tables] : []);
      expect(ingress(json).map((r) => r.referenced_security_group_id).sort(), shape).toEqual(services.length > 0 ? [...groups].sort() : []);
      expect(only(json, 'aws_flow_log').vpc_id, shape).toBe(props.vpcId);
    }
  });
});
