/**
 * The load balancer's section (environments/schema/load-balancer.ts) and
 * its cross-field rules: each rule on a copy of dev (or prod) changed in one
 * place, asserting the exact line a user reads; defaults; seeded property
 * tests for the health check and the matcher.
 */
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import dev from '../../environments/dev';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import { loadBalancerWarnings } from '../../environments/schema/load-balancer';
import { TARGET_GROUP_DEFAULTS, WEB_ACL_DEFAULTS } from '../../modules/load-balancer';
import { problemsFor } from '../support/problems';
import { pick, seededRandom } from '../support/random';

type LoadBalancerInput = NonNullable<EnvironmentInput['loadBalancer']>;
const CERT = 'arn:aws:acm:ap-northeast-2:123456789012:certificate/0f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const ACL = 'arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/shared-edge/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';

const problems = (loadBalancer: LoadBalancerInput, mutate: (env: EnvironmentInput) => void = () => undefined) =>
  problemsFor((e) => {
    e.loadBalancer = loadBalancer;
    mutate(e);
  }, [], dev);
const parsed = (loadBalancer: LoadBalancerInput = {}) => validateEnvironments([{ file: 'dev.ts', data: { ...structuredClone(dev), loadBalancer } }])[0]!.loadBalancer;
const api = { name: 'api', port: 8081, healthCheck: { path: '/api/health' } };

describe('defaults', () => {
  it("today's load balancer: public, a created web ACL, no extra certificates, target groups or rules, the seed's target group", () => {
    expect(parsed()).toEqual({
      ingressCidrs: ['0.0.0.0/0'],
      accessLogRetentionDays: 90,
      internal: false,
      webAcl: true,
      certificateArns: [],
      targetGroup: { deregistrationDelay: 30, healthCheck: { matcher: '200', interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 } },
      targetGroups: [],
      listenerRules: [],
    });
    // The literals above are the module's stated defaults, not copies that could drift apart silently.
    expect(TARGET_GROUP_DEFAULTS).toMatchObject({ deregistrationDelay: 30, healthCheck: { matcher: '200', interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 } });
  });

  it('a tuned web ACL gets the module defaults for what it leaves out', () => {
    expect(parsed({ webAcl: { rateLimit: 500 } }).webAcl).toEqual({ rateLimit: 500, ruleGroups: ['ipReputation', 'common', 'knownBadInputs'], logRetentionDays: 365 });
    expect(WEB_ACL_DEFAULTS).toMatchObject({ rateLimit: 2000, ruleGroups: ['ipReputation', 'common', 'knownBadInputs'], logRetentionDays: 365 });
    expect(parsed({ webAcl: { arn: ACL } }).webAcl).toEqual({ arn: ACL });
    expect(parsed({ webAcl: false }).webAcl).toBe(false);
  });

  it('a fixed response is text/plain unless told', () => {
    const rules = parsed({ listenerRules: [{ priority: 5, pathPatterns: ['/gone'], fixedResponse: { statusCode: 410 } }] }).listenerRules;
    expect(rules[0]!.fixedResponse).toEqual({ statusCode: 410, contentType: 'text/plain' });
  });
});

