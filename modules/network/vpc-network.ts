import type { EndpointPolicyStatement, InterfaceEndpoints, InterfaceEndpointService } from './endpoints';
import type { FlowLogOptions } from './flow-logs';

/**
 * What the rest of a tier needs from its network, built or brought: the
 * load balancer goes in the public subnets, the fleet in the private ones.
 */
export interface VpcNetwork {
  readonly vpcId: string;
  /** One per AZ, in AZ order. */
  readonly publicSubnetIds: string[];
  /** One per AZ, in AZ order. */
  readonly privateSubnetIds: string[];
  /** NAT gateways this stack pays for (none in a brought VPC). */
  readonly natGatewayCount: number;
  /** Flow-log group name, when flow logs are on. */
  readonly flowLogGroupName?: string;
  /** The interface endpoints, when any were asked for. */
  readonly interfaceEndpoints?: InterfaceEndpoints;
  /** Lets members of `securityGroupId` (the fleet's group) reach the interface endpoints on 443. */
  allowEndpointAccessFrom(securityGroupId: string): void;
}

/** What both network constructs add to a VPC: endpoints and flow logs. */
export interface VpcAddOnProps {
  /** Prefix for resource names and `Name` tags, e.g. `web-app-prod`. */
  readonly name: string;
  /** Region, for the endpoints' service names. */
  readonly region: string;
  /**
   * Add a (free) S3 gateway endpoint to the private route tables, so S3 traffic
   * does not pay NAT data-processing charges.
   * @default true
   */
  readonly s3GatewayEndpoint?: boolean;
  /**
   * Statements of the S3 gateway endpoint's policy.
   * @default none: AWS's full-access policy
   */
  readonly s3EndpointPolicy?: readonly EndpointPolicyStatement[];
  /**
   * Interface endpoints (private DNS on, in the private subnets, behind their own security group).
   * @default []
   */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /**
   * VPC flow logs.
   * @default enabled, a year, ALL traffic
   */
  readonly flowLogs?: FlowLogOptions;
}
