import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { FisExperimentTemplate } from '@cdktf/provider-aws/lib/fis-experiment-template';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';

export interface SpotChaosExperimentProps {
  /** Prefix for names, e.g. `web-app-staging`. */
  readonly name: string;
  /** Value of the instances' `Environment` tag. */
  readonly environment: string;
  readonly autoScalingGroupName: string;
  readonly account: string;
  readonly region: string;
  /** Alarm that stops the experiment (the 5xx error rate). */
  readonly stopAlarmArn: string;
  /** Spot instances to interrupt. @default 2 */
  readonly instances?: number;
  /** Warning before the interruption, ISO-8601. @default 'PT2M' */
  readonly warning?: string;
}

/**
 * An AWS FIS experiment template (seed section 8) that sends Spot
 * interruptions to instances of one fleet, found by its tags, and stops as
 * soon as the 5xx alarm fires. Its role can interrupt only that fleet.
 */
export class SpotChaosExperiment extends Construct {
  public readonly templateId: string;

  constructor(scope: Construct, id: string, props: SpotChaosExperimentProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const trust = new DataAwsIamPolicyDocument(this, 'fis-trust', {
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['fis.amazonaws.com'] }],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.account] }],
        },
      ],
    });
    const role = new IamRole(this, 'role', { name: `${props.name}-spot-chaos`, assumeRolePolicy: trust.json });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'InterruptThisFleetOnly',
          actions: ['ec2:SendSpotInstanceInterruptions'],
          resources: [`arn:${partition}:ec2:${props.region}:${props.account}:instance/*`],
          condition: [{ test: 'StringEquals', variable: 'aws:ResourceTag/aws:autoscaling:groupName', values: [props.autoScalingGroupName] }],
        },
        { sid: 'FindTargets', actions: ['ec2:DescribeInstances'], resources: ['*'] },
      ],
    });
    new IamRolePolicy(this, 'policy', { name: 'spot-interruptions', role: role.id, policy: permissions.json });

    const template = new FisExperimentTemplate(this, 'template', {
      description: `Interrupt ${props.instances ?? 2} Spot instances of ${props.autoScalingGroupName}; stops on 5xx`,
      roleArn: role.arn,
      stopCondition: [{ source: 'aws:cloudwatch:alarm', value: props.stopAlarmArn }],
      action: [
        {
          name: 'interrupt-spot-instances',
          actionId: 'aws:ec2:send-spot-instance-interruptions',
          parameter: [{ key: 'durationBeforeInterruption', value: props.warning ?? 'PT2M' }],
          target: { key: 'SpotInstances', value: 'fleet-spot-instances' },
        },
      ],
      target: [
        {
          name: 'fleet-spot-instances',
          resourceType: 'aws:ec2:spot-instance',
          selectionMode: `COUNT(${props.instances ?? 2})`,
          resourceTag: [
            { key: 'Environment', value: props.environment },
            { key: 'aws:autoscaling:groupName', value: props.autoScalingGroupName },
          ],
        },
      ],
      tags: { Name: `${props.name}-spot-chaos` },
    });
    this.templateId = template.id;
  }
}
