import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { DnsSpec, EnvironmentSpec, StandbyRegionSpec } from '../environments/schema';
import { EnvironmentValidationError } from '../environments/load';
import {
  AliasRecord,
  type AliasTarget,
  EndpointHealthCheck,
  FailoverRecords,
  HostedZone,
  MaintenanceSite,
  ValidatedCertificate,
} from '../modules/dns';
import { alarmPublisher } from '../modules/monitoring';
import { AlertTopic } from '../modules/notifications';
import { applySecurityPack, waive } from '../modules/security';
import { applyPermissionsBoundary, useAccount } from '../modules/shared/iam';
import { OperationsKey } from '../modules/shared/kms';
import { ProviderScope } from '../modules/shared/provider-scope';
import { type BackendSettings, stateRoleProblem, useStateBackend } from './backend-settings';
import { type AccountAccess, AWS_TARGET, awsProvider, deploySessionName, type DeployTarget } from './target';
import { type TierSpec, WebTier } from './web-tier';

export interface EnvironmentStackProps {
  readonly environment: EnvironmentSpec;
  readonly backend: BackendSettings;
  /** @default real AWS */
  readonly target?: DeployTarget;
}

/**
 * One environment: its web tier in the primary region and, when DNS is
 * configured, its name, certificates, health check and failover target.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly primary: WebTier;
  /** The warm standby, when the environment fails over to another region. */
  public readonly standby?: WebTier;
  private readonly tags: Record<string, string>;
  private readonly qualifiedName: string;
  private readonly account: string;
  private readonly keyAdministrators?: readonly string[];
  private readonly target: DeployTarget;
  private readonly access: AccountAccess;

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const env = props.environment;
    super(scope, env.name);
    // First, before any child exists: every trust policy below names this account.
    useAccount(this, env.account);
    this.qualifiedName = `${env.project}-${env.name}`;
    this.account = env.account;
    this.keyAdministrators = env.security.keyAdministratorArns;
    this.tags = environmentTags(env);
    this.target = props.target ?? AWS_TARGET;
    this.access = { account: env.account, deployRole: env.deployRole, defaultSessionName: deploySessionName(env.project, env.name) };

    this.useRemoteState(env, props.backend);
    awsProvider(this, 'aws', this.target, { region: env.region, defaultTags: [{ tags: this.tags }] }, this.access);

    const dns = env.dns;
    // An isolated target cannot reach the account's zone or certificates: it creates the zone and requests certificates.
    const isolated = this.target.isolatedCertificateDomain;
    const zone = dns ? new HostedZone(this, 'zone', { zoneName: dns.zone.name, zoneId: isolated ? undefined : dns.zone.id }) : undefined;
    const certificateFor = (scopeOf: Construct, configured: string | undefined): string => {
      const given = isolated ? undefined : configured;
      if (given) return given;
      if (dns && zone) return new ValidatedCertificate(scopeOf, 'certificate', { domainName: dns.domain, zoneId: zone.zoneId }).certificateArn;
      if (isolated) return requestedCertificate(scopeOf, isolated(this.qualifiedName));
      throw new Error(`${env.name}: no certificateArn and no dns to issue one (schema should have caught this)`);
    };

    // Nor its SSM parameters: a webhook whose URL is one is left out of an isolated target's topics.
    const tierSpec = isolated ? withoutParameterSubscribers(env) : env;
    this.primary = new WebTier(this, 'primary', {
      name: this.qualifiedName,
      spec: tierSpec,
      certificateArn: certificateFor(this, env.certificateArn),
      tags: this.tags,
    });

    if (dns && zone) {
      const standby = dns.failover?.kind === 'standby-region' ? dns.failover : undefined;
      if (standby) {
        const standbyScope = this.regionScope('standby', standby.region);
        this.standby = new WebTier(standbyScope, 'tier', {
          name: `${this.qualifiedName}-dr`,
          spec: standbySpec(tierSpec, standby),
          certificateArn: certificateFor(standbyScope, standby.certificateArn),
          tags: { ...this.tags, Role: 'standby' },
        });
      }
      this.addDns(dns, zone, !env.deletionProtection);
    }

    const boundary = env.security.permissionsBoundaryArn;
    if (boundary) applyPermissionsBoundary(this, boundary);
    applySecurityPack(this, { production: env.production });
    env.securityExceptions.forEach((exception, i) => {
      waive(constructAt(this, exception.resource, `${env.name}.securityExceptions[${i}].resource`), exception.rule, exception.reason);
    });

    new TerraformOutput(this, 'alb_dns_name', { value: this.primary.loadBalancer.dnsName });
    new TerraformOutput(this, 'asg_name', { value: this.primary.fleet.autoScalingGroupName });
    new TerraformOutput(this, 'vpc_id', { value: this.primary.network.vpcId });
  }

  private useRemoteState(env: EnvironmentSpec, backend: BackendSettings): void {
    const problem = stateRoleProblem(env.state, backend);
    if (problem) throw new EnvironmentValidationError([`${env.name}.state.roleArn: ${problem}`]);
    useStateBackend(this, env, backend, this.target);
  }

  /** A provider alias for `region`, and a scope whose resources use it. */
  private regionScope(alias: string, region: string): ProviderScope {
    const provider = awsProvider(this, `aws-${alias}`, this.target, { alias, region, defaultTags: [{ tags: this.tags }] }, this.access);
    return new ProviderScope(this, alias, provider);
  }

  private addDns(dns: DnsSpec, zone: HostedZone, teardownTakesLogs: boolean): void {
    const primaryTarget = loadBalancerTarget(this.primary);
    new TerraformOutput(this, 'url', { value: `https://${dns.domain}` });
    const healthCheck = dns.healthCheck;
    if (healthCheck === false) {
      // The schema refuses failover without a health check, so this is a plain name.
      new AliasRecord(this, 'record', { zoneId: zone.zoneId, name: dns.domain, target: primaryTarget });
      return;
    }

    // Route 53 health-check metrics exist only in us-east-1, so the alarm, its
    // topic and (for CloudFront) the certificate live there.
    const usEast1 = this.regionScope('us_east_1', 'us-east-1');
    // Its only users are the health-check alarms (`<qualified name>-…-health-check`): no log group, no queue.
    const key = new OperationsKey(usEast1, 'dns-alerts-key', {
      alias: `${this.qualifiedName}-dns-alerts`,
      account: this.account,
      region: 'us-east-1',
      administratorArns: this.keyAdministrators,
      alarmNamePrefix: this.qualifiedName,
    });
    const partition = new DataAwsPartition(usEast1, 'partition', {}).partition;
    const alerts = new AlertTopic(usEast1, 'dns-alerts', {
      name: `${this.qualifiedName}-dns-alerts`,
      kmsKeyId: key.keyArn,
      subscribers: dns.alarmEmails.map((endpoint) => ({ protocol: 'email', endpoint })),
      publishers: [alarmPublisher(partition, 'us-east-1', this.account, this.qualifiedName)],
    });
    const checkOf = (id: string, tier: WebTier, name: string) =>
      new EndpointHealthCheck(this, id, {
        name,
        fqdn: tier.loadBalancer.dnsName,
        resourcePath: healthCheck.path,
        failureThreshold: healthCheck.failureThreshold,
        requestInterval: healthCheck.requestInterval,
        regions: healthCheck.regions,
        alarmProvider: usEast1.provider,
        alarmTopicArn: alerts.topicArn,
      });
    const primaryCheck = checkOf('primary-health', this.primary, `${this.qualifiedName}-primary`);
    new TerraformOutput(this, 'primary_health_check_id', { value: primaryCheck.healthCheckId });

    if (!dns.failover) {
      new AliasRecord(this, 'record', { zoneId: zone.zoneId, name: dns.domain, target: primaryTarget });
      return;
    }
    let secondary: AliasTarget & { readonly healthCheckId?: string };
    if (dns.failover.kind === 'standby-region' && this.standby) {
      const standbyCheck = checkOf('standby-health', this.standby, `${this.qualifiedName}-standby`);
      secondary = { ...loadBalancerTarget(this.standby), healthCheckId: standbyCheck.healthCheckId };
      new TerraformOutput(this, 'standby_alb_dns_name', { value: this.standby.loadBalancer.dnsName });
    } else {
      const cdnCertificate = new ValidatedCertificate(usEast1, 'cdn-certificate', { domainName: dns.domain, zoneId: zone.zoneId });
      const site = new MaintenanceSite(this, 'maintenance', {
        name: this.qualifiedName,
        domainName: dns.domain,
        certificateArn: cdnCertificate.certificateArn,
        message: dns.failover.kind === 'maintenance-site' ? dns.failover.message : '',
        // Without deletion protection, a teardown is one step: the page's logs go with it.
        forceDestroy: teardownTakesLogs,
      });
      secondary = site.target;
    }
    new FailoverRecords(this, 'failover', {
      zoneId: zone.zoneId,
      name: dns.domain,
      primary: { ...primaryTarget, healthCheckId: primaryCheck.healthCheckId },
      secondary,
    });
  }
}

