/**
 * The LoadBalancer construct's extension points, synthesized on their own:
 * the scheme, SNI certificates, target-group tuning, extra target groups,
 * listener rules and the three forms of its web ACL.
 */
import { describe, expect, it } from 'vitest';
import { LoadBalancer, type LoadBalancerProps } from '../../../modules/load-balancer';
import { type Block, only, resourceList, resources, synthConstruct } from '../../support/synth';
import { LOAD_BALANCER_PROPS } from '../../support/module-props';

const props = LOAD_BALANCER_PROPS;
const ACL = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';
const synth = (extra: Partial<LoadBalancerProps> = {}) => synthConstruct((scope) => new LoadBalancer(scope, 'lb', { ...props, ...extra }));
const idOf = (json: ReturnType<typeof synth>, type: string, fragment: string) => {
  const ids = Object.keys(resources(json, type)).filter((id) => id.includes(fragment));
  if (ids.length !== 1) throw new Error(`expected one ${type} with ${fragment}, found ${ids.join(', ')}`);
  return ids[0]!;
};

describe('scheme', () => {
  it('internet-facing by default; internal on request, in the subnets it is given', () => {
    expect(only(synth(), 'aws_lb')).toMatchObject({ internal: false, subnets: ['subnet-a', 'subnet-b'] });
    expect(only(synth(), 'aws_security_group').description).toBe('Internet-facing ALB for demo-test');
    const internal = synth({ internal: true, subnetIds: ['subnet-private-a', 'subnet-private-b'] });
    expect(only(internal, 'aws_lb')).toMatchObject({ internal: true, subnets: ['subnet-private-a', 'subnet-private-b'] });
    expect(only(internal, 'aws_security_group').description).toBe('Internal ALB for demo-test');
  });
});

