/**
 * network.existing, network.interfaceEndpoints and network.s3EndpointPolicy:
 * each rule on a copy of prod changed in that one place, with the exact
 * line a user reads; the warnings; and the rules across environments that
 * share a brought VPC.
 */
import { describe, expect, it } from 'vitest';
import { environmentWarnings, validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import { problemsFor } from '../support/problems';
import { seededRandom } from '../support/random';

type NetworkInput = EnvironmentInput['network'];
type PolicyInput = NonNullable<NetworkInput['s3EndpointPolicy']>;

const EXISTING = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  publicSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f61001', 'subnet-0a1b2c3d4e5f61002', 'subnet-0a1b2c3d4e5f61003'],
};
const TABLES = ['rtb-0a1b2c3d4e5f62001', 'rtb-0a1b2c3d4e5f62002'];
const REPOS = 'arn:aws:s3:::al2023-repos-ap-northeast-2-de612dc2/*';
const STANDBY_REPOS = 'arn:aws:s3:::al2023-repos-ap-northeast-1-de612dc2/*';

const withNetwork = (network: NetworkInput) => (e: EnvironmentInput) => (e.network = network);

function warningsFor(network: NetworkInput): string[] {
  const env = structuredClone(prod);
  env.network = network;
  return environmentWarnings(validateEnvironments([{ file: 'prod.ts', data: env }]));
}

describe('network.existing', () => {
  it('is a whole network: a brought VPC passes with its IDs alone', () => {
    expect(problemsFor(withNetwork({ existing: EXISTING }))).toEqual([]);
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, vpcId: 'vpc-0a1b2c3d', privateRouteTableIds: TABLES } }))).toEqual([]);
  });

  it('IDs are EC2 IDs: prefix and 8 or 17 lowercase hex digits', () => {
    expect(
      problemsFor(
        withNetwork({
          existing: {
            vpcId: 'vpc-0A1B2C3D',
            publicSubnetIds: ['subnet-123', ...EXISTING.publicSubnetIds.slice(1)],
            privateSubnetIds: ['sg-0a1b2c3d', ...EXISTING.privateSubnetIds.slice(1)],
            privateRouteTableIds: ['rtb-0a1b2c3d4e5f6071'],
          },
        }),
      ),
    ).toEqual([
      'prod.network.existing.vpcId: "vpc-0A1B2C3D" is not a VPC ID (vpc- then 8 or 17 lowercase hex digits)',
      'prod.network.existing.publicSubnetIds[0]: "subnet-123" is not a subnet ID (subnet- then 8 or 17 lowercase hex digits)',
      'prod.network.existing.privateSubnetIds[0]: "sg-0a1b2c3d" is not a subnet ID (subnet- then 8 or 17 lowercase hex digits)',
      'prod.network.existing.privateRouteTableIds[0]: "rtb-0a1b2c3d4e5f6071" is not a route table ID (rtb- then 8 or 17 lowercase hex digits)',
    ]);
  });

  it('one public and one private subnet per AZ, each subnet once', () => {
    expect(
      problemsFor(withNetwork({ existing: { ...EXISTING, publicSubnetIds: EXISTING.publicSubnetIds.slice(0, 2), privateSubnetIds: [...EXISTING.privateSubnetIds, 'subnet-0a1b2c3d4e5f61004'] } })),
    ).toEqual([
      'prod.network.existing.publicSubnetIds: has 2 subnets for 3 availability zones; give one per AZ, in availabilityZones order',
      'prod.network.existing.privateSubnetIds: has 4 subnets for 3 availability zones; give one per AZ, in availabilityZones order',
    ]);
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateSubnetIds: [EXISTING.privateSubnetIds[0]!, EXISTING.publicSubnetIds[1]!, EXISTING.privateSubnetIds[0]!] } }))).toEqual([
      'prod.network.existing.privateSubnetIds[1]: subnet-0a1b2c3d4e5f60002 is already publicSubnetIds[1]; each subnet serves one tier in one AZ',
      'prod.network.existing.privateSubnetIds[2]: subnet-0a1b2c3d4e5f61001 is already privateSubnetIds[0]; each subnet serves one tier in one AZ',
    ]);
  });

  it('route tables: at most one per AZ, none twice', () => {
    const four = [...TABLES, 'rtb-0a1b2c3d4e5f62003', 'rtb-0a1b2c3d4e5f62004'];
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateRouteTableIds: four } }))).toEqual([
      'prod.network.existing.privateRouteTableIds: has 4 route tables for 3 availability zones; at most one per AZ',
    ]);
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateRouteTableIds: [TABLES[0]!, TABLES[0]!] } }))).toEqual([
      'prod.network.existing.privateRouteTableIds[1]: duplicate route table rtb-0a1b2c3d4e5f62001',
    ]);
  });

  it('the fields of a built VPC are refused beside it, each by name', () => {
    expect(
      problemsFor(
        withNetwork({
          existing: EXISTING,
          vpcCidr: '10.30.0.0/16',
          natMode: 'single',
          subnetPrefixLength: 24,
          publicSubnets: ['10.30.0.0/24'],
          privateSubnets: ['10.30.128.0/24'],
        }),
      ),
    ).toEqual([
      'prod.network.vpcCidr: cannot be combined with existing: the brought VPC has its own range',
      'prod.network.natMode: cannot be combined with existing: the stack builds no NAT gateways in a brought VPC',
      'prod.network.subnetPrefixLength: cannot be combined with existing: the stack builds no subnets in a brought VPC',
      'prod.network.publicSubnets: cannot be combined with existing: give existing.publicSubnetIds',
      'prod.network.privateSubnets: cannot be combined with existing: give existing.privateSubnetIds',
    ]);
  });

  it('without it, vpcCidr is required', () => {
    expect(problemsFor(withNetwork({ natMode: 'per-az' }))).toEqual(['prod.network.vpcCidr: is required unless existing brings a VPC']);
  });

  it('a brought VPC has no ALB subnet warning (its subnets are not known offline)', () => {
    expect(warningsFor({ existing: EXISTING })).toEqual([]);
  });
});