/** The construct at `path` below `stack`; a path that names none is an environment error, reported at `field`. */
function constructAt(stack: Construct, path: string, field: string): Construct {
  let node: Construct | undefined = stack;
  for (const part of path.split('/')) node = node?.node.tryFindChild(part) as Construct | undefined;
  if (!node) throw new EnvironmentValidationError([`${field}: no construct ${path} in the ${stack.node.id} stack`]);
  return node;
}

/** The environment without the subscribers whose endpoint is an SSM parameter of the account. */
function withoutParameterSubscribers(env: EnvironmentSpec): EnvironmentSpec {
  const own = (list: EnvironmentSpec['monitoring']['alerts']) => list.filter((s) => s.endpointParameter === undefined);
  return { ...env, monitoring: { ...env.monitoring, alerts: own(env.monitoring.alerts), critical: own(env.monitoring.critical) } };
}

/** A certificate requested from ACM for an isolated target's environment without DNS. */
function requestedCertificate(scope: Construct, domainName: string): string {
  return new AcmCertificate(scope, 'sandbox-certificate', { domainName, validationMethod: 'DNS' }).arn;
}

function loadBalancerTarget(tier: WebTier): AliasTarget {
  return { dnsName: tier.loadBalancer.dnsName, hostedZoneId: tier.loadBalancer.zoneId, evaluateTargetHealth: true };
}