describe('the web ACL', () => {
  it('rate limit within what the provider takes', () => {
    expect(problems({ webAcl: { rateLimit: 9 } })).toEqual(['dev.loadBalancer.webAcl.rateLimit: 9 is outside 10–2000000000']);
    expect(problems({ webAcl: { rateLimit: 10 } })).toEqual([]);
    expect(problems({ webAcl: { rateLimit: 2_000_000_001 } })).toEqual(['dev.loadBalancer.webAcl.rateLimit: 2000000001 is outside 10–2000000000']);
  });

  it('known rule groups, each once; retention one CloudWatch accepts', () => {
    expect(problems({ webAcl: { ruleGroups: ['common', 'sqli'] } })).toEqual([
      'dev.loadBalancer.webAcl.ruleGroups[1]: "sqli" is not one of ipReputation, common, knownBadInputs, anonymousIp',
    ]);
    expect(problems({ webAcl: { ruleGroups: ['common', 'common'] } })).toEqual(['dev.loadBalancer.webAcl.ruleGroups[1]: common is listed twice']);
    expect(problems({ webAcl: { logRetentionDays: 100 } })[0]).toMatch(/^dev\.loadBalancer\.webAcl\.logRetentionDays: 100 is not a retention CloudWatch Logs accepts/);
  });

  it('an existing ACL: a regional wafv2 ARN of the region and account', () => {
    expect(problems({ webAcl: { arn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f' } })).toEqual([
      'dev.loadBalancer.webAcl.arn: is not a regional WAF web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)',
    ]);
    expect(problems({ webAcl: { arn: ACL.replace('ap-northeast-2', 'eu-west-1') } })).toEqual([
      'dev.loadBalancer.webAcl.arn: web ACL is in eu-west-1; a load balancer in ap-northeast-2 needs one from ap-northeast-2',
    ]);
    expect(problems({ webAcl: { arn: ACL.replace('123456789012', '210987654321') } })).toEqual([
      "dev.loadBalancer.webAcl.arn: web ACL belongs to account 210987654321, not the environment's 123456789012",
    ]);
  });

  it('one form at a time', () => {
    expect(problems({ webAcl: { arn: ACL, rateLimit: 500 } as never })).toEqual([
      'dev.loadBalancer.webAcl: must be true, false, { arn } of an existing web ACL, or { rateLimit, ruleGroups, logRetentionDays }',
    ]);
  });
});

describe('certificates', () => {
  it('ACM ARNs of the region and account, each once, not the default one again', () => {
    expect(problems({ certificateArns: ['arn:aws:iam::123456789012:server-certificate/x'] })).toEqual(['dev.loadBalancer.certificateArns[0]: is not an ACM certificate ARN']);
    expect(problems({ certificateArns: [CERT.replace('ap-northeast-2', 'us-east-1')] })).toEqual([
      'dev.loadBalancer.certificateArns[0]: certificate is in us-east-1; an ALB in ap-northeast-2 needs one from ap-northeast-2',
    ]);
    expect(problems({ certificateArns: [CERT.replace('123456789012', '210987654321')] })).toEqual([
      "dev.loadBalancer.certificateArns[0]: certificate belongs to account 210987654321, not the environment's 123456789012",
    ]);
    expect(problems({ certificateArns: [CERT, CERT] })).toEqual(['dev.loadBalancer.certificateArns[1]: is listed twice']);
    expect(problems({ certificateArns: [dev.certificateArn!] })).toEqual(["dev.loadBalancer.certificateArns[0]: is already the listener's default certificate (certificateArn)"]);
  });

  it('at most 25 besides the default', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => CERT.replace('0f1e2d3c', `0f1e2d${String(i).padStart(2, '0')}`));
    expect(problems({ certificateArns: many(25) })).toEqual([]);
    expect(problems({ certificateArns: many(26) })[0]).toMatch(/^dev\.loadBalancer\.certificateArns: Too big/);
  });
});

describe('target groups', () => {
  it('AWS ranges at synth', () => {
    expect(problems({ targetGroup: { deregistrationDelay: 3601 } })).toEqual(['dev.loadBalancer.targetGroup.deregistrationDelay: 3601 is outside 0–3600']);
    expect(problems({ targetGroup: { slowStart: 20 } })).toEqual(['dev.loadBalancer.targetGroup.slowStart: 20 is neither 0 (off) nor 30–900 seconds']);
    expect(problems({ targetGroup: { slowStart: 0 } })).toEqual([]);
    expect(problems({ targetGroup: { stickiness: { cookieDuration: 0 } } })).toEqual(['dev.loadBalancer.targetGroup.stickiness.cookieDuration: 0 is outside 1–604800']);
    expect(problems({ targetGroup: { healthCheck: { interval: 301 } } })).toEqual(['dev.loadBalancer.targetGroup.healthCheck.interval: 301 is outside 5–300']);
    expect(problems({ targetGroup: { healthCheck: { healthyThreshold: 1, unhealthyThreshold: 11 } } })).toEqual([
      'dev.loadBalancer.targetGroup.healthCheck.healthyThreshold: 1 is outside 2–10',
      'dev.loadBalancer.targetGroup.healthCheck.unhealthyThreshold: 11 is outside 2–10',
    ]);
  });

  it('the timeout is under the interval, defaults included', () => {
    expect(problems({ targetGroup: { healthCheck: { interval: 5 } } })).toEqual(['dev.loadBalancer.targetGroup.healthCheck.timeout: 5 s must be less than the interval (5 s)']);
    expect(problems({ targetGroups: [{ ...api, healthCheck: { path: '/api/health', timeout: 20 } }] })).toEqual([
      'dev.loadBalancer.targetGroups[0].healthCheck.timeout: 20 s must be less than the interval (15 s)',
    ]);
  });

  it('matchers of 200–499 codes, lists and ranges', () => {
    for (const ok of ['200', '200,302', '200-299', '200-299,404']) expect(problems({ targetGroup: { healthCheck: { matcher: ok } } }), ok).toEqual([]);
    expect(problems({ targetGroup: { healthCheck: { matcher: '500' } } })).toEqual([
      'dev.loadBalancer.targetGroup.healthCheck.matcher: "500" is not a matcher of HTTP codes 200–499 like 200, 200,302 or 200-299',
    ]);
  });

  it('extra groups: slug names, unique, not "default"; a path to check; a port', () => {
    expect(problems({ targetGroups: [api, { ...api, port: 8082 }] })).toEqual(['dev.loadBalancer.targetGroups[1].name: api is used twice']);
    expect(problems({ targetGroups: [{ ...api, name: 'default' }] })).toEqual(['dev.loadBalancer.targetGroups[0].name: "default" names the load balancer\'s own target group']);
    expect(problems({ targetGroups: [{ ...api, name: 'API' }] })).toEqual(['dev.loadBalancer.targetGroups[0].name: must be lowercase letters, digits and dashes']);
    expect(problems({ targetGroups: [{ ...api, healthCheck: { path: 'health' } }] })).toEqual([
      'dev.loadBalancer.targetGroups[0].healthCheck.path: must be a path starting with / (at most 1024 characters, no spaces)',
    ]);
    expect(problems({ targetGroups: [{ ...api, port: 70000 }] })).toEqual(['dev.loadBalancer.targetGroups[0].port: 70000 is outside 1–65535']);
  });
});

