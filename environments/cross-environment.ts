/**
 * Rules no single environment file can check: names AWS keeps one of per
 * account, and DNS names only one environment can answer for.
 */
import type { EnvironmentSpec } from './schema';

export interface CheckedEnvironment {
  /** File name, for messages. */
  readonly file: string;
  /** The environment's name as written, valid or not. */
  readonly name?: string;
  /** How its problems are labelled: the name, or the file's. */
  readonly label: string;
  /** The sections that parsed. */
  readonly env: Partial<EnvironmentSpec>;
}

/** One line per problem; an environment whose name is a duplicate is reported as that only. */
export function crossEnvironmentProblems(entries: readonly CheckedEnvironment[]): string[] {
  return [...duplicateNames(entries), ...resourceNameCollisions(entries), ...recordOwners(entries), ...sharedVpcConflicts(entries)];
}

/** Stack names and state keys are the environment name: two would share a stack and a state file. */
function duplicateNames(entries: readonly CheckedEnvironment[]): string[] {
  const owners = new Map<string, string>();
  return entries.flatMap(({ name, file }) => {
    if (name === undefined) return [];
    const owner = owners.get(name);
    if (owner) return [`environments: duplicate environment name "${name}" in ${owner} and ${file}`];
    owners.set(name, file);
    return [];
  });
}

/**
 * Every IAM role, load balancer, target group, alarm, topic and KMS alias is
 * named `<prefix>-…`, the prefix being `${project}-${name}` and, for a warm
 * standby, `${project}-${name}-dr` (stacks/environment-stack.ts). IAM names
 * are global to an account, so one prefix per account: `web` + `app-dev`
 * and `web-app` + `dev` would fight over the same roles.
 */
function resourceNameCollisions(entries: readonly CheckedEnvironment[]): string[] {
  const owners = new Map<string, { label: string; standby: boolean }>();
  const problems: string[] = [];
  for (const { label, env } of entries) {
    if (!env.project || !env.name || !env.account) continue;
    for (const { prefix, standby } of namePrefixes(env.project, env.name, env.dns?.failover?.kind === 'standby-region')) {
      const key = `${env.account}/${prefix}`;
      const owner = owners.get(key);
      if (!owner) owners.set(key, { label, standby });
      else if (owner.label !== label) {
        const mine = standby ? `prefix "${prefix}", of its standby region` : `prefix "${prefix}"`;
        const theirs = owner.standby ? `"${owner.label}" (its standby region)` : `"${owner.label}"`;
        problems.push(`${label}: resource names (${mine}) collide with those of ${theirs} in account ${env.account}`);
      }
    }
  }
  return problems;
}

function namePrefixes(project: string, name: string, hasStandby: boolean): { prefix: string; standby: boolean }[] {
  const primary = { prefix: `${project}-${name}`, standby: false };
  return hasStandby ? [primary, { prefix: `${primary.prefix}-dr`, standby: true }] : [primary];
}

/**
 * Each environment writes its `dns.domain` record (and a failover pair, or
 * a CloudFront alias): two environments with the same name would overwrite
 * each other's records, whichever zone they name.
 */
function recordOwners(entries: readonly CheckedEnvironment[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const { label, env } of entries) {
    const domain = env.dns?.domain;
    if (!domain) continue;
    const owner = owners.get(domain);
    if (owner === undefined) owners.set(domain, label);
    else if (owner !== label) problems.push(`${label}.dns.domain: ${domain} is already the record of "${owner}"; a DNS name belongs to one environment`);
  }
  return problems;
}

/**
 * Environments may share a brought VPC (a landing zone often gives one VPC
 * to several), but some things a VPC holds once: private DNS for an
 * interface endpoint's service (a second endpoint with it fails to create),
 * and one S3 endpoint route per route table.
 */
function sharedVpcConflicts(entries: readonly CheckedEnvironment[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  const claim = (key: string, label: string, problem: (owner: string) => string) => {
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, label);
    else if (owner !== label) problems.push(problem(owner));
  };
  for (const { label, env } of entries) {
    const network = env.network;
    const existing = network?.existing;
    if (!network || !existing || !env.account || !env.region) continue;
    const vpc = `${env.account}/${env.region}/${existing.vpcId}`;
    for (const service of network.interfaceEndpoints) {
      claim(`${vpc}/endpoint/${service}`, label, (owner) =>
        `${label}.network.interfaceEndpoints: ${service} already has an endpoint with private DNS in ${existing.vpcId} (of "${owner}"); a VPC takes one per service, so list it in one environment only`,
      );
    }
    if (!network.s3GatewayEndpoint) continue;
    for (const table of existing.privateRouteTableIds ?? []) {
      claim(`${vpc}/route-table/${table}`, label, (owner) =>
        `${label}.network.existing.privateRouteTableIds: ${table} already routes to the S3 gateway endpoint of "${owner}"; a route table takes one S3 endpoint route`,
      );
    }
  }
  return problems;
}