/**
 * The standby runs the primary's application and fleet shape at the reduced
 * capacity and split its failover config gives; it only tracks load (no
 * forecast or schedules: it has no traffic history of its own until failover).
 * Its instances may do what the primary's may; they reach only what is not
 * regional (egressPorts, CIDR rules), and the group has no warm pool.
 */
function standbySpec(env: TierSpec, standby: StandbyRegionSpec): TierSpec {
  return {
    ...env,
    region: standby.region,
    availabilityZones: standby.availabilityZones,
    // The standby always builds its own VPC, even when the primary brings one: a brought VPC is regional, and the standby's region has none named.
    network: { ...env.network, existing: undefined, vpcCidr: standby.vpcCidr, natMode: standby.natMode, publicSubnets: undefined, privateSubnets: undefined, databaseSubnets: undefined, subnetPrefixLength: 24 },
    // No database in the standby region: an Aurora Global Database is not built yet (docs/services.md says why);
    // after a regional failover the standby's app reaches no database until one is restored there.
    database: undefined,
    capacity: standby.capacity,
    instancesDistribution: standby.instancesDistribution,
    // Custom targets name their metrics' dimensions literally, after the primary's resources in the primary's region.
    scaling: { ...env.scaling, predictive: undefined, stepPolicies: [], simplePolicies: [], schedules: [], customTargets: [] },
    instances: {
      ...env.instances,
      // Security groups and prefix lists are regional: the standby keeps the IAM, egressPorts and CIDR rules only.
      securityGroupIds: [],
      egress: env.instances.egress.filter((rule) => rule.cidrIpv4 !== undefined),
      // Its own split (Spot by default) rules a warm pool out; it is warm standby capacity already.
      warmPool: undefined,
    },
    // Chaos runs against the primary; the standby's job is to be there when it fails.
    resilience: { ...env.resilience, chaos: undefined },
    // No Fargate service in the standby: its minimum tasks would bill around the clock for a region that serves no
    // traffic, and its secrets and a private ECR image are regional. After failover the rule's paths reach the fleet.
    containerService: undefined,
    // No API Lambda in the standby: its provisioned concurrency would bill around the clock for a region that serves
    // no traffic, and a team's code zip sits in a bucket of the primary's region. After failover, the rule's paths reach the standby's fleet.
    serverlessApi: undefined,
    // No batch tier in the standby: its buckets and runs belong to the primary's region, and batch work waits out a failover.
    batch: undefined,
    // ACM certificates and regional web ACLs live in the primary's region: the standby serves
    // its own certificate for dns.domain only, and makes its own web ACL where the primary's is brought by ARN.
    loadBalancer: standbyLoadBalancer(env.loadBalancer),
  };
}

function standbyLoadBalancer(lb: TierSpec['loadBalancer']): TierSpec['loadBalancer'] {
  const brought = typeof lb.webAcl === 'object' && 'arn' in lb.webAcl;
  return { ...lb, certificateArns: [], webAcl: brought ? true : lb.webAcl };
}

/** Provider default_tags: who owns it and who pays for it, and the environment's own tags (which the schema keeps off these keys). */
export function environmentTags(env: EnvironmentSpec): Record<string, string> {
  return {
    ...env.tags,
    Environment: env.name,
    ManagedBy: 'cdktf',
    Project: env.costTags.Project ?? env.project,
    CostCenter: env.costTags.CostCenter,
    Team: env.costTags.Team,
  };
}
