import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Construct } from 'constructs';
import { accountOf, waive } from '../security';
import { recordedAccount } from '../shared/iam';
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
   * @default DEFAULT_SSL_POLICY: TLS 1.3 and 1.2, forward-secret ciphers only
   */
  readonly sslPolicy?: string;
  /**
   * Account of the load balancer; its access-log bucket accepts this account's logs only.
   * @default the stack's account (`useAccount`), else the account of `certificateArn` (a listener takes certificates of its own account only)
   */
  readonly account?: string;
  /**
   * Put an AWS WAF web ACL in front of the load balancer, with the AWS
   * managed common rule set and known-bad-inputs rules (Log4j among them).
   * Costs about $7 a month plus $0.60 per million requests.
   * @default true
   */
  readonly webAcl?: boolean;
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
/** TLS 1.3 and 1.2 with forward-secret (ECDHE) ciphers only: no static-RSA key exchange, no CBC-SHA1. */
/** On by default; the environment schema uses it. */
export const DEFAULT_WEB_ACL = true;

export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';
/** AWS managed rule groups of the web ACL, in priority order. */
export const WEB_ACL_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

/**
 * An internet-facing ALB: HTTPS with a TLS 1.3 forward-secret policy, HTTP
 * redirected to HTTPS, invalid headers dropped, access logs on, a WAF in
 * front, one target group.
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
  /** ARN of the web ACL, when there is one. */
  public readonly webAclArn?: string;

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
        const rule = new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
          securityGroupId: sg.id,
          description: port === 443 ? 'HTTPS from clients' : 'HTTP from clients, redirected to HTTPS',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
        if (port === 80 && cidr === '0.0.0.0/0') {
          waive(rule, 'CKV_AWS_260', 'the port 80 listener only answers 301 to HTTPS (CKV2_AWS_20); closing it would break http:// links, not protect anything');
        }
      });
    }

    const logs = new AccessLogBucket(this, 'access-logs', {
      bucketPrefix: `${props.name}-alb-logs-`,
      logPrefix: ACCESS_LOG_PREFIX,
      account: props.account ?? recordedAccount(this) ?? accountOf(props.certificateArn),
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
    if (props.webAcl ?? DEFAULT_WEB_ACL) this.webAclArn = this.addWebAcl(props.name, alb);

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
      sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
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

  /** A regional web ACL: allow by default, AWS managed rule groups block known attacks. */
  private addWebAcl(name: string, alb: Lb): string {
    const metric = (suffix: string) => ({ cloudwatchMetricsEnabled: true, metricName: `${name}-${suffix}`, sampledRequestsEnabled: true });
    const acl = new Wafv2WebAcl(this, 'web-acl', {
      name: `${name}-alb`,
      description: `AWS managed protections in front of ${name}-alb`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: WEB_ACL_RULE_GROUPS.map((group, priority) => ({
        name: group,
        priority,
        // `none`: the groups' own block actions apply.
        overrideAction: { none: {} },
        // The provider types `statement` loosely; it is passed to Terraform as written, so snake_case.
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
        visibilityConfig: metric(group),
      })),
      visibilityConfig: metric('web-acl'),
    });
    new Wafv2WebAclAssociation(this, 'web-acl-association', { resourceArn: alb.arn, webAclArn: acl.arn });
    return acl.arn;
  }
}
