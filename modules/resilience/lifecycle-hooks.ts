import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { AlertTopic, type Subscriber } from '../notifications';
import { assumeRolePolicy } from '../shared/iam';

export interface LifecycleHooksProps {
  /** Prefix for names, e.g. `web-app-prod`. */
  readonly name: string;
  /** Account of the group: only Auto Scaling acting for it may assume the hooks' role. */
  readonly account: string;
  readonly autoScalingGroupName: string;
  /** Key for the notification topic. */
  readonly kmsKeyArn: string;
  /**
   * Seconds a launching instance has to report ready (the fleet's user data
   * completes the action once /health answers).
   * @default 600 (seed)
   */
  readonly launchHeartbeatSeconds?: number;
  /**
   * Seconds a terminating instance gets to drain and ship its logs.
   * @default 300 (seed)
   */
  readonly terminateHeartbeatSeconds?: number;
  /** Who hears of each transition (automation, usually). @default none */
  readonly subscribers?: readonly Subscriber[];
}

/** Name of the launch hook of the fleet called `name`, for its user data to complete. */
export function launchHookName(name: string): string {
  return `${name}-launch`;
}

/**
 * Launch and terminate lifecycle hooks, as standalone resources (so they
 * attach to an existing group too), notifying a KMS-encrypted topic through
 * a role Auto Scaling assumes. A launching instance that never reports ready
 * is abandoned when the heartbeat runs out (the group replaces it), so an
 * instance whose app never came up does not serve. A terminating one
 * continues, so any other termination hook still runs.
 */
export class LifecycleHooks extends Construct {
  public readonly topicArn: string;
  public readonly launchHookName: string;
  public readonly terminateHookName: string;

  constructor(scope: Construct, id: string, props: LifecycleHooksProps) {
    super(scope, id);
    const topic = new AlertTopic(this, 'topic', { name: `${props.name}-lifecycle`, kmsKeyId: props.kmsKeyArn, subscribers: props.subscribers });
    this.topicArn = topic.topicArn;

    const role = new IamRole(this, 'role', {
      name: `${props.name}-lifecycle-hooks`,
      assumeRolePolicy: assumeRolePolicy(this, 'autoscaling-trust', 'autoscaling.amazonaws.com', { account: props.account }),
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        { sid: 'Notify', actions: ['sns:Publish'], resources: [topic.topicArn] },
        { sid: 'UseTheTopicKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.kmsKeyArn] },
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'lifecycle-notifications', role: role.id, policy: permissions.json });

    const hook = (hookId: string, name: string, transition: string, heartbeat: number, defaultResult: 'ABANDON' | 'CONTINUE') =>
      new AutoscalingLifecycleHook(this, hookId, {
        name,
        autoscalingGroupName: props.autoScalingGroupName,
        lifecycleTransition: transition,
        heartbeatTimeout: heartbeat,
        defaultResult,
        notificationTargetArn: topic.topicArn,
        roleArn: role.arn,
      });
    this.launchHookName = hook('launch', launchHookName(props.name), 'autoscaling:EC2_INSTANCE_LAUNCHING', props.launchHeartbeatSeconds ?? 600, 'ABANDON').name;
    this.terminateHookName = hook('terminate', `${props.name}-terminate`, 'autoscaling:EC2_INSTANCE_TERMINATING', props.terminateHeartbeatSeconds ?? 300, 'CONTINUE').name;
  }
}
