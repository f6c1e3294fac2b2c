import type { Construct } from 'constructs';
import { addS3GatewayEndpoint, InterfaceEndpoints } from './endpoints';
import { addFlowLogs } from './flow-logs';
import type { VpcAddOnProps } from './vpc-network';

/** The VPC the add-ons go into, built here or brought. */
export interface AddOnTarget {
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  /** Where the S3 gateway endpoint adds its route; none, no S3 gateway endpoint. */
  readonly privateRouteTableIds: readonly string[];
  /**
   * Ranges that reach the interface endpoints on 443.
   * @default none: only the groups later passed to allowAccessFrom
   */
  readonly endpointClientCidrs?: readonly string[];
}

/**
 * What both network constructs add to their VPC, in `scope`: the S3 gateway
 * endpoint, interface endpoints and flow logs, as `props` ask.
 */
export function addVpcAddOns(scope: Construct, props: VpcAddOnProps, vpc: AddOnTarget): { interfaceEndpoints?: InterfaceEndpoints; flowLogGroupName?: string } {
  if ((props.s3GatewayEndpoint ?? true) && vpc.privateRouteTableIds.length > 0) {
    addS3GatewayEndpoint(scope, { name: props.name, region: props.region, vpcId: vpc.vpcId, routeTableIds: vpc.privateRouteTableIds, policy: props.s3EndpointPolicy });
  }
  const services = props.interfaceEndpoints ?? [];
  const interfaceEndpoints =
    services.length > 0
      ? new InterfaceEndpoints(scope, 'endpoints', {
          name: props.name,
          region: props.region,
          vpcId: vpc.vpcId,
          subnetIds: vpc.privateSubnetIds,
          services,
          ...(vpc.endpointClientCidrs ? { allowedCidrs: vpc.endpointClientCidrs } : {}),
        })
      : undefined;
  const flowLogs = props.flowLogs ?? {};
  const flowLogGroupName = (flowLogs.enabled ?? true) ? addFlowLogs(scope, props.name, vpc.vpcId, flowLogs) : undefined;
  return { interfaceEndpoints, flowLogGroupName };
}
