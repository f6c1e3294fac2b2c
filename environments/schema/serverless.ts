/**
 * An API Lambda behind the environment's ALB (the guide's serverless dynamic
 * infrastructure and its concurrency: reserved vs provisioned, cold starts).
 */
import { z } from 'zod';
import { awsCronProblem } from '../../modules/serverless/aws-cron';
import { SERVERLESS_API_DEFAULTS } from '../../modules/serverless/serverless-api';
import { hostHeader, MAX_CONDITION_VALUES, pathPattern } from './load-balancer';
import { ranged, reportDuplicates, slug, type Report } from './primitives';
import { cronProblem, cronRecurrence, timeZone } from './scaling';

const d = SERVERLESS_API_DEFAULTS;

/** AWS keeps this many executions of an account unreserved: a reservation that leaves fewer is refused. */
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** A new account's concurrent executions (raised through Service Quotas). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** Runtimes Lambda creates functions with today (arm64), for a team's own code. */
export const LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs20.x', 'python3.13', 'python3.12', 'python3.11', 'java21', 'java17', 'dotnet8', 'ruby3.3', 'provided.al2023'] as const;

const listenerRuleSchema = z
  .strictObject({
    priority: ranged(z.number().int(), 1, 50000).meta({ description: 'Evaluation order on the HTTPS listener, 1–50000 (lower first); unique among every rule of the listener (loadBalancer.listenerRules included).' }),
    hostHeaders: z.array(hostHeader).min(1).optional().meta({ description: 'Host names, any of which matches.' }),
    pathPatterns: z.array(pathPattern).min(1).optional().meta({ description: 'Path patterns, any of which matches, e.g. /fn/*.' }),
  })
  .superRefine((rule, ctx) => {
    const values = (rule.hostHeaders?.length ?? 0) + (rule.pathPatterns?.length ?? 0);
    if (values === 0) ctx.addIssue({ code: 'custom', message: 'needs a condition: hostHeaders or pathPatterns' });
    if (values > MAX_CONDITION_VALUES) ctx.addIssue({ code: 'custom', message: `has ${values} host and path values; AWS allows ${MAX_CONDITION_VALUES} per rule` });
  })
  .meta({ description: 'Where the listener sends requests to the function: conditions (all must match) and priority, as loadBalancer.listenerRules.' });

const codeSchema = z
  .strictObject({
    s3Bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not an S3 bucket name (3–63 lowercase letters, digits, . and -)')
      .meta({ description: 'Bucket holding the zip, in the environment\'s region.' }),
    s3Key: z.string().min(1).max(1024).meta({ description: 'Key of the zip.' }),
    s3ObjectVersion: z.string().min(1).max(1024).optional().meta({ description: 'Version of the object (a versioned bucket): pins what is deployed; a new version is a new deploy.' }),
    handler: z
      .string()
      .regex(/^[^\s]{1,128}$/, 'is not a handler (at most 128 characters, no spaces), e.g. index.handler')
      .default(d.handler)
      .meta({ description: 'Entry point, e.g. index.handler.' }),
    runtime: z.enum(LAMBDA_RUNTIMES).default(d.runtime).meta({ description: 'Lambda runtime of the code (arm64).' }),
  })
  .meta({ description: 'A team\'s own code: a zip in S3; omitted, the handler shipped in modules/serverless/api-handler.' });

const provisionedScheduleSchema = z
  .strictObject({
    name: slug.max(32).meta({ description: 'Schedule name, a slug of at most 32; unique among provisionedSchedules.' }),
    recurrence: cronRecurrence(awsCronRecurrenceProblem).meta({
      description: 'Five-field cron (minute hour day-of-month month day-of-week), evaluated in timeZone; restrict day-of-month or day-of-week, not both (AWS cron).',
    }),
    timeZone: timeZone.meta({ description: 'IANA time zone the recurrence is read in, e.g. Asia/Seoul.' }),
    provisionedConcurrency: z.number().int().min(0).meta({ description: 'Warm execution environments on the alias from this time on; 0 releases them (and their cost).' }),
  })
  .meta({ description: 'Provisioned concurrency set on a cron recurrence through Application Auto Scaling.' });

