/** Alarms, their topics and the dashboard (seed section 10). */
import { z } from 'zod';
import { MONITORING_THRESHOLD_DEFAULTS } from '../../modules/monitoring';
import { DEFAULT_HANDLER_LOG_RETENTION_DAYS } from '../../modules/resilience';
import { ranged, retentionDays } from './primitives';

/** An SSM parameter name: a path of one or more segments, e.g. `/web-app/prod/pagerduty-url`. */
const parameterName = z
  .string()
  .max(2048)
  .regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'is not an SSM parameter name like /web-app/prod/pagerduty-url');

const subscriberSchema = z
  .strictObject({
    protocol: z.enum(['email', 'https']).meta({ description: 'How SNS delivers: `email` or `https` (a webhook).' }),
    /** An e-mail address; `email` only. */
    endpoint: z
      .string()
      .min(3)
      .optional()
      .meta({ description: 'The e-mail address, for `email` only. An https webhook URL is a secret and is never written here: see `endpointParameter`.' }),
    /** SSM parameter holding an https webhook URL; `https` only. */
    endpointParameter: parameterName
      .optional()
      .meta({
        description:
          'For `https` only: name of the SSM parameter (a SecureString, e.g. `/web-app/prod/pagerduty-url`) that holds the https:// webhook URL. Terraform reads it at deploy, so the URL is in the Terraform state (encrypted, private), never in this file.',
      }),
  })
  .superRefine(({ protocol, endpoint, endpointParameter }, ctx) => {
    const at = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (protocol === 'email') {
      // SNS accepts anything at subscribe time and then waits forever for a confirmation that cannot come.
      if (endpoint === undefined) at('endpoint', 'is required for email: the address to deliver to');
      else if (!z.email().safeParse(endpoint).success) at('endpoint', `${JSON.stringify(endpoint)} is not an e-mail address`);
      if (endpointParameter !== undefined) at('endpointParameter', 'is for https subscribers; an e-mail address goes in endpoint');
      return;
    }
    if (endpoint !== undefined) {
      at('endpoint', 'an https webhook URL is a secret and does not belong in the environment file: store it in SSM Parameter Store as a SecureString and set endpointParameter to its name, e.g. /web-app/prod/pagerduty-url');
    } else if (endpointParameter === undefined) {
      at('endpointParameter', 'is required for https: the SSM parameter that holds the webhook URL, e.g. /web-app/prod/pagerduty-url');
    }
  })
  .meta({ description: 'An SNS subscriber: an e-mail address, or an https webhook whose URL is read from SSM Parameter Store.' });

/** Alarms, their topics and the dashboard (seed section 10). */
export const monitoringSchema = z
  .strictObject({
    /** Subscribers to `alerts`: warnings and their recoveries. */
    alerts: z.array(subscriberSchema).default([]).meta({ description: 'Subscribers to the `alerts` topic: warnings and their recoveries.' }),
    /** Subscribers to `critical`: the 5xx error rate and Spot interruption storms. */
    critical: z.array(subscriberSchema).default([]).meta({ description: 'Subscribers to the `critical` topic: the 5xx error rate and Spot interruption storms.' }),
    /** ASG average CPU, percent, for 3 × 60 s. Seed: 85. */
    cpuHighPercent: ranged(z.number(), 1, 100)
      .default(MONITORING_THRESHOLD_DEFAULTS.cpuHighPercent)
      .meta({ description: 'ASG average CPU, percent (1–100), that warns after 3 × 60 s. Seed: 85.' }),
    /** Target 5xx responses as a percent of requests, over 60 s. Seed: 5. */
    errorRatePercent: ranged(z.number(), 0.1, 100)
      .default(MONITORING_THRESHOLD_DEFAULTS.errorRatePercent)
      .meta({ description: 'Target 5xx responses as a percent of requests (0.1–100) over 60 s that is critical. Seed: 5.' }),
    /** p95 target response time bound, seconds. */
    p95ResponseSeconds: z.number().positive().max(60).default(MONITORING_THRESHOLD_DEFAULTS.p95ResponseSeconds).meta({ description: 'p95 target response time, seconds (above 0, at most 60), that warns.' }),
    /** Spot interruptions in 5 minutes that page. Seed: 3. */
    spotInterruptionsPer5Minutes: z
      .number()
      .int()
      .min(1)
      .default(MONITORING_THRESHOLD_DEFAULTS.spotInterruptionsPer5Minutes)
      .meta({ description: 'Spot interruption warnings within 5 minutes that are critical; at least 1. Seed: 3.' }),
    /** Days to keep the Spot handler's logs; one of CloudWatch Logs' retentions. */
    logRetentionDays: retentionDays.default(DEFAULT_HANDLER_LOG_RETENTION_DAYS).meta({ description: 'Days to keep the Spot handler\'s logs; one of CloudWatch Logs\' retention periods.' }),
  })
  .prefault({})
  .meta({ description: 'Alarms, their SNS topics and subscribers, and the dashboard.' });
