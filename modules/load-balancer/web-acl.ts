import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import type { Construct } from 'constructs';

/** AWS managed rule groups the web ACL can hold, by the names environment files use. */
export const WEB_ACL_RULE_GROUPS = {
  /** IPs Amazon threat intelligence saw in attacks or reconnaissance. */
  ipReputation: 'AWSManagedRulesAmazonIpReputationList',
  /** OWASP-style common exploits; blocks request bodies over 8 KB. */
  common: 'AWSManagedRulesCommonRuleSet',
  /** Request patterns known to be malicious, Log4j (CVE-2021-44228) among them. */
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
  /** VPNs, Tor and hosting providers: blocks real users behind VPNs and cloud-hosted callers, so only on request. */
  anonymousIp: 'AWSManagedRulesAnonymousIpList',
} as const;
export type WebAclRuleGroup = keyof typeof WEB_ACL_RULE_GROUPS;

/** What a created web ACL holds unless told otherwise. */
export const WEB_ACL_DEFAULTS = {
  /** Requests per client IP in any 5 minutes before that IP is blocked (about 6.7 a second). */
  rateLimit: 2000,
  ruleGroups: ['ipReputation', 'common', 'knownBadInputs'] as readonly WebAclRuleGroup[],
  /** A year: what the security pack asks of log groups (CKV_AWS_338). */
  logRetentionDays: 365,
} as const;

/** The per-IP rate limit AWS accepts (since 2024; before, at least 100), as hashicorp/aws 5.100.0 validates it. */
export const WEB_ACL_RATE_LIMIT_RANGE = [10, 2_000_000_000] as const;

/** Headers kept out of the WAF logs: credentials and session cookies. */
export const WEB_ACL_REDACTED_HEADERS = ['authorization', 'cookie'] as const;

/** WAF delivers to CloudWatch Logs only into log groups whose name starts `aws-waf-logs-`. */
export function webAclLogGroupName(name: string): string {
  return `aws-waf-logs-${name}`;
}

export interface ManagedWebAclProps {
  /** Prefix for names, e.g. `web-app-prod`. */
  readonly name: string;
  /** The load balancer it protects. */
  readonly resourceArn: string;
  /** @default WEB_ACL_DEFAULTS.rateLimit */
  readonly rateLimit?: number;
  /** @default WEB_ACL_DEFAULTS.ruleGroups */
  readonly ruleGroups?: readonly WebAclRuleGroup[];
  /** @default WEB_ACL_DEFAULTS.logRetentionDays */
  readonly logRetentionDays?: number;
  /**
   * KMS key for the log group; its policy must let CloudWatch Logs use it for `webAclLogGroupName(name)`.
   * @default CloudWatch Logs' service key (the security pack's CKV_AWS_158 flags it)
   */
  readonly logKmsKeyArn?: string;
}

/**
 * A regional web ACL in front of a load balancer: allow by default; IP
 * reputation, a per-IP rate limit and AWS managed rule groups block; every
 * request logged (credentials redacted) to an encrypted log group. Built
 * directly in `scope` (ids `web-acl…`), so the resources keep the addresses
 * they had before the ACL grew logs and a rate limit.
 */
export function addManagedWebAcl(scope: Construct, props: ManagedWebAclProps): { webAclArn: string; logGroupName: string } {
  const { name } = props;
  const groups = props.ruleGroups ?? WEB_ACL_DEFAULTS.ruleGroups;
  const metric = (suffix: string) => ({ cloudwatchMetricsEnabled: true, metricName: `${name}-${suffix}`, sampledRequestsEnabled: true });
  const managed = (group: WebAclRuleGroup) => ({
    name: WEB_ACL_RULE_GROUPS[group],
    // `none`: the group's own block actions apply.
    overrideAction: { none: {} },
    // The provider types `statement` loosely; it is passed to Terraform as written, so snake_case.
    statement: { managed_rule_group_statement: { name: WEB_ACL_RULE_GROUPS[group], vendor_name: 'AWS' } },
    visibilityConfig: metric(WEB_ACL_RULE_GROUPS[group]),
  });
  const rateLimit = {
    name: 'rate-limit-per-ip',
    action: { block: {} },
    statement: { rate_based_statement: { limit: props.rateLimit ?? WEB_ACL_DEFAULTS.rateLimit, aggregate_key_type: 'IP' } },
    visibilityConfig: metric('rate-limit-per-ip'),
  };
  // Cheapest and most certain first: known-bad sources, then floods, then request inspection.
  const ordered = [
    ...groups.filter((g) => g === 'ipReputation' || g === 'anonymousIp').map(managed),
    rateLimit,
    ...groups.filter((g) => g === 'common' || g === 'knownBadInputs').map(managed),
  ];
  const acl = new Wafv2WebAcl(scope, 'web-acl', {
    name: `${name}-alb`,
    description: `AWS managed protections and a per-IP rate limit in front of ${name}-alb`,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rule: ordered.map((rule, priority) => ({ ...rule, priority })),
    visibilityConfig: metric('web-acl'),
  });
  associateWebAcl(scope, 'web-acl-association', props.resourceArn, acl.arn);

  const logGroupName = webAclLogGroupName(name);
  const logs = new CloudwatchLogGroup(scope, 'web-acl-logs', {
    name: logGroupName,
    retentionInDays: props.logRetentionDays ?? WEB_ACL_DEFAULTS.logRetentionDays,
    kmsKeyId: props.logKmsKeyArn,
  });
  new Wafv2WebAclLoggingConfiguration(scope, 'web-acl-logging', {
    resourceArn: acl.arn,
    logDestinationConfigs: [logs.arn],
    redactedFields: WEB_ACL_REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
  });
  return { webAclArn: acl.arn, logGroupName };
}

/** Associates a web ACL managed elsewhere (Firewall Manager, a security account's pipeline). */
export function associateWebAcl(scope: Construct, id: string, resourceArn: string, webAclArn: string): void {
  new Wafv2WebAclAssociation(scope, id, { resourceArn, webAclArn });
}
