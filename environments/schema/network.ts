/** The VPC (built, or brought by ID), its subnets, NAT gateways and endpoints, and its flow logs. */
import { z } from 'zod';
import { DEFAULT_FLOW_LOG_RETENTION_DAYS, DEFAULT_NAT_MODE, DEFAULT_SUBNET_PREFIX_LENGTH, INTERFACE_ENDPOINT_SERVICES } from '../../modules/network';
import { ec2ResourceId, MAX_ENDPOINT_POLICY_CHARACTERS } from '../aws-limits';
import { natMode, reportDuplicates, retentionDays, subnetCidr, vpcCidr } from './primitives';

const vpcId = ec2ResourceId('vpc', 'VPC');
const subnetId = ec2ResourceId('subnet', 'subnet');
const routeTableId = ec2ResourceId('rtb', 'route table');

/** Bring your own VPC: used by ID, nothing of it built or looked up. */
const existingVpcSchema = z
  .strictObject({
    vpcId: vpcId.meta({ description: 'ID of the VPC, `vpc-` and 8 or 17 hex digits. It must have DNS support and DNS hostnames on (interface endpoints\' private DNS needs them).' }),
    publicSubnetIds: z
      .array(subnetId.meta({ description: 'A public subnet ID (`subnet-…`), routed to an internet gateway.' }))
      .meta({ description: 'Public subnets of the VPC for the load balancer, one per availability zone, in availabilityZones order.' }),
    privateSubnetIds: z
      .array(subnetId.meta({ description: 'A private subnet ID (`subnet-…`) with egress (NAT, a transit gateway, or endpoints).' }))
      .meta({ description: 'Private subnets of the VPC for the instances and interface endpoints, one per availability zone, in availabilityZones order.' }),
    privateRouteTableIds: z
      .array(routeTableId.meta({ description: 'A route table ID (`rtb-…`).' }))
      .min(1)
      .optional()
      .meta({
        description:
          'Route tables of the private subnets, to which the S3 gateway endpoint adds its route. Omitted, no S3 gateway endpoint is built (the VPC\'s owner usually has one; a route table takes one S3 endpoint route).',
      }),
  })
  .superRefine((existing, ctx) => {
    const seen = new Map<string, string>();
    for (const field of ['publicSubnetIds', 'privateSubnetIds'] as const) {
      existing[field].forEach((id, i) => {
        const first = seen.get(id);
        if (first) ctx.addIssue({ code: 'custom', path: [field, i], message: `${id} is already ${first}; each subnet serves one tier in one AZ` });
        else seen.set(id, `${field}[${i}]`);
      });
    }
    reportDuplicates(existing.privateRouteTableIds ?? [], (i, id) => ctx.addIssue({ code: 'custom', path: ['privateRouteTableIds', i], message: `duplicate route table ${id}` }));
  })
  .meta({
    description:
      'Bring your own VPC (a landing zone\'s): the stack builds no VPC, subnets, internet gateway, NAT gateways or routes, and looks nothing up (plans stay offline). Not with vpcCidr, natMode, subnetPrefixLength, publicSubnets or privateSubnets.',
  });

const condition = z
  .strictObject({
    test: z
      .string()
      .regex(/^(ForAllValues:|ForAnyValue:)?[A-Za-z]+$/, 'is not an IAM condition operator like StringEquals or ArnLike')
      .meta({ description: 'Condition operator, e.g. `StringEquals`, `ArnLike`.' }),
    variable: z.string().regex(/^[a-z0-9]+:[\w/.:-]+$/i, 'is not a condition key like aws:PrincipalAccount').meta({ description: 'Condition key, e.g. `aws:PrincipalAccount`, `aws:ResourceOrgID`.' }),
    values: z.array(z.string()).min(1).meta({ description: 'Values the key is compared with; any one may match.' }),
  })
  .meta({ description: 'An IAM condition.' });

const s3Action = z
  .string()
  .regex(/^(\*|s3:[A-Za-z*?]+)$/, 'is not an S3 action like s3:GetObject (only S3 actions pass through an S3 endpoint)')
  .meta({ description: 'An S3 action, e.g. `s3:GetObject`, `s3:List*`.' });

