/**
 * The load balancer's extension points through the whole stack: an
 * environment with every loadBalancer field set is validated, synthesized
 * (security pack included) and planned by real Terraform, offline — once
 * with a web ACL created here (prod, with its standby), once with an
 * existing one on an internal load balancer (dev). Then the wiring: the
 * fleet registers in every target group and admits the ALB on their ports,
 * the operations key lets CloudWatch Logs encrypt the WAF log group, and the
 * standby keeps nothing region-bound of the primary's.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import dev from '../../../environments/dev';
import type { EnvironmentInput } from '../../../environments/schema';
import prod from '../../../environments/prod';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { type Block, resourceList, synthEnvironments, type TfJson, underPath } from '../../support/synth';

type LoadBalancerInput = NonNullable<EnvironmentInput['loadBalancer']>;
/** dev's and prod's app.port (the schema's default): the default target group's. */
const APP_PORT = 80;
const EXISTING_ACL = (account: string) => `arn:aws:wafv2:ap-northeast-2:${account}:regional/webacl/shared-edge/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f`;
const certificate = (account: string) => `arn:aws:acm:ap-northeast-2:${account}:certificate/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e`;

/** Every loadBalancer field but the web ACL and the scheme. */
function everything(account: string): LoadBalancerInput {
  return {
    ingressCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
    accessLogRetentionDays: 30,
    certificateArns: [certificate(account)],
    targetGroup: {
      deregistrationDelay: 60,
      slowStart: 60,
      stickiness: { cookieDuration: 3600 },
      healthCheck: { matcher: '200-299', interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 2 },
    },
    targetGroups: [
      { name: 'api', port: 8081, healthCheck: { path: '/api/health', matcher: '200', interval: 10, timeout: 4 }, deregistrationDelay: 10, slowStart: 30, stickiness: { cookieDuration: 60 } },
    ],
    listenerRules: [
      { priority: 10, hostHeaders: ['api.example.com'], forward: 'api' },
      { priority: 20, pathPatterns: ['/app/*'], forward: 'default' },
      { priority: 30, pathPatterns: ['/internal/*'], fixedResponse: { statusCode: 404, contentType: 'application/json', messageBody: '{"error":"not found"}' } },
      { priority: 40, hostHeaders: ['old.example.com'], redirect: { statusCode: 'HTTP_301', host: 'www.example.com', protocol: 'HTTPS', port: '443' } },
    ],
  };
}

/** prod, public, with its standby, and a tuned web ACL created here (the anonymous-IP group too, so CKV2_AWS_76 holds unwaived). */
const prodEverything: EnvironmentInput = {
  ...structuredClone(prod),
  loadBalancer: { ...everything(prod.account), webAcl: { rateLimit: 1000, ruleGroups: ['ipReputation', 'anonymousIp', 'common', 'knownBadInputs'], logRetentionDays: 400 } },
};
/** dev, internal, behind an existing web ACL. */
const devInternal: EnvironmentInput = {
  ...structuredClone(dev),
  loadBalancer: { ...everything(dev.account), internal: true, webAcl: { arn: EXISTING_ACL(dev.account) } },
};

const stacks: Record<string, TfJson> = {};
const plans: Record<string, OfflinePlanResult> = {};

beforeAll(async () => {
  const cases: [string, EnvironmentInput][] = [
    ['prod', prodEverything],
    ['dev', devInternal],
  ];
  const synthesized = cases.map(([name, data]) => [name, synthEnvironments([{ file: `${name}.ts`, data }])] as const);
  for (const [name, app] of synthesized) stacks[name] = app.stacks[name]!;
  // Side by side: each plan runs a 700 MB provider process.
  await Promise.all(synthesized.map(async ([name, app]) => (plans[name] = await offlinePlan(join(app.outdir, 'stacks', name)))));
}, 600_000);

const primary = (name: string) => underPath(stacks[name]!, `${name}/primary/`);
const standby = () => underPath(stacks.prod!, 'prod/standby/');

