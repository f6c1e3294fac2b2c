/**
 * The Application Load Balancer: who may reach it, its scheme, access logs,
 * web ACL, certificates, target groups and listener rules.
 */
import { z } from 'zod';
import {
  DEFAULT_TARGET_GROUP,
  DEFAULT_WEB_ACL,
  TARGET_GROUP_DEFAULTS,
  TARGET_GROUP_LIMITS,
  WEB_ACL_DEFAULTS,
  WEB_ACL_RATE_LIMIT_RANGE,
  WEB_ACL_RULE_GROUPS,
  type WebAclRuleGroup,
} from '../../modules/load-balancer';
import { certificateArn, checkCertificateAccount, checkCertificateRegion, cidr, ranged, reportDuplicates, retentionDays, slug, type Report } from './primitives';

const L = TARGET_GROUP_LIMITS;
const HC = TARGET_GROUP_DEFAULTS.healthCheck;
/** Default quotas of an Application Load Balancer: rules per listener, certificates per listener besides its default, target groups. */
export const MAX_LISTENER_RULES = 100;
export const MAX_LISTENER_CERTIFICATES = 25;
export const MAX_TARGET_GROUPS = 100;
/** AWS counts every host and path value of a rule's conditions together. */
export const MAX_CONDITION_VALUES = 5;

