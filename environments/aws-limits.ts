/**
 * What AWS accepts at apply time, checked at synth: an offline plan happily
 * takes a region AWS does not have, a misspelt instance type or a log
 * retention CloudWatch refuses, and `terraform apply` then fails half-way.
 *
 * Regions and instance types come from a dated catalog (data/aws-catalog.json);
 * the other limits are fixed by the services' APIs and live here as constants.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

interface AwsCatalog {
  readonly date: string;
  readonly regions: Readonly<Record<'commercial' | 'govcloud' | 'china', readonly string[]>>;
  /** Family → sizes, e.g. `t3` → `['nano', …, '2xlarge']`. */
  readonly instanceTypes: Readonly<Record<string, readonly string[]>>;
}

// Read once at load; a JSON import would need resolveJsonModule and an import attribute under every runner.
const catalog = JSON.parse(readFileSync(join(__dirname, '..', 'data', 'aws-catalog.json'), 'utf8')) as AwsCatalog;

/** When the bundled region and instance-type lists were taken. */
export const CATALOG_DATE = catalog.date;
export const AWS_REGIONS: readonly string[] = Object.values(catalog.regions).flat().sort();
export const INSTANCE_TYPES: readonly string[] = Object.entries(catalog.instanceTypes).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));
const regionSet = new Set(AWS_REGIONS);
const instanceTypeSet = new Set(INSTANCE_TYPES);

/** Route 53 runs health checkers in these regions only (HealthCheckRegion). */
export const ROUTE53_CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'] as const;

/** The only values CloudWatch Logs accepts for `retentionInDays`. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Overrides a mixed-instances policy can list. */
export const MAX_INSTANCE_TYPES = 40;

/** EC2 limits user data to 16 KB, counted after base64 encoding. */
export const MAX_USER_DATA_BASE64 = 16 * 1024;

/**
 * Bytes the fleet may append to `app.userData`: with lifecycle hooks on, the
 * readiness script of modules/compute (`readinessScript`): 863 bytes of fixed
 * text, the port, and the group and hook names (`<name>-dr-web`,
 * `<name>-dr-launch`: at most 65 bytes with MAX_QUALIFIED_NAME), 933 bytes in
 * all; the health path it polls is counted on its own. Rounded up to 1 KiB so
 * a small change to the script needs no change here;
 * tests/environment-limits.test.ts checks that it still covers the script.
 */
export const READINESS_SCRIPT_ALLOWANCE = 1024;

/** EC2, ELB, SNS, … tags: 128-character keys, 256-character values, this alphabet. */
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Candidates within edit distance 2 of `value`, nearest first (at most three), for "did you mean". */
export function nearest(value: string, candidates: readonly string[]): string[] {
  const scored = candidates.map((c) => ({ c, d: editDistance(value, c, 2) })).filter((s) => s.d <= 2);
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .map((s) => s.c)
    .slice(0, 3);
}

/** ", did you mean a, b or c?" or nothing. */
function suggestion(value: string, candidates: readonly string[]): string {
  const near = nearest(value, candidates);
  if (near.length === 0) return '';
  const list = near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}`;
  return `; did you mean ${list}?`;
}

/** Levenshtein distance, giving up (returning limit + 1) once every path exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

export const awsRegion = z.string().superRefine((value, ctx) => {
  if (regionSet.has(value)) return;
  ctx.addIssue({
    code: 'custom',
    message: `"${value}" is not an AWS region (commercial, GovCloud or China, as of ${CATALOG_DATE})${suggestion(value, AWS_REGIONS)}`,
  });
});

export const ec2InstanceType = z.string().superRefine((value, ctx) => {
  if (instanceTypeSet.has(value)) return;
  ctx.addIssue({
    code: 'custom',
    message: `"${value}" is not an EC2 instance type (as of ${CATALOG_DATE})${suggestion(value, INSTANCE_TYPES)}`,
  });
});

/** A CloudWatch Logs retention, in days. */
export const logRetentionDays = z
  .number()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: (issue) => `${String(issue.input)} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`,
  });

/** A CloudWatch alarm period: high-resolution 10, 20 or 30 s, or whole minutes. */
export const alarmPeriod = z
  .number()
  .int()
  .refine((s) => s === 10 || s === 20 || s === 30 || (s > 0 && s % 60 === 0), {
    error: (issue) => `${String(issue.input)} s is not a CloudWatch alarm period (10, 20, 30 or a multiple of 60)`,
  });

/** Why AWS would refuse `key` as a tag key, or undefined. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || key.length > MAX_TAG_KEY) return `tag key "${key}" must be 1–${MAX_TAG_KEY} characters, not ${key.length}`;
  if (key.toLowerCase().startsWith('aws:')) return `tag key "${key}" starts with "aws:", which AWS reserves`;
  if (!TAG_CHARACTERS.test(key)) return `tag key "${key}" may only hold letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

/** Why AWS would refuse `value` as a tag value, or undefined. */
export function tagValueProblem(key: string, value: string): string | undefined {
  if (value.length > MAX_TAG_VALUE) return `tag ${key} is ${value.length} characters; AWS allows ${MAX_TAG_VALUE}`;
  if (value.toLowerCase().startsWith('aws:')) return `tag ${key} value "${value}" starts with "aws:", which AWS reserves`;
  if (!TAG_CHARACTERS.test(value)) return `tag ${key} value "${value}" may only hold letters, digits, spaces and _ . : / = + - @`;
  return undefined;
}

/** Every rule S3 has for a bucket name (general purpose buckets), one message each. */
export function bucketNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push(`is ${name.length} characters; S3 bucket names are 3–63`);
  const bad = [...new Set(name.replace(/[a-z0-9.-]/g, ''))];
  if (bad.length > 0) problems.push(`contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; S3 bucket names allow lowercase letters, digits, dots and hyphens`);
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push('must start and end with a lowercase letter or digit');
  if (name.includes('..')) problems.push('must not contain two adjacent dots');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) problems.push('must not be formatted as an IP address');
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => name.startsWith(p));
  if (prefix) problems.push(`must not start with "${prefix}", which S3 reserves`);
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((s) => name.endsWith(s));
  if (suffix) problems.push(`must not end with "${suffix}", which S3 reserves`);
  return problems;
}

export const bucketName = z.string().superRefine((name, ctx) => {
  for (const message of bucketNameProblems(name)) ctx.addIssue({ code: 'custom', message });
});

export const dynamoDbTableName = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]*$/, 'DynamoDB table names allow letters, digits, _ . and - only')
  .refine((n) => n.length >= 3 && n.length <= 255, { error: (issue) => `is ${(issue.input as string).length} characters; DynamoDB table names are 3–255` });

/**
 * An EC2 resource ID: its prefix, a dash, and 8 (older resources) or 17
 * lowercase hex digits, e.g. `vpc-0a1b2c3d4e5f60718`. Anything else is
 * refused by EC2 at apply as malformed.
 */
export function ec2ResourceId(prefix: 'vpc' | 'subnet' | 'rtb' | 'sg', what: string) {
  const pattern = new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
  return z.string().refine((id) => pattern.test(id), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a ${what} ID (${prefix}- then 8 or 17 lowercase hex digits)`,
  });
}

/** VPC endpoint policies hold at most 20,480 characters. */
export const MAX_ENDPOINT_POLICY_CHARACTERS = 20_480;

/** Base64 length of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}
