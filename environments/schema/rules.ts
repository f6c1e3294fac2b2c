/**
 * Rules that relate fields of different sections; each reports with a path.
 * They run on whatever sections parsed, so one bad field does not hide other
 * problems. Rules within one section sit in that section's file.
 */
import type { z } from 'zod';
import { DEFAULT_SUBNET_PREFIX_LENGTH } from '../../modules/network';
import { defaultSubnetLayout, contains, overlaps, parseCidr } from '../../modules/network/cidr';
import { tagKeyProblem, tagValueProblem } from '../aws-limits';
import type { appSchema } from './app';
import { checkContainerService, type ContainerServiceSpec } from './container-service';
import { checkDatabase, type DatabaseSpec } from './database';
import { checkDeployRole, type DeployRoleSpec } from './deployment';
import type { dnsSchema } from './dns';
import { checkCapacity, checkInstanceTypes, type capacitySchema, type instancesDistributionSchema, type instanceTypesSchema } from './fleet';
import { checkInstances, type instancesSchema } from './instances';
import { checkLoadBalancer, type LoadBalancerSpec } from './load-balancer';
import type { networkSchema } from './network';
import { checkAvailabilityZones, checkCertificateAccount, checkCertificateRegion, MAX_QUALIFIED_NAME, type Report } from './primitives';
import type { resilienceSchema } from './resilience';
import { checkScaling, type scalingSchema } from './scaling';
import { checkServerlessApi, type ServerlessApiSpec } from './serverless';
import { checkSecurity, checkSecurityExceptions, type securityExceptionsSchema, type securitySchema } from './security';
import type { costTagsSchema } from './tags';

/** The sections the rules read, each present only when it parsed. */
export interface ParsedSections {
  project?: string;
  name?: string;
  production?: boolean;
  account?: string;
  region?: string;
  availabilityZones?: string[];
  network?: z.output<typeof networkSchema>;
  instanceTypes?: z.output<typeof instanceTypesSchema>;
  capacity?: z.output<typeof capacitySchema>;
  instancesDistribution?: z.output<typeof instancesDistributionSchema>;
  instances?: z.output<typeof instancesSchema>;
  app?: z.output<typeof appSchema>;
  certificateArn?: string;
  dns?: z.output<typeof dnsSchema>;
  loadBalancer?: LoadBalancerSpec;
  containerService?: ContainerServiceSpec;
  scaling?: z.output<typeof scalingSchema>;
  resilience?: z.output<typeof resilienceSchema>;
  serverlessApi?: ServerlessApiSpec;
  database?: DatabaseSpec;
  security?: z.output<typeof securitySchema>;
  securityExceptions?: z.output<typeof securityExceptionsSchema>;
  costTags?: z.output<typeof costTagsSchema>;
  deployRole?: DeployRoleSpec;
}

/**
 * Rules that relate fields to each other; each reports with a path. They run
 * on whatever sections parsed, so one bad field does not hide other problems.
 */
export function crossFieldRules(env: ParsedSections, report: Report): void {
  checkNaming(env, report);
  checkCapacity(env, report);
  checkInstanceTypes(env, report);
  checkInstances(env, report);
  checkNetwork(env, report);
  checkCertificate(env, report);
  checkLoadBalancer(env, report);
  checkContainerService(env, report);
  checkDns(env, report);
  checkScaling(env, report);
  checkResilience(env, report);
  checkListenerRulePriorities(env, report);
  checkServerlessApi(env, report);
  checkDatabase(env, report);
  checkSecurity(env, report);
  checkSecurityExceptions(env, report);
  checkTags(env, report);
  checkDeployRole(env, report);
}

/**
 * Every rule added to the HTTPS listener, whichever section adds it, needs a
 * priority of its own: AWS refuses a second rule at a taken one. A section
 * that adds a rule lists it here; loadBalancer.listenerRules reports its own
 * duplicates (schema/load-balancer.ts), so only clashes across sections are new.
 */