describe('network.interfaceEndpoints', () => {
  it('takes the known services, each once', () => {
    expect(problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', interfaceEndpoints: ['ssm', 'ssmmessages', 'ec2messages', 'ecr.api', 'ecr.dkr', 'logs', 'sts', 'secretsmanager'] }))).toEqual([]);
    expect(problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', interfaceEndpoints: ['ssm', 'ssm'] }))).toEqual(['prod.network.interfaceEndpoints[1]: duplicate interface endpoint ssm']);
    const problems = problemsFor((e) => (e.network = { vpcCidr: '10.30.0.0/16', interfaceEndpoints: ['kms' as 'ssm'] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^prod\.network\.interfaceEndpoints\[0\]: Invalid option: expected one of "ssm"\|"ssmmessages"/);
  });
});

describe('network.s3EndpointPolicy', () => {
  const policy = (statements: PolicyInput['statements']): PolicyInput => ({ statements });
  const repos = { sid: 'OsRepositories', actions: ['s3:GetObject'], resources: [REPOS, STANDBY_REPOS] };

  it('a valid policy passes, and allowing the repository buckets of both regions leaves no warning', () => {
    const network = { vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([repos, { actions: ['s3:*'], resources: ['arn:aws:s3:::web-app-prod-*'], conditions: [{ test: 'StringEquals', variable: 'aws:PrincipalAccount', values: ['210987654321'] }] }]) };
    expect(problemsFor(withNetwork(network))).toEqual([]);
    expect(warningsFor(network)).toEqual([]);
    expect(warningsFor({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([{ actions: ['s3:Get*'], resources: ['arn:aws:s3:::al2023-repos-*'.concat('/*')] }]) })).toEqual([]);
  });

  it('warns, per region, when dnf could not reach Amazon Linux 2023 repositories', () => {
    expect(warningsFor({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([{ actions: ['s3:GetObject'], resources: [REPOS] }]) })).toEqual([
      'prod.network.s3EndpointPolicy: does not allow s3:GetObject on arn:aws:s3:::al2023-repos-ap-northeast-1-de612dc2/*: dnf on Amazon Linux 2023 in ap-northeast-1 fails with 403 behind this endpoint',
    ]);
    expect(warningsFor({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([repos, { effect: 'Deny', actions: ['s3:*'], resources: ['arn:aws:s3:::al2023-repos-ap-northeast-2-de612dc2/*'] }]) })).toEqual([
      'prod.network.s3EndpointPolicy: does not allow s3:GetObject on arn:aws:s3:::al2023-repos-ap-northeast-2-de612dc2/*: dnf on Amazon Linux 2023 in ap-northeast-2 fails with 403 behind this endpoint',
    ]);
  });

  it('statements: S3 actions, S3 ARNs, IAM conditions, alphanumeric unique sids', () => {
    expect(
      problemsFor(
        withNetwork({
          vpcCidr: '10.30.0.0/16',
          s3EndpointPolicy: policy([
            { sid: 'Repos-1', actions: ['ec2:DescribeInstances'], resources: ['arn:aws:sqs:ap-northeast-2:210987654321:queue'] },
            { sid: 'Repos', actions: ['s3:GetObject'], resources: [REPOS], conditions: [{ test: 'String Equals', variable: 'PrincipalAccount', values: [] }] },
            { sid: 'Repos', actions: ['s3:GetObject'], resources: [STANDBY_REPOS] },
          ]),
        }),
      ),
    ).toEqual([
      'prod.network.s3EndpointPolicy.statements[0].sid: must be letters and digits only',
      'prod.network.s3EndpointPolicy.statements[0].actions[0]: is not an S3 action like s3:GetObject (only S3 actions pass through an S3 endpoint)',
      'prod.network.s3EndpointPolicy.statements[0].resources[0]: is not an S3 ARN like arn:aws:s3:::bucket/* (or *)',
      'prod.network.s3EndpointPolicy.statements[1].conditions[0].test: is not an IAM condition operator like StringEquals or ArnLike',
      'prod.network.s3EndpointPolicy.statements[1].conditions[0].variable: is not a condition key like aws:PrincipalAccount',
      'prod.network.s3EndpointPolicy.statements[1].conditions[0].values: Too small: expected array to have >=1 items',
      'prod.network.s3EndpointPolicy.statements[2].sid: duplicate sid Repos',
    ]);
    expect(problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([repos, { ...repos, resources: [REPOS] }]) }))).toEqual([
      'prod.network.s3EndpointPolicy.statements[1].sid: duplicate sid OsRepositories',
    ]);
  });

  it('a policy with no Allow, or over 20,480 characters, is refused', () => {
    expect(problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([{ effect: 'Deny', actions: ['s3:DeleteObject'], resources: ['*'] }]) }))).toEqual([
      "prod.network.s3EndpointPolicy.statements: has no Allow statement: the endpoint would refuse all S3 traffic, dnf's included",
    ]);
    const buckets = Array.from({ length: 480 }, (_, i) => `arn:aws:s3:::bucket-of-team-number-${String(i).padStart(4, '0')}/*`);
    const problems = problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', s3EndpointPolicy: policy([{ actions: ['s3:GetObject'], resources: [REPOS, STANDBY_REPOS, ...buckets] }]) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^prod\.network\.s3EndpointPolicy\.statements: renders to about 2\d{4} characters; a VPC endpoint policy holds at most 20480$/);
  });

  it('needs an endpoint to apply to', () => {
    const repoPolicy = policy([repos]);
    expect(problemsFor(withNetwork({ vpcCidr: '10.30.0.0/16', s3GatewayEndpoint: false, s3EndpointPolicy: repoPolicy }))).toEqual([
      'prod.network.s3EndpointPolicy: applies to no endpoint: s3GatewayEndpoint is false',
    ]);
    expect(problemsFor(withNetwork({ existing: EXISTING, s3EndpointPolicy: repoPolicy }))).toEqual([
      'prod.network.s3EndpointPolicy: applies to no endpoint: a brought VPC gets an S3 gateway endpoint only with existing.privateRouteTableIds',
    ]);
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateRouteTableIds: TABLES }, s3EndpointPolicy: repoPolicy }))).toEqual([]);
  });
});

