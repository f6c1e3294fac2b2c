import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { Construct } from 'constructs';
import { waive } from '../security';

export interface HostedZoneProps {
  /** Zone apex, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * An existing public hosted zone's ID. Given: used as is (no lookup, so
   * plans stay offline). Omitted: the stack creates the zone.
   */
  readonly zoneId?: string;
}

/**
 * A public hosted zone: brought by ID (the account's shared zones, where
 * DNSSEC and query logging are the zone owner's), or created here (dev's own
 * zone, sandboxes), without DNSSEC or query logging: see the waivers.
 */
export class HostedZone extends Construct {
  public readonly zoneId: string;
  public readonly zoneName: string;
  /** Name servers to delegate to, when the zone is created here. */
  public readonly nameServers?: string[];

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    this.zoneName = props.zoneName;
    if (props.zoneId) {
      this.zoneId = props.zoneId;
      return;
    }
    const zone = new Route53Zone(this, 'zone', { name: props.zoneName, comment: 'Managed by cdktf' });
    waive(
      zone,
      'CKV2_AWS_38',
      'a zone created here is a delegated sub-zone for dev or a sandbox; signing needs a us-east-1 KSK and a DS record in a parent this stack does not manage, and a broken chain takes the zone offline',
    );
    waive(zone, 'CKV2_AWS_39', 'a zone created here serves only dev or a sandbox; query logs need a us-east-1 log group and would audit nothing of value');
    this.zoneId = zone.zoneId;
    this.nameServers = zone.nameServers;
  }
}
