import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_IMAGE_ID } from '../compute';
import { assumeRolePolicy } from '../shared/iam';
import { BATCH_TAG_KEY, batchNamePrefix, batchTagValue } from './names';
import type { BatchRunnerProps } from './runner-props';

export interface BatchInstancesProps {
  /** Tier name, e.g. `web-app-staging`; the resources are `<name>-batch-…`. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  /** The buckets the job reads from and writes to, and the only prefixes it may touch. */
  readonly inputBucketArn: string;
  readonly outputBucketArn: string;
  readonly inputPrefix: string;
  readonly outputPrefix: string;
  /** The tier's key, which encrypts both buckets: the instances use it through S3 only. */
  readonly kmsKeyArn: string;
  /** Instance type the template names; EC2 Fleet and Spot Fleet override it with each of their types. */
  readonly defaultInstanceType: string;
  /**
   * May list the input prefix (a steady fleet polls it for work); a workflow
   * instance is handed its one object and needs no listing.
   * @default false
   */
  readonly listInput?: boolean;
  /**
   * User data (plain text, no Terraform references; encoded here). A workflow instance needs none: SSM brings the job.
   * @default none
   */
  readonly userData?: string;
  /**
   * AMI ID, or an SSM parameter as `resolve:ssm:<name>`.
   * @default the latest Amazon Linux 2023 (x86_64), which has the SSM agent
   */
  readonly imageId?: string;
  /** @default 30 */
  readonly rootVolumeSizeGb?: number;
  /** Tags for the instances and volumes (provider default_tags cover the rest). @default none */
  readonly tags?: Record<string, string>;
  /**
   * The launch request tags each instance with BATCH_TAG_KEY (the workflow's
   * IAM condition looks for it there), so the template leaves that one tag
   * to it; otherwise (a Spot Fleet) the template tags the instances itself.
   * @default false
   */
  readonly batchTagInRequest?: boolean;
}

/**
 * What a batch instance is, whichever runner launches it: a hardened launch
 * template (IMDSv2 only, encrypted gp3 root, no key pair, no public address:
 * private subnets), a security group with HTTPS out only (SSM, S3) and no
 * way in, and an instance role that may read the input prefix, write the
 * output prefix and talk to SSM — nothing else.
 */
export class BatchInstances extends Construct {
  public readonly launchTemplateId: string;
  /** The template's latest version, as a string: a change makes the next launch use it. */
  public readonly launchTemplateVersion: string;
  public readonly launchTemplateArn: string;
  public readonly roleArn: string;
  public readonly roleName: string;
  public readonly securityGroupId: string;
  public readonly securityGroupArn: string;

