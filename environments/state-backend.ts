/**
 * Where every environment keeps its Terraform state. Deployed once per
 * account by the `state-backend` stack; its own state stays local.
 * The bucket name must be globally unique: change it for your account.
 */
import { z } from 'zod';
import { awsRegion, bucketName, dynamoDbTableName } from './aws-limits';
import { slug } from './schema';
import { deployRoleSchema, roleAccount as roleAccountOf } from './schema/deployment';

export const stateBackend = {
  project: 'web-app',
  /** The account the state lives in; its bucket and key policies admit callers of this account only. */
  account: '123456789012',
  region: 'ap-northeast-2',
  bucket: 'web-app-tfstate-apne2-example',
  lockTable: 'web-app-tfstate-lock',
  /**
   * `dynamodb`: lock through the DynamoDB table (the seed's design).
   * `both`: also take Terraform ≥ 1.10's S3 lock file, the path off DynamoDB locking.
   */
  locking: 'dynamodb' as 'dynamodb' | 'both',
  /** Days to keep superseded state versions. */
  noncurrentVersionRetentionDays: 365,
  /**
   * Who may plan and deploy from GitHub Actions (modules/ci-access): the
   * repository whose workflows get the OIDC roles, the environments that get
   * a plan and a deploy role each, and those whose pull-request plans run in
   * a reviewed GitHub environment (`<env>-plan`).
   */
  ci: {
    repository: 'example-org/web-app',
    defaultBranch: 'main',
    environments: ['dev', 'staging', 'prod'],
    reviewedPlans: ['prod'],
  },
} as const;

/** GitHub `owner/name`: the characters GitHub allows in each part, no `..`. */
const repository = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository as owner/name, e.g. example-org/web-app')
  .refine((name) => !/\/\.{1,2}$/.test(name), { error: 'must be a GitHub repository as owner/name, e.g. example-org/web-app' });

/** GitHub Actions access, one plan and one deploy role per environment (modules/ci-access). */
const ciSchema = z
  .strictObject({
    /** `owner/name` of the repository whose workflows may assume the roles. */
    repository,
    /** Branch the workflows are trusted from (job_workflow_ref `@refs/heads/<branch>`). */
    defaultBranch: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'must be a branch name, e.g. main'),
    /** Stacks that get CI roles; each is also a GitHub environment of the same name for deploys. */
    environments: z.array(slug).min(1, 'must name at least one environment').refine((list) => new Set(list).size === list.length, { error: 'must not repeat an environment' }),
    /** Environments whose pull-request plans wait for a reviewer in the GitHub environment `<env>-plan`. */
    reviewedPlans: z.array(slug),
  })
  .superRefine((ci, ctx) => {
    for (const [index, name] of ci.reviewedPlans.entries()) {
      if (!ci.environments.includes(name)) ctx.addIssue({ code: 'custom', path: ['reviewedPlans', index], message: `"${name}" is not one of ci.environments` });
    }
  });

/** Checked with the environments, before anything is synthesized (load.ts `validateConfiguration`). */
export const stateBackendSchema = z.strictObject({
  /** Prefix of every state key: `<project>/<env>/terraform.tfstate`. */
  project: slug,
  account: z.string().regex(/^\d{12}$/, 'is not a 12-digit AWS account ID'),
  /**
   * The one role that may delete state versions or change the bucket's policy, versioning or lifecycle.
   * Default: `role/state-break-glass` in `account`.
   */
  breakGlassRoleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/, 'is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
    .optional(),
  /** Role the state-backend stack's provider assumes, in `account`; omitted, the caller's own credentials. Its provider allows only `account` either way. */
  deployRole: deployRoleSchema.optional(),
  region: awsRegion,
  /** The state key's KMS alias is `alias/<bucket>`, and KMS aliases take no dots. */
  bucket: bucketName.refine((name) => !name.includes('.'), {
    error: 'must not contain dots: the state key is aliased alias/<bucket>, and KMS aliases allow no dots',
  }),
  lockTable: dynamoDbTableName,
  locking: z.enum(['dynamodb', 'both']),
  noncurrentVersionRetentionDays: z.number().int().min(1, 'must be at least 1 (S3 lifecycle NoncurrentDays)'),
  ci: ciSchema.optional(),
}).superRefine((settings, ctx) => {
  const roleAccount = settings.breakGlassRoleArn?.split(':')[4];
  if (roleAccount && roleAccount !== settings.account) {
    ctx.addIssue({ code: 'custom', path: ['breakGlassRoleArn'], message: `belongs to account ${roleAccount}, not the state's ${settings.account}` });
  }
  const deployAccount = settings.deployRole && roleAccountOf(settings.deployRole.roleArn);
  if (deployAccount && deployAccount !== settings.account) {
    ctx.addIssue({ code: 'custom', path: ['deployRole', 'roleArn'], message: `role belongs to account ${deployAccount}, not the state's ${settings.account}` });
  }
  // The CI roles may read objects of `<project>-<env>-*` buckets (their tier's); the state bucket must not be one of them.
  for (const [index, environment] of (settings.ci?.environments ?? []).entries()) {
    if (settings.bucket.startsWith(`${settings.project}-${environment}-`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ci', 'environments', index],
        message: `"${environment}" makes the state bucket ${settings.bucket} look like one of its tier's buckets (${settings.project}-${environment}-*); rename one`,
      });
    }
  }
});

export type StateBackendSettings = z.output<typeof stateBackendSchema>;
