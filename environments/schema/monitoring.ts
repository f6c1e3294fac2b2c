/** Alarms, their topics and the dashboard (seed section 10). */
import { z } from 'zod';
import { MONITORING_THRESHOLD_DEFAULTS } from '../../modules/monitoring';
import { ranged, isHttpsUrl, retentionDays } from './primitives';

const subscriberSchema = z
  .strictObject({
    protocol: z.enum(['email', 'https']).meta({ description: 'How SNS delivers: `email` or `https` (a webhook).' }),
    /** An e-mail address or an HTTPS URL. */
    endpoint: z.string().min(3).meta({ description: 'An e-mail address for `email`, an https:// URL for `https`.' }),
  })
  .superRefine(({ protocol, endpoint }, ctx) => {
    // SNS accepts either at subscribe time and then waits forever for a confirmation that cannot come.
    const wrong = protocol === 'email' ? !z.email().safeParse(endpoint).success : !isHttpsUrl(endpoint);
    if (wrong) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: `${JSON.stringify(endpoint)} is not ${protocol === 'email' ? 'an e-mail address' : 'an https:// URL'}` });
  })
  .meta({ description: 'An SNS subscriber.' });

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
    logRetentionDays: retentionDays.default(90).meta({ description: 'Days to keep the Spot handler\'s logs; one of CloudWatch Logs\' retention periods.' }),
  })
  .prefault({})
  .meta({ description: 'Alarms, their SNS topics and subscribers, and the dashboard.' });