  constructor(scope: Construct, id: string, props: BatchInstancesProps) {
    super(scope, id);
    const prefix = batchNamePrefix(props.name);

    const sg = new SecurityGroup(this, 'sg', {
      namePrefix: `${prefix}-`,
      description: `Batch instances of ${props.name}: no inbound, HTTPS out`,
      vpcId: props.vpcId,
      tags: { Name: prefix },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupEgressRule(this, 'https-out', {
      securityGroupId: sg.id,
      description: 'HTTPS to SSM, S3 and the job\'s own endpoints (through NAT or VPC endpoints)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    this.securityGroupId = sg.id;
    this.securityGroupArn = sg.arn;

    const role = new IamRole(this, 'role', {
      name: `${prefix}-instance`,
      description: `Batch instances of ${props.name}: read ${props.inputPrefix}, write ${props.outputPrefix}, SSM`,
      assumeRolePolicy: assumeRolePolicy(this, 'ec2-trust', 'ec2.amazonaws.com', { account: props.account }),
    });
    new IamRolePolicy(this, 'policy', { name: 'batch-job', role: role.name, policy: this.instancePolicy(props) });
    const profile = new IamInstanceProfile(this, 'profile', { name: `${prefix}-instance`, role: role.name });
    this.roleArn = role.arn;
    this.roleName = role.name;

    const tags = { ...props.tags, Name: prefix, [BATCH_TAG_KEY]: batchTagValue(props.name) };
    const template = new LaunchTemplate(this, 'template', {
      namePrefix: `${prefix}-`,
      description: `Batch instances of ${props.name}`,
      imageId: props.imageId ?? DEFAULT_IMAGE_ID,
      instanceType: props.defaultInstanceType,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: [sg.id],
      iamInstanceProfile: { arn: profile.arn },
      // A job that ends with `shutdown` gives its instance back rather than leaving it stopped (and its volume billed).
      instanceInitiatedShutdownBehavior: 'terminate',
      // Encoded here, not by Terraform's base64encode: the text reaches EC2 as written, `${…}` and all.
      userData: props.userData === undefined ? undefined : Buffer.from(props.userData, 'utf8').toString('base64'),
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'enabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: props.rootVolumeSizeGb ?? 30, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      tagSpecifications: [
        { resourceType: 'instance', tags: props.batchTagInRequest ? { ...props.tags, Name: prefix } : tags },
        { resourceType: 'volume', tags },
        { resourceType: 'network-interface', tags },
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    this.launchTemplateId = template.id;
    this.launchTemplateArn = template.arn;
    this.launchTemplateVersion = Token.asString(template.latestVersion);
  }

  /**
   * Reads only under the input prefix and writes only under the output
   * prefix; the key only through S3 for these two buckets; SSM's agent
   * channels (no AmazonSSMManagedInstanceCore: its GetParameter on `*`
   * would read every parameter of the account).
   */
  private instancePolicy(props: BatchInstancesProps): string {
    const statement: DataAwsIamPolicyDocumentStatement[] = [
      { sid: 'ReadTheInputPrefix', actions: ['s3:GetObject'], resources: [`${props.inputBucketArn}/${props.inputPrefix}*`] },
      { sid: 'WriteTheOutputPrefix', actions: ['s3:PutObject'], resources: [`${props.outputBucketArn}/${props.outputPrefix}*`] },
      ...(props.listInput
        ? [
            {
              sid: 'ListTheInputPrefix',
              actions: ['s3:ListBucket'],
              resources: [props.inputBucketArn],
              condition: [{ test: 'StringLike', variable: 's3:prefix', values: [`${props.inputPrefix}*`] }],
            },
          ]
        : []),
      {
        sid: 'UseTheKeyThroughS3',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.kmsKeyArn],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${props.region}.amazonaws.com`] },
          // With S3 bucket keys the context is the bucket's ARN; without, the object's.
          {
            test: 'ArnLike',
            variable: 'kms:EncryptionContext:aws:s3:arn',
            values: [props.inputBucketArn, `${props.inputBucketArn}/*`, props.outputBucketArn, `${props.outputBucketArn}/*`],
          },
        ],
      },
      // These actions have no resource-level permissions: '*' is the only resource they take.
      { sid: 'RegisterWithSystemsManager', actions: ['ssm:UpdateInstanceInformation'], resources: ['*'] },
      {
        sid: 'AgentMessages',
        actions: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
        resources: ['*'],
      },
      {
        sid: 'AgentChannels',
        actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        resources: ['*'],
      },
    ];
    return new DataAwsIamPolicyDocument(this, 'permissions', { statement }).json;
  }
}

/**
 * A runner's instances: BatchInstances from the runner's props, its
 * resolved prefixes and first instance type, and what only that runner
 * needs (the fleet lists its input and boots its worker; the workflow tags
 * at launch).
 */
export function runnerInstances(
  scope: Construct,
  source: BatchRunnerProps,
  resolved: { readonly inputPrefix: string; readonly outputPrefix: string; readonly instanceType: string },
  only: Pick<BatchInstancesProps, 'listInput' | 'userData' | 'batchTagInRequest'>,
): BatchInstances {
  return new BatchInstances(scope, 'instances', {
    name: source.name,
    account: source.account,
    region: source.region,
    vpcId: source.vpcId,
    inputBucketArn: source.inputBucket.arn,
    outputBucketArn: source.outputBucket.arn,
    inputPrefix: resolved.inputPrefix,
    outputPrefix: resolved.outputPrefix,
    kmsKeyArn: source.kmsKeyArn,
    defaultInstanceType: resolved.instanceType,
    tags: source.tags,
    imageId: source.imageId,
    ...only,
  });
}