describe('listener rules', () => {
  it('unique priorities in 1–50000', () => {
    expect(
      problems({
        listenerRules: [
          { priority: 7, pathPatterns: ['/a'], forward: 'default' },
          { priority: 7, pathPatterns: ['/b'], forward: 'default' },
        ],
      }),
    ).toEqual(['dev.loadBalancer.listenerRules[1].priority: 7 is used twice']);
    expect(problems({ listenerRules: [{ priority: 0, pathPatterns: ['/a'], forward: 'default' }] })).toEqual(['dev.loadBalancer.listenerRules[0].priority: 0 is outside 1–50000']);
  });

  it('forward names a target group', () => {
    expect(problems({ targetGroups: [api], listenerRules: [{ priority: 1, hostHeaders: ['api.example.com'], forward: 'apı' }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].forward: apı is not a target group (default, api)',
    ]);
    expect(problems({ targetGroups: [api], listenerRules: [{ priority: 1, hostHeaders: ['api.example.com'], forward: 'api' }] })).toEqual([]);
  });

  it('a condition and exactly one action', () => {
    expect(problems({ listenerRules: [{ priority: 1, forward: 'default' }] })).toEqual(['dev.loadBalancer.listenerRules[0]: needs a condition: hostHeaders or pathPatterns']);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a'] }] })).toEqual([
      'dev.loadBalancer.listenerRules[0]: needs exactly one action: forward, fixedResponse or redirect',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a'], forward: 'default', fixedResponse: { statusCode: 404 } }] })).toEqual([
      'dev.loadBalancer.listenerRules[0]: has forward and fixedResponse; give exactly one action',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a', '/b', '/c'], hostHeaders: ['a.example.com', 'b.example.com', 'c.example.com'], forward: 'default' }] })).toEqual([
      'dev.loadBalancer.listenerRules[0]: has 6 host and path values; AWS allows 5 per rule',
    ]);
  });

  it('conditions and actions AWS takes', () => {
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a b'], forward: 'default' }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].pathPatterns[0]: is not a path pattern (letters, digits, _ - . $ / ~ " \' @ : + & * ?; at most 128)',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, hostHeaders: ['api_example.com'], forward: 'default' }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].hostHeaders[0]: is not a host name pattern (letters, digits, - . * ?; at most 128)',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a'], fixedResponse: { statusCode: 302 } }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].fixedResponse.statusCode: 302 is not a 2XX, 4XX or 5XX status',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a'], redirect: { statusCode: 'HTTP_301', query: 'x=1' } }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].redirect: changes none of host, path, port or protocol: it would redirect to itself',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/a'], redirect: { statusCode: 'HTTP_301', host: '#{host}', path: '/#{path}' } }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].redirect: changes none of host, path, port or protocol: it would redirect to itself',
    ]);
    expect(problems({ listenerRules: [{ priority: 1, pathPatterns: ['/old/*'], redirect: { statusCode: 'HTTP_301', path: '/new/#{path}', port: '99999' } }] })).toEqual([
      'dev.loadBalancer.listenerRules[0].redirect.port: must be 1–65535 or #{port}',
    ]);
  });
});