function checkListenerRulePriorities(env: ParsedSections, report: Report): void {
  const rules: { path: (string | number)[]; priority: number }[] = [
    ...(env.loadBalancer?.listenerRules ?? []).map((rule, i) => ({ path: ['loadBalancer', 'listenerRules', i, 'priority'], priority: rule.priority })),
    ...(env.containerService ? [{ path: ['containerService', 'listenerRule', 'priority'], priority: env.containerService.listenerRule.priority }] : []),
    ...(env.serverlessApi ? [{ path: ['serverlessApi', 'listenerRule', 'priority'], priority: env.serverlessApi.listenerRule.priority }] : []),
  ];
  // checkContainerService reports its clash with loadBalancer.listenerRules itself.
  const reportedElsewhere = (a: string | number | undefined, b: string | number | undefined) => a === 'loadBalancer' && b === 'containerService';
  const firstAt = new Map<number, (string | number)[]>();
  for (const rule of rules) {
    const first = firstAt.get(rule.priority);
    if (!first) {
      firstAt.set(rule.priority, rule.path);
      continue;
    }
    // Same section: already reported there.
    if (first[0] !== rule.path[0] && !reportedElsewhere(first[0], rule.path[0])) report(rule.path, `${rule.priority} is already the priority of ${first.slice(0, -1).join('.').replace(/\.(\d+)/g, '[$1]')}`);
  }
}

function checkNaming(env: ParsedSections, report: Report): void {
  if (env.project === undefined || env.name === undefined) return;
  const qualified = `${env.project}-${env.name}`;
  if (qualified.length > MAX_QUALIFIED_NAME) {
    report(['name'], `"${qualified}" is ${qualified.length} characters; project + name must fit in ${MAX_QUALIFIED_NAME}`);
  }
  if (env.name === 'state-backend') report(['name'], '"state-backend" is reserved for the state backend stack');
}

/**
 * costTags become provider default_tags, so every resource carries them, with
 * Environment and Project (which defaults to the project slug; ManagedBy is a
 * constant): each is checked as AWS checks tags and reported at the field it
 * comes from. The keys are fixed today; they are checked as well because a
 * key added here would reach every resource.
 */
function checkTags(env: ParsedSections, report: Report): void {
  if (!env.costTags) return;
  const { Project, CostCenter, Team } = env.costTags;
  const tags: [key: string, value: string | undefined, path: (string | number)[]][] = [
    ['Environment', env.name, ['name']],
    ['Project', Project ?? env.project, Project === undefined ? ['project'] : ['costTags', 'Project']],
    ['CostCenter', CostCenter, ['costTags', 'CostCenter']],
    ['Team', Team, ['costTags', 'Team']],
  ];
  for (const [key, value, path] of tags) {
    const problem = tagKeyProblem(key) ?? (value === undefined ? undefined : tagValueProblem(key, value));
    if (problem) report(path, problem);
  }
}

function checkNetwork(env: ParsedSections, report: Report): void {
  if (!env.region || !env.availabilityZones || !env.network) return;
  checkAvailabilityZones(env.region, env.availabilityZones, (path, message) => report(['availabilityZones', ...path], message));

  const azCount = env.availabilityZones.length;
  const { existing, vpcCidr, subnetPrefixLength = DEFAULT_SUBNET_PREFIX_LENGTH, publicSubnets, privateSubnets } = env.network;
  if (existing) {
    checkExistingNetwork(existing, azCount, report);
    return;
  }
  const vpc = vpcCidr === undefined ? undefined : parseCidr(vpcCidr);
  if (!vpc || vpcCidr === undefined) return; // missing or malformed: already reported by the network section
  if (!publicSubnets || !privateSubnets) {
    if (!defaultSubnetLayout(vpcCidr, subnetPrefixLength, azCount)) {
      report(
        ['network', 'subnetPrefixLength'],
        `${azCount} public + ${azCount} private /${subnetPrefixLength} subnets do not fit in VPC ${vpcCidr}`,
      );
    }
  }
  const explicit: [string, string[] | undefined][] = [
    ['publicSubnets', publicSubnets],
    ['privateSubnets', privateSubnets],
  ];
  const placed: { path: (string | number)[]; cidr: string }[] = [];
  for (const [field, list] of explicit) {
    if (!list) continue;
    if (list.length !== azCount) {
      report(['network', field], `has ${list.length} subnets for ${azCount} availability zones`);
    }
    list.forEach((subnet, i) => {
      const block = parseCidr(subnet);
      if (!block) return;
      if (!contains(vpc, block)) report(['network', field, i], `${subnet} does not fit in VPC ${vpcCidr}`);
      const clash = placed.find((p) => overlaps(parseCidr(p.cidr)!, block));
      if (clash) report(['network', field, i], `${subnet} overlaps ${clash.cidr} (network.${clash.path.join('.')})`);
      placed.push({ path: [field, i], cidr: subnet });
    });
  }
}

