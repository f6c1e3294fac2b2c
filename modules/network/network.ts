import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import { defaultSubnetLayout, formatCidr, parseCidr, subnetAt, subnetCount } from './cidr';
import { addVpcAddOns } from './add-ons';
import type { InterfaceEndpoints } from './endpoints';
import type { VpcAddOnProps, VpcNetwork } from './vpc-network';

export type NatMode = 'single' | 'per-az' | 'none';

/** One NAT gateway: the cheapest egress. The schema uses it. */
export const DEFAULT_NAT_MODE = 'single' satisfies NatMode;
/** /24 subnets: 251 usable addresses per AZ and tier. The schema uses it. */
export const DEFAULT_SUBNET_PREFIX_LENGTH = 24;

export interface NetworkProps extends VpcAddOnProps {
  /** VPC IPv4 range, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Availability zones, in order; one public and one private subnet each. */
  readonly availabilityZones: readonly string[];
  /**
   * `single`: one NAT gateway in the first AZ (cheapest); `per-az`: one per AZ
   * so losing an AZ never cuts egress elsewhere; `none`: private subnets have no egress.
   * @default 'single' (DEFAULT_NAT_MODE)
   */
  readonly natMode?: NatMode;
  /**
   * Prefix length of generated subnets.
   * @default 24 (DEFAULT_SUBNET_PREFIX_LENGTH)
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
   * Isolated subnets for a database, one per AZ, sharing a route table with
   * no default route (no NAT, no internet gateway): present, they are built,
   * from `cidrs` or generated after the private subnets (`databaseSubnetLayout`).
   * @default none
   */
  readonly databaseSubnets?: { readonly cidrs?: readonly string[] };
}

/**
 * Generated database subnets: right after the generated private ones (the
 * middle of the VPC range), so public and private subnets keep their
 * addresses when a database is added. Undefined when they do not fit.
 */
export function databaseSubnetLayout(vpcCidr: string, prefix: number, azCount: number): string[] | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) return undefined;
  const half = subnetCount(vpc, prefix) / 2;
  if (!Number.isInteger(half) || half < 2 * azCount) return undefined;
  return Array.from({ length: azCount }, (_, i) => formatCidr(subnetAt(vpc, prefix, half + azCount + i)));
}

/**
 * A two-tier VPC: public subnets behind an internet gateway, private subnets
 * behind NAT, the default security group locked down, and flow logs on.
 * Interface endpoints, when asked for, take HTTPS from the whole VPC range.
 */
export class Network extends Construct implements VpcNetwork {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly privateRouteTableIds: string[];
  /** Isolated database subnets, one per AZ; empty unless `databaseSubnets` asked for them. */
  public readonly databaseSubnetIds: string[];
  public readonly natGatewayCount: number;
  public readonly flowLogGroupName?: string;
  public readonly interfaceEndpoints?: InterfaceEndpoints;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natMode = props.natMode ?? DEFAULT_NAT_MODE;
    const azs = props.availabilityZones;
    const layout = defaultSubnetLayout(props.cidr, props.subnetPrefixLength ?? DEFAULT_SUBNET_PREFIX_LENGTH, azs.length);
    const publicCidrs = props.publicSubnetCidrs ?? layout?.public;
    const privateCidrs = props.privateSubnetCidrs ?? layout?.private;
    if (!publicCidrs || !privateCidrs) {
      throw new Error(`${props.name}: ${azs.length} AZs of subnets do not fit in ${props.cidr}`);
    }

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      // Both on: interface endpoints' private DNS needs them.
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
    this.databaseSubnetIds = props.databaseSubnets ? this.isolatedSubnets(vpc.id, props, props.databaseSubnets.cidrs) : [];

    ({ interfaceEndpoints: this.interfaceEndpoints, flowLogGroupName: this.flowLogGroupName } = addVpcAddOns(this, props, {
      vpcId: vpc.id,
      privateSubnetIds: this.privateSubnetIds,
      privateRouteTableIds: this.privateRouteTableIds,
      endpointClientCidrs: [props.cidr],
    }));
  }

  /** Database subnets and their route table, which has no default route: only the VPC's local one. */
  private isolatedSubnets(vpcId: string, props: NetworkProps, explicit: readonly string[] | undefined): string[] {
    const azs = props.availabilityZones;
    const cidrs = explicit ?? databaseSubnetLayout(props.cidr, props.subnetPrefixLength ?? DEFAULT_SUBNET_PREFIX_LENGTH, azs.length);
    if (!cidrs || cidrs.length !== azs.length) throw new Error(`${props.name}: ${azs.length} AZs of database subnets do not fit in ${props.cidr}`);
    const table = new RouteTable(this, 'database-rt', { vpcId, tags: { Name: `${props.name}-database` } });
    return azs.map((az, i) => {
      const subnet = new Subnet(this, `database-${az}`, {
        vpcId,
        cidrBlock: cidrs[i]!,
        availabilityZone: az,
        tags: { Name: `${props.name}-database-${az}`, Tier: 'database' },
      });
      new RouteTableAssociation(this, `database-rta-${az}`, { subnetId: subnet.id, routeTableId: table.id });
      return subnet.id;
    });
  }

  /** Nothing to add: every group in the VPC already reaches the endpoints through the VPC range. */
  public allowEndpointAccessFrom(_securityGroupId: string): void {}
}