/** `200`, `200,302`, `200-299`: codes (or ranges) from 200 to 499. */
const matcher = z
  .string()
  .superRefine((value, ctx) => {
    const parts = value.split(',');
    const bad = parts.find((part) => {
      const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
      if (!m) return true;
      const [low, high] = [Number(m[1]), Number(m[2] ?? m[1])];
      return low < L.matcherCode[0] || high > L.matcherCode[1] || low > high;
    });
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a matcher of HTTP codes ${L.matcherCode[0]}–${L.matcherCode[1]} like 200, 200,302 or 200-299` });
    }
  })
  .meta({ description: `HTTP codes that mean healthy: one (200), a list (200,302) or a range (200-299), ${L.matcherCode[0]}–${L.matcherCode[1]}.` });

/** The tuning fields of a health check; `timeout` must be under `interval`. */
export function healthCheckFields(defaults: boolean) {
  const field = <T extends z.ZodType>(schema: T, fallback: z.input<T>) => (defaults ? schema.default(fallback as never) : schema.optional());
  return {
    matcher: field(matcher, HC.matcher),
    interval: field(ranged(z.number().int(), ...L.interval).meta({ description: `Seconds between checks, ${L.interval.join('–')}.` }), HC.interval),
    timeout: field(ranged(z.number().int(), ...L.timeout).meta({ description: `Seconds before a check fails, ${L.timeout.join('–')}; less than interval.` }), HC.timeout),
    healthyThreshold: field(
      ranged(z.number().int(), ...L.threshold).meta({ description: `Consecutive passes before a target counts as healthy, ${L.threshold.join('–')}.` }),
      HC.healthyThreshold,
    ),
    unhealthyThreshold: field(
      ranged(z.number().int(), ...L.threshold).meta({ description: `Consecutive failures before a target counts as unhealthy, ${L.threshold.join('–')}.` }),
      HC.unhealthyThreshold,
    ),
  };
}

export function timeoutUnderInterval(check: { interval?: number; timeout?: number }, ctx: z.RefinementCtx): void {
  const interval = check.interval ?? HC.interval;
  const timeout = check.timeout ?? HC.timeout;
  if (timeout >= interval) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `${timeout} s must be less than the interval (${interval} s)` });
}

export const deregistrationDelay = ranged(z.number().int(), ...L.deregistrationDelay).meta({
  description: `Seconds a deregistering target keeps its in-flight requests before it is dropped, ${L.deregistrationDelay.join('–')}.`,
});
const slowStart = z
  .number()
  .int()
  .refine((s) => s === 0 || (s >= L.slowStart[0] && s <= L.slowStart[1]), {
    error: (issue) => `${String(issue.input)} is neither 0 (off) nor ${L.slowStart.join('–')} seconds`,
  })
  .meta({ description: `Seconds over which a new target's share of requests ramps up: 0 (off) or ${L.slowStart.join('–')}. Default: off.` });
const stickiness = z
  .strictObject({
    cookieDuration: ranged(z.number().int(), ...L.cookieDuration).meta({ description: `Seconds the load balancer's cookie (AWSALB) keeps a client on one target, ${L.cookieDuration.join('–')}.` }),
  })
  .meta({ description: 'Sticky sessions with the load balancer\'s own cookie (lb_cookie). Default: none, every request is balanced.' });

/** The default target group (the app's port and app.healthPath). */
const targetGroupSchema = z
  .strictObject({
    deregistrationDelay: deregistrationDelay.default(TARGET_GROUP_DEFAULTS.deregistrationDelay),
    slowStart: slowStart.optional(),
    stickiness: stickiness.optional(),
    healthCheck: z
      .strictObject(healthCheckFields(true))
      .superRefine(timeoutUnderInterval)
      .prefault({})
      .meta({ description: `Health check of the default target group on app.healthPath. Default: ${HC.healthyThreshold}/${HC.unhealthyThreshold} every ${HC.interval} s, ${HC.timeout} s timeout, ${HC.matcher}.` }),
  })
  .prefault({})
  .meta({ description: `The default target group (app.port): draining, slow start, stickiness, health check. Default: ${TARGET_GROUP_DEFAULTS.deregistrationDelay} s draining, no slow start, no stickiness.` });

export const healthPath = z
  .string()
  .regex(/^\/[\x21-\x7e]{0,1023}$/, 'must be a path starting with / (at most 1024 characters, no spaces)')
  .meta({ description: 'Path the health check requests, e.g. /api/health.' });

const additionalTargetGroupSchema = z
  .strictObject({
    name: slug
      .max(12)
      .refine((name) => name !== DEFAULT_TARGET_GROUP, { error: `"${DEFAULT_TARGET_GROUP}" names the load balancer's own target group` })
      .meta({ description: 'Short slug (at most 12), unique; listener rules forward to it by this name. `default` is the load balancer\'s own group.' }),
    port: ranged(z.number().int(), 1, 65535).meta({ description: 'Port the instances serve this target group on; the load balancer\'s security group may reach it.' }),
    healthCheck: z
      .strictObject({ path: healthPath, ...healthCheckFields(false) })
      .superRefine(timeoutUnderInterval)
      .meta({ description: `Health check on the traffic port; omitted fields as the default group's (${HC.healthyThreshold}/${HC.unhealthyThreshold} every ${HC.interval} s, ${HC.timeout} s timeout, ${HC.matcher}).` }),
    deregistrationDelay: deregistrationDelay.optional(),
    slowStart: slowStart.optional(),
    stickiness: stickiness.optional(),
  })
  .meta({ description: 'A target group besides the default one; the fleet registers in it too.' });

/** Host names AWS matches: letters, digits, - . and the wildcards * ?, up to 128. */
export const hostHeader = z
  .string()
  .regex(/^[A-Za-z0-9.*?-]{1,128}$/, 'is not a host name pattern (letters, digits, - . * ?; at most 128)')
  .meta({ description: 'Host name, wildcards * and ? allowed, e.g. api.example.com or *.example.com.' });
/** Path patterns AWS matches: up to 128 of A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & * ?. */
export const pathPattern = z
  .string()
  .regex(/^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$/, 'is not a path pattern (letters, digits, _ - . $ / ~ " \' @ : + & * ?; at most 128)')
  .meta({ description: 'Path pattern, case-sensitive, wildcards * and ? allowed, e.g. /api/*.' });

const fixedResponseSchema = z
  .strictObject({
    statusCode: z
      .number()
      .int()
      .refine((c) => (c >= 200 && c <= 299) || (c >= 400 && c <= 599), { error: (issue) => `${String(issue.input)} is not a 2XX, 4XX or 5XX status` })
      .meta({ description: 'HTTP status, 2XX, 4XX or 5XX.' }),
    contentType: z
      .enum(['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'])
      .default('text/plain')
      .meta({ description: 'Content-Type of the body. Default: text/plain.' }),
    messageBody: z.string().max(1024).optional().meta({ description: 'Body, at most 1024 characters.' }),
  })
  .meta({ description: 'Answer from the load balancer itself.' });

const redirectSchema = z
  .strictObject({
    statusCode: z.enum(['HTTP_301', 'HTTP_302']).meta({ description: 'HTTP_301 (permanent) or HTTP_302 (temporary).' }),
    host: z.string().min(1).max(128).optional().meta({ description: 'Host to redirect to; may use #{host}. Default: the request\'s.' }),
    path: z
      .string()
      .regex(/^\/.{0,127}$/, 'must start with / (at most 128 characters)')
      .optional()
      .meta({ description: 'Absolute path; may use #{host}, #{path}, #{port}. Default: the request\'s.' }),
    port: z
      .string()
      .refine((p) => p === '#{port}' || (/^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535), { error: 'must be 1–65535 or #{port}' })
      .optional()
      .meta({ description: 'Port, 1–65535 or #{port}. Default: the request\'s.' }),
    protocol: z.enum(['HTTP', 'HTTPS', '#{protocol}']).optional().meta({ description: 'HTTP, HTTPS or #{protocol}. Default: the request\'s.' }),
    query: z
      .string()
      .max(128)
      .refine((q) => !q.startsWith('?'), { error: 'must not start with ?' })
      .optional()
      .meta({ description: 'Query string without the leading ?, at most 128. Default: the request\'s.' }),
  })
  .superRefine((redirect, ctx) => {
    // AWS refuses a redirect that changes none of these: it would answer itself forever.
    const unchanged = { host: '#{host}', path: '/#{path}', port: '#{port}', protocol: '#{protocol}' } as const;
    const changes = (['host', 'path', 'port', 'protocol'] as const).filter((part) => redirect[part] !== undefined && redirect[part] !== unchanged[part]);
    if (!changes.length) ctx.addIssue({ code: 'custom', message: 'changes none of host, path, port or protocol: it would redirect to itself' });
  })
  .meta({ description: 'Redirect; omitted parts keep the request\'s own.' });

const listenerRuleSchema = z
  .strictObject({
    priority: ranged(z.number().int(), 1, 50000).meta({ description: 'Evaluation order, 1–50000 (lower first); unique.' }),
    hostHeaders: z.array(hostHeader).min(1).optional().meta({ description: 'Host names, any of which matches.' }),
    pathPatterns: z.array(pathPattern).min(1).optional().meta({ description: 'Path patterns, any of which matches.' }),
    forward: z.string().optional().meta({ description: 'Name of a targetGroups entry to send matching requests to, or `default` for the load balancer\'s own group.' }),
    fixedResponse: fixedResponseSchema.optional(),
    redirect: redirectSchema.optional(),
  })
  .superRefine((rule, ctx) => {
    const values = (rule.hostHeaders?.length ?? 0) + (rule.pathPatterns?.length ?? 0);
    if (values === 0) ctx.addIssue({ code: 'custom', message: 'needs a condition: hostHeaders or pathPatterns' });
    if (values > MAX_CONDITION_VALUES) ctx.addIssue({ code: 'custom', message: `has ${values} host and path values; AWS allows ${MAX_CONDITION_VALUES} per rule` });
    const actions = (['forward', 'fixedResponse', 'redirect'] as const).filter((action) => rule[action] !== undefined);
    if (actions.length !== 1) {
      ctx.addIssue({ code: 'custom', message: actions.length ? `has ${actions.join(' and ')}; give exactly one action` : 'needs exactly one action: forward, fixedResponse or redirect' });
    }
  })
  .meta({ description: 'A rule of the HTTPS listener: conditions (all must match) and exactly one action.' });

const ruleGroupNames = Object.keys(WEB_ACL_RULE_GROUPS) as WebAclRuleGroup[];
// A refinement, not an enum: inside webAcl's union an enum error would read only "Invalid input".
const ruleGroup = z
  .string()
  .refine((g) => (ruleGroupNames as string[]).includes(g), {
    error: (issue) => `${JSON.stringify(issue.input)} is not one of ${ruleGroupNames.join(', ')}`,
  })
  .pipe(z.enum(ruleGroupNames as [WebAclRuleGroup, ...WebAclRuleGroup[]]))
  .meta({ enum: ruleGroupNames, description: ruleGroupNames.map((g) => `\`${g}\` (${WEB_ACL_RULE_GROUPS[g]})`).join(', ') });

/** `arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>` */
export const REGIONAL_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]+):(\d{12}):regional\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;

