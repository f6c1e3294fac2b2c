/** Where the instances may connect to beyond the defaults: one described rule per destination. */
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import type { Construct } from 'constructs';

/** Outbound ports open to anywhere (package repositories, AWS APIs). */
export const DEFAULT_EGRESS_PORTS: readonly number[] = [443];

export type EgressProtocol = 'tcp' | 'udp' | 'icmp' | 'all';

/** One outbound rule of the instances' security group; exactly one destination. */
export interface EgressRule {
  /** What the rule is for, e.g. `PostgreSQL on the orders database`. */
  readonly description: string;
  /** @default 'tcp' */
  readonly protocol?: EgressProtocol;
  /** First port (ICMP: the type); none with `all`. */
  readonly fromPort?: number;
  /** @default fromPort (ICMP: the code, -1 for every code) */
  readonly toPort?: number;
  readonly cidrIpv4?: string;
  readonly prefixListId?: string;
  readonly securityGroupId?: string;
}

/** A stable key for a rule (protocol, ports, destination): what AWS calls a duplicate, and the rule's construct id. */
export function egressRuleKey(rule: EgressRule): string {
  const protocol = rule.protocol ?? 'tcp';
  const ports = protocol === 'all' ? 'all' : `${rule.fromPort}-${rule.toPort ?? rule.fromPort}`;
  const destination = rule.cidrIpv4 ?? rule.prefixListId ?? rule.securityGroupId ?? 'none';
  return `${protocol}-${ports}-${destination}`;
}

/** The rules on `securityGroupId`, each keyed by what it allows, so reordering the list replaces nothing. */
export function addEgressRules(scope: Construct, securityGroupId: string, rules: readonly EgressRule[]): void {
  for (const rule of rules) {
    const protocol = rule.protocol ?? 'tcp';
    const destinations = [rule.cidrIpv4, rule.prefixListId, rule.securityGroupId].filter((d) => d !== undefined);
    if (destinations.length !== 1) throw new Error(`egress rule "${rule.description}" needs exactly one of cidrIpv4, prefixListId, securityGroupId`);
    if (protocol !== 'all' && rule.fromPort === undefined) throw new Error(`egress rule "${rule.description}" needs fromPort`);
    new VpcSecurityGroupEgressRule(scope, `egress-rule-${egressRuleKey(rule).replace(/[^A-Za-z0-9-]/g, '-')}`, {
      securityGroupId,
      description: rule.description,
      ipProtocol: protocol === 'all' ? '-1' : protocol,
      // AWS takes no ports with every protocol.
      fromPort: protocol === 'all' ? undefined : rule.fromPort,
      toPort: protocol === 'all' ? undefined : (rule.toPort ?? rule.fromPort),
      cidrIpv4: rule.cidrIpv4,
      prefixListId: rule.prefixListId,
      referencedSecurityGroupId: rule.securityGroupId,
    });
  }
}
