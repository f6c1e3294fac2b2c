import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';
import { accountOf, waive } from '../security';
import { recordedAccount } from '../shared/iam';
import { AccessLogBucket } from './access-log-bucket';
import { addListenerRules, DEFAULT_TARGET_GROUP, type ListenerRule } from './listener-rules';
import { instanceTargetGroup, type TargetGroupTuning, type TargetHealthCheck } from './target-group';
import { addManagedWebAcl, associateWebAcl, WEB_ACL_DEFAULTS, type WebAclRuleGroup } from './web-acl';

export { AccessLogBucket, type AccessLogBucketProps } from './access-log-bucket';
export { DEFAULT_TARGET_GROUP, type FixedResponseContentType, type ListenerRule } from './listener-rules';
export { instanceTargetGroup, TARGET_GROUP_DEFAULTS, TARGET_GROUP_LIMITS, type TargetGroupTuning, type TargetHealthCheck } from './target-group';
export { WEB_ACL_DEFAULTS, WEB_ACL_RATE_LIMIT_RANGE, WEB_ACL_REDACTED_HEADERS, WEB_ACL_RULE_GROUPS, webAclLogGroupName, type WebAclRuleGroup } from './web-acl';

/** A regional web ACL managed elsewhere (Firewall Manager, a security account), associated as it is. */
export interface ExistingWebAcl {
  /** `arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>`, in the load balancer's region. */
  readonly arn: string;
}

/** A web ACL created here, tuned. */
export interface WebAclOptions {
  /** Requests per client IP in any 5 minutes before it is blocked. @default WEB_ACL_DEFAULTS.rateLimit */
  readonly rateLimit?: number;
  /** AWS managed rule groups. @default WEB_ACL_DEFAULTS.ruleGroups */
  readonly ruleGroups?: readonly WebAclRuleGroup[];
  /** Days the WAF log group keeps events. @default WEB_ACL_DEFAULTS.logRetentionDays */
  readonly logRetentionDays?: number;
}

/** A target group besides the default one; the fleet registers in it too, on `port`. */
export interface AdditionalTargetGroup extends TargetGroupTuning {
  /** Short slug, unique among the load balancer's target groups; listener rules forward to it by this name. */
  readonly name: string;
  /** Port the instances serve it on. */
  readonly port: number;
  readonly healthCheck: TargetHealthCheck & { readonly path: string };
}

export interface LoadBalancerProps extends TargetGroupTuning {
  /** Prefix for names, e.g. `web-app-prod`; at most 24 characters. */
  readonly name: string;
  readonly vpcId: string;
  /** One subnet per AZ: public ones, or private ones for an `internal` load balancer. */
  readonly subnetIds: string[];
  /** Listener certificate (ACM, same region). */
  readonly certificateArn: string;
  /**
   * More certificates (ACM, same region and account) the HTTPS listener
   * serves by SNI, for other host names.
   * @default []
   */
  readonly certificateArns?: readonly string[];
  /**
   * Internal scheme: reachable only from inside the VPC (and what is routed
   * to it); `subnetIds` are then private subnets.
   * @default false
   */
  readonly internal?: boolean;
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
   * An AWS WAF web ACL in front of the load balancer. `true` (or options)
   * creates one: Amazon IP reputation list, a per-IP rate limit, the AWS
   * common and known-bad-inputs rule groups (Log4j among them), logs to an
   * encrypted log group. `{ arn }` associates an existing regional ACL;
   * `false`, none. A created one costs about $9 a month plus $0.60 per
   * million requests, and its logs.
   * @default true
   */
  readonly webAcl?: boolean | ExistingWebAcl | WebAclOptions;
  /**
   * KMS key of the WAF log group; its policy must let CloudWatch Logs use it
   * for `webAclLogGroupName(name)` (OperationsKey `logGroupNames`).
   * @default CloudWatch Logs' service key (the security pack's CKV_AWS_158 flags it)
   */
  readonly webAclLogKmsKeyArn?: string;
  /**
   * Target groups besides the default one, for listener rules to forward to.
   * @default []
   */
  readonly targetGroups?: readonly AdditionalTargetGroup[];
  /**
   * Rules of the HTTPS listener; what no rule matches goes to the default target group.
   * @default []
   */
  readonly listenerRules?: readonly ListenerRule[];
  /**
   * Refuse API deletion of the load balancer. Without it, a destroy also deletes its access logs (S3 refuses to delete a bucket that is not empty).
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
}

const ACCESS_LOG_PREFIX = 'alb';
/** On by default; the environment schema uses it. */
export const DEFAULT_WEB_ACL = true;

/** Whether `webAcl` has the load balancer create a web ACL (and so a WAF log group), rather than none or an existing one. */
export function createsWebAcl(webAcl: LoadBalancerProps['webAcl'] = DEFAULT_WEB_ACL): webAcl is true | WebAclOptions {
  return webAcl !== false && !(typeof webAcl === 'object' && 'arn' in webAcl);
}

/** TLS 1.3 and 1.2 with forward-secret (ECDHE) ciphers only: no static-RSA key exchange, no CBC-SHA1. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';

/**
 * An ALB, internet-facing unless `internal`: HTTPS with a TLS 1.3
 * forward-secret policy (more certificates by SNI), HTTP redirected to
 * HTTPS, invalid headers dropped, access logs on, a WAF in front, a default
 * target group and any others the listener rules forward to.
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
  /** Every target group the fleet registers in: the default one first, then `targetGroups` in order. */
  public readonly targetGroupArns: string[];
  /** Ports of `targetGroups` other than `targetPort`, each once: the load balancer reaches the instances on them too. */
  public readonly additionalTargetPorts: number[];
  /** `targetgroup/<tg>/<id>` of each of `targetGroups`, by name: what their CloudWatch metrics are keyed by. */
  public readonly additionalTargetGroupArnSuffixes: Record<string, string> = {};
  public readonly httpsListener: LbListener;
  public readonly accessLogBucketName: string;
  /** ARN of the web ACL, when there is one (created here or associated). */
  public readonly webAclArn?: string;
  /** Log group of a web ACL created here. */
  public readonly webAclLogGroupName?: string;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const sg = new SecurityGroup(this, 'sg', {
      // A prefix lets a replacement group exist before the old one is removed.
      namePrefix: `${props.name}-alb-`,
      description: props.internal ? `Internal ALB for ${props.name}` : `Internet-facing ALB for ${props.name}`,
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
      // A balancer that may be deleted takes its logs with it: a destroy would otherwise stop at a bucket that is not empty.
      forceDestroy: !(props.deletionProtection ?? true),
    });
    this.accessLogBucketName = logs.bucketName;