describe.each(['prod', 'dev'])('%s with every loadBalancer field set', (name) => {
  it('validates and plans only creates', () => {
    const { validate, plan } = plans[name]!;
    expect(validate.valid, JSON.stringify(validate.diagnostics)).toBe(true);
    const managed = plan.resource_changes.filter((c) => c.mode === 'managed');
    expect([...new Set(managed.flatMap((c) => c.change.actions))]).toEqual(['create']);
    const planned = (type: string) => managed.filter((c) => c.type === type && c.name.startsWith('primary_')).map((c) => c.change.after ?? {});
    expect(planned('aws_lb_listener_rule').map((r) => r.priority)).toEqual([10, 20, 30, 40]);
    expect(planned('aws_lb_listener_certificate').map((c) => c.certificate_arn)).toEqual([certificate(name === 'prod' ? prod.account : dev.account)]);
    expect(planned('aws_lb_target_group').map((g) => g.port).sort()).toEqual([APP_PORT, 8081]);
    expect(planned('aws_lb').map((lb) => lb.internal)).toEqual([name === 'dev']);
  });

  it('the fleet registers in every target group and admits the load balancer on their ports', () => {
    const tier = primary(name);
    const groups = resourceList(tier, 'aws_lb_target_group');
    const [asg] = resourceList(tier, 'aws_autoscaling_group');
    expect((asg!.target_group_arns as string[]).length).toBe(2);
    expect(groups).toHaveLength(2);
    const ports = resourceList(tier, 'aws_vpc_security_group_ingress_rule')
      .filter((r) => typeof r.referenced_security_group_id === 'string' && String(r.referenced_security_group_id).includes('load-balancer_sg'))
      .map((r) => r.from_port)
      .sort();
    expect(ports).toEqual([APP_PORT, 8081]);
  });

  it('each extra target group has an unhealthy-hosts alarm of its own, on its own target group', () => {
    const tier = primary(name);
    const alarms = resourceList(tier, 'aws_cloudwatch_metric_alarm').filter((a) => a.metric_name === 'UnHealthyHostCount');
    const qualified = name === 'prod' ? 'web-app-prod' : 'web-app-dev';
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([`${qualified}-unhealthy-hosts`, `${qualified}-unhealthy-hosts-api`]);
    const api = alarms.find((a) => a.alarm_name === `${qualified}-unhealthy-hosts-api`)!;
    const apiGroup = Object.entries(tier.resource?.aws_lb_target_group ?? {}).find(([, g]) => (g as Block).port === 8081)![0];
    expect((api.dimensions as Block).TargetGroup).toBe(`\${aws_lb_target_group.${apiGroup}.arn_suffix}`);
  });
});

describe('a web ACL created here (prod)', () => {
  it('with the tuned rate limit and groups, logging to a log group the operations key lets CloudWatch Logs encrypt', () => {
    const tier = primary('prod');
    const [acl] = resourceList(tier, 'aws_wafv2_web_acl');
    expect((acl!.rule as Block[]).map((r) => r.name)).toEqual([
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'rate-limit-per-ip',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    expect(resourceList(tier, 'aws_cloudwatch_log_group').find((g) => g.name === 'aws-waf-logs-web-app-prod')).toMatchObject({ retention_in_days: 400 });
    const policies = Object.values(tier.data?.aws_iam_policy_document ?? {}).filter((d) => JSON.stringify(d).includes('CloudWatchLogsEncrypt'));
    const logs = (policies[0]!.statement as Block[]).find((s) => s.sid === 'CloudWatchLogsEncrypt')!;
    expect(JSON.stringify(logs.condition)).toContain(`:logs:ap-northeast-2:${prod.account}:log-group:aws-waf-logs-web-app-prod"`);
    expect(resourceList(tier, 'aws_wafv2_web_acl_logging_configuration')).toHaveLength(1);
  });

  it('the standby: its own ACL, no certificates of the primary region, the same rules and groups', () => {
    const tier = standby();
    expect(resourceList(tier, 'aws_lb_listener_certificate')).toEqual([]);
    expect(resourceList(tier, 'aws_wafv2_web_acl')).toHaveLength(1);
    expect(resourceList(tier, 'aws_lb_listener_rule')).toHaveLength(4);
    expect(resourceList(tier, 'aws_lb_target_group')).toHaveLength(2);
  });
});

describe('an existing web ACL on an internal load balancer (dev)', () => {
  it('associated as given, in the private subnets, nothing WAF created', () => {
    const tier = primary('dev');
    expect(resourceList(tier, 'aws_wafv2_web_acl')).toEqual([]);
    expect(resourceList(tier, 'aws_wafv2_web_acl_association').map((a) => a.web_acl_arn)).toEqual([EXISTING_ACL(dev.account)]);
    expect(resourceList(tier, 'aws_cloudwatch_log_group').map((g) => g.name)).not.toContain('aws-waf-logs-web-app-dev');
    const [lb] = resourceList(tier, 'aws_lb');
    const privateSubnets = Object.entries(tier.resource?.aws_subnet ?? {})
      .filter(([id]) => id.includes('private'))
      .map(([id]) => `\${aws_subnet.${id}.id}`);
    expect(privateSubnets).toHaveLength(2);
    expect([...(lb!.subnets as string[])].sort()).toEqual(privateSubnets.sort());
  });
});

it('a primary behind an existing ACL gives its standby one of its own (the ARN is regional)', () => {
  const { stacks: app } = synthEnvironments([{ file: 'prod.ts', data: { ...structuredClone(prod), loadBalancer: { webAcl: { arn: EXISTING_ACL(prod.account) } } } }]);
  const stack = app.prod!;
  expect(resourceList(underPath(stack, 'prod/primary/'), 'aws_wafv2_web_acl')).toEqual([]);
  expect(resourceList(underPath(stack, 'prod/standby/'), 'aws_wafv2_web_acl')).toHaveLength(1);
});