const existingWebAclSchema = z
  .strictObject({
    arn: z
      .string()
      .regex(REGIONAL_WEB_ACL_ARN, 'is not a regional WAF web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)')
      .meta({ description: 'ARN of an existing regional web ACL in the environment\'s region and account.' }),
  })
  .meta({ description: 'Associate a web ACL managed elsewhere (Firewall Manager, a security account\'s pipeline).' });

const webAclOptionsSchema = z
  .strictObject({
    rateLimit: ranged(z.number().int(), ...WEB_ACL_RATE_LIMIT_RANGE)
      .default(WEB_ACL_DEFAULTS.rateLimit)
      .meta({ description: `Requests per client IP in any 5 minutes before that IP is blocked, ${WEB_ACL_RATE_LIMIT_RANGE[0]}–${WEB_ACL_RATE_LIMIT_RANGE[1]}. Default: ${WEB_ACL_DEFAULTS.rateLimit}.` }),
    ruleGroups: z
      .array(ruleGroup)
      .superRefine((groups, ctx) => reportDuplicates(groups, (i, g) => ctx.addIssue({ code: 'custom', path: [i], message: `${g} is listed twice` })))
      .default([...WEB_ACL_DEFAULTS.ruleGroups])
      .meta({ description: `AWS managed rule groups. Default: ${WEB_ACL_DEFAULTS.ruleGroups.join(', ')}. Leaving out knownBadInputs fails the security pack (CKV_AWS_192, Log4j).` }),
    logRetentionDays: retentionDays
      .default(WEB_ACL_DEFAULTS.logRetentionDays)
      .meta({ description: `Days the WAF log group (aws-waf-logs-<project>-<name>) keeps events; under 365 needs a CKV_AWS_338 exception. Default: ${WEB_ACL_DEFAULTS.logRetentionDays}.` }),
  })
  .meta({ description: 'Create a web ACL, tuned.' });

