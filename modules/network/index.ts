import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { defaultSubnetLayout } from './cidr';
import { assumeRolePolicy } from '../shared/iam';

export type NatMode = 'single' | 'per-az' | 'none';

/** Flow logs kept a year (Checkov CKV_AWS_338): an investigation often starts months after the traffic. The schema uses it. */
export const DEFAULT_FLOW_LOG_RETENTION_DAYS = 365;

export interface FlowLogOptions {
  /**
   * Send VPC flow logs to CloudWatch Logs.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Days CloudWatch keeps flow-log events.
   * @default 365 (DEFAULT_FLOW_LOG_RETENTION_DAYS)
   */
  readonly retentionDays?: number;
  /**
   * Customer-managed key for the log group; it must let CloudWatch Logs in
   * this region use it.
   * @default the CloudWatch Logs service key
   */
  readonly kmsKeyArn?: string;
  /**
   * Which traffic to record.
   * @default 'ALL'
   */
  readonly trafficType?: 'ACCEPT' | 'REJECT' | 'ALL';
}

export interface NetworkProps {
  /** Prefix for resource names and `Name` tags, e.g. `web-app-prod`. */
  readonly name: string;
  /** Region, used for the S3 gateway endpoint service name. */
  readonly region: string;
  /** VPC IPv4 range, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Availability zones, in order; one public and one private subnet each. */
  readonly availabilityZones: readonly string[];
  /**
   * `single`: one NAT gateway in the first AZ (cheapest); `per-az`: one per AZ
   * so losing an AZ never cuts egress elsewhere; `none`: private subnets have no egress.
   * @default 'single'
   */
  readonly natMode?: NatMode;
  /**
   * Prefix length of generated subnets.
   * @default 24
   */
  readonly subnetPrefixLength?: number;
  /**
   * Explicit public subnet CIDRs, one per AZ.
   * @default generated from the bottom of the VPC range
   */
  readonly publicSubnetCidrs?: readonly string[];
  /**
   * Explicit private subnet CIDRs, one per AZ.
   * @default generated from the middle of the VPC range
   */
  readonly privateSubnetCidrs?: readonly string[];
  /**
   * Add a (free) S3 gateway endpoint to the private route tables, so S3 traffic
   * does not pay NAT data-processing charges.
   * @default true
   */
  readonly s3GatewayEndpoint?: boolean;
  /**
   * VPC flow logs.
   * @default enabled, 90 days, ALL traffic
   */
  readonly flowLogs?: FlowLogOptions;
}

/**
 * A two-tier VPC: public subnets behind an internet gateway, private subnets
 * behind NAT, the default security group locked down, and flow logs on.
 */
export class Network extends Construct {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly privateRouteTableIds: string[];
  public readonly natGatewayCount: number;
  /** Flow-log group name, when flow logs are on. */
  public readonly flowLogGroupName?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natMode = props.natMode ?? 'single';
    const azs = props.availabilityZones;
    const layout = defaultSubnetLayout(props.cidr, props.subnetPrefixLength ?? 24, azs.length);
    const publicCidrs = props.publicSubnetCidrs ?? layout?.public;
    const privateCidrs = props.privateSubnetCidrs ?? layout?.private;
    if (!publicCidrs || !privateCidrs) {
      throw new Error(`${props.name}: ${azs.length} AZs of subnets do not fit in ${props.cidr}`);
    }

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: `${props.name}-vpc` },
    });
    this.vpcId = vpc.id;
    this.vpcCidr = props.cidr;

    // Taking over the default SG with no rules stops anything from silently
    // relying on its allow-all-within-group default.
    new DefaultSecurityGroup(this, 'default-sg', {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-default-deny` },
    });

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: `${props.name}-igw` } });

    const publicSubnets = azs.map(
      (az, i) =>
        new Subnet(this, `public-${az}`, {
          vpcId: vpc.id,
          cidrBlock: publicCidrs[i]!,
          availabilityZone: az,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.name}-public-${az}`, Tier: 'public' },
        }),
    );
    const privateSubnets = azs.map(
      (az, i) =>
        new Subnet(this, `private-${az}`, {
          vpcId: vpc.id,
          cidrBlock: privateCidrs[i]!,
          availabilityZone: az,
          tags: { Name: `${props.name}-private-${az}`, Tier: 'private' },
        }),
    );
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const publicRoutes = new RouteTable(this, 'public-rt', { vpcId: vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, 'public-default', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    publicSubnets.forEach((subnet, i) => {
      new RouteTableAssociation(this, `public-rta-${azs[i]}`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
    });

    const natAzs = natMode === 'per-az' ? azs : natMode === 'single' ? azs.slice(0, 1) : [];
    const natGateways = natAzs.map((az, i) => {
      const eip = new Eip(this, `nat-eip-${az}`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${az}` } });
      return new NatGateway(this, `nat-${az}`, {
        allocationId: eip.id,
        subnetId: publicSubnets[i]!.id,
        tags: { Name: `${props.name}-nat-${az}` },
        dependsOn: [igw],
      });
    });
    this.natGatewayCount = natGateways.length;

    // One private route table per NAT gateway: per-AZ NAT keeps each AZ's
    // egress inside that AZ; a single NAT shares one table.
    const privateTables = (natGateways.length > 1 ? azs : azs.slice(0, 1)).map((az, i) => {
      const table = new RouteTable(this, `private-rt-${az}`, {
        vpcId: vpc.id,
        tags: { Name: natGateways.length > 1 ? `${props.name}-private-${az}` : `${props.name}-private` },
      });
      const nat = natGateways[i];
      if (nat) {
        new Route(this, `private-default-${az}`, {
          routeTableId: table.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: nat.id,
        });
      }
      return table;
    });
    privateSubnets.forEach((subnet, i) => {
      const table = privateTables[Math.min(i, privateTables.length - 1)]!;
      new RouteTableAssociation(this, `private-rta-${azs[i]}`, { subnetId: subnet.id, routeTableId: table.id });
    });
    this.privateRouteTableIds = privateTables.map((t) => t.id);

    if (props.s3GatewayEndpoint ?? true) {
      new VpcEndpoint(this, 's3-endpoint', {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: this.privateRouteTableIds,
        tags: { Name: `${props.name}-s3` },
      });
    }

    const flowLogs = props.flowLogs ?? {};
    if (flowLogs.enabled ?? true) {
      this.flowLogGroupName = this.addFlowLogs(props.name, vpc.id, flowLogs);
    }
  }

  private addFlowLogs(name: string, vpcId: string, options: FlowLogOptions): string {
    const group = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: `/aws/vpc-flow-logs/${name}`,
      retentionInDays: options.retentionDays ?? DEFAULT_FLOW_LOG_RETENTION_DAYS,
      kmsKeyId: options.kmsKeyArn,
    });
    const role = new IamRole(this, 'flow-log-role', {
      name: `${name}-vpc-flow-logs`,
      assumeRolePolicy: assumeRolePolicy(this, 'flow-log-trust', 'vpc-flow-logs.amazonaws.com'),
    });
    const writeLogs = new DataAwsIamPolicyDocument(this, 'flow-log-write', {
      statement: [
        {
          sid: 'WriteFlowLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [`${group.arn}:*`],
        },
        { sid: 'DescribeGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
      ],
    });
    new IamRolePolicy(this, 'flow-log-policy', { role: role.id, name: 'write-flow-logs', policy: writeLogs.json });
    new FlowLog(this, 'flow-log', {
      vpcId,
      trafficType: options.trafficType ?? 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${name}-flow-logs` },
    });
    return group.name;
  }
}
