/**
 * Where the stacks deploy. The stacks are the same everywhere; a target only
 * lays its provider settings and its state backend over them. The product
 * knows one target, AWS; others (the workbench's local sandbox) implement
 * this interface outside it and pass it to `buildStacks`.
 */
import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import type { S3Backend } from 'cdktf';
import { Construct } from 'constructs';

export interface DeployTarget {
  /** The AWS provider settings for this target, from the stack's own (region, alias, default tags, account guard, role). */
  providerConfig(config: AwsProviderConfig): AwsProviderConfig;
  /** Adjusts an environment stack's S3 state backend (endpoints, credentials). */
  configureBackend(backend: S3Backend): void;
  /**
   * Directory of the state-backend stack's own local state, relative to its
   * working directory (cdktf.out/stacks/state-backend) or absolute.
   */
  readonly stateBackendStateDir: string;
  /** Whether the state bucket, table and key refuse `terraform destroy`. */
  readonly protectState: boolean;
  /**
   * Set for a target that keeps every environment's state in its own S3
   * state backend, whatever the environment's `state` says: a throwaway
   * account has no HCP Terraform workspace to write to.
   */
  readonly keepsStateInS3?: boolean;
  /**
   * Set for a target with no access to the account's own resources (a
   * throwaway account): configured zone IDs and certificate ARNs are ignored,
   * the stack creates its zone, and an environment without DNS gets a
   * certificate requested from ACM for this name.
   */
  readonly isolatedCertificateDomain?: (qualifiedName: string) => string;
}

/** Real AWS: the provider as configured, credentials from the standard chain, state kept in the project root. */
export const AWS_TARGET: DeployTarget = {
  providerConfig: (config) => config,
  configureBackend: () => undefined,
  // Relative to cdktf.out/stacks/state-backend: the project root, which survives re-synthesis.
  stateBackendStateDir: '../../..',
  protectState: true,
};

/** The role a stack's providers assume, as the environment file gives it (environments/schema/deployment.ts). */
export interface DeployRole {
  readonly roleArn: string;
  /** @default `deploySessionName(<project>, <stack>)` */
  readonly sessionName?: string;
  /** @default none */
  readonly externalId?: string;
}

/** Which account a stack's providers must act in, and the role they assume to get there. */
export interface AccountAccess {
  /** The only account the providers accept (`allowed_account_ids`): credentials of any other fail at plan. */
  readonly account: string;
  /** @default the caller's own credentials, no role assumed */
  readonly deployRole?: DeployRole;
  /** Session name when `deployRole` gives none: `deploySessionName(project, stack)`. */
  readonly defaultSessionName: string;
}

/** The default session name of a stack's deploy role: shows in CloudTrail as who made each change. */
export function deploySessionName(project: string, stack: string): string {
  return `${project}-${stack}-cdktf`;
}

/** An AWS provider configured for `target`, pinned to the account of `access` and assuming its role. */
export function awsProvider(scope: Construct, id: string, target: DeployTarget, config: AwsProviderConfig, access: AccountAccess): AwsProvider {
  const role = access.deployRole;
  return new AwsProvider(
    scope,
    id,
    target.providerConfig({
      ...config,
      // Always, role or not: a wrong profile or role fails at plan instead of deploying into another account.
      allowedAccountIds: [access.account],
      ...(role
        ? {
            assumeRole: [
              {
                roleArn: role.roleArn,
                sessionName: role.sessionName ?? access.defaultSessionName,
                ...(role.externalId === undefined ? {} : { externalId: role.externalId }),
              },
            ],
          }
        : {}),
    }),
  );
}