export const serverlessApiSchema = z
  .strictObject({
    listenerRule: listenerRuleSchema,
    code: codeSchema.optional(),
    memorySize: z.number().int().min(128).max(10240).default(d.memorySize).meta({ description: 'MB of memory, 128–10240 (CPU grows with it); provisioned concurrency is billed per GB.' }),
    timeout: z.number().int().min(1).max(900).default(d.timeout).meta({ description: 'Seconds an invocation may run, 1–900.' }),
    multiValueHeaders: z
      .boolean()
      .default(d.multiValueHeaders)
      .meta({ description: 'The ALB passes repeated headers and query parameters as lists (multiValueHeaders) and expects them back that way.' }),
    healthCheckPath: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-.$/~"'@:+&]{0,1023}$/, 'is not a path (starts with /, at most 1024)')
      .default(d.healthCheckPath)
      .meta({ description: 'Path of the target group\'s health check; the ALB invokes the function with it.' }),
    accountConcurrencyLimit: z
      .number()
      .int()
      .min(MIN_UNRESERVED_CONCURRENCY)
      .default(DEFAULT_ACCOUNT_CONCURRENCY)
      .meta({ description: `Concurrent executions of the account in this region (Service Quotas); AWS keeps ${MIN_UNRESERVED_CONCURRENCY} of them unreserved.` }),
    reservedConcurrency: z
      .number()
      .int()
      .min(1, 'must be at least 1 (0 would throttle every request)')
      .meta({ description: 'Executions kept for this function and no more (free, the guide says): at least 1, at most what leaves 100 of the account unreserved.' }),
    provisionedConcurrency: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Warm execution environments kept on the alias at all times (no cold starts up to this many; billed per GB-second); omitted, none. Not with provisionedSchedules.' }),
    provisionedSchedules: z
      .array(provisionedScheduleSchema)
      .max(200)
      .default([])
      .meta({ description: 'Provisioned concurrency by time of day, e.g. business hours → N, night → 0; not with provisionedConcurrency.' }),
    maximumEventAgeInSeconds: z
      .number()
      .int()
      .min(60)
      .max(21600)
      .default(d.maximumEventAgeInSeconds)
      .meta({ description: 'Seconds (60–21600) an asynchronous event may wait before it goes to the failure queue.' }),
    maximumRetryAttempts: z
      .number()
      .int()
      .min(0)
      .max(2)
      .default(d.maximumRetryAttempts)
      .meta({ description: 'Retries (0–2) of a failed asynchronous invocation before it goes to the failure queue.' }),
  })
  .superRefine((api, ctx) => {
    const at = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const ceiling = api.accountConcurrencyLimit - MIN_UNRESERVED_CONCURRENCY;
    if (api.reservedConcurrency > ceiling) {
      at(['reservedConcurrency'], `${api.reservedConcurrency} leaves fewer than ${MIN_UNRESERVED_CONCURRENCY} of the account's ${api.accountConcurrencyLimit} unreserved; at most ${ceiling}`);
    }
    if (api.provisionedConcurrency !== undefined && api.provisionedConcurrency > api.reservedConcurrency) {
      at(['provisionedConcurrency'], `${api.provisionedConcurrency} > reservedConcurrency ${api.reservedConcurrency}`);
    }
    if (api.provisionedConcurrency !== undefined && api.provisionedSchedules.length) {
      at(['provisionedSchedules'], 'cannot be combined with provisionedConcurrency: the schedules set the alias\'s provisioned concurrency');
    }
    api.provisionedSchedules.forEach((schedule, i) => {
      if (schedule.provisionedConcurrency > api.reservedConcurrency) {
        at(['provisionedSchedules', i, 'provisionedConcurrency'], `${schedule.provisionedConcurrency} > reservedConcurrency ${api.reservedConcurrency}`);
      }
    });
    reportDuplicates(
      api.provisionedSchedules.map((s) => s.name),
      (i, name) => at(['provisionedSchedules', i, 'name'], `${name} is used twice`),
    );
  })
  .meta({ description: 'An API Lambda behind the load balancer: a listener rule to a Lambda target group on the alias live, reserved and provisioned concurrency, a failure queue.' });

export type ServerlessApiSpec = z.output<typeof serverlessApiSchema>;

/** A schedule must be expressible in AWS's six-field cron, and cron as cron-parser reads it. */
function awsCronRecurrenceProblem(expression: string): string | undefined {
  return awsCronProblem(expression) ?? cronProblem(expression);
}

/**
 * The account's unreserved pool is shared with the Spot handler's
 * reservation: together they must leave 100 unreserved.
 */
export function checkServerlessApi(
  env: { serverlessApi?: ServerlessApiSpec; resilience?: { spotInterruptionHandler: { enabled: boolean; reservedConcurrency: number | false } } },
  report: Report,
): void {
  const api = env.serverlessApi;
  const handler = env.resilience?.spotInterruptionHandler;
  if (!api || !handler?.enabled || handler.reservedConcurrency === false) return;
  const reserved = api.reservedConcurrency + handler.reservedConcurrency;
  const ceiling = api.accountConcurrencyLimit - MIN_UNRESERVED_CONCURRENCY;
  if (api.reservedConcurrency <= ceiling && reserved > ceiling) {
    report(
      ['serverlessApi', 'reservedConcurrency'],
      `${api.reservedConcurrency} + the Spot handler's ${handler.reservedConcurrency} leave fewer than ${MIN_UNRESERVED_CONCURRENCY} of the account's ${api.accountConcurrencyLimit} unreserved; at most ${ceiling - handler.reservedConcurrency}`,
    );
  }
}
