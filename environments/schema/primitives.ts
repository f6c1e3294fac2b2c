/**
 * Building blocks the sections share: names, CIDRs, counts, ranges, AWS
 * identifiers, and the helpers the rules report through.
 */
import { z } from 'zod';
import { parseCidr } from '../../modules/network/cidr';
import { AWS_REGIONS, awsRegion, LOG_RETENTION_DAYS, logRetentionDays } from '../aws-limits';

/** Longest `${project}-${name}`: keeps `-alb-logs-` bucket prefixes within S3's 37 characters. */
export const MAX_QUALIFIED_NAME = 24;

/** Reports one problem at a path below the environment. */
export type Report = (path: (string | number)[], message: string) => void;
/** Reports one problem at the field being checked. */
export type ItemReport = (message: string) => void;

export const slug = z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be lowercase letters, digits and dashes');

export const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} is not an IPv4 network CIDR (a.b.c.d/n with no host bits)`,
});

/** VPCs and their subnets are /16 to /28: AWS refuses larger and smaller blocks at apply. */
function sizedCidr(what: string) {
  return cidr.superRefine((value, ctx) => {
    const prefix = parseCidr(value)?.prefix;
    if (prefix !== undefined && (prefix < 16 || prefix > 28)) ctx.addIssue({ code: 'custom', message: `${value} is a /${prefix}; a ${what} must be /16 to /28` });
  });
}
export const vpcCidr = sizedCidr('VPC');
export const subnetCidr = sizedCidr('subnet');

/** A whole number from 0 to `max`. */
export const count = (max = 1000) => z.number().int().min(0).max(max);

/** A number from `min` to `max` inclusive. */
export function inRange(min: number, max: number) {
  return z.number().refine((v) => v >= min && v <= max, {
    error: (issue) => `${String(issue.input)} is outside ${min}–${max}`,
  });
}

/**
 * `base` bounded to [min, max], with the bounds in the JSON Schema too (a
 * refinement alone does not export them).
 */
export function ranged(base: z.ZodNumber, min: number, max: number) {
  return base.pipe(inRange(min, max)).meta({ minimum: min, maximum: max });
}

/** An AWS region of the catalog in aws-limits; listed in the JSON Schema so editors complete it. */
export const region = awsRegion.meta({ enum: [...AWS_REGIONS] });

/** A CloudWatch Logs retention in days; listed in the JSON Schema. */
export const retentionDays = logRetentionDays.meta({ enum: [...LOG_RETENTION_DAYS] });

export const availabilityZones = z
  .array(z.string())
  .refine((azs) => azs.length >= 2, { error: (issue) => `needs at least 2 AZs, got ${(issue.input as string[]).length}` });

export const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'is not a lowercase DNS name like app.example.com');

export const certificateArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'is not an ACM certificate ARN');

export const spotAllocationStrategy = z.enum(['capacity-optimized', 'price-capacity-optimized', 'capacity-optimized-prioritized', 'lowest-price']);
export const natMode = z.enum(['single', 'per-az']);

/** Calls `report` for every item equal to an earlier one. */
export function reportDuplicates(items: readonly string[], report: (index: number, item: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item)) report(i, item);
    seen.add(item);
  });
}

export function checkAvailabilityZones(region: string, azs: readonly string[], report: Report): void {
  const azPattern = new RegExp(`^${region}(-[a-z]+-\\d)?[a-z]$`);
  azs.forEach((az, i) => {
    if (!azPattern.test(az)) report([i], `${az} is not an availability zone of ${region}`);
  });
  reportDuplicates(azs, (i, az) => report([i], `duplicate availability zone ${az}`));
}

export function checkCertificateAccount(arn: string, account: string | undefined, path: (string | number)[], report: Report): void {
  const owner = arn.split(':')[4];
  if (account && owner && owner !== account) report(path, `certificate belongs to account ${owner}, not the environment's ${account}`);
}

export function checkCertificateRegion(arn: string, expected: string, path: (string | number)[], report: Report): void {
  const region = arn.split(':')[3];
  if (region && region !== expected) report(path, `certificate is in ${region}; an ALB in ${expected} needs one from ${expected}`);
}

export function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:' && value.startsWith('https://');
  } catch {
    return false;
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