export const loadBalancerSchema = z
  .strictObject({
    /** CIDRs allowed to reach the listeners (443, and 80 which redirects to HTTPS). */
    ingressCidrs: z
      .array(cidr.meta({ description: 'IPv4 network CIDR allowed in, e.g. 203.0.113.0/24.' }))
      .min(1)
      .default(['0.0.0.0/0'])
      .meta({
        description:
          'IPv4 CIDRs allowed to reach ports 443 and 80 (which redirects to HTTPS); at least one. Default: anywhere. For an internal load balancer, name the VPC and VPN ranges.',
      }),
    /** Days the access-log bucket keeps objects. */
    accessLogRetentionDays: z
      .number()
      .int()
      .min(1)
      .default(90)
      .meta({ description: 'Days the S3 bucket keeps the load balancer\'s access logs before expiring them; at least 1.' }),
    /** Internal scheme, in the private subnets. */
    internal: z
      .boolean()
      .default(false)
      .meta({
        description:
          'Internal scheme: the load balancer sits in the private subnets and has private addresses only (its DNS name still resolves, so the Route 53 alias works from where they are reachable). Route 53 health checks cannot reach it: set dns.healthCheck to false.',
      }),
    /** An AWS WAF web ACL (Checkov CKV2_AWS_28). */
    webAcl: z
      .union([z.boolean(), existingWebAclSchema, webAclOptionsSchema], {
        error: 'must be true, false, { arn } of an existing web ACL, or { rateLimit, ruleGroups, logRetentionDays }',
      })
      .default(DEFAULT_WEB_ACL)
      .meta({
        description: `AWS WAF in front of the load balancer. true (default) creates a web ACL: Amazon IP reputation list, a rate limit of ${WEB_ACL_DEFAULTS.rateLimit} requests per IP per 5 minutes, the AWS common and known-bad-inputs (Log4j) rule sets, logs (authorization and cookie headers redacted) to a KMS-encrypted log group; about $9 a month plus requests and logs. The common rule set blocks request bodies over 8 KB. { rateLimit, ruleGroups, logRetentionDays } tunes it; { arn } associates an existing regional web ACL instead; false: none (an internet-facing load balancer then needs a CKV2_AWS_28 exception).`,
      }),
    /** More certificates on the HTTPS listener, chosen by SNI. */
    certificateArns: z
      .array(certificateArn.meta({ description: 'ACM certificate ARN, in `region` and `account`.' }))
      .max(MAX_LISTENER_CERTIFICATES)
      .superRefine((arns, ctx) => reportDuplicates(arns, (i) => ctx.addIssue({ code: 'custom', path: [i], message: 'is listed twice' })))
      .default([])
      .meta({
        description: `More ACM certificates (in region and account) the HTTPS listener serves by SNI, for other host names; at most ${MAX_LISTENER_CERTIFICATES}. Not copied to a standby region (ACM certificates are regional).`,
      }),
    /** The default target group's tuning. */
    targetGroup: targetGroupSchema,
    /** Target groups besides the default one. */
    targetGroups: z
      .array(additionalTargetGroupSchema)
      .max(MAX_TARGET_GROUPS - 1)
      .superRefine((groups, ctx) =>
        reportDuplicates(
          groups.map((g) => g.name),
          (i, name) => ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${name} is used twice` }),
        ),
      )
      .default([])
      .meta({ description: 'Target groups besides the default one, each on its own port and health check; the fleet registers in all of them. Listener rules forward to them by name.' }),
    /** Rules of the HTTPS listener. */
    listenerRules: z
      .array(listenerRuleSchema)
      .max(MAX_LISTENER_RULES)
      .default([])
      .meta({ description: `Rules of the HTTPS listener, at most ${MAX_LISTENER_RULES}; what no rule matches goes to the default target group.` }),
  })
  .superRefine((lb, ctx) => {
    reportDuplicates(
      lb.listenerRules.map((r) => String(r.priority)),
      (i, priority) => ctx.addIssue({ code: 'custom', path: ['listenerRules', i, 'priority'], message: `${priority} is used twice` }),
    );
    const names = new Set([DEFAULT_TARGET_GROUP, ...lb.targetGroups.map((g) => g.name)]);
    lb.listenerRules.forEach((rule, i) => {
      if (rule.forward !== undefined && !names.has(rule.forward)) {
        ctx.addIssue({ code: 'custom', path: ['listenerRules', i, 'forward'], message: `${rule.forward} is not a target group (${[...names].join(', ')})` });
      }
    });
  })
  .prefault({})
  .meta({ description: 'The Application Load Balancer: scheme, ingress, access logs, web ACL, certificates, target groups and listener rules.' });

export type LoadBalancerSpec = z.output<typeof loadBalancerSchema>;
export type WebAclSpec = LoadBalancerSpec['webAcl'];

/** What the load-balancer rules read from other sections, each present only when it parsed. */
export interface LoadBalancerContext {
  loadBalancer?: LoadBalancerSpec;
  region?: string;
  account?: string;
  certificateArn?: string;
  /** Only whether a health check is on matters here. */
  dns?: { healthCheck: false | object };
}

/**
 * Rules relating the load balancer to the rest of the environment: its
 * certificates and brought web ACL are regional and belong to the account,
 * and an internal load balancer cannot be health-checked by Route 53.
 */
export function checkLoadBalancer(env: LoadBalancerContext, report: Report): void {
  const lb = env.loadBalancer;
  if (!lb) return;
  lb.certificateArns.forEach((arn, i) => {
    const path = ['loadBalancer', 'certificateArns', i];
    if (arn === env.certificateArn) report(path, 'is already the listener\'s default certificate (certificateArn)');
    if (env.region) checkCertificateRegion(arn, env.region, path, report);
    checkCertificateAccount(arn, env.account, path, report);
  });
  if (typeof lb.webAcl === 'object' && 'arn' in lb.webAcl) {
    const [, region, account] = REGIONAL_WEB_ACL_ARN.exec(lb.webAcl.arn) ?? [];
    const path = ['loadBalancer', 'webAcl', 'arn'];
    if (env.region && region !== env.region) report(path, `web ACL is in ${region}; a load balancer in ${env.region} needs one from ${env.region}`);
    if (env.account && account !== env.account) report(path, `web ACL belongs to account ${account}, not the environment's ${env.account}`);
  }
  if (lb.internal && env.dns && env.dns.healthCheck !== false) {
    report(['dns', 'healthCheck'], 'Route 53 health checkers cannot reach an internal load balancer (loadBalancer.internal); set healthCheck: false (and no failover)');
  }
}

/**
 * Soft risks of the load balancer's settings (for environments/warnings.ts):
 * an internal load balancer open to 0.0.0.0/0 is reachable from everything
 * routed into the VPC, which is rarely what "internal" was for.
 */
export function loadBalancerWarnings(env: { loadBalancer: LoadBalancerSpec }, report: Report): void {
  const { internal, ingressCidrs } = env.loadBalancer;
  if (internal && ingressCidrs.includes('0.0.0.0/0')) {
    report(['loadBalancer', 'ingressCidrs'], 'an internal load balancer open to 0.0.0.0/0 takes traffic from every peered VPC, VPN and transit gateway routed to it; name their ranges');
  }
}
