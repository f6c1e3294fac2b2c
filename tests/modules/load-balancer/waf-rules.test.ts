/**
 * The security pack's WAF and listener rules where they differ from a plain
 * "has it / lacks it" (tests/modules/security covers those): what passes as
 * Checkov passes it, where the pack is stricter, and that a load balancer
 * built by the module satisfies them in each of its web ACL forms.
 */
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadBalancer, type LoadBalancerProps } from '../../../modules/load-balancer';
import { applySecurityPack, evaluate } from '../../../modules/security';
import { LOAD_BALANCER_PROPS } from '../../support/module-props';

function report(build: (scope: Construct) => void) {
  const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'waf-rules-')) }), 'test');
  applySecurityPack(stack, { production: true });
  build(stack);
  return evaluate(stack);
}
const findings = (rule: string, build: (scope: Construct) => void) =>
  report(build)
    .violations.filter((v) => v.rule === rule)
    .map((v) => `${v.resource}: ${v.message}`);

const alb = (scope: Construct, internal = false) =>
  new Lb(scope, 'alb', { name: 'a', internal, subnets: ['s1', 's2'], dropInvalidHeaderFields: true, enableDeletionProtection: true, accessLogs: { bucket: 'logs', enabled: true } });
const acl = (scope: Construct, statement: Record<string, unknown>, overrideAction: Record<string, unknown> = { none: {} }) =>
  new Wafv2WebAcl(scope, 'acl', {
    name: 'acl',
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    rule: [{ name: 'r', priority: 0, overrideAction, statement: { managed_rule_group_statement: statement }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: 'r', sampledRequestsEnabled: true } }],
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: 'acl', sampledRequestsEnabled: true },
  });
const knownBad = { name: 'AWSManagedRulesKnownBadInputsRuleSet', vendor_name: 'AWS' };

describe('CKV2_AWS_76: the ALB\'s web ACL has the Log4j and anonymous-IP groups', () => {
  it('passes internal load balancers, and ACLs managed outside the stack, as Checkov passes them', () => {
    const lacking = (internal: boolean) => (s: Construct) => new Wafv2WebAclAssociation(s, 'waf', { resourceArn: alb(s, internal).arn, webAclArn: acl(s, knownBad).arn });
    expect(findings('CKV2_AWS_76', lacking(false))).toEqual(['alb: its web ACL lacks AWSManagedRulesAnonymousIpList; add the managed rule group (Checkov asks for both)']);
    expect(findings('CKV2_AWS_76', lacking(true))).toEqual([]);
    const external = (s: Construct) =>
      new Wafv2WebAclAssociation(s, 'waf', { resourceArn: alb(s).arn, webAclArn: 'arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/a/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f' });
    expect(findings('CKV2_AWS_76', external)).toEqual([]);
  });
});

describe('CKV_AWS_192: the Log4j rules block', () => {
  it('fails a group whose actions are overridden to count, or whose Log4JRCE rule is excluded or counted', () => {
    expect(findings('CKV_AWS_192', (s) => acl(s, knownBad, { count: {} }))).toEqual([
      "acl: overrides AWSManagedRulesKnownBadInputsRuleSet's actions; set override_action { none {} } so its rules block",
    ]);
    expect(findings('CKV_AWS_192', (s) => acl(s, { ...knownBad, excluded_rule: [{ name: 'Log4JRCE' }] }))).toEqual([
      'acl: lets Log4JRCE only count; remove its excluded_rule or rule_action_override',
    ]);
    expect(findings('CKV_AWS_192', (s) => acl(s, { ...knownBad, rule_action_override: [{ name: 'Log4JRCE', action_to_use: { count: {} } }] }))).toEqual([
      'acl: lets Log4JRCE only count; remove its excluded_rule or rule_action_override',
    ]);
    expect(findings('CKV_AWS_192', (s) => acl(s, { ...knownBad, rule_action_override: [{ name: 'Host_localhost_HEADER', action_to_use: { count: {} } }] }))).toEqual([]);
  });
});

describe('CKV_AWS_103: TLS 1.2 or later', () => {
  it('holds TLS listeners to it as well as HTTPS ones, as Checkov does', () => {
    const listener = (protocol: string, sslPolicy?: string) => (s: Construct) =>
      new LbListener(s, 'l', { loadBalancerArn: 'a', port: 443, protocol, sslPolicy, defaultAction: [{ type: 'forward', targetGroupArn: 't' }] });
    expect(findings('CKV_AWS_103', listener('TLS', 'ELBSecurityPolicy-2016-08'))).toEqual([
      'l: ssl_policy ELBSecurityPolicy-2016-08 allows TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
    ]);
    expect(findings('CKV_AWS_103', listener('TLS', 'ELBSecurityPolicy-TLS13-1-2-2021-06'))).toEqual([]);
    expect(findings('CKV_AWS_103', listener('TCP'))).toEqual([]);
  });
});

describe('the module against the pack', () => {
  const props: LoadBalancerProps = {
    ...LOAD_BALANCER_PROPS,
    account: '123456789012',
    webAclLogKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  };
  const waf = ['CKV2_AWS_28', 'CKV2_AWS_76', 'CKV2_AWS_31', 'CKV_AWS_192', 'CKV_AWS_158', 'CKV_AWS_338'];
  const outcome = (extra: Partial<LoadBalancerProps>) => {
    const result = report((s) => new LoadBalancer(s, 'lb', { ...props, ...extra }));
    const pick = (list: readonly { rule: string; resource: string }[]) => list.filter((f) => waf.includes(f.rule)).map((f) => `${f.rule} ${f.resource}`);
    return { violations: pick(result.violations), waived: pick(result.waived), unused: result.unusedWaivers.map((w) => w.rule) };
  };

  it('a created ACL satisfies CKV2_AWS_28, _31 and _192; CKV2_AWS_76 is waived unless the anonymous-IP group is chosen', () => {
    expect(outcome({})).toEqual({ violations: [], waived: ['CKV2_AWS_76 lb/alb'], unused: [] });
    expect(outcome({ webAcl: { ruleGroups: ['knownBadInputs', 'anonymousIp'] } })).toEqual({ violations: [], waived: [], unused: [] });
  });

  it('an internal load balancer needs no waiver, with or without a WAF', () => {
    expect(outcome({ internal: true })).toEqual({ violations: [], waived: [], unused: [] });
    expect(outcome({ internal: true, webAcl: false })).toEqual({ violations: [], waived: [], unused: [] });
  });

  it('an existing ACL satisfies CKV2_AWS_28; none fails it on an internet-facing load balancer', () => {
    expect(outcome({ webAcl: { arn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f' } })).toEqual({ violations: [], waived: [], unused: [] });
    expect(outcome({ webAcl: false }).violations).toEqual(['CKV2_AWS_28 lb/alb']);
  });

  it('dropping the Log4j group fails CKV_AWS_192; a short retention fails CKV_AWS_338', () => {
    expect(outcome({ webAcl: { ruleGroups: ['common', 'anonymousIp'] } }).violations).toEqual(['CKV2_AWS_76 lb/alb', 'CKV_AWS_192 lb/web-acl']);
    expect(outcome({ webAcl: { logRetentionDays: 90 } }).violations).toEqual(['CKV_AWS_338 lb/web-acl-logs']);
  });
});
