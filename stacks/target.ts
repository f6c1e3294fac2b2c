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
  /** The AWS provider settings for this target, from the stack's own (region, alias, default tags). */
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

/** An AWS provider configured for `target`. */
export function awsProvider(scope: Construct, id: string, target: DeployTarget, config: AwsProviderConfig): AwsProvider {
  return new AwsProvider(scope, id, target.providerConfig(config));
}
