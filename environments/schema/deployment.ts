/**
 * How an environment is deployed: the role its providers assume in its
 * account, and where its Terraform state lives (the shared S3 backend or an
 * HCP Terraform workspace).
 */
import { z } from 'zod';
import { HCP_TERRAFORM_HOSTNAME } from '../../stacks/backend-settings';
import type { Report } from './primitives';

/** An IAM role ARN with its optional path; IAM allows role names of 1–64 characters. */
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const roleArn = z.string().regex(IAM_ROLE_ARN, 'is not an IAM role ARN like arn:aws:iam::210987654321:role/web-app-deploy (role name at most 64 characters)');

/** STS RoleSessionName: 2–64 characters of [\w+=,.@-]. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** STS ExternalId: 2–1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export const deployRoleSchema = z
  .strictObject({
    /** The role every AWS provider of the stack assumes; in the environment's account. */
    roleArn: roleArn.meta({
      description: "ARN of the IAM role every AWS provider of the stack assumes (primary, standby and us-east-1 alike); it must belong to the environment's `account`.",
    }),
    /** Shows in CloudTrail as who made each change. */
    sessionName: z
      .string()
      .regex(SESSION_NAME, 'must be 2–64 characters of letters, digits and _ + = , . @ - (STS RoleSessionName)')
      .optional()
      .meta({ description: 'STS session name, 2–64 characters of letters, digits and `_+=,.@-`; CloudTrail records it with every change. Omitted: `<project>-<name>-cdktf`.' }),
    /** Only for a role whose trust policy demands one (a third party's account). */
    externalId: z
      .string()
      .regex(EXTERNAL_ID, 'must be 2–1224 characters of letters, digits and _ + = , . @ : / - (STS ExternalId)')
      .optional()
      .meta({ description: 'STS external ID, 2–1224 characters of letters, digits and `_+=,.@:/-`, for a role whose trust policy requires one. Omitted: none sent.' }),
  })
  .meta({
    description:
      'Role the stack deploys through. Omitted: the caller\'s own credentials. Either way every AWS provider allows only `account` (`allowed_account_ids`), so credentials for another account fail at plan.',
  });

/** HCP Terraform organization: letters, digits, `_` and `-`, 3–40 characters. */
const HCP_ORGANIZATION = /^[A-Za-z0-9_-]{3,40}$/;
/** HCP Terraform workspace: letters, digits, `_` and `-`, at most 90 characters. */
const HCP_WORKSPACE = /^[A-Za-z0-9_-]{1,90}$/;
/** HCP Terraform project: letters, digits, inner spaces, `_` and `-`, 3–40 characters. */
const HCP_PROJECT = /^[\w-][\w -]{1,38}[\w-]$/;
/** A Terraform Enterprise host name, optionally with a port. */
const HOSTNAME = /^(?=.{1,253}(?::\d{1,5})?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?$/;

const s3StateSchema = z.strictObject({
  kind: z.literal('s3').meta({ description: 'The shared S3 backend of environments/state-backend.ts: key `<project>/<name>/terraform.tfstate`, KMS-encrypted, locked.' }),
  /** A role in the state account the backend assumes; the providers' deployRole does not apply to the backend. */
  roleArn: roleArn
    .optional()
    .meta({
      description:
        "ARN of an IAM role in the state backend's account (environments/state-backend.ts `account`) that the S3 backend assumes to read, write and lock the state. Omitted: the caller's own credentials.",
    }),
});

const cloudStateSchema = z.strictObject({
  kind: z.literal('cloud').meta({ description: 'An HCP Terraform (or Terraform Enterprise) workspace holds the state (`cloud` block).' }),
  organization: z
    .string()
    .regex(HCP_ORGANIZATION, 'must be an HCP Terraform organization name: 3–40 letters, digits, _ or -')
    .meta({ description: 'HCP Terraform organization: 3–40 letters, digits, `_` or `-`.' }),
  workspace: z
    .string()
    .regex(HCP_WORKSPACE, 'must be an HCP Terraform workspace name: 1–90 letters, digits, _ or -')
    .meta({ description: 'Workspace holding this environment\'s state: 1–90 letters, digits, `_` or `-`.' }),
  hostname: z
    .string()
    .regex(HOSTNAME, 'must be a lowercase host name like app.terraform.io or tfe.example.com, optionally with :port')
    .default(HCP_TERRAFORM_HOSTNAME)
    .meta({ description: `Host of HCP Terraform or a Terraform Enterprise installation, optionally with \`:port\`. Default \`${HCP_TERRAFORM_HOSTNAME}\`.` }),
  project: z
    .string()
    .regex(HCP_PROJECT, 'must be an HCP Terraform project name: 3–40 letters, digits, inner spaces, _ or -')
    .optional()
    .meta({ description: 'Project the workspace is created in (on first `terraform init`): 3–40 letters, digits, inner spaces, `_` or `-`. Omitted: the organization\'s default project.' }),
});

export const stateSchema = z
  .discriminatedUnion('kind', [s3StateSchema, cloudStateSchema])
  .default({ kind: 's3' })
  .meta({
    description:
      "Where the environment's Terraform state lives: `{ kind: 's3' }` (default), the shared S3 backend, or `{ kind: 'cloud', organization, workspace }`, an HCP Terraform workspace.",
  });

export type DeployRoleSpec = z.output<typeof deployRoleSchema>;
export type StateSpec = z.output<typeof stateSchema>;

/** The account of an IAM role ARN. */
export function roleAccount(arn: string): string | undefined {
  return IAM_ROLE_ARN.exec(arn)?.[1];
}

/** The deploy role is the environment account's: assuming a role elsewhere would deploy there, and `allowed_account_ids` would refuse it anyway. */
export function checkDeployRole(env: { account?: string; deployRole?: DeployRoleSpec }, report: Report): void {
  const { account, deployRole } = env;
  if (!account || !deployRole) return;
  const owner = roleAccount(deployRole.roleArn);
  if (owner && owner !== account) report(['deployRole', 'roleArn'], `role belongs to account ${owner}, not the environment's ${account}`);
}