const s3Resource = z
  .string()
  .regex(/^(\*|arn:aws[a-z-]*:s3:[a-z0-9-]*:(\d{12})?:\S+)$/, 'is not an S3 ARN like arn:aws:s3:::bucket/* (or *)')
  .meta({ description: 'An S3 ARN, e.g. `arn:aws:s3:::my-bucket/*`, or `*`.' });

const endpointStatement = z
  .strictObject({
    sid: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only').optional().meta({ description: 'Statement ID: letters and digits.' }),
    effect: z.enum(['Allow', 'Deny']).default('Allow').meta({ description: '`Allow` or `Deny`.' }),
    actions: z.array(s3Action).min(1).meta({ description: 'S3 actions the statement covers.' }),
    resources: z.array(s3Resource).min(1).meta({ description: 'Buckets and objects it covers, as S3 ARNs.' }),
    conditions: z.array(condition).optional().meta({ description: 'Conditions, all of which must hold, e.g. aws:PrincipalAccount or aws:ResourceOrgID.' }),
  })
  .meta({ description: 'An endpoint policy statement; its principal is `*` (who may call stays IAM\'s job, or a condition\'s).' });

const s3EndpointPolicySchema = z
  .strictObject({
    statements: z.array(endpointStatement).min(1).meta({ description: 'The policy\'s statements.' }),
  })
  .superRefine((policy, ctx) => {
    const sids = new Set<string>();
    policy.statements.forEach(({ sid }, i) => {
      if (sid === undefined) return;
      if (sids.has(sid)) ctx.addIssue({ code: 'custom', path: ['statements', i, 'sid'], message: `duplicate sid ${sid}` });
      sids.add(sid);
    });
    if (!policy.statements.some((s) => s.effect === 'Allow')) {
      ctx.addIssue({ code: 'custom', path: ['statements'], message: 'has no Allow statement: the endpoint would refuse all S3 traffic, dnf\'s included' });
    }
    const size = endpointPolicySize(policy.statements);
    if (size > MAX_ENDPOINT_POLICY_CHARACTERS) {
      ctx.addIssue({ code: 'custom', path: ['statements'], message: `renders to about ${size} characters; a VPC endpoint policy holds at most ${MAX_ENDPOINT_POLICY_CHARACTERS}` });
    }
  })
  .meta({
    description:
      'Policy of the S3 gateway endpoint; omitted, AWS\'s full-access policy. A restrictive one must still allow s3:GetObject on the Amazon Linux repositories (arn:aws:s3:::al2023-repos-<region>-de612dc2/*), or dnf fails; synth warns when it does not.',
  });

/** Compact JSON length of the policy as IAM stores it: what the endpoint's size limit counts. */
function endpointPolicySize(statements: z.output<typeof endpointStatement>[]): number {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Sid: s.sid,
      Effect: s.effect,
      Principal: '*',
      Action: s.actions,
      Resource: s.resources,
      Condition: s.conditions && Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: c.values }])),
    })),
  }).length;
}

/** Fields that describe a VPC the stack builds: none of them may come with `existing`. */
const BUILD_FIELDS = {
  vpcCidr: 'the brought VPC has its own range',
  natMode: 'the stack builds no NAT gateways in a brought VPC',
  subnetPrefixLength: 'the stack builds no subnets in a brought VPC',
  publicSubnets: 'give existing.publicSubnetIds',
  privateSubnets: 'give existing.privateSubnetIds',
  databaseSubnets: 'give database.subnetIds',
} as const;

