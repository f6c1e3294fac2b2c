import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

/** Where an alias record points: a load balancer, a CloudFront distribution, … */
export interface AliasTarget {
  readonly dnsName: string;
  readonly hostedZoneId: string;
  /** Let Route 53 use the target's own health (ALBs: yes; CloudFront: not supported). */
  readonly evaluateTargetHealth: boolean;
}

export interface AliasRecordProps {
  readonly zoneId: string;
  /** Record name, e.g. `app.example.com`. */
  readonly name: string;
  readonly target: AliasTarget;
}

/** A plain alias A record. */
export class AliasRecord extends Construct {
  public readonly fqdn: string;

  constructor(scope: Construct, id: string, props: AliasRecordProps) {
    super(scope, id);
    this.fqdn = new Route53Record(this, 'record', {
      zoneId: props.zoneId,
      name: props.name,
      type: 'A',
      alias: {
        name: props.target.dnsName,
        zoneId: props.target.hostedZoneId,
        evaluateTargetHealth: props.target.evaluateTargetHealth,
      },
    }).fqdn;
  }
}

export interface FailoverRecordsProps {
  readonly zoneId: string;
  readonly name: string;
  readonly primary: AliasTarget & { readonly healthCheckId: string };
  readonly secondary: AliasTarget & { readonly healthCheckId?: string };
}

/** PRIMARY and SECONDARY alias records: traffic moves when the primary's health check fails. */
export class FailoverRecords extends Construct {
  public readonly primaryFqdn: string;

  constructor(scope: Construct, id: string, props: FailoverRecordsProps) {
    super(scope, id);
    const record = (role: 'PRIMARY' | 'SECONDARY', target: AliasTarget & { readonly healthCheckId?: string }) =>
      new Route53Record(this, role.toLowerCase(), {
        zoneId: props.zoneId,
        name: props.name,
        type: 'A',
        setIdentifier: role.toLowerCase(),
        failoverRoutingPolicy: { type: role },
        healthCheckId: target.healthCheckId,
        alias: { name: target.dnsName, zoneId: target.hostedZoneId, evaluateTargetHealth: target.evaluateTargetHealth },
      });
    this.primaryFqdn = record('PRIMARY', props.primary).fqdn;
    record('SECONDARY', props.secondary);
  }
}
