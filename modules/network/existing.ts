import { Construct } from 'constructs';
import { addVpcAddOns } from './add-ons';
import type { InterfaceEndpoints } from './endpoints';
import type { VpcAddOnProps, VpcNetwork } from './vpc-network';

export interface ExistingNetworkProps extends VpcAddOnProps {
  /** The brought VPC, `vpc-…`; it needs DNS support and DNS hostnames on for the endpoints' private DNS. */
  readonly vpcId: string;
  /** Its public subnets (routed to an internet gateway), one per AZ, in AZ order: the load balancer's. */
  readonly publicSubnetIds: readonly string[];
  /** Its private subnets, one per AZ, in AZ order: the fleet's and the interface endpoints'. */
  readonly privateSubnetIds: readonly string[];
  /**
   * Route tables of the private subnets, for the S3 gateway endpoint's route.
   * @default none: no S3 gateway endpoint (the VPC's owner usually has one)
   */
  readonly privateRouteTableIds?: readonly string[];
}

/**
 * A VPC someone else built (a landing zone's), used by ID: nothing of it is
 * created or looked up, so plans stay offline. The stack adds only what it
 * owns: flow logs of its own, interface endpoints and, given the private
 * route tables, an S3 gateway endpoint. Interface endpoints take HTTPS only
 * from the groups passed to `allowEndpointAccessFrom`: the VPC's range is
 * not known here, and other tenants of the VPC are not ours to let in.
 */
export class ExistingNetwork extends Construct implements VpcNetwork {
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  public readonly natGatewayCount = 0;
  public readonly flowLogGroupName?: string;
  public readonly interfaceEndpoints?: InterfaceEndpoints;

  constructor(scope: Construct, id: string, props: ExistingNetworkProps) {
    super(scope, id);
    if (props.publicSubnetIds.length === 0 || props.publicSubnetIds.length !== props.privateSubnetIds.length) {
      throw new Error(`${props.name}: ${props.publicSubnetIds.length} public and ${props.privateSubnetIds.length} private subnets; give one of each per AZ`);
    }
    this.vpcId = props.vpcId;
    this.publicSubnetIds = [...props.publicSubnetIds];
    this.privateSubnetIds = [...props.privateSubnetIds];

    ({ interfaceEndpoints: this.interfaceEndpoints, flowLogGroupName: this.flowLogGroupName } = addVpcAddOns(this, props, {
      vpcId: props.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      privateRouteTableIds: props.privateRouteTableIds ?? [],
    }));
  }

  public allowEndpointAccessFrom(securityGroupId: string): void {
    this.interfaceEndpoints?.allowAccessFrom(securityGroupId);
  }
}
