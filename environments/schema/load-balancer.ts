/** Who may reach the Application Load Balancer, and how long its access logs are kept. */
import { z } from 'zod';
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
  })
  .prefault({})
  .meta({ description: 'The Application Load Balancer: ingress and access logs.' });
