import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { CiAccess } from '../modules/ci-access';
import { applySecurityPack } from '../modules/security';
import { StateBackend } from '../modules/state-backend';
import { type BackendSettings, stateKey, stateKmsAlias } from './backend-settings';
import { AWS_TARGET, awsProvider, deploySessionName, type DeployRole, type DeployTarget } from './target';

export const STATE_BACKEND_STACK = 'state-backend';

/** Who may plan and deploy from GitHub Actions; see environments/state-backend.ts `ci`. */
export interface CiSettings {
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** Branch the workflows are trusted from. */
  readonly defaultBranch: string;
  /** Stacks that get a plan and a deploy role. */
  readonly environments: readonly string[];
  /** Stacks whose pull-request plans run in the reviewed GitHub environment `<env>-plan`. */
  readonly reviewedPlans: readonly string[];
}

/** The state backend settings, with the CI access the account grants (none when absent). */
export type StateBackendStackSettings = BackendSettings & {
  /** The account the state lives in. */
  readonly account: string;
  /** The one role that may rewrite the bucket's history or protections. @default `role/state-break-glass` in `account` */
  readonly breakGlassRoleArn?: string;
  /** Role the stack's provider assumes (its session name defaults to `<project>-state-backend-cdktf`). @default the caller's own credentials */
  readonly deployRole?: DeployRole;
  readonly ci?: CiSettings;
};

/**
 * The bucket and lock table every environment keeps its state in. Its own
 * state stays local: it cannot live in the bucket it creates.
 */
export class StateBackendStack extends TerraformStack {
  constructor(scope: Construct, settings: StateBackendStackSettings, target: DeployTarget = AWS_TARGET) {
    super(scope, STATE_BACKEND_STACK);
    const stateFile = `terraform.${STATE_BACKEND_STACK}.tfstate`;
    new LocalBackend(this, { path: `${target.stateBackendStateDir}/${stateFile}` });
    // Pinned to the state's account like every environment's provider: the bucket it creates must not land elsewhere.
    const access = { account: settings.account, deployRole: settings.deployRole, defaultSessionName: deploySessionName(settings.project, STATE_BACKEND_STACK) };
    awsProvider(
      this,
      'aws',
      target,
      { region: settings.region, defaultTags: [{ tags: { Project: settings.project, ManagedBy: 'cdktf', Purpose: 'terraform-state' } }] },
      access,
    );
    const backend = new StateBackend(this, 'state', {
      bucketName: settings.bucket,
      lockTableName: settings.lockTable,
      keyAlias: stateKmsAlias(settings),
      noncurrentVersionRetentionDays: settings.noncurrentVersionRetentionDays,
      account: settings.account,
      breakGlassRoleArn: settings.breakGlassRoleArn,
      protect: target.protectState,
    });
    // The CI roles live here: they guard this bucket, table and key, and no environment stack may widen its own access.
    if (settings.ci) this.ciAccess(settings, settings.ci, backend.kmsKeyArn);
    applySecurityPack(this, { production: true });
    new TerraformOutput(this, 'state_bucket', { value: backend.bucketName });
    new TerraformOutput(this, 'lock_table', { value: backend.lockTableName });
    new TerraformOutput(this, 'kms_key_arn', { value: backend.kmsKeyArn });
  }

  private ciAccess(settings: BackendSettings, ci: CiSettings, stateKeyArn: string): void {
    const access = new CiAccess(this, 'ci', {
      repository: ci.repository,
      defaultBranch: ci.defaultBranch,
      project: settings.project,
      environments: ci.environments.map((name) => ({ name, stateKey: stateKey(settings, name), reviewedPlan: ci.reviewedPlans.includes(name) })),
      stateBucket: settings.bucket,
      lockTable: settings.lockTable,
      region: settings.region,
      stateKeyArn,
      locking: settings.locking,
    });
    new TerraformOutput(this, 'ci_oidc_provider_arn', { value: access.oidcProviderArn });
    for (const name of ci.environments) {
      new TerraformOutput(this, `ci_plan_role_arn_${name}`, { value: access.planRoleArns[name] });
      new TerraformOutput(this, `ci_deploy_role_arn_${name}`, { value: access.deployRoleArns[name] });
    }
    // The repository variable AWS_PLAN_ROLE_ARNS, as the workflows read it: {"<env>": "<arn>"}.
    new TerraformOutput(this, 'ci_plan_role_arns', { value: access.planRoleArns });
  }
}