/**
 * A brought VPC's subnets cannot be placed offline: the file lists one per
 * AZ, in AZ order, and the counts are what can be held to that. Its route
 * tables serve those AZs: one shared, or one each.
 */
function checkExistingNetwork(existing: NonNullable<z.output<typeof networkSchema>['existing']>, azCount: number, report: Report): void {
  for (const field of ['publicSubnetIds', 'privateSubnetIds'] as const) {
    const count = existing[field].length;
    if (count !== azCount) report(['network', 'existing', field], `has ${count} subnets for ${azCount} availability zones; give one per AZ, in availabilityZones order`);
  }
  const tables = existing.privateRouteTableIds?.length ?? 0;
  if (tables > azCount) report(['network', 'existing', 'privateRouteTableIds'], `has ${tables} route tables for ${azCount} availability zones; at most one per AZ`);
}

function checkCertificate(env: ParsedSections, report: Report): void {
  if (!('certificateArn' in env)) return; // malformed: reported by its field rule
  if (!env.certificateArn) {
    if (!env.dns && !('dns' in env)) return; // dns itself failed to parse: reported there
    if (!env.dns) report(['certificateArn'], 'is required unless dns is configured (ACM then issues one)');
    return;
  }
  if (env.region) checkCertificateRegion(env.certificateArn, env.region, ['certificateArn'], report);
  checkCertificateAccount(env.certificateArn, env.account, ['certificateArn'], report);
}

function checkDns(env: ParsedSections, report: Report): void {
  const dns = env.dns;
  if (!dns) return;
  const { domain, zone, failover, healthCheck } = dns;
  if (domain !== zone.name && !domain.endsWith(`.${zone.name}`)) {
    report(['dns', 'domain'], `${domain} is not inside zone ${zone.name}`);
  }
  if (failover && healthCheck === false) {
    report(['dns', 'healthCheck'], `failover to a ${failover.kind} needs a health check on the primary`);
  }
  if (failover?.kind !== 'standby-region') return;
  const at = (path: (string | number)[], message: string) => report(['dns', 'failover', ...path], message);
  if (env.region && failover.region === env.region) {
    at(['region'], `${failover.region} is the primary region; the standby must be in another`);
  }
  checkAvailabilityZones(failover.region, failover.availabilityZones, (path, message) => at(['availabilityZones', ...path], message));
  if (!defaultSubnetLayout(failover.vpcCidr, 24, failover.availabilityZones.length)) {
    at(['vpcCidr'], `${failover.availabilityZones.length} public + ${failover.availabilityZones.length} private /24 subnets do not fit in ${failover.vpcCidr}`);
  }
  const { minSize, maxSize } = failover.capacity;
  if (env.capacity) {
    if (maxSize > env.capacity.maxSize) at(['capacity'], `standby maxSize ${maxSize} > primary maxSize ${env.capacity.maxSize}`);
    if (minSize > env.capacity.minSize) at(['capacity'], `standby minSize ${minSize} > primary minSize ${env.capacity.minSize}`);
  }
  checkCapacity(failover, at);
  if (failover.certificateArn) {
    checkCertificateRegion(failover.certificateArn, failover.region, ['dns', 'failover', 'certificateArn'], report);
    checkCertificateAccount(failover.certificateArn, env.account, ['dns', 'failover', 'certificateArn'], report);
  }
}

/** Chaos needs Spot to interrupt; lifecycle hooks need a shell script to append the readiness check to. */
function checkResilience(env: ParsedSections, report: Report): void {
  if (env.resilience?.chaos && env.instancesDistribution?.onDemandPercentageAboveBaseCapacity === 100) {
    report(['resilience', 'chaos'], 'interrupts Spot instances, but instancesDistribution buys everything on demand');
  }
  // The readiness check is a shell script appended to the app's; cloud-init runs the whole only through its #! line.
  const userData = env.app?.userData;
  if (env.resilience?.lifecycleHooks.enabled && userData && !userData.startsWith('#!')) {
    report(['app', 'userData'], 'must be a shell script starting with #! (e.g. #!/bin/bash): the readiness check is appended to it');
  }
}
