/** Where and how an environment stack stores its state; see environments/state-backend.ts. */
import { CloudBackend, NamedCloudWorkspace, S3Backend, type TerraformStack } from 'cdktf';
import { deploySessionName, type DeployTarget } from './target';

export interface BackendSettings {
  /** Project slug; the state key is `<project>/<env>/terraform.tfstate`. */
  readonly project: string;
  readonly region: string;
  readonly bucket: string;
  readonly lockTable: string;
  /**
   * `dynamodb`: lock through the table. `both`: also take the S3 lock file
   * (`use_lockfile`, Terraform ≥ 1.10), the migration path off DynamoDB.
   */
  readonly locking: 'dynamodb' | 'both';
  /** Days to keep superseded state versions. */
  readonly noncurrentVersionRetentionDays: number;
  /**
   * The account the bucket lives in; an environment's `state.roleArn` must be one of its roles (the bucket and key policies admit no other account).
   * @default not checked
   */
  readonly account?: string;
}

/** HCP Terraform's own host, the `cloud` block's default. */
export const HCP_TERRAFORM_HOSTNAME = 'app.terraform.io';

/** Where one environment keeps its state (environments/schema/deployment.ts `state`). */
export type EnvironmentState =
  | { readonly kind: 's3'; readonly roleArn?: string }
  | { readonly kind: 'cloud'; readonly organization: string; readonly workspace: string; readonly hostname?: string; readonly project?: string };

/** Alias of the state key; the backend writes state with it, not SSE-S3. */
export function stateKmsAlias(settings: Pick<BackendSettings, 'bucket'>): string {
  return `alias/${settings.bucket}`;
}

export function stateKey(settings: Pick<BackendSettings, 'project'>, environment: string): string {
  return `${settings.project}/${environment}/terraform.tfstate`;
}

/**
 * Why `state` cannot reach the shared bucket, or undefined: its role must be
 * one of the state account's (the bucket and key policies admit no other).
 */
export function stateRoleProblem(state: EnvironmentState, backend: Pick<BackendSettings, 'account'>): string | undefined {
  if (state.kind !== 's3' || !state.roleArn || !backend.account) return undefined;
  const owner = state.roleArn.split(':')[4];
  return owner === backend.account ? undefined : `role belongs to account ${owner}, not the state backend's ${backend.account}`;
}

/**
 * The environment stack's backend: the shared S3 bucket (optionally through
 * a role of the state account) or an HCP Terraform workspace. A target that
 * keeps every state in S3 (the sandbox) gets S3 whatever the environment says.
 */
export function useStateBackend(
  stack: TerraformStack,
  environment: { readonly project: string; readonly name: string; readonly state: EnvironmentState },
  backend: BackendSettings,
  target: DeployTarget,
): S3Backend | CloudBackend {
  const state: EnvironmentState = target.keepsStateInS3 ? { kind: 's3' } : environment.state;
  if (state.kind === 'cloud') {
    return new CloudBackend(stack, {
      organization: state.organization,
      hostname: state.hostname ?? HCP_TERRAFORM_HOSTNAME,
      workspaces: new NamedCloudWorkspace(state.workspace, state.project),
    });
  }
  const s3 = new S3Backend(stack, {
    bucket: backend.bucket,
    key: stateKey(backend, environment.name),
    region: backend.region,
    encrypt: true,
    kmsKeyId: stateKmsAlias(backend),
    dynamodbTable: backend.lockTable,
    // Terraform ≥ 1.6's form (`assume_role = { … }`), not the deprecated top-level role_arn.
    ...(state.roleArn ? { assumeRole: { roleArn: state.roleArn, sessionName: deploySessionName(environment.project, environment.name) } } : {}),
  });
  // cdktf 0.21 predates the S3 lock file option; the override adds it verbatim.
  if (backend.locking === 'both') s3.addOverride('use_lockfile', true);
  target.configureBackend(s3);
  return s3;
}