export const networkSchema = z
  .strictObject({
    /** IPv4 CIDR of the VPC, /16 to /28, e.g. `10.20.0.0/16`. */
    vpcCidr: vpcCidr
      .optional()
      .meta({ description: 'IPv4 CIDR of the VPC the stack builds, /16 to /28, e.g. 10.20.0.0/16. Must hold every subnet. Required unless `existing` brings a VPC.' }),
    /** A VPC built elsewhere, used by ID. */
    existing: existingVpcSchema.optional(),
    /** `single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency). */
    natMode: natMode.optional().meta({
      default: DEFAULT_NAT_MODE,
      description: '`single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency). Not with `existing`.',
    }),
    /** Prefix length of generated subnets. */
    subnetPrefixLength: z
      .number()
      .int()
      .min(16)
      .max(28)
      .optional()
      .meta({
        default: DEFAULT_SUBNET_PREFIX_LENGTH,
        description: 'Prefix length of the generated subnets (one public and one private per AZ); ignored when both subnet lists are given. Not with `existing`.',
      }),
    /** Explicit public subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    publicSubnets: z
      .array(subnetCidr.meta({ description: 'Public subnet CIDR, /16 to /28, inside vpcCidr.' }))
      .optional()
      .meta({ description: 'Explicit public subnet CIDRs, one per AZ, in AZ order. Generated from vpcCidr when omitted; not with `existing`.' }),
    /** Explicit private subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    privateSubnets: z
      .array(subnetCidr.meta({ description: 'Private subnet CIDR, /16 to /28, inside vpcCidr.' }))
      .optional()
      .meta({ description: 'Explicit private subnet CIDRs, one per AZ, in AZ order. Generated from vpcCidr when omitted; not with `existing`.' }),
    /** Explicit isolated database subnet CIDRs, one per AZ; generated when a database asks for subnets and these are omitted. */
    databaseSubnets: z
      .array(subnetCidr.meta({ description: 'Database subnet CIDR, /16 to /28, inside vpcCidr.' }))
      .optional()
      .meta({
        description:
          'Explicit isolated database subnet CIDRs (no route to the NAT or the internet), one per AZ, in AZ order; used only with a `database` section. Generated from vpcCidr after the private subnets when omitted; not with `existing`.',
      }),
    /** S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways. */
    s3GatewayEndpoint: z
      .boolean()
      .default(true)
      .meta({ description: 'S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways. With `existing`, built only when existing.privateRouteTableIds is given.' }),
    /** Who may do what to which buckets through the S3 gateway endpoint. */
    s3EndpointPolicy: s3EndpointPolicySchema.optional(),
    /** Interface endpoints, by service. */
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINT_SERVICES).meta({ description: 'A service, by the last part of its endpoint name com.amazonaws.<region>.<service>.' }))
      .superRefine((services, ctx) => reportDuplicates(services, (i, service) => ctx.addIssue({ code: 'custom', path: [i], message: `duplicate interface endpoint ${service}` })))
      .default([])
      .meta({
        description:
          'Interface VPC endpoints (about $0.01 an hour per AZ each, plus data), with private DNS, in the private subnets, behind their own security group that takes HTTPS from the VPC (a built VPC) or from the instances (a brought one): Session Manager (ssm, ssmmessages, ec2messages), ECR (ecr.api, ecr.dkr), logs, sts, secretsmanager.',
      }),
  })
  .superRefine((network, ctx) => {
    if (network.existing) {
      for (const [field, why] of Object.entries(BUILD_FIELDS)) {
        if (network[field as keyof typeof BUILD_FIELDS] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `cannot be combined with existing: ${why}` });
      }
      if (network.s3EndpointPolicy && !network.existing.privateRouteTableIds) {
        ctx.addIssue({ code: 'custom', path: ['s3EndpointPolicy'], message: 'applies to no endpoint: a brought VPC gets an S3 gateway endpoint only with existing.privateRouteTableIds' });
      }
    } else if (network.vpcCidr === undefined) {
      ctx.addIssue({ code: 'custom', path: ['vpcCidr'], message: 'is required unless existing brings a VPC' });
    }
    if (network.s3EndpointPolicy && !network.s3GatewayEndpoint) {
      ctx.addIssue({ code: 'custom', path: ['s3EndpointPolicy'], message: 'applies to no endpoint: s3GatewayEndpoint is false' });
    }
  })
  .meta({ description: 'The VPC, built from vpcCidr or brought by ID (`existing`): its subnets, NAT gateways and endpoints.' });

export const flowLogsSchema = z
  .strictObject({
    /** Whether the VPC's flow logs are recorded to CloudWatch Logs. */
    enabled: z.boolean().default(true).meta({ description: 'Record the VPC\'s flow logs (all traffic) to CloudWatch Logs; a brought VPC gets flow logs of the stack\'s own too.' }),
    /** Days to keep flow logs; one of CloudWatch Logs' retentions. */
    retentionDays: retentionDays.default(DEFAULT_FLOW_LOG_RETENTION_DAYS).meta({ description: 'Days to keep flow logs; one of CloudWatch Logs\' retention periods.' }),
  })
  .prefault({})
  .meta({ description: 'VPC flow logs.' });
