/** Who may reach the Application Load Balancer, and how long its access logs are kept. */
import { z } from 'zod';
import { DEFAULT_WEB_ACL } from '../../modules/load-balancer';
import { cidr } from './primitives';

export const loadBalancerSchema = z
  .strictObject({
    /** CIDRs allowed to reach the listeners (443, and 80 which redirects to HTTPS). */
    ingressCidrs: z
      .array(cidr.meta({ description: 'IPv4 network CIDR allowed in, e.g. 203.0.113.0/24.' }))
      .min(1)
      .default(['0.0.0.0/0'])
      .meta({ description: 'IPv4 CIDRs allowed to reach ports 443 and 80 (which redirects to HTTPS); at least one. Default: anywhere.' }),
    /** Days the access-log bucket keeps objects. */
    accessLogRetentionDays: z
      .number()
      .int()
      .min(1)
      .default(90)
      .meta({ description: 'Days the S3 bucket keeps the load balancer\'s access logs before expiring them; at least 1.' }),
    /** An AWS WAF web ACL with AWS's managed common and known-bad-inputs rules (Checkov CKV2_AWS_28). */
    webAcl: z
      .boolean()
      .default(DEFAULT_WEB_ACL)
      .meta({ description: "Put an AWS WAF web ACL (AWS managed common and known-bad-inputs rule sets) in front of the load balancer; about $7 a month plus requests. The common rule set blocks request bodies over 8 KB." }),
  })
  .prefault({})
  .meta({ description: 'The Application Load Balancer: ingress, access logs and its web ACL.' });
