import { LbListenerRule, type LbListenerRuleAction, type LbListenerRuleCondition } from '@cdktf/provider-aws/lib/lb-listener-rule';
import type { Construct } from 'constructs';

export type FixedResponseContentType = 'text/plain' | 'text/css' | 'text/html' | 'application/javascript' | 'application/json';

/** One rule of the HTTPS listener: conditions that must all match, and exactly one action. */
export interface ListenerRule {
  /** 1–50000, unique on the listener; lower is evaluated first. */
  readonly priority: number;
  /** Host names (wildcards `*` and `?`), any of which matches. */
  readonly hostHeaders?: readonly string[];
  /** Path patterns (wildcards `*` and `?`, case-sensitive), any of which matches. */
  readonly pathPatterns?: readonly string[];
  /** Target group to send matching requests to: the name of one of `targetGroups`, or `default`. */
  readonly forward?: string;
  /** Answer from the load balancer itself. */
  readonly fixedResponse?: { readonly statusCode: number; readonly contentType?: FixedResponseContentType; readonly messageBody?: string };
  /** Redirect; omitted parts keep the request's own (`#{host}`, `#{path}`, …). */
  readonly redirect?: {
    readonly statusCode: 'HTTP_301' | 'HTTP_302';
    readonly host?: string;
    readonly path?: string;
    readonly port?: string;
    readonly protocol?: 'HTTP' | 'HTTPS' | '#{protocol}';
    readonly query?: string;
  };
}

/** The name a listener rule forwards to for the load balancer's own target group. */
export const DEFAULT_TARGET_GROUP = 'default';

/**
 * The listener's rules. `targetGroupArns` maps every name a rule may forward
 * to (`default` included); the environment schema has checked each reference.
 */
export function addListenerRules(scope: Construct, listenerArn: string, rules: readonly ListenerRule[], targetGroupArns: ReadonlyMap<string, string>): LbListenerRule[] {
  return rules.map(
    (rule) =>
      new LbListenerRule(scope, `rule-${rule.priority}`, {
        listenerArn,
        priority: rule.priority,
        condition: conditionsOf(rule),
        action: [actionOf(rule, targetGroupArns)],
      }),
  );
}

function conditionsOf(rule: ListenerRule): LbListenerRuleCondition[] {
  return [
    ...(rule.hostHeaders?.length ? [{ hostHeader: { values: [...rule.hostHeaders] } }] : []),
    ...(rule.pathPatterns?.length ? [{ pathPattern: { values: [...rule.pathPatterns] } }] : []),
  ];
}

function actionOf(rule: ListenerRule, targetGroupArns: ReadonlyMap<string, string>): LbListenerRuleAction {
  if (rule.forward !== undefined) {
    const targetGroupArn = targetGroupArns.get(rule.forward);
    if (!targetGroupArn) throw new Error(`listener rule ${rule.priority} forwards to unknown target group ${rule.forward}`);
    return { type: 'forward', targetGroupArn };
  }
  if (rule.fixedResponse) {
    const { statusCode, contentType, messageBody } = rule.fixedResponse;
    return { type: 'fixed-response', fixedResponse: { statusCode: String(statusCode), contentType: contentType ?? 'text/plain', messageBody } };
  }
  if (rule.redirect) return { type: 'redirect', redirect: { ...rule.redirect } };
  throw new Error(`listener rule ${rule.priority} has no action`);
}
