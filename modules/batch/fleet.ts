import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SpotFleetRequest } from '@cdktf/provider-aws/lib/spot-fleet-request';
import { Construct } from 'constructs';
import { assumeRolePolicy } from '../shared/iam';
import { BATCH_DEFAULTS, type SpotFleetAllocationStrategy } from './defaults';
import { type BatchInstances, runnerInstances } from './instances';
import { batchNamePrefix } from './names';
import type { BatchRunnerProps } from './runner-props';

export interface BatchFleetProps extends BatchRunnerProps {
  /** Instances kept running. */
  readonly targetCapacity: number;
  /** @default 0 (BATCH_DEFAULTS.fleet.onDemandTargetCapacity) */
  readonly onDemandTargetCapacity?: number;
  /** @default 'capacityOptimized' (BATCH_DEFAULTS.fleet.allocationStrategy) */
  readonly allocationStrategy?: SpotFleetAllocationStrategy;
}

/** systemd waits this long after SIGTERM before it kills the worker: inside Spot's two-minute notice, with room for shutdown. */
export const WORKER_STOP_SECONDS = 90;

/**
 * The worker a steady fleet runs: the commands as a script, kept running by
 * systemd (restarted 30 s after it exits). At a Spot interruption the
 * instance shuts down, and systemd sends the worker SIGTERM and waits
 * WORKER_STOP_SECONDS before SIGKILL: the job's chance to checkpoint.
 */
export function workerUserData(options: { inputBucketName: string; outputBucketName: string; inputPrefix: string; outputPrefix: string; commands: readonly string[] }): string {
  return [
    '#!/bin/bash',
    'set -eu',
    "cat > /usr/local/bin/batch-worker <<'BATCH_WORKER'",
    '#!/bin/bash',
    'set -eu',
    `export INPUT_URI='s3://${options.inputBucketName}/${options.inputPrefix}'`,
    `export OUTPUT_URI='s3://${options.outputBucketName}/${options.outputPrefix}'`,
    ...options.commands,
    'BATCH_WORKER',
    'chmod 755 /usr/local/bin/batch-worker',
    "cat > /etc/systemd/system/batch-worker.service <<'BATCH_UNIT'",
    '[Unit]',
    'Description=Batch worker (the environment\'s batch.commands)',
    'Wants=network-online.target',
    'After=network-online.target',
    '[Service]',
    'ExecStart=/usr/local/bin/batch-worker',
    'Restart=always',
    'RestartSec=30',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${WORKER_STOP_SECONDS}`,
    '[Install]',
    'WantedBy=multi-user.target',
    'BATCH_UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now batch-worker.service',
    '',
  ].join('\n');
}

/**
 * The guide's steady batch fleet: a `maintain` Spot Fleet of targetCapacity
 * instances, capacity-optimized over every instance type in every private
 * subnet, that replaces what Spot reclaims and terminates its instances when
 * the request goes. The instances are the workflow's (BatchInstances: same
 * template, role and group), with the commands as a worker service that
 * may also list the input prefix, to poll it.
 */
export class BatchFleet extends Construct {
  public readonly instances: BatchInstances;
  public readonly spotFleetRequestId: string;
  public readonly fleetRoleArn: string;

  constructor(scope: Construct, id: string, props: BatchFleetProps) {
    super(scope, id);
    const prefix = batchNamePrefix(props.name);
    const instanceTypes = props.instanceTypes ?? BATCH_DEFAULTS.instanceTypes;
    const inputPrefix = props.inputPrefix ?? BATCH_DEFAULTS.inputPrefix;
    const outputPrefix = props.outputPrefix ?? BATCH_DEFAULTS.outputPrefix;
    const onDemand = props.onDemandTargetCapacity ?? BATCH_DEFAULTS.fleet.onDemandTargetCapacity;
    if (instanceTypes.length === 0) throw new Error(`${this.node.path}: needs at least one instance type`);
    if (onDemand > props.targetCapacity) throw new Error(`${this.node.path}: onDemandTargetCapacity ${onDemand} > targetCapacity ${props.targetCapacity}`);

    this.instances = runnerInstances(this, props, { inputPrefix, outputPrefix, instanceType: instanceTypes[0]! }, {
      listInput: true,
      userData: workerUserData({ inputBucketName: props.inputBucket.name, outputBucketName: props.outputBucket.name, inputPrefix, outputPrefix, commands: props.commands }),
    });

    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const role = new IamRole(this, 'fleet-role', {
      name: `${prefix}-fleet`,
      description: `Spot Fleet of the batch tier of ${props.name}: launches, tags and terminates its instances`,
      assumeRolePolicy: assumeRolePolicy(this, 'spotfleet-trust', 'spotfleet.amazonaws.com', { account: props.account }),
    });
    const rolePolicy = new IamRolePolicyAttachment(this, 'fleet-role-policy', {
      role: role.name,
      policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole`,
    });
    this.fleetRoleArn = role.arn;

    const fleet = new SpotFleetRequest(this, 'fleet', {
      iamFleetRole: role.arn,
      fleetType: 'maintain',
      targetCapacity: props.targetCapacity,
      onDemandTargetCapacity: onDemand,
      allocationStrategy: props.allocationStrategy ?? BATCH_DEFAULTS.fleet.allocationStrategy,
      instanceInterruptionBehaviour: 'terminate',
      terminateInstancesWithExpiration: true,
      terminateInstancesOnDelete: 'true',
      replaceUnhealthyInstances: true,
      // Synth and plan need not wait for Spot capacity.
      waitForFulfillment: false,
      launchTemplateConfig: [
        {
          launchTemplateSpecification: { id: this.instances.launchTemplateId, version: this.instances.launchTemplateVersion },
          overrides: instanceTypes.flatMap((instanceType) => props.subnetIds.map((subnetId) => ({ instanceType, subnetId }))),
        },
      ],
      tags: { Name: prefix },
      // The role's policy must be in place before the fleet uses it, and stay until the fleet has terminated its instances.
      dependsOn: [rolePolicy],
    });
    this.spotFleetRequestId = fleet.id;
  }
}
