import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { AccessLogBucket } from './access-log-bucket';

export interface TargetHealthCheck {
  /** @default '/health' */
  readonly path?: string;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
  /** Seconds between checks. @default 15 */
  readonly interval?: number;
  /** Seconds before a check fails. @default 5 */
  readonly timeout?: number;
  /** @default '200' */
  readonly matcher?: string;
}

export interface LoadBalancerProps {
  /** Prefix for names, e.g. `web-app-prod`; at most 24 characters. */
  readonly name: string;
  readonly vpcId: string;
  /** Public subnets, one per AZ. */
  readonly subnetIds: string[];
  /** Listener certificate (ACM, same region). */
  readonly certificateArn: string;
  /** Port the instances serve on. */
  readonly targetPort: number;
  /**
   * CIDRs allowed to reach ports 443 and 80.
   * @default ['0.0.0.0/0']
   */
  readonly ingressCidrs?: readonly string[];
  /**
   * TLS negotiation policy for the HTTPS listener.
   * @default 'ELBSecurityPolicy-TLS13-1-2-2021-06'
   */
  readonly sslPolicy?: string;
  /**
   * Refuse API deletion of the load balancer.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Days to keep access logs.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Seconds an idle connection is kept open.
   * @default 60
   */
  readonly idleTimeout?: number;
  /**
   * Seconds to drain a deregistering target.
   * @default 30
   */
  readonly deregistrationDelay?: number;
  /** @default the seed's check: /health, 2/3, every 15 s, 5 s timeout, 200 */
  readonly healthCheck?: TargetHealthCheck;
}

const ACCESS_LOG_PREFIX = 'alb';

/**
 * An internet-facing ALB: HTTPS with a TLS 1.3 policy, HTTP redirected to
 * HTTPS, invalid headers dropped, access logs on, one target group.
 */
export class LoadBalancer extends Construct {
  public readonly securityGroupId: string;
  public readonly loadBalancerArn: string;
  /** `app/<name>/<id>`: the CloudWatch `LoadBalancer` dimension. */
  public readonly loadBalancerArnSuffix: string;
  public readonly dnsName: string;
  public readonly zoneId: string;
  public readonly targetGroupArn: string;
  /** `targetgroup/<name>/<id>`: the CloudWatch `TargetGroup` dimension. */
  public readonly targetGroupArnSuffix: string;
  public readonly httpsListener: LbListener;
  public readonly accessLogBucketName: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const sg = new SecurityGroup(this, 'sg', {
      // A prefix lets a replacement group exist before the old one is removed.
      namePrefix: `${props.name}-alb-`,
      description: `Internet-facing ALB for ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-alb` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = sg.id;
    for (const port of [443, 80]) {
      (props.ingressCidrs ?? ['0.0.0.0/0']).forEach((cidr, i) => {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
          securityGroupId: sg.id,
          description: port === 443 ? 'HTTPS from clients' : 'HTTP from clients, redirected to HTTPS',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
    }

    const logs = new AccessLogBucket(this, 'access-logs', {
      bucketPrefix: `${props.name}-alb-logs-`,
      logPrefix: ACCESS_LOG_PREFIX,
      retentionDays: props.accessLogRetentionDays,
    });
    this.accessLogBucketName = logs.bucketName;

    const alb = new Lb(this, 'alb', {
      name: `${props.name}-alb`,
      loadBalancerType: 'application',
      internal: false,
      securityGroups: [sg.id],
      subnets: props.subnetIds,
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection ?? true,
      idleTimeout: props.idleTimeout ?? 60,
      accessLogs: { bucket: logs.bucketName, prefix: ACCESS_LOG_PREFIX, enabled: true },
      dependsOn: [logs.policy],
    });
    this.loadBalancerArn = alb.arn;
    this.loadBalancerArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;

    const hc = props.healthCheck ?? {};
    const targets = new LbTargetGroup(this, 'targets', {
      // A prefix, not a name: a replaced target group must coexist with the old one.
      namePrefix: `${props.name.slice(0, 5)}-`,
      port: props.targetPort,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: props.vpcId,
      deregistrationDelay: String(props.deregistrationDelay ?? 30),
      healthCheck: {
        enabled: true,
        path: hc.path ?? '/health',
        port: 'traffic-port',
        protocol: 'HTTP',
        healthyThreshold: hc.healthyThreshold ?? 2,
        unhealthyThreshold: hc.unhealthyThreshold ?? 3,
        interval: hc.interval ?? 15,
        timeout: hc.timeout ?? 5,
        matcher: hc.matcher ?? '200',
      },
      tags: { Name: `${props.name}-targets` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.targetGroupArn = targets.arn;
    this.targetGroupArnSuffix = targets.arnSuffix;

    this.httpsListener = new LbListener(this, 'https', {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: props.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: targets.arn }],
    });
    new LbListener(this, 'http', {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
  }
}
