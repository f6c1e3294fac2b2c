import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import type { Construct } from 'constructs';

export interface TargetHealthCheck {
  /** @default '/health' */
  readonly path?: string;
  /** Consecutive passes before a target counts as healthy (2–10). @default 2 */
  readonly healthyThreshold?: number;
  /** Consecutive failures before a target counts as unhealthy (2–10). @default 3 */
  readonly unhealthyThreshold?: number;
  /** Seconds between checks (5–300). @default 15 */
  readonly interval?: number;
  /** Seconds before a check fails (2–120, less than `interval`). @default 5 */
  readonly timeout?: number;
  /** HTTP codes that mean healthy: `200`, `200,302` or `200-299` (200–499). @default '200' */
  readonly matcher?: string;
}

/** How a target group treats its targets: draining, warm-up, affinity and health. */
export interface TargetGroupTuning {
  /** Seconds to drain a deregistering target (0–3600). @default 30 */
  readonly deregistrationDelay?: number;
  /** Seconds a new target's share of requests ramps up over: 0 (off) or 30–900. @default off */
  readonly slowStart?: number;
  /** Load-balancer-generated cookie (`lb_cookie`) stickiness. @default none: every request is balanced */
  readonly stickiness?: { readonly cookieDuration: number };
  /** @default TARGET_GROUP_DEFAULTS.healthCheck */
  readonly healthCheck?: TargetHealthCheck;
}

/** The seed's target group: 30 s draining, no slow start, no stickiness, /health 2/3 every 15 s with a 5 s timeout, 200. */
export const TARGET_GROUP_DEFAULTS = {
  deregistrationDelay: 30,
  healthCheck: { path: '/health', healthyThreshold: 2, unhealthyThreshold: 3, interval: 15, timeout: 5, matcher: '200' },
} as const;

/** AWS's accepted ranges, checked at synth by the environment schema. */
export const TARGET_GROUP_LIMITS = {
  deregistrationDelay: [0, 3600],
  slowStart: [30, 900],
  cookieDuration: [1, 604800],
  interval: [5, 300],
  timeout: [2, 120],
  threshold: [2, 10],
  matcherCode: [200, 499],
} as const;

export interface InstanceTargetGroupProps extends TargetGroupTuning {
  /** At most 6 characters; AWS appends a unique suffix, so a replacement can exist beside the old group. */
  readonly namePrefix: string;
  /** `Name` tag. */
  readonly displayName: string;
  readonly port: number;
  readonly vpcId: string;
  /**
   * How targets register: instances by ID, or (awsvpc tasks) by their interface's address.
   * @default 'instance'
   */
  readonly targetType?: 'instance' | 'ip';
}

/** An HTTP target group of instances (or IP targets), health-checked on the traffic port. */
export function instanceTargetGroup(scope: Construct, id: string, props: InstanceTargetGroupProps): LbTargetGroup {
  const hc = { ...TARGET_GROUP_DEFAULTS.healthCheck, ...definedOnly(props.healthCheck ?? {}) };
  return new LbTargetGroup(scope, id, {
    namePrefix: props.namePrefix,
    port: props.port,
    protocol: 'HTTP',
    targetType: props.targetType ?? 'instance',
    vpcId: props.vpcId,
    deregistrationDelay: String(props.deregistrationDelay ?? TARGET_GROUP_DEFAULTS.deregistrationDelay),
    // Left out when unset: AWS's own default (0, off) then applies and the plan carries no attribute.
    slowStart: props.slowStart || undefined,
    stickiness: props.stickiness ? { type: 'lb_cookie', enabled: true, cookieDuration: props.stickiness.cookieDuration } : undefined,
    healthCheck: {
      enabled: true,
      path: hc.path,
      port: 'traffic-port',
      protocol: 'HTTP',
      healthyThreshold: hc.healthyThreshold,
      unhealthyThreshold: hc.unhealthyThreshold,
      interval: hc.interval,
      timeout: hc.timeout,
      matcher: hc.matcher,
    },
    tags: { Name: props.displayName },
    lifecycle: { createBeforeDestroy: true },
  });
}

/** `value` without its undefined fields, so spreading it keeps the defaults they would hide. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
