/** IAM guard rails of the environment, and the security-pack rules it waives, one resource each, with a reason. */
import { z } from 'zod';
import { RULES } from '../../modules/security/rules';
import { IAM_POLICY_ARN } from '../../modules/shared/iam';
import { reportDuplicates, type Report } from './primitives';

/** Fewest characters of a production waiver's reason. */
export const PRODUCTION_REASON_MIN = 40;

/** An IAM role ARN, e.g. `arn:aws:iam::210987654321:role/kms-admin`. */
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

/** Permissions boundary and key administrators: who may do what, beyond what each role's own policy says. */
export const securitySchema = z
  .strictObject({
    /** Managed policy set as the permissions boundary of every role the stack creates. */
    permissionsBoundaryArn: z
      .string()
      .regex(IAM_POLICY_ARN, 'is not an IAM policy ARN like arn:aws:iam::210987654321:policy/web-app-boundary')
      .optional()
      .meta({
        description:
          'ARN of an IAM managed policy in the environment\'s `account`, set as the permissions boundary of every IAM role the stack creates. The policy must exist before deploying (the account baseline creates it). Omitted: no boundary.',
      }),
    /** Roles that administer the operations keys (not use them). */
    keyAdministratorArns: z
      .array(z.string().regex(IAM_ROLE_ARN, 'is not an IAM role ARN like arn:aws:iam::210987654321:role/kms-admin'))
      .optional()
      .meta({
        description:
          'IAM role ARNs in the environment\'s `account` that administer the operations KMS keys (create, describe, enable/disable, rotate, tag, schedule deletion; never encrypt or decrypt). The roles must exist before deploying. Omitted: the account root.',
      }),
  })
  .prefault({})
  .meta({ description: 'IAM guard rails: a permissions boundary for every role, and who administers the KMS keys.' });

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
    .meta({
      description: `Why the rule does not apply here, at least 20 characters; in a \`production\` environment a full sentence: at least ${PRODUCTION_REASON_MIN} characters, ending with a period. Read by whoever reviews the synth summary.`,
    }),
});

export const securityExceptionsSchema = z
  .array(securityExceptionSchema)
  .default([])
  .meta({ description: 'Security-pack rules waived, each for one resource and with a reason; a rule at most once per resource.' });

type SecurityExceptionsSpec = z.output<typeof securityExceptionsSchema>;
type SecuritySpec = z.output<typeof securitySchema>;

export function checkSecurityExceptions(env: { production?: boolean; securityExceptions?: SecurityExceptionsSpec }, report: Report): void {
  const exceptions = env.securityExceptions ?? [];
  reportDuplicates(
    exceptions.map(({ rule, resource }) => `${rule} ${resource}`),
    (i) => report(['securityExceptions', i], `${exceptions[i]!.rule} is already waived for ${exceptions[i]!.resource}`),
  );
  // A production waiver is an accepted risk someone signs off on: "temporary" or "see ticket" tells the next reviewer nothing.
  if (!env.production) return;
  exceptions.forEach(({ reason }, i) => {
    const text = reason.trim();
    if (text.length < PRODUCTION_REASON_MIN || !text.endsWith('.')) {
      report(
        ['securityExceptions', i, 'reason'],
        `a production waiver needs a reason of at least one sentence: ${PRODUCTION_REASON_MIN} characters or more, ending with a period (this one has ${text.length}${text.endsWith('.') ? '' : ', no final period'})`,
      );
    }
  });
}

/** The boundary and the key administrators belong to the environment's own account. */
export function checkSecurity(env: { account?: string; security?: SecuritySpec }, report: Report): void {
  const { account, security } = env;
  if (!account || !security) return;
  const owner = (arn: string) => arn.split(':')[4];
  const boundary = security.permissionsBoundaryArn;
  if (boundary && owner(boundary) !== account) {
    report(['security', 'permissionsBoundaryArn'], `policy belongs to account ${owner(boundary)}, not the environment's ${account}`);
  }
  security.keyAdministratorArns?.forEach((arn, i) => {
    if (owner(arn) !== account) report(['security', 'keyAdministratorArns', i], `role belongs to account ${owner(arn)}, not the environment's ${account}`);
  });
}
