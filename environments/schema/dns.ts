/** Route 53: the environment's name, its zone, the health check and what answers on failure. */
import { z } from 'zod';
import { INSTANCES_DISTRIBUTION_DEFAULTS } from '../../modules/compute';
import { HEALTH_CHECK_DEFAULTS } from '../../modules/dns';
import { ROUTE53_CHECKER_REGIONS } from '../aws-limits';
import { availabilityZones, certificateArn, count, hostname, ranged, natMode, region, reportDuplicates, spotAllocationStrategy, vpcCidr } from './primitives';

// A refinement, not an enum: a type error would hide inside healthCheck's `false | {…}` union as "Invalid input".
const checkerRegion = z
  .string()
  .refine((r) => (ROUTE53_CHECKER_REGIONS as readonly string[]).includes(r), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a Route 53 checker region (${ROUTE53_CHECKER_REGIONS.join(', ')})`,
  })
  .meta({ description: 'A Route 53 health-checker region.', enum: [...ROUTE53_CHECKER_REGIONS] });

const healthCheckSchema = z
  .strictObject({
    /** Path checked over HTTPS on port 443. */
    path: z.string().regex(/^\/\S*$/, 'must start with /').default(HEALTH_CHECK_DEFAULTS.resourcePath).meta({ description: 'Path checked over HTTPS on port 443; starts with /.' }),
    /** Consecutive failures before the endpoint counts as down. */
    failureThreshold: z.number().int().min(1).max(10).default(HEALTH_CHECK_DEFAULTS.failureThreshold).meta({ description: 'Consecutive failed checks (1–10) before the endpoint counts as down.' }),
    /** Seconds between checks; Route 53 offers 10 (fast) or 30. */
    requestInterval: z
      .union([z.literal(10), z.literal(30)])
      .default(HEALTH_CHECK_DEFAULTS.requestInterval)
      .meta({ description: 'Seconds between checks: 10 (fast, billed higher) or 30.' }),
    /** Checker regions, from Route 53's eight; it needs at least 3. */
    regions: z
      .array(checkerRegion)
      .min(3, 'Route 53 needs at least 3 checker regions')
      .superRefine((regions, ctx) => reportDuplicates(regions, (i, region) => ctx.addIssue({ code: 'custom', path: [i], message: `duplicate checker region ${region}` })))
      .default([...HEALTH_CHECK_DEFAULTS.regions])
      .meta({ description: 'Regions the checks run from: at least 3 of Route 53\'s 8, none twice.' }),
  })
  .meta({ description: 'HTTPS health check on the primary load balancer.' });

/** (a) The same modules at reduced capacity in a second region. */
const standbyRegionSchema = z
  .strictObject({
    kind: z.literal('standby-region').meta({ description: 'A reduced copy of the environment in a second region.' }),
    region: region.meta({ description: 'AWS region of the standby; not the primary\'s.' }),
    availabilityZones: availabilityZones.meta({ description: 'AZs of the standby region, at least 2, none twice.' }),
    vpcCidr: vpcCidr.meta({ description: 'IPv4 CIDR of the standby VPC, /16 to /28; must hold one public and one private /24 per AZ.' }),
    natMode: natMode.default('single').meta({ description: '`single`: one NAT gateway (cheap); `per-az`: one per AZ.' }),
    /** In weighted capacity units; at most the primary's. */
    capacity: z
      .strictObject({
        minSize: count().default(1).meta({ description: 'Fewest capacity units the standby keeps; at most the primary\'s minSize.' }),
        maxSize: count().meta({ description: 'Most capacity units the standby scales to; at most the primary\'s maxSize.' }),
        desiredCapacity: count().optional().meta({ description: 'Capacity units at creation, between minSize and maxSize; omitted, minSize.' }),
      })
      .meta({ description: 'Size of the standby group, in weighted capacity units; at most the primary\'s.' }),
    /**
     * One on-demand instance keeps the standby alive when Spot is scarce, which
     * is when a regional event is most likely; the rest is Spot.
     */
    instancesDistribution: z
      .strictObject({
        onDemandBaseCapacity: count().default(1).meta({ description: 'Capacity units always on demand, so the standby survives a Spot shortage; at most capacity.maxSize.' }),
        onDemandPercentageAboveBaseCapacity: ranged(z.number().int(), 0, 100)
          .default(0)
          .meta({ description: 'Percent (0–100) above the base bought on demand; the rest is Spot.' }),
        spotAllocationStrategy: spotAllocationStrategy
          .default(INSTANCES_DISTRIBUTION_DEFAULTS.spotAllocationStrategy)
          .meta({ description: 'How Auto Scaling chooses Spot pools for the standby.' }),
      })
      .prefault({})
      .meta({ description: 'On-demand/Spot mix of the standby: one on-demand unit, the rest Spot.' }),
    /** Listener certificate in the standby region; issued by ACM when omitted. */
    certificateArn: certificateArn
      .optional()
      .meta({ description: 'ACM certificate ARN for the standby\'s HTTPS listener, in the standby region and the environment\'s account; issued by ACM when omitted.' }),
  })
  .meta({ description: 'Failover to the same modules at reduced capacity in a second region.' });

/** (b) A static page served by CloudFront from a private bucket. */
const maintenanceSiteSchema = z
  .strictObject({
    kind: z.literal('maintenance-site').meta({ description: 'A static page served by CloudFront from a private bucket.' }),
    message: z
      .string()
      .min(1)
      .default('We are doing some maintenance and will be back shortly.')
      .meta({ description: 'Text of the maintenance page.' }),
  })
  .meta({ description: 'Failover to a static maintenance page.' });

export const dnsSchema = z
  .strictObject({
    /** The name users reach the environment by, e.g. `app.example.com`. */
    domain: hostname.meta({ description: 'The name users reach the environment by, e.g. `app.example.com`; inside zone.name.' }),
    zone: z
      .strictObject({
        /** Zone apex, e.g. `example.com`. */
        name: hostname.meta({ description: 'Zone apex, e.g. `example.com`.' }),
        /** Existing public zone ID; omitted, the stack creates the zone. */
        id: z
          .string()
          .regex(/^Z[A-Z0-9]{1,32}$/, 'is not a Route 53 hosted zone ID')
          .optional()
          .meta({ description: 'ID of an existing public hosted zone (Z…); omitted, the stack creates the zone.' }),
      })
      .meta({ description: 'The public hosted zone the records go in.' }),
    /** HTTPS health check on the primary load balancer; `false` for none. */
    healthCheck: z
      .union([z.literal(false), healthCheckSchema])
      .prefault({})
      .meta({ description: 'HTTPS health check on the primary load balancer; `false` for none (then no failover).' }),
    /** What answers when the primary is unhealthy; omitted, a plain alias record. */
    failover: z
      .discriminatedUnion('kind', [standbyRegionSchema, maintenanceSiteSchema])
      .optional()
      .meta({ description: 'What answers when the primary is unhealthy, chosen by `kind`; omitted, a plain alias record.' }),
    /** Who the health-check alarm e-mails. */
    alarmEmails: z
      .array(z.email().meta({ description: 'An e-mail address.' }))
      .default([])
      .meta({ description: 'E-mail addresses the health-check alarm notifies.' }),
  })
  .meta({ description: 'Route 53 name, certificates, health check and failover; omitted, no DNS (certificateArn is then required).' });
