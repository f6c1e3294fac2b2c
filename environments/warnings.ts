/**
 * Soft risks: settings AWS accepts that are likely to hurt later. They are
 * printed in the synth summary and never stop synth.
 */
import { DEFAULT_SUBNET_PREFIX_LENGTH } from '../modules/network';
import { parseCidr } from '../modules/network/cidr';
import type { EnvironmentSpec, Report } from './schema';
import { loadBalancerWarnings } from './schema/load-balancer';

/** An ALB needs subnets of at least /27 with 8 free addresses in each. */
const ALB_SMALLEST_SUBNET = 27;

export function environmentWarningRules(env: EnvironmentSpec, report: Report): void {
  checkSpotPools(env, report);
  checkLoadBalancerSubnets(env, report);
  checkOsRepositories(env, report);
  loadBalancerWarnings(env, report);
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

/**
 * The load balancer lives in the public subnets, or the private ones when it
 * is internal, explicit or generated (the standby's are always /24). A
 * brought VPC's subnets are not known offline.
 */
function checkLoadBalancerSubnets(env: EnvironmentSpec, report: Report): void {
  const { existing, subnetPrefixLength = DEFAULT_SUBNET_PREFIX_LENGTH } = env.network;
  if (existing) return;
  const field = env.loadBalancer.internal ? 'privateSubnets' : 'publicSubnets';
  const subnets = env.network[field];
  const tooSmall = `smaller than the /${ALB_SMALLEST_SUBNET} an Application Load Balancer needs (8 free addresses per subnet)`;
  if (!subnets) {
    const kind = env.loadBalancer.internal ? 'private' : 'public';
    if (subnetPrefixLength > ALB_SMALLEST_SUBNET) report(['network', 'subnetPrefixLength'], `${kind} subnets of /${subnetPrefixLength} are ${tooSmall}`);
    return;
  }
  subnets.forEach((subnet, i) => {
    const prefix = parseCidr(subnet)?.prefix;
    if (prefix !== undefined && prefix > ALB_SMALLEST_SUBNET) report(['network', field, i], `${subnet} is ${tooSmall}`);
  });
}

/**
 * Amazon Linux 2023 installs packages from an S3 bucket of its region
 * (`al2023-repos-<region>-de612dc2`), reached through the S3 gateway
 * endpoint: a policy that does not let s3:GetObject through to it makes
 * every `dnf install` fail with 403. A warning, not an error: an image that
 * installs nothing at boot, or from elsewhere, needs no such statement. The
 * standby region uses the same policy with its own bucket.
 */
function checkOsRepositories(env: EnvironmentSpec, report: Report): void {
  const policy = env.network.s3EndpointPolicy;
  if (!policy) return;
  const standby = env.dns?.failover?.kind === 'standby-region' ? env.dns.failover.region : undefined;
  for (const region of standby ? [env.region, standby] : [env.region]) {
    const bucket = amazonLinuxRepository(region);
    // The first object dnf reads; a statement that lets it through lets the packages through too.
    if (!policyAllows(policy.statements, 's3:GetObject', `${bucket}/core/mirrors/latest/x86_64/mirror.list`)) {
      report(['network', 's3EndpointPolicy'], `does not allow s3:GetObject on ${bucket}/*: dnf on Amazon Linux 2023 in ${region} fails with 403 behind this endpoint`);
    }
  }
}

/** The ARN of Amazon Linux 2023's package bucket in `region`. */
export function amazonLinuxRepository(region: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:s3:::al2023-repos-${region}-de612dc2`;
}

type Statement = NonNullable<EnvironmentSpec['network']['s3EndpointPolicy']>['statements'][number];

/**
 * Whether an Allow covers `action` on `resource` and no unconditional Deny
 * takes it away. Conditions are not evaluated: an Allow with conditions
 * counts (its author meant the instances to meet them), a Deny with
 * conditions does not (it may well spare them).
 */
function policyAllows(statements: readonly Statement[], action: string, resource: string): boolean {
  const covers = (s: Statement) => s.actions.some((a) => globMatches(a, action, true)) && s.resources.some((r) => globMatches(r, resource, false));
  const allowed = statements.some((s) => s.effect === 'Allow' && covers(s));
  const denied = statements.some((s) => s.effect === 'Deny' && !s.conditions?.length && covers(s));
  return allowed && !denied;
}

/** IAM wildcard matching: `*` any run, `?` one character; actions ignore case. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}
