import { Construct } from 'constructs';
import { BatchBuckets } from './buckets';
import { BATCH_DEFAULTS, type BatchRunner, type SpotFleetAllocationStrategy } from './defaults';
import { BatchFleet } from './fleet';
import type { BatchRunnerProps } from './runner-props';
import { BatchWorkflow, type BatchWorkflowProps } from './workflow';

export interface BatchTierProps extends Omit<BatchWorkflowProps, 'inputBucket' | 'outputBucket'> {
  /** @default 'workflow' (BATCH_DEFAULTS.runner) */
  readonly runner?: BatchRunner;
  /** Required with runner 'spot-fleet', refused with 'workflow'. @default none */
  readonly fleet?: { readonly targetCapacity: number; readonly onDemandTargetCapacity?: number; readonly allocationStrategy?: SpotFleetAllocationStrategy };
  /**
   * Let a destroy delete the buckets with the objects, versions and access logs they still hold (S3 refuses to delete a bucket that is not empty).
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The batch tier: its buckets, and the runner the environment chose — the
 * Step Functions workflow (one Spot instance per object, only when there is
 * work) or the steady Spot Fleet.
 */
export class BatchTier extends Construct {
  public readonly buckets: BatchBuckets;
  public readonly workflow?: BatchWorkflow;
  public readonly fleet?: BatchFleet;

  constructor(scope: Construct, id: string, props: BatchTierProps) {
    super(scope, id);
    const runner = props.runner ?? BATCH_DEFAULTS.runner;
    if (runner === 'spot-fleet' && !props.fleet) throw new Error(`${this.node.path}: runner spot-fleet needs fleet (targetCapacity)`);
    if (runner === 'workflow' && props.fleet) throw new Error(`${this.node.path}: fleet is only for runner spot-fleet`);
    this.buckets = new BatchBuckets(this, 'buckets', { name: props.name, account: props.account, region: props.region, kmsKeyArn: props.kmsKeyArn, forceDestroy: props.forceDestroy });
    const shared: BatchRunnerProps = {
      name: props.name,
      account: props.account,
      region: props.region,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      inputBucket: { name: this.buckets.inputBucketName, arn: this.buckets.inputBucketArn },
      outputBucket: { name: this.buckets.outputBucketName, arn: this.buckets.outputBucketArn },
      commands: props.commands,
      instanceTypes: props.instanceTypes,
      inputPrefix: props.inputPrefix,
      outputPrefix: props.outputPrefix,
      kmsKeyArn: props.kmsKeyArn,
      tags: props.tags,
      imageId: props.imageId,
    };
    if (runner === 'spot-fleet') {
      this.fleet = new BatchFleet(this, 'fleet', { ...shared, ...props.fleet! });
    } else {
      this.workflow = new BatchWorkflow(this, 'workflow', {
        ...shared,
        alertsTopicArn: props.alertsTopicArn,
        maxRunMinutes: props.maxRunMinutes,
        interruptionRetries: props.interruptionRetries,
        failedRunRetentionDays: props.failedRunRetentionDays,
        logRetentionDays: props.logRetentionDays,
      });
    }
  }

  /** The batch instances' security group: the network lets it reach the interface endpoints. */
  get securityGroupId(): string {
    return (this.workflow?.instances ?? this.fleet!.instances).securityGroupId;
  }
}
