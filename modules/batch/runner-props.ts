/** A bucket the batch tier reads or writes. */
export interface BatchBucketRef {
  readonly name: string;
  readonly arn: string;
}

/** What both runners (BatchWorkflow, BatchFleet) are given: the tier, its network and buckets, the job, and the instances. */
export interface BatchRunnerProps {
  /** Tier name, e.g. `web-app-staging`; resources are `<name>-batch-…`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  /** Private subnets, one per AZ: every instance type is offered in each (the guide's overrides, type × AZ). */
  readonly subnetIds: readonly string[];
  readonly inputBucket: BatchBucketRef;
  readonly outputBucket: BatchBucketRef;
  /**
   * Shell lines that see INPUT_URI and OUTPUT_URI: the workflow's job (SSM
   * AWS-RunShellScript, the object and its output), or the fleet's worker, a
   * service that restarts when they exit (the prefixes).
   */
  readonly commands: readonly string[];
  /** @default ['c5.xlarge', 'c5a.xlarge', 'c6i.xlarge'] (BATCH_DEFAULTS.instanceTypes) */
  readonly instanceTypes?: readonly string[];
  /** @default 'incoming/' (BATCH_DEFAULTS.inputPrefix) */
  readonly inputPrefix?: string;
  /** @default 'processed/' (BATCH_DEFAULTS.outputPrefix) */
  readonly outputPrefix?: string;
  /**
   * The tier's key: the buckets, and the workflow's log groups, queue and
   * function environment. Its policy must let EventBridge use it for rules
   * named `<name>-batch-…` (OperationsKey's eventRuleNamePrefixes),
   * CloudWatch Logs for the log groups in `batchLogGroupNames`, and
   * CloudWatch for alarms named `<name>-…`.
   */
  readonly kmsKeyArn: string;
  /** Tags for the instances and volumes. @default none */
  readonly tags?: Record<string, string>;
  /**
   * AMI ID, or `resolve:ssm:<parameter>`.
   * @default the latest Amazon Linux 2023 (x86_64)
   */
  readonly imageId?: string;
}
