/**
 * Where the local emulator (moto 5) differs from AWS for these stacks, and
 * how each difference is handled. None is handled by changing a module:
 * `launcher` gaps are corrected inside moto by ./moto_launcher.py (its
 * `--list` must name exactly these ids; a test checks), `target` gaps by the
 * emulator target (./target.ts) the sandbox's entry point (./app.ts) builds for,
 * `reader` gaps where the SDK inventory reads the emulator, and `open` gaps
 * are not handled: they are what the sandbox cannot show.
 */

export interface EmulatorGap {
  readonly id: string;
  readonly where: 'launcher' | 'target' | 'reader' | 'open';
  /** What moto does differently from AWS. */
  readonly gap: string;
  /** How the sandbox copes. */
  readonly handling: string;
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    id: 'serialized-requests',
    where: 'launcher',
    gap: 'handles each request on its own thread with no locks on its backends: concurrent Terraform runs can lose updates (two revokes on one security group each rewrite its rule list from what they read), and a later call fails on a rule that is gone or back',
    handling: 'requests pass through moto\'s backends one at a time; connections are still accepted concurrently',
  },
  {
    id: 'answer-in-one-write',
    where: 'launcher',
    gap: 'writes an answer\'s headers and its body as two TLS records, milliseconds apart under load. The Go HTTP client in Terraform and the provider sometimes closes its own connection as the headers arrive (packet captures show its close_notify between the two records; a known client-side problem, aws/aws-sdk-go-v2#1825 and #2737, seen when the client is short of CPU and the answer is quick — on loopback, always quick), so the body meets a closed socket and the SDK sends the whole call again',
    handling: 'headers and body leave in one write: an answer that fits the client\'s 4 KiB read buffer is read whole with the headers, and the early close costs nothing',
  },
  {
    id: 'sdk-retry-replay',
    where: 'launcher',
    gap: 'runs every attempt of an API call it is sent: when an answer does not reach the provider, the SDK sends the same call again and moto acts twice — a create then fails with "already exists" (IAM role, route) or leaves a second resource that no state knows (security groups and target groups named from a prefix), which no destroy removes',
    handling: 'an attempt of a call (same amz-sdk-invocation-id) whose earlier attempt succeeded gets that attempt\'s answer again, and one that arrives while the earlier attempt still runs waits for it; each call acts once, for every API',
  },
  {
    id: 'bucket-policy-conditions',
    where: 'launcher',
    gap: 'evaluates bucket policies without request context: a statement whose Condition does not match counts as an explicit Deny, so the TLS-only state-bucket policy denies every request',
    handling: 'a statement whose condition does not match is neutral, as on AWS; the TLS-only policies stay in the stacks',
  },
  {
    id: 'mixed-instances-capacity',
    where: 'launcher',
    gap: 'floors the on-demand and Spot shares of a mixed-instances group separately (desired 4, base 2, 20 % → 3 instances), so Terraform waits for capacity until it times out',
    handling: 'the group is filled to its desired capacity, in units of the first override\'s weight, and each instance reports its weight',
  },
  {
    id: 'asg-default-instance-warmup',
    where: 'launcher',
    gap: 'drops DefaultInstanceWarmup, so every plan would set it again',
    handling: 'stored on create and update and reported back',
  },
  {
    id: 'scaling-policy-fields',
    where: 'launcher',
    gap: 'omits Enabled from scaling policies and returns an empty PredictiveScalingConfiguration on target-tracking ones, so every plan would change them',
    handling: 'policies report Enabled=true; only predictive policies carry a predictive configuration',
  },
  {
    id: 'health-check-caller-reference',
    where: 'launcher',
    gap: 'creates a new Route 53 health check for every CreateHealthCheck, where AWS returns the existing one for a repeated CallerReference: a create sent again leaves an orphaned health check behind',
    handling: 'a repeated CallerReference returns the health check it created, as on AWS (kept beside sdk-retry-replay: this is AWS\'s own idempotency, for any call that repeats the reference, not only an SDK retry)',
  },
  {
    id: 'launch-template-tags',
    where: 'launcher',
    gap: 'copies the launch template\'s own tags into its data as a launch-template TagSpecification, so every plan would remove them',
    handling: 'tags of the template itself stay out of its data, as on AWS',
  },
  {
    id: 'security-group-rule-description',
    where: 'launcher',
    gap: 'reads a rule\'s description only from CIDR ranges, so rules that reference a security group lose theirs',
    handling: 'the description is read from the referenced-group pair too',
  },
  {
    id: 'alb-deletion-protection',
    where: 'launcher',
    gap: 'deletes a load balancer whose deletion protection is on, where AWS refuses (OperationNotPermitted)',
    handling: 'refused as on AWS; tearing down a protected environment lifts the protection first, as an operator would',
  },
  {
    id: 'launch-template-not-found-code',
    where: 'launcher',
    gap: 'answers InvalidLaunchTemplateName.NotFoundException when deleting a template ID that is gone; AWS answers InvalidLaunchTemplateId.NotFound, which the provider takes as already deleted — so a delete sent again after its answer was lost failed the destroy',
    handling: 'the AWS error code (kept beside sdk-retry-replay, which now answers such a retry itself: the code is what AWS answers)',
  },
  {
    id: 'lifecycle-hook-targets',
    where: 'launcher',
    gap: 'ignores a lifecycle hook\'s RoleARN and NotificationTargetARN and reports fixed placeholders (an SQS queue in us-east-1, a role in account 1234567890), so every plan would set them again',
    handling: 'the hook keeps and reports the role and target it was given',
  },
  {
    id: 'lambda-dead-letter-config',
    where: 'launcher',
    gap: 'drops a function\'s DeadLetterConfig and KMSKeyArn (its environment variables\' key), so every plan would set them again',
    handling: 'both kept on create and update and reported by GetFunction',
  },
  {
    id: 'fis-get-experiment-template',
    where: 'launcher',
    gap: 'creates FIS experiment templates but has no GetExperimentTemplate, so Terraform retries reading a new template until it gives up (staging)',
    handling: 'GetExperimentTemplate answers from the stored template',
  },
  {
    id: 'security-group-rule-not-found-code',
    where: 'launcher',
    gap: 'answers InvalidPermission.NotFound when revoking a security-group rule ID that is gone; AWS answers InvalidSecurityGroupRuleId.NotFound, which the provider takes as already deleted',
    handling: 'the AWS error code',
  },
  {
    id: 'instance-refresh',
    where: 'launcher',
    gap: 'has no StartInstanceRefresh or DescribeInstanceRefreshes: an apply that changes the launch template of an existing group fails where AWS starts a rolling refresh',
    handling: 'the refresh is accepted and recorded with its strategy and preferences, and completes at once (no instance boots in the emulator)',
  },
  {
    id: 'application-autoscaling-tags',
    where: 'launcher',
    gap: 'has no tags in Application Auto Scaling: RegisterScalableTarget drops its Tags and ListTagsForResource is not implemented, so the provider retries reading a new scalable target (the Fargate service\'s, the API alias\'s) until its create times out',
    handling: 'a scalable target keeps the tags it is registered with, and ListTagsForResource, TagResource and UntagResource work on them',
  },
  {
    id: 'state-machine-validation',
    where: 'launcher',
    gap: 'has no ValidateStateMachineDefinition, which the provider calls before it creates or updates a state machine, so the batch workflow\'s create fails',
    handling: 'the call checks the definition\'s structure as AWS\'s validator does first (JSON, StartAt, every transition to a state that exists, every state ending or going on) and answers OK or FAIL with AWS\'s diagnostic codes',
  },
  {
    id: 'state-machine-versions',
    where: 'launcher',
    gap: 'publishes state machine versions but has no ListStateMachineVersions, which the provider calls on every read of a state machine, so its create times out',
    handling: 'the call lists the machine\'s versions, newest first, as AWS does',
  },
  {
    id: 'ecs-service-fields',
    where: 'launcher',
    gap: 'drops a new ECS service\'s capacity-provider strategy, deployment configuration (circuit breaker, maximum and minimum percent), health-check grace period and managed tags, so every plan would set them again',
    handling: 'the service keeps what it was created with and DescribeServices reports it',
  },
  {
    id: 'rds-provisioned-cluster-scaling',
    where: 'launcher',
    gap: 'reports an empty serverless v1 ScalingConfigurationInfo on every Aurora cluster, where AWS reports one for engine mode serverless only, so every plan would fill in its defaults',
    handling: 'a cluster without a scaling configuration reports none',
  },
  {
    id: 'rds-instance-monitoring',
    where: 'launcher',
    gap: 'drops a new DB instance\'s enhanced monitoring (interval, role) and Performance Insights (enabled, key, retention), so every plan would turn them on again',
    handling: 'the instance keeps what it was created with and DescribeDBInstances reports it',
  },
  {
    id: 's3-eventbridge-notification',
    where: 'launcher',
    gap: 'stores a bucket\'s EventBridge notification but leaves it out of GetBucketNotificationConfiguration, so every plan would turn it on again (the batch tier\'s buckets)',
    handling: 'the answer carries EventBridgeConfiguration when it is on, as AWS\'s does',
  },
  {
    id: 'account-resources',
    where: 'target',
    gap: 'a hosted-zone ID or certificate ARN from a real account does not exist in the emulator',
    handling: 'emulator builds create the zone and request listener certificates from the emulator\'s ACM (DNS-validated where the environment has DNS)',
  },
  {
    id: 'account-id',
    where: 'target',
    gap: 'with skip_requesting_account_id the provider cannot tell this account\'s security-group references from another\'s, and plans would rewrite them',
    handling: 'the emulator provider asks the emulator\'s STS for the account ID, as it asks AWS\'s',
  },
  {
    id: 'managed-policies-and-acm-wait',
    where: 'target',
    gap: 'moto knows AWS-managed IAM policies only when asked, and keeps new certificates pending for 60 s',
    handling: 'the emulator starts with MOTO_IAM_LOAD_MANAGED_POLICIES=true and MOTO_ACM_VALIDATION_WAIT=0',
  },
  {
    id: 'aws-managed-kms-key',
    where: 'reader',
    gap: 'labels the aws/dynamodb default key, created with the lock table, as customer-managed; it outlives the table as on AWS',
    handling: 'the leftover check counts keys behind alias/aws/* as the account\'s, not the stack\'s',
  },
  {
    id: 'target-groups-of-balancer',
    where: 'reader',
    gap: 'answers TargetGroupNotFound for a load balancer without target groups, where AWS answers an empty list',
    handling: 'the inventory reads that answer as an empty list',
  },
  {
    id: 'cloudfront-distribution-fields',
    where: 'open',
    gap: 'drops a distribution\'s origin access control and ACM viewer certificate and adds default forwarded_values to a cache-policy behaviour',
    handling: 'staging (the only environment with the CloudFront maintenance page) applies and destroys in the sandbox, but its second plan is not empty: the end-to-end test of staging accepts a second plan that changes that distribution, and the page bucket\'s policy that names it, and nothing else',
  },
  {
    id: 'lifecycle-actions',
    where: 'open',
    gap: 'has no CompleteLifecycleAction or RecordLifecycleActionHeartbeat, and no Spot interruptions or instance health',
    handling: 'not exercised by the sandbox: instances are records, nothing boots or serves /health',
  },
];

/** Ids the emulator launcher must correct. */
export function launcherGapIds(): string[] {
  return EMULATOR_GAPS.filter((g) => g.where === 'launcher')
    .map((g) => g.id)
    .sort();
}
