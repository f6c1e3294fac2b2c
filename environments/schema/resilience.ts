/** Spot interruption handling, lifecycle hooks and chaos (seed sections 2, 3, 8). */
import { z } from 'zod';

/** Spot interruption handling, lifecycle hooks and chaos (seed sections 2, 3, 8). */
export const resilienceSchema = z
  .strictObject({
    spotInterruptionHandler: z
      .strictObject({
        enabled: z.boolean().default(true).meta({ description: 'Run the Lambda that drains an instance when EventBridge reports its Spot interruption warning.' }),
        /**
         * Reserved concurrency. AWS keeps 10 executions of an account unreserved,
         * so an account limited to 10 cannot reserve any: `false` reserves none
         * (and needs a CKV_AWS_115 security exception).
         */
        reservedConcurrency: z
          .union([z.literal(false), z.number().int().min(1, 'must be at least 1 (0 would throttle every event); false reserves none').max(100)])
          .default(2)
          .meta({
            description: 'Reserved concurrency of the handler, 1–100. AWS keeps 10 executions of an account unreserved, so an account limited to 10 cannot reserve any: `false` reserves none (and needs a CKV_AWS_115 security exception).',
          }),
      })
      .prefault({})
      .meta({ description: 'The Spot interruption handler.' }),
    lifecycleHooks: z
      .strictObject({
        enabled: z.boolean().default(true).meta({ description: 'Hold launching instances until ready and terminating ones until drained (needs a #! userData).' }),
        /** Seconds a launching instance may take to report ready. Seed: 600. */
        launchHeartbeatSeconds: z
          .number()
          .int()
          .min(30)
          .max(7200)
          .default(600)
          .meta({ description: 'Seconds (30–7200) a launching instance may take to report ready. Seed: 600.' }),
        /** Seconds a terminating instance gets to drain and ship logs. Seed: 300. */
        terminateHeartbeatSeconds: z
          .number()
          .int()
          .min(30)
          .max(7200)
          .default(300)
          .meta({ description: 'Seconds (30–7200) a terminating instance gets to drain and ship logs. Seed: 300.' }),
      })
      .prefault({})
      .meta({ description: 'Auto Scaling lifecycle hooks on launch and termination.' }),
    /** An AWS FIS experiment that interrupts Spot instances of this fleet. */
    chaos: z
      .strictObject({
        /** Spot instances to interrupt per run. */
        instances: z.number().int().min(1).max(10).default(2).meta({ description: 'Spot instances (1–10) to interrupt per run.' }),
        /** ISO-8601 warning before the interruption, PT2M to PT15M. */
        warning: z
          .string()
          .regex(/^PT([2-9]|1[0-5])M$/, 'must be PT2M to PT15M')
          .default('PT2M')
          .meta({ description: 'ISO-8601 duration of the warning before the interruption, PT2M to PT15M.' }),
      })
      .optional()
      .meta({ description: 'An AWS FIS experiment that interrupts Spot instances of this fleet; omitted, none. Needs some Spot (onDemandPercentageAboveBaseCapacity below 100).' }),
  })
  .prefault({})
  .meta({ description: 'Spot interruption handling, lifecycle hooks and chaos experiments.' });
