import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

/**
 * The AWS services a private fleet reaches without NAT: Session Manager
 * (`ssm`, `ssmmessages`, `ec2messages`), ECR pulls (`ecr.api`, `ecr.dkr`; the
 * layers come from S3 through the gateway endpoint), CloudWatch Logs, STS
 * and Secrets Manager. Each is `com.amazonaws.<region>.<name>`.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['ssm', 'ssmmessages', 'ec2messages', 'ecr.api', 'ecr.dkr', 'logs', 'sts', 'secretsmanager'] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** The only port interface endpoints answer on. */
const HTTPS = 443;

/** One statement of an endpoint policy; the principal is always `*` (who may call is IAM's job, or a condition's). */
export interface EndpointPolicyStatement {
  /** Statement ID, letters and digits. @default none */
  readonly sid?: string;
  /** @default 'Allow' (IAM's default) */
  readonly effect?: 'Allow' | 'Deny';
  /** e.g. `s3:GetObject`. */
  readonly actions: readonly string[];
  /** e.g. `arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*`. */
  readonly resources: readonly string[];
  /** IAM conditions, e.g. `{ test: 'StringEquals', variable: 'aws:PrincipalAccount', values: ['111122223333'] }`. @default none */
  readonly conditions?: readonly { readonly test: string; readonly variable: string; readonly values: readonly string[] }[];
}

export interface S3GatewayEndpointProps {
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  /** Route tables that get the S3 prefix-list route. */
  readonly routeTableIds: readonly string[];
  /**
   * Endpoint policy statements.
   * @default none: AWS's full-access policy
   */
  readonly policy?: readonly EndpointPolicyStatement[];
}

/**
 * The (free) S3 gateway endpoint, built directly in `scope` so both network
 * constructs keep its address. A policy narrows what S3 traffic through the
 * endpoint may do; it must still let the instances reach their OS
 * repositories (Amazon Linux 2023: `al2023-repos-<region>-de612dc2`).
 */
export function addS3GatewayEndpoint(scope: Construct, props: S3GatewayEndpointProps): VpcEndpoint {
  const policy = props.policy ? new DataAwsIamPolicyDocument(scope, 's3-endpoint-policy', { statement: props.policy.map(policyStatement) }).json : undefined;
  return new VpcEndpoint(scope, 's3-endpoint', {
    vpcId: props.vpcId,
    serviceName: `com.amazonaws.${props.region}.s3`,
    vpcEndpointType: 'Gateway',
    routeTableIds: [...props.routeTableIds],
    policy,
    tags: { Name: `${props.name}-s3` },
  });
}

function policyStatement(statement: EndpointPolicyStatement) {
  return {
    sid: statement.sid,
    effect: statement.effect,
    actions: [...statement.actions],
    resources: [...statement.resources],
    // Endpoint policies need a principal; `*` leaves who may call to IAM and the conditions.
    principals: [{ type: '*', identifiers: ['*'] }],
    condition: statement.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
  };
}

export interface InterfaceEndpointsProps {
  /** Prefix for names and `Name` tags. */
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  /** Private subnets, one per AZ: each endpoint gets a network interface in each. */
  readonly subnetIds: readonly string[];
  /** Services, by the last part of their service name. */
  readonly services: readonly InterfaceEndpointService[];
  /**
   * Ranges that may reach the endpoints on 443 (the VPC's, when the stack built it).
   * @default none: only the groups given to `allowAccessFrom`
   */
  readonly allowedCidrs?: readonly string[];
}

/**
 * Interface endpoints with private DNS, so the SDKs and agents on private
 * instances reach these services by their usual names without NAT, behind
 * one security group that takes HTTPS from the given ranges and groups only
 * (and sends nothing: a security group is stateful, replies need no rule).
 */
export class InterfaceEndpoints extends Construct {
  public readonly securityGroupId: string;
  private allowedGroups = 0;

  constructor(scope: Construct, id: string, props: InterfaceEndpointsProps) {
    super(scope, id);
    const sg = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.name}-endpoints-`,
      description: `Interface VPC endpoints of ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-endpoints` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = sg.id;
    (props.allowedCidrs ?? []).forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `from-cidr-${i}`, {
        securityGroupId: sg.id,
        description: `HTTPS from ${cidr} to the interface endpoints`,
        ipProtocol: 'tcp',
        fromPort: HTTPS,
        toPort: HTTPS,
        cidrIpv4: cidr,
      });
    });
    for (const service of props.services) {
      new VpcEndpoint(this, service.replace('.', '-'), {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [sg.id],
        tags: { Name: `${props.name}-${service}` },
      });
    }
  }

  /** Lets members of `securityGroupId` reach the endpoints on 443. */
  public allowAccessFrom(securityGroupId: string): void {
    new VpcSecurityGroupIngressRule(this, `from-group-${this.allowedGroups++}`, {
      securityGroupId: this.securityGroupId,
      description: 'HTTPS from a security group to the interface endpoints',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}
