import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { Construct } from 'constructs';

export interface HostedZoneProps {
  /** Zone apex, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * An existing public hosted zone's ID. Given: used as is (no lookup, so
   * plans stay offline). Omitted: the stack creates the zone.
   */
  readonly zoneId?: string;
}

/** A public hosted zone: brought by ID, or created here. */
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
    this.zoneId = zone.zoneId;
    this.nameServers = zone.nameServers;
  }
}