describe('certificates', () => {
  it('each extra certificate on the HTTPS listener', () => {
    const json = synth({ certificateArns: ['arn:aws:acm:us-east-1:123456789012:certificate/b', 'arn:aws:acm:us-east-1:123456789012:certificate/c'] });
    const https = idOf(json, 'aws_lb_listener', 'https');
    expect(resourceList(json, 'aws_lb_listener_certificate')).toEqual([
      { listener_arn: `\${aws_lb_listener.${https}.arn}`, certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/b' },
      { listener_arn: `\${aws_lb_listener.${https}.arn}`, certificate_arn: 'arn:aws:acm:us-east-1:123456789012:certificate/c' },
    ]);
    expect(resourceList(synth(), 'aws_lb_listener_certificate')).toEqual([]);
  });
});

describe('target groups', () => {
  it("the default group is today's when untuned: no slow start or stickiness attribute at all", () => {
    const group = only(synth(), 'aws_lb_target_group');
    expect(group).toMatchObject({
      name_prefix: 'demo--',
      port: 8080,
      deregistration_delay: '30',
      health_check: { path: '/health', healthy_threshold: 2, unhealthy_threshold: 3, interval: 15, timeout: 5, matcher: '200', port: 'traffic-port' },
    });
    expect(group).not.toHaveProperty('slow_start');
    expect(group).not.toHaveProperty('stickiness');
  });

  it('tuning: lb_cookie stickiness, slow start, draining and the health check', () => {
    const group = only(
      synth({ deregistrationDelay: 120, slowStart: 60, stickiness: { cookieDuration: 3600 }, healthCheck: { matcher: '200-299', interval: 30, timeout: 10, healthyThreshold: 5, unhealthyThreshold: 4 } }),
      'aws_lb_target_group',
    );
    expect(group).toMatchObject({
      deregistration_delay: '120',
      slow_start: 60,
      stickiness: { type: 'lb_cookie', enabled: true, cookie_duration: 3600 },
      health_check: { path: '/health', matcher: '200-299', interval: 30, timeout: 10, healthy_threshold: 5, unhealthy_threshold: 4 },
    });
  });

  it('extra groups on their own ports and checks; every ARN for the fleet, each extra port once', () => {
    const lb = { current: undefined as LoadBalancer | undefined };
    const json = synthConstruct((scope) => {
      lb.current = new LoadBalancer(scope, 'lb', {
        ...props,
        targetGroups: [
          { name: 'api', port: 8081, healthCheck: { path: '/api/health', interval: 10 }, slowStart: 30 },
          { name: 'admin', port: 8081, healthCheck: { path: '/admin/health' } },
          { name: 'same', port: 8080, healthCheck: { path: '/x' } },
        ],
      });
    });
    const groups = resourceList(json, 'aws_lb_target_group');
    expect(groups.map((g) => [g.name_prefix, g.port, (g.health_check as Block).path, (g.health_check as Block).interval, g.tags]).sort()).toEqual([
      ['admin-', 8081, '/admin/health', 15, { Name: 'demo-test-admin' }],
      ['api-', 8081, '/api/health', 10, { Name: 'demo-test-api' }],
      ['demo--', 8080, '/health', 15, { Name: 'demo-test-targets' }],
      ['same-', 8080, '/x', 15, { Name: 'demo-test-same' }],
    ]);
    expect(groups.find((g) => g.name_prefix === 'api-')).toMatchObject({ slow_start: 30, deregistration_delay: '30' });
    expect(lb.current!.targetGroupArns).toHaveLength(4);
    expect(lb.current!.additionalTargetPorts).toEqual([8081]);
  });
});

describe('listener rules', () => {
  it('on the HTTPS listener: forward by name (default included), fixed response, redirect', () => {
    const json = synth({
      targetGroups: [{ name: 'api', port: 8081, healthCheck: { path: '/api/health' } }],
      listenerRules: [
        { priority: 10, hostHeaders: ['api.example.com'], forward: 'api' },
        { priority: 20, hostHeaders: ['www.example.com'], pathPatterns: ['/app/*'], forward: 'default' },
        { priority: 30, pathPatterns: ['/internal/*'], fixedResponse: { statusCode: 404, messageBody: 'Not found' } },
        { priority: 40, pathPatterns: ['/old/*'], redirect: { statusCode: 'HTTP_301', path: '/new/#{path}' } },
      ],
    });
    const https = `\${aws_lb_listener.${idOf(json, 'aws_lb_listener', 'https')}.arn}`;
    const api = `\${aws_lb_target_group.${idOf(json, 'aws_lb_target_group', 'targets-api')}.arn}`;
    const main = `\${aws_lb_target_group.${Object.keys(resources(json, 'aws_lb_target_group')).find((id) => !id.includes('api'))}.arn}`;
    expect(resourceList(json, 'aws_lb_listener_rule')).toEqual([
      { listener_arn: https, priority: 10, condition: [{ host_header: { values: ['api.example.com'] } }], action: [{ type: 'forward', target_group_arn: api }] },
      {
        listener_arn: https,
        priority: 20,
        condition: [{ host_header: { values: ['www.example.com'] } }, { path_pattern: { values: ['/app/*'] } }],
        action: [{ type: 'forward', target_group_arn: main }],
      },
      {
        listener_arn: https,
        priority: 30,
        condition: [{ path_pattern: { values: ['/internal/*'] } }],
        action: [{ type: 'fixed-response', fixed_response: { status_code: '404', content_type: 'text/plain', message_body: 'Not found' } }],
      },
      {
        listener_arn: https,
        priority: 40,
        condition: [{ path_pattern: { values: ['/old/*'] } }],
        action: [{ type: 'redirect', redirect: { status_code: 'HTTP_301', path: '/new/#{path}' } }],
      },
    ]);
  });

  it('refuses a rule that forwards to a group it does not have', () => {
    expect(() => synth({ listenerRules: [{ priority: 1, pathPatterns: ['/a'], forward: 'api' }] })).toThrow('listener rule 1 forwards to unknown target group api');
  });
});

describe('web ACL', () => {
  it('default: IP reputation, a per-IP rate limit, then the common and known-bad-inputs groups', () => {
    const acl = only(synth(), 'aws_wafv2_web_acl');
    expect((acl.rule as Block[]).map((r) => [r.priority, r.name, r.action ?? r.override_action, r.statement])).toEqual([
      [0, 'AWSManagedRulesAmazonIpReputationList', { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesAmazonIpReputationList', vendor_name: 'AWS' } }],
      [1, 'rate-limit-per-ip', { block: {} }, { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } }],
      [2, 'AWSManagedRulesCommonRuleSet', { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } }],
      [3, 'AWSManagedRulesKnownBadInputsRuleSet', { none: {} }, { managed_rule_group_statement: { name: 'AWSManagedRulesKnownBadInputsRuleSet', vendor_name: 'AWS' } }],
    ]);
  });

  it('logs every request, credentials redacted, to an aws-waf-logs- group kept a year under the given key', () => {
    const json = synth({ webAclLogKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k' });
    expect(only(json, 'aws_cloudwatch_log_group')).toEqual({ name: 'aws-waf-logs-demo-test', retention_in_days: 365, kms_key_id: 'arn:aws:kms:us-east-1:123456789012:key/k' });
    const group = idOf(json, 'aws_cloudwatch_log_group', 'web-acl-logs');
    expect(only(json, 'aws_wafv2_web_acl_logging_configuration')).toEqual({
      resource_arn: `\${aws_wafv2_web_acl.${idOf(json, 'aws_wafv2_web_acl', 'web-acl')}.arn}`,
      log_destination_configs: [`\${aws_cloudwatch_log_group.${group}.arn}`],
      redacted_fields: [{ single_header: { name: 'authorization' } }, { single_header: { name: 'cookie' } }],
    });
  });

  it('tuned: its rate limit, rule groups and retention', () => {
    const json = synth({ webAcl: { rateLimit: 500, ruleGroups: ['knownBadInputs', 'anonymousIp'], logRetentionDays: 731 } });
    const acl = only(json, 'aws_wafv2_web_acl');
    expect((acl.rule as Block[]).map((r) => r.name)).toEqual(['AWSManagedRulesAnonymousIpList', 'rate-limit-per-ip', 'AWSManagedRulesKnownBadInputsRuleSet']);
    expect(JSON.stringify(acl.rule)).toContain('"limit":500');
    expect(only(json, 'aws_cloudwatch_log_group').retention_in_days).toBe(731);
  });

  it('{ arn }: associated as it is, nothing created; false: nothing at all', () => {
    const json = synth({ webAcl: { arn: ACL } });
    expect(resourceList(json, 'aws_wafv2_web_acl')).toEqual([]);
    expect(resourceList(json, 'aws_cloudwatch_log_group')).toEqual([]);
    expect(only(json, 'aws_wafv2_web_acl_association')).toEqual({ resource_arn: `\${aws_lb.${idOf(json, 'aws_lb', 'alb')}.arn}`, web_acl_arn: ACL });
    const none = synth({ webAcl: false });
    for (const type of ['aws_wafv2_web_acl', 'aws_wafv2_web_acl_association', 'aws_wafv2_web_acl_logging_configuration', 'aws_cloudwatch_log_group']) {
      expect(resourceList(none, type), type).toEqual([]);
    }
  });

  it('keeps the addresses the web ACL had before it grew logs and a rate limit', () => {
    const json = synth();
    expect(Object.keys(resources(json, 'aws_wafv2_web_acl'))[0]).toMatch(/^lb_web-acl_[0-9A-F]{8}$/);
    expect(Object.keys(resources(json, 'aws_wafv2_web_acl_association'))[0]).toMatch(/^lb_web-acl-association_[0-9A-F]{8}$/);
  });
});
