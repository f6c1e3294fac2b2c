/**
 * Where every environment keeps its Terraform state. Deployed once per
 * account by the `state-backend` stack; its own state stays local.
 * The bucket name must be globally unique: change it for your account.
 */
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

export type StateBackendSettings = typeof stateBackend;