    const alb = new Lb(this, 'alb', {
      name: `${props.name}-alb`,
      loadBalancerType: 'application',
      internal: props.internal ?? false,
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
    const webAcl = props.webAcl ?? DEFAULT_WEB_ACL;
    if (typeof webAcl === 'object' && 'arn' in webAcl) {
      associateWebAcl(this, 'web-acl-association', alb.arn, webAcl.arn);
      this.webAclArn = webAcl.arn;
    } else if (createsWebAcl(webAcl)) {
      const options: WebAclOptions = webAcl === true ? {} : webAcl;
      const created = addManagedWebAcl(this, { ...options, name: props.name, resourceArn: alb.arn, logKmsKeyArn: props.webAclLogKmsKeyArn });
      this.webAclArn = created.webAclArn;
      this.webAclLogGroupName = created.logGroupName;
      // Checkov's rule passes internal load balancers, so a waiver there would be stale.
      if (!props.internal && !(options.ruleGroups ?? WEB_ACL_DEFAULTS.ruleGroups).includes('anonymousIp')) {
        waive(
          alb,
          'CKV2_AWS_76',
          'AWSManagedRulesAnonymousIpList also blocks VPN users and every cloud-hosted caller (its HostingProviderIPList); it is opt-in (webAcl.ruleGroups), the Log4j rules (KnownBadInputs) are on',
        );
      }
    }

    const targets = instanceTargetGroup(this, 'targets', {
      // A prefix, not a name: a replaced target group must coexist with the old one.
      namePrefix: `${props.name.slice(0, 5)}-`,
      displayName: `${props.name}-targets`,
      port: props.targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: props.deregistrationDelay,
      slowStart: props.slowStart,
      stickiness: props.stickiness,
      healthCheck: props.healthCheck,
    });
    this.targetGroupArn = targets.arn;
    this.targetGroupArnSuffix = targets.arnSuffix;
    const byName = new Map<string, string>([[DEFAULT_TARGET_GROUP, targets.arn]]);
    for (const group of props.targetGroups ?? []) {
      const { name: groupName, ...tuning } = group;
      const extra = instanceTargetGroup(this, `targets-${groupName}`, {
        ...tuning,
        namePrefix: `${groupName.slice(0, 5)}-`,
        displayName: `${props.name}-${groupName}`,
        vpcId: props.vpcId,
      });
      byName.set(groupName, extra.arn);
      this.additionalTargetGroupArnSuffixes[groupName] = extra.arnSuffix;
    }
    this.targetGroupArns = [...byName.values()];
    this.additionalTargetPorts = [...new Set((props.targetGroups ?? []).map((g) => g.port))].filter((port) => port !== props.targetPort);

    this.httpsListener = new LbListener(this, 'https', {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: props.sslPolicy ?? DEFAULT_SSL_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: 'forward', targetGroupArn: targets.arn }],
    });
    for (const certificateArn of props.certificateArns ?? []) {
      // Named by the certificate's ID, not its place in the list: removing one leaves the others as they are.
      new LbListenerCertificate(this, `certificate-${certificateArn.split('/').pop()}`, { listenerArn: this.httpsListener.arn, certificateArn });
    }
    addListenerRules(this, this.httpsListener.arn, props.listenerRules ?? [], byName);
    new LbListener(this, 'http', {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
  }

  /**
   * Opens the load balancer's group outbound to `port` of the targets in
   * `securityGroupId` (it is closed outbound until a target says where it
   * is); the targets' group admits the load balancer on its own side.
   * `name` tells one such opening from another.
   */
  public allowTrafficTo(name: string, securityGroupId: string, port: number): void {
    new VpcSecurityGroupEgressRule(this, `to-${name}-${port}`, {
      securityGroupId: this.securityGroupId,
      description: `Load balancer to ${name} on port ${port}`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
