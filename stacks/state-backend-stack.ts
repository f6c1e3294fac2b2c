import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { applySecurityPack } from '../modules/security';
import { StateBackend } from '../modules/state-backend';
import { type BackendSettings, stateKmsAlias } from './backend-settings';
import { AWS_TARGET, awsProvider, type DeployTarget } from './target';

export const STATE_BACKEND_STACK = 'state-backend';

/**
 * The bucket and lock table every environment keeps its state in. Its own
 * state stays local: it cannot live in the bucket it creates.
 */
export class StateBackendStack extends TerraformStack {
  constructor(scope: Construct, settings: BackendSettings, target: DeployTarget = AWS_TARGET) {
    super(scope, STATE_BACKEND_STACK);
    const stateFile = `terraform.${STATE_BACKEND_STACK}.tfstate`;
    new LocalBackend(this, { path: `${target.stateBackendStateDir}/${stateFile}` });
    awsProvider(this, 'aws', target, {
      region: settings.region,
      defaultTags: [{ tags: { Project: settings.project, ManagedBy: 'cdktf', Purpose: 'terraform-state' } }],
    });
    const backend = new StateBackend(this, 'state', {
      bucketName: settings.bucket,
      lockTableName: settings.lockTable,
      keyAlias: stateKmsAlias(settings),
      noncurrentVersionRetentionDays: settings.noncurrentVersionRetentionDays,
      protect: target.protectState,
    });
    applySecurityPack(this, { production: true });
    new TerraformOutput(this, 'state_bucket', { value: backend.bucketName });
    new TerraformOutput(this, 'lock_table', { value: backend.lockTableName });
    new TerraformOutput(this, 'kms_key_arn', { value: backend.kmsKeyArn });
  }
}
