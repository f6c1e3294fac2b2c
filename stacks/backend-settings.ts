/** Where and how an environment stack stores its state; see environments/state-backend.ts. */
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
}

/** Alias of the state key; the backend writes state with it, not SSE-S3. */
export function stateKmsAlias(settings: Pick<BackendSettings, 'bucket'>): string {
  return `alias/${settings.bucket}`;
}

export function stateKey(settings: Pick<BackendSettings, 'project'>, environment: string): string {
  return `${settings.project}/${environment}/terraform.tfstate`;
}