describe('environments sharing a brought VPC', () => {
  const shared = (name: string, network: NetworkInput) => ({ file: `${name}.ts`, data: { ...structuredClone(prod), name, dns: undefined, certificateArn: 'arn:aws:acm:ap-northeast-2:210987654321:certificate/0f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f', network } });

  it('may share it, but not a private-DNS endpoint service or an S3 route table', () => {
    const first = { existing: { ...EXISTING, privateRouteTableIds: TABLES }, interfaceEndpoints: ['ssm', 'logs'] } satisfies NetworkInput;
    expect(problemsFor(withNetwork({ existing: EXISTING, interfaceEndpoints: ['sts'] }), [shared('blue', first)])).toEqual([]);
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateRouteTableIds: [TABLES[1]!] }, interfaceEndpoints: ['sts', 'logs'] }), [shared('blue', first)])).toEqual([
      'blue.network.interfaceEndpoints: logs already has an endpoint with private DNS in vpc-0a1b2c3d4e5f60718 (of "prod"); a VPC takes one per service, so list it in one environment only',
      'blue.network.existing.privateRouteTableIds: rtb-0a1b2c3d4e5f62002 already routes to the S3 gateway endpoint of "prod"; a route table takes one S3 endpoint route',
    ]);
    // Without its S3 endpoint, an environment claims no route table.
    expect(problemsFor(withNetwork({ existing: { ...EXISTING, privateRouteTableIds: TABLES }, s3GatewayEndpoint: false }), [shared('blue', first)])).toEqual([]);
  });
});

