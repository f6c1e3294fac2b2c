/** Rules of the security pack waived for one resource each, with a reason. */
import { z } from 'zod';
import { RULES } from '../../modules/security/rules';
import { reportDuplicates, type Report } from './primitives';

/** A rule of the security pack waived for one resource (and what it contains), with why. */
const securityExceptionSchema = z.strictObject({
  /** ID of the rule, e.g. `CKV2_AWS_11` (modules/security/rules.ts lists them). */
  rule: z
    .string()
    .refine((id) => RULES.some((r) => r.id === id), {
      error: (issue) => `${JSON.stringify(issue.input)} is not a rule of the security pack (e.g. CKV2_AWS_11)`,
    })
    .meta({ description: 'ID of the waived rule, e.g. `CKV2_AWS_11`; modules/security/rules.ts lists them.' }),
  /** Construct path of the resource, below the stack, e.g. `primary/network/vpc`. */
  resource: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'is not a construct path like primary/network/vpc')
    .meta({ description: 'Construct path of the resource below the stack, e.g. `primary/network/vpc`; the waiver covers what it contains.' }),
  /** Why the rule does not apply here; read by whoever reviews the synth summary. */
  reason: z
    .string()
    .min(20, 'must say why in at least 20 characters')
    .meta({ description: 'Why the rule does not apply here, at least 20 characters; read by whoever reviews the synth summary.' }),
});

export const securityExceptionsSchema = z
  .array(securityExceptionSchema)
  .default([])
  .meta({ description: 'Security-pack rules waived, each for one resource and with a reason; a rule at most once per resource.' });

type SecurityExceptionsSpec = z.output<typeof securityExceptionsSchema>;

export function checkSecurityExceptions(env: { securityExceptions?: SecurityExceptionsSpec }, report: Report): void {
  const exceptions = env.securityExceptions ?? [];
  reportDuplicates(
    exceptions.map(({ rule, resource }) => `${rule} ${resource}`),
    (i) => report(['securityExceptions', i], `${exceptions[i]!.rule} is already waived for ${exceptions[i]!.resource}`),
  );
}
