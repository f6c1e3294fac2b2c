/** The VPC, its subnets and NAT gateways, and its flow logs. */
import { z } from 'zod';
import { DEFAULT_FLOW_LOG_RETENTION_DAYS } from '../../modules/network';
import { natMode, retentionDays, subnetCidr, vpcCidr } from './primitives';

export const networkSchema = z
  .strictObject({
    /** IPv4 CIDR of the VPC, /16 to /28, e.g. `10.20.0.0/16`. */
    vpcCidr: vpcCidr.meta({ description: 'IPv4 CIDR of the VPC, /16 to /28, e.g. 10.20.0.0/16. Must hold every subnet.' }),
    /** `single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency). */
    natMode: natMode.default('single').meta({ description: '`single`: one NAT gateway (cheap); `per-az`: one per AZ (no cross-AZ dependency).' }),
    /** Prefix length of generated subnets. */
    subnetPrefixLength: z
      .number()
      .int()
      .min(16)
      .max(28)
      .default(24)
      .meta({ description: 'Prefix length of the generated subnets (one public and one private per AZ); ignored when both subnet lists are given.' }),
    /** Explicit public subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    publicSubnets: z
      .array(subnetCidr.meta({ description: 'Public subnet CIDR, /16 to /28, inside vpcCidr.' }))
      .optional()
      .meta({ description: 'Explicit public subnet CIDRs, one per AZ, in AZ order. Generated from vpcCidr when omitted.' }),
    /** Explicit private subnet CIDRs, one per AZ, in AZ order. Generated when omitted. */
    privateSubnets: z
      .array(subnetCidr.meta({ description: 'Private subnet CIDR, /16 to /28, inside vpcCidr.' }))
      .optional()
      .meta({ description: 'Explicit private subnet CIDRs, one per AZ, in AZ order. Generated from vpcCidr when omitted.' }),
    /** S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways. */
    s3GatewayEndpoint: z.boolean().default(true).meta({ description: 'S3 gateway endpoint: free, and keeps S3 traffic off the NAT gateways.' }),
  })
  .meta({ description: 'The VPC: its CIDR, subnets, NAT gateways and S3 endpoint.' });

export const flowLogsSchema = z
  .strictObject({
    /** Whether the VPC's flow logs are recorded to CloudWatch Logs. */
    enabled: z.boolean().default(true).meta({ description: 'Record the VPC\'s flow logs (all traffic) to CloudWatch Logs.' }),
    /** Days to keep flow logs; one of CloudWatch Logs' retentions. */
    retentionDays: retentionDays.default(DEFAULT_FLOW_LOG_RETENTION_DAYS).meta({ description: 'Days to keep flow logs; one of CloudWatch Logs\' retention periods.' }),
  })
  .prefault({})
  .meta({ description: 'VPC flow logs.' });