describe('properties (seeded)', () => {
  const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  it('a VPC ID passes exactly when it is vpc- and 8 or 17 lowercase hex digits', () => {
    const random = seededRandom(16);
    for (let i = 0; i < 300; i++) {
      const prefix = pick(random, ['vpc', 'vpc', 'vpc', 'subnet', 'VPC', 'vpc_']);
      const length = pick(random, [8, 8, 17, 17, 7, 9, 16, 18, 1]);
      const body = Array.from({ length }, () => pick(random, [...'0123456789abcdef0123456789abcdefAg'])).join('');
      const vpcId = `${prefix}-${body}`;
      const valid = prefix === 'vpc' && (length === 8 || length === 17) && /^[0-9a-f]+$/.test(body);
      const problems = problemsFor(withNetwork({ existing: { ...EXISTING, vpcId } }));
      expect(problems, vpcId).toEqual(valid ? [] : [`prod.network.existing.vpcId: "${vpcId}" is not a VPC ID (vpc- then 8 or 17 lowercase hex digits)`]);
    }
  });

  it('built-VPC fields are refused with existing, each alone and in any combination, and only then', () => {
    const random = seededRandom(17);
    const fields = { vpcCidr: '10.30.0.0/16', natMode: 'per-az', subnetPrefixLength: 24, publicSubnets: ['10.30.0.0/24'], privateSubnets: ['10.30.128.0/24'] } as const;
    for (let i = 0; i < 60; i++) {
      const chosen = Object.keys(fields).filter(() => random() < 0.4) as (keyof typeof fields)[];
      const network = { existing: EXISTING, ...Object.fromEntries(chosen.map((k) => [k, fields[k]])) } as NetworkInput;
      const problems = problemsFor(withNetwork(network));
      expect(problems.map((p) => p.split(':')[0]), chosen.join()).toEqual(chosen.map((k) => `prod.network.${k}`));
    }
  });
});
