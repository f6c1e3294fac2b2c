/**
 * The tier's network: `Network` builds a VPC, `ExistingNetwork` uses one by
 * ID; both are a `VpcNetwork` to the rest of the tier, and both add flow logs
 * and the endpoints asked for.
 */
export { Network, type NetworkProps, type NatMode, DEFAULT_NAT_MODE, DEFAULT_SUBNET_PREFIX_LENGTH } from './network';
export { ExistingNetwork, type ExistingNetworkProps } from './existing';
export type { VpcAddOnProps, VpcNetwork } from './vpc-network';
export {
  addS3GatewayEndpoint,
  type EndpointPolicyStatement,
  INTERFACE_ENDPOINT_SERVICES,
  InterfaceEndpoints,
  type InterfaceEndpointService,
  type InterfaceEndpointsProps,
  type S3GatewayEndpointProps,
} from './endpoints';
export { addFlowLogs, DEFAULT_FLOW_LOG_RETENTION_DAYS, type FlowLogOptions } from './flow-logs';