describe('an internal load balancer', () => {
  it('cannot be health-checked by Route 53', () => {
    expect(problemsFor((e) => (e.loadBalancer = { internal: true, ingressCidrs: ['10.0.0.0/8'] }))).toEqual([
      'prod.dns.healthCheck: Route 53 health checkers cannot reach an internal load balancer (loadBalancer.internal); set healthCheck: false (and no failover)',
    ]);
    // dev has a plain alias and no health check: the alias works for an internal load balancer too.
    expect(problems({ internal: true, ingressCidrs: ['10.0.0.0/8'] })).toEqual([]);
  });

  it('is warned about when open to 0.0.0.0/0', () => {
    const warnings: string[] = [];
    loadBalancerWarnings({ loadBalancer: parsed({ internal: true }) }, (path, message) => warnings.push(`${path.join('.')}: ${message}`));
    expect(warnings).toEqual([
      'loadBalancer.ingressCidrs: an internal load balancer open to 0.0.0.0/0 takes traffic from every peered VPC, VPN and transit gateway routed to it; name their ranges',
    ]);
    warnings.length = 0;
    loadBalancerWarnings({ loadBalancer: parsed({ internal: false }) }, (path, message) => warnings.push(`${path.join('.')}: ${message}`));
    loadBalancerWarnings({ loadBalancer: parsed({ internal: true, ingressCidrs: ['10.0.0.0/8'] }) }, (path, message) => warnings.push(`${path.join('.')}: ${message}`));
    expect(warnings).toEqual([]);
  });
});

describe('properties', () => {

  it('a health check is accepted exactly when AWS would take it', () => {
    const random = seededRandom(16);
    for (let run = 0; run < 200; run++) {
      const check = { interval: pick(random, 1, 320), timeout: pick(random, 0, 130), healthyThreshold: pick(random, 1, 11), unhealthyThreshold: pick(random, 1, 11) };
      const awsTakes =
        check.interval >= 5 &&
        check.interval <= 300 &&
        check.timeout >= 2 &&
        check.timeout <= 120 &&
        check.timeout < check.interval &&
        [check.healthyThreshold, check.unhealthyThreshold].every((t) => t >= 2 && t <= 10);
      expect(problems({ targetGroup: { healthCheck: check } }).length === 0, JSON.stringify(check)).toBe(awsTakes);
    }
  });

  it('a matcher is accepted exactly when it lists codes or ranges of 200–499', () => {
    const random = seededRandom(17);
    for (let run = 0; run < 200; run++) {
      const parts = Array.from({ length: pick(random, 1, 3) }, () => {
        const low = pick(random, 150, 520);
        return random() < 0.4 ? `${low}-${low + pick(random, -20, 99)}` : String(low);
      });
      const matcher = random() < 0.05 ? parts.join(' ') : parts.join(',');
      const awsTakes =
        !matcher.includes(' ') &&
        parts.every((part) => {
          const [low, high = low] = part.split('-').map(Number) as [number, number?];
          return low >= 200 && high! <= 499 && low <= high!;
        });
      expect(problems({ targetGroup: { healthCheck: { matcher } } }).length === 0, matcher).toBe(awsTakes);
    }
  });

  it('listener rule priorities are accepted exactly when unique', () => {
    const random = seededRandom(18);
    for (let run = 0; run < 50; run++) {
      const priorities = Array.from({ length: pick(random, 1, 6) }, () => pick(random, 1, 8));
      const listenerRules = priorities.map((priority, i) => ({ priority, pathPatterns: [`/p${i}`], forward: 'default' }));
      const unique = new Set(priorities).size === priorities.length;
      expect(problems({ listenerRules }).length === 0, priorities.join(',')).toBe(unique);
    }
  });
});

it('prod with every field set validates', () => {
  expect(
    problemsFor((e) => {
      e.dns!.healthCheck = false;
      e.dns!.failover = undefined;
      e.loadBalancer = {
        internal: true,
        ingressCidrs: ['10.0.0.0/8'],
        certificateArns: [CERT.replace('123456789012', prod.account)],
        webAcl: { rateLimit: 1000, ruleGroups: ['common', 'knownBadInputs', 'ipReputation', 'anonymousIp'], logRetentionDays: 400 },
        targetGroup: { deregistrationDelay: 60, slowStart: 60, stickiness: { cookieDuration: 3600 }, healthCheck: { matcher: '200-299', interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 2 } },
        targetGroups: [api],
        listenerRules: [{ priority: 1, hostHeaders: ['api.example.com'], forward: 'api' }],
      };
    }),
  ).toEqual([]);
});
