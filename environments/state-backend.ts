/**
 * Where every environment keeps its Terraform state. Deployed once per
 * account by the `state-backend` stack; its own state stays local.
 * The bucket name must be globally unique: change it for your account.
 */
import { z } from 'zod';
import { awsRegion, bucketName, dynamoDbTableName } from './aws-limits';
import { slug } from './schema';

export const stateBackend = {
  project: 'web-app',
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
} as const;

/** Checked with the environments, before anything is synthesized (load.ts `validateConfiguration`). */
export const stateBackendSchema = z.strictObject({
  /** Prefix of every state key: `<project>/<env>/terraform.tfstate`. */
  project: slug,
  region: awsRegion,
  /** The state key's KMS alias is `alias/<bucket>`, and KMS aliases take no dots. */
  bucket: bucketName.refine((name) => !name.includes('.'), {
    error: 'must not contain dots: the state key is aliased alias/<bucket>, and KMS aliases allow no dots',
  }),
  lockTable: dynamoDbTableName,
  locking: z.enum(['dynamodb', 'both']),
  noncurrentVersionRetentionDays: z.number().int().min(1, 'must be at least 1 (S3 lifecycle NoncurrentDays)'),
});

export type StateBackendSettings = z.output<typeof stateBackendSchema>;
