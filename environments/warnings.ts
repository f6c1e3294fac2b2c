/**
 * Soft risks: settings AWS accepts that are likely to hurt later. They are
 * printed in the synth summary and never stop synth.
 */
import { parseCidr } from '../modules/network/cidr';
import type { EnvironmentSpec, Report } from './schema';

/** An ALB needs subnets of at least /27 with 8 free addresses in each. */
const ALB_SMALLEST_SUBNET = 27;

export function environmentWarningRules(env: EnvironmentSpec, report: Report): void {
  checkSpotPools(env, report);
  checkLoadBalancerSubnets(env, report);
}

/**
 * Spot capacity is drawn from pools, one per instance type and AZ: with one
 * type, a shortage of it in an AZ leaves nothing to fall back on there.
 */
function checkSpotPools(env: EnvironmentSpec, report: Report): void {
  if (env.instanceTypes.length !== 1) return;
  const standby = env.dns?.failover?.kind === 'standby-region' ? env.dns.failover : undefined;
  const usesSpot = [env.instancesDistribution, standby?.instancesDistribution].some((m) => m !== undefined && m.onDemandPercentageAboveBaseCapacity < 100);
  if (usesSpot) report(['instanceTypes'], 'only one instance type: Spot has one pool per AZ to draw from');
}

/** The load balancer lives in the public subnets, explicit or generated (the standby's are always /24). */
function checkLoadBalancerSubnets(env: EnvironmentSpec, report: Report): void {
  const { publicSubnets, subnetPrefixLength } = env.network;
  const tooSmall = `smaller than the /${ALB_SMALLEST_SUBNET} an Application Load Balancer needs (8 free addresses per subnet)`;
  if (!publicSubnets) {
    if (subnetPrefixLength > ALB_SMALLEST_SUBNET) report(['network', 'subnetPrefixLength'], `public subnets of /${subnetPrefixLength} are ${tooSmall}`);
    return;
  }
  publicSubnets.forEach((subnet, i) => {
    const prefix = parseCidr(subnet)?.prefix;
    if (prefix !== undefined && prefix > ALB_SMALLEST_SUBNET) report(['network', 'publicSubnets', i], `${subnet} is ${tooSmall}`);
  });
}
