import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { assumeRolePolicy } from '../shared/iam';
import { addEgressRules, DEFAULT_EGRESS_PORTS, type EgressRule } from './egress';
import {
  DEFAULT_TERMINATION_POLICIES,
  type InstanceMaintenancePolicy,
  lifetimeProblem,
  maintenanceProblems,
  type TerminationPolicy,
  WARM_POOL_DEFAULTS,
  type WarmPool,
  warmPoolFleetProblem,
} from './group-options';
import { InstancePermissions, type InstancePolicyStatement } from './instance-role';
import { INSTANCE_REFRESH_DEFAULTS, type InstanceRefreshOptions, refreshPreferences, refreshProblems } from './refresh';

export * from './egress';
export * from './group-options';
export * from './instance-role';
export * from './refresh';

export interface WeightedInstanceType {
  /** EC2 instance type, e.g. `m5.large`. */
  readonly type: string;
  /** Capacity units one instance provides. */
  readonly weight: number;
}

export type SpotAllocationStrategy =
  | 'capacity-optimized'
  | 'price-capacity-optimized'
  | 'capacity-optimized-prioritized'
  | 'lowest-price';

/** The guide's split: 2 units on demand, 20 % above them, the rest Spot from the deepest pools. */
export const INSTANCES_DISTRIBUTION_DEFAULTS = {
  onDemandBaseCapacity: 2,
  onDemandPercentageAboveBaseCapacity: 20,
  spotAllocationStrategy: 'capacity-optimized',
} as const satisfies Required<InstancesDistribution>;

/** Latest Amazon Linux 2023 (x86_64), resolved by EC2 at launch, so plans need no AWS lookup. */
export const DEFAULT_IMAGE_ID = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

export interface InstancesDistribution {
  /**
   * Capacity units always bought on demand.
   * @default 2
   */
  readonly onDemandBaseCapacity?: number;
  /**
   * Percent of capacity above the base bought on demand; the rest is Spot.
   * @default 20
   */
  readonly onDemandPercentageAboveBaseCapacity?: number;
  /**
   * How Spot capacity is chosen across the instance-type pools.
   * @default 'capacity-optimized'
   */
  readonly spotAllocationStrategy?: SpotAllocationStrategy;
}

export interface WebFleetProps {
  /** Prefix for names, e.g. `web-app-prod`. */
  readonly name: string;
  /** Account the instances run in: their trust policy and the parameters they may read name it. */
  readonly account: string;
  /** Region the instances run in: the parameters they may read are this region's. */
  readonly region: string;
  /**
   * SSM Parameter Store path the instances may read below (and SecureStrings
   * decrypt), e.g. `/web-app/prod`: the application's own configuration and
   * no other parameter of the account.
   */
  readonly parameterPath: string;
  readonly vpcId: string;
  /** Private subnets the instances launch into. */
  readonly subnetIds: string[];
  /** Instance types and their weights; the first one is the launch template default. */
  readonly instanceTypes: readonly WeightedInstanceType[];
  /** In capacity units. */
  readonly minSize: number;
  /** In capacity units. */
  readonly maxSize: number;
  /**
   * Initial desired capacity; later deploys leave autoscaling's choice alone.
   * @default minSize
   */
  readonly desiredCapacity?: number;
  /** @default base 2, 20% on demand above base, capacity-optimized Spot */
  readonly instancesDistribution?: InstancesDistribution;
  /** Port the application listens on. */
  readonly appPort: number;
  /** Security group of the load balancer allowed to reach `appPort`. */
  readonly loadBalancerSecurityGroupId: string;
  /** Target groups to register instances with. */
  readonly targetGroupArns: string[];
  /**
   * AMI ID, or an SSM parameter as `resolve:ssm:<name>` (resolved by EC2 at
   * launch, so plans need no AWS lookup).
   * @default latest Amazon Linux 2023 (x86_64)
   */
  readonly imageId?: string;
  /** Shell script run at first boot. */
  readonly userData?: string;
  /** @default 30 */
  readonly rootVolumeSizeGb?: number;
  /**
   * Seconds after launch before health checks count.
   * @default 300
   */
  readonly healthCheckGracePeriod?: number;
  /**
   * Seconds before a new instance's metrics count toward scaling.
   * @default 120
   */
  readonly defaultInstanceWarmup?: number;
  /**
   * Percent of capacity kept healthy during an instance refresh.
   * @default 80
   */
  readonly refreshMinHealthyPercentage?: number;
  /**
   * Detailed (1-minute) instance monitoring, which target tracking reacts to faster with.
   * @default true
   */
  readonly detailedMonitoring?: boolean;
  /**
   * Outbound ports allowed from instances to anywhere (package repos, SSM).
   * @default [443]
   */
  readonly egressPorts?: readonly number[];
  /**
   * More outbound rules, each to one CIDR, prefix list or security group
   * (e.g. PostgreSQL to the database's group).
   * @default []
   */
  readonly egressRules?: readonly EgressRule[];
  /**
   * Security groups attached to the instances beside the fleet's own.
   * @default []
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * Ports besides `appPort` the load balancer may reach on the instances
   * (for target groups of their own).
   * @default []
   */
  readonly additionalTargetPorts?: readonly number[];
  /**
   * Managed policies attached to the instance role.
   * @default []
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * The application's own permissions, one inline policy beside the fleet's.
   * @default []
   */
  readonly policyStatements?: readonly InstancePolicyStatement[];
  /**
   * Permissions boundary of the instance role; a stack-wide boundary
   * (`applyPermissionsBoundary`) leaves a role that names its own alone.
   * @default none (the stack's boundary, if any)
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Instance refresh beyond `refreshMinHealthyPercentage`: skip matching,
   * warm-up, checkpoints, rollback.
   * @default skip matching, no checkpoints, no rollback
   */
  readonly instanceRefresh?: InstanceRefreshOptions;
  /**
   * Healthy capacity kept (min) and allowed (max) while instances are replaced.
   * @default none (AWS's behaviour)
   */
  readonly instanceMaintenancePolicy?: InstanceMaintenancePolicy;
  /**
   * Which instances scale-in removes first.
   * @default ['Default']
   */
  readonly terminationPolicies?: readonly TerminationPolicy[];
  /**
   * Seconds after which an instance is replaced: 0 or 86400–31536000.
   * @default none
   */
  readonly maxInstanceLifetime?: number;
  /**
   * Pre-initialized instances beside the group. Needs one instance type of
   * weight 1, all on demand: the group then uses a plain launch template.
   * @default none
   */
  readonly warmPool?: WarmPool;
  /** Tags for instances, volumes and interfaces (default_tags does not reach them). */
  readonly tags?: Record<string, string>;
  /**
   * Launch lifecycle hook each instance completes itself once `healthPath`
   * answers on `appPort` (CONTINUE), or after 5 minutes without (ABANDON: the
   * group replaces it). Without it an instance waits out the heartbeat.
   * @default none
   */
  readonly readinessHookName?: string;
  /** Path the readiness check polls. @default '/health' */
  readonly healthPath?: string;
}

/** One shell word, single-quoted. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The instance reports ready (or not) to its launch lifecycle hook; IMDSv2
 * throughout. The waits read `READINESS_ATTEMPTS` and `READINESS_INTERVAL`
 * (unset on an instance, so the defaults hold) so a test can run the script
 * as rendered, only faster.
 */
function readinessScript(groupName: string, hookName: string, port: number, healthPath: string): string {
  return [
    '',
    '# Report ready: complete the launch lifecycle hook once the app answers locally.',
    '# An instance that never answers reports ABANDON, and the group replaces it.',
    `READY_GROUP=${shellQuote(groupName)}`,
    `READY_HOOK=${shellQuote(hookName)}`,
    `READY_URL=${shellQuote(`http://127.0.0.1:${port}${healthPath}`)}`,
    'IMDS=http://169.254.169.254/latest',
    'TOKEN=$(curl -fsS --retry 5 -X PUT "$IMDS/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'meta() { curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS/meta-data/$1"; }',
    'RESULT=ABANDON',
    'for _ in $(seq 1 "${READINESS_ATTEMPTS:-60}"); do',
    '  if curl -fs --max-time 2 -o /dev/null "$READY_URL"; then RESULT=CONTINUE; break; fi',
    '  sleep "${READINESS_INTERVAL:-5}"',
    'done',
    'aws autoscaling complete-lifecycle-action --region "$(meta placement/region)" --auto-scaling-group-name "$READY_GROUP" --lifecycle-hook-name "$READY_HOOK" --instance-id "$(meta instance-id)" --lifecycle-action-result "$RESULT"',
    '',
  ].join('\n');
}

/**
 * User data as EC2 receives it, base64-encoded here rather than by Terraform's
 * `base64encode`: cdktf's `Fn.rawString` leaves backslashes and `%{`
 * unescaped, so HCL reads them as escapes and template directives; that is
 * how a `\` line continuation once reached instances as a literal `\n`.
 */
function userDataOf(props: WebFleetProps, groupName: string): string | undefined {
  if (props.userData !== undefined && Token.isUnresolved(props.userData)) {
    throw new Error(`${props.name}: userData must be a literal script, not a Terraform expression`);
  }
  const own = props.userData ?? '';
  if (!props.readinessHookName) return own ? Buffer.from(own, 'utf8').toString('base64') : undefined;
  // cloud-init runs a script only through its #! line; the readiness check is appended to the app's own.
  if (own && !own.startsWith('#!')) throw new Error(`${props.name}: userData must be a script starting with #! for the readiness check to be appended`);
  const script = (own || '#!/bin/bash') + readinessScript(groupName, props.readinessHookName, props.appPort, props.healthPath ?? '/health');
  return Buffer.from(script, 'utf8').toString('base64');
}


const GROUP_METRICS = [
  'GroupMinSize',
  'GroupMaxSize',
  'GroupDesiredCapacity',
  'GroupInServiceInstances',
  'GroupInServiceCapacity',
  'GroupPendingInstances',
  'GroupStandbyInstances',
  'GroupTerminatingInstances',
  'GroupTotalInstances',
  'GroupTotalCapacity',
];

/** What Auto Scaling would refuse at apply, refused at synth, as AWS CDK's constructs do. */
function checkFleetProps(props: WebFleetProps): void {
  const problems: string[] = [];
  const { minSize, maxSize, desiredCapacity } = props;
  if (minSize > maxSize) problems.push(`minSize ${minSize} > maxSize ${maxSize}`);
  if (desiredCapacity !== undefined && (desiredCapacity < minSize || desiredCapacity > maxSize)) {
    problems.push(`desiredCapacity ${desiredCapacity} is outside [minSize ${minSize}, maxSize ${maxSize}]`);
  }
  const percent = props.instancesDistribution?.onDemandPercentageAboveBaseCapacity;
  if (percent !== undefined && (percent < 0 || percent > 100)) problems.push(`onDemandPercentageAboveBaseCapacity ${percent} is outside 0–100`);
  if (props.instanceTypes.length === 0) problems.push('needs at least one instance type');
  // `/` alone would grant every parameter of the account, the very thing the path exists to prevent.
  if (!/^(\/[A-Za-z0-9_.-]+)+\/?$/.test(props.parameterPath)) problems.push(`parameterPath ${JSON.stringify(props.parameterPath)} is not a parameter path like /web-app/prod`);
  problems.push(...refreshProblems(props.instanceRefresh ?? {}, props.imageId ?? DEFAULT_IMAGE_ID).map((p) => `instanceRefresh.${p.field}: ${p.message}`));
  if (props.instanceMaintenancePolicy) problems.push(...maintenanceProblems(props.instanceMaintenancePolicy).map((p) => `instanceMaintenancePolicy.${p.field}: ${p.message}`));
  const lifetime = props.maxInstanceLifetime === undefined ? undefined : lifetimeProblem(props.maxInstanceLifetime);
  if (lifetime) problems.push(`maxInstanceLifetime: ${lifetime}`);
  if (props.warmPool) {
    const onDemand = { ...INSTANCES_DISTRIBUTION_DEFAULTS, ...props.instancesDistribution }.onDemandPercentageAboveBaseCapacity;
    const fleet = warmPoolFleetProblem(props.instanceTypes, onDemand);
    if (fleet) problems.push(`warmPool: ${fleet}`);
  }
  if (problems.length > 0) throw new Error(`WebFleet ${props.name}: ${problems.join('; ')}`);
}

/**
 * The web tier's instances: a hardened launch template and a mixed
 * on-demand + Spot Auto Scaling group behind the load balancer.
 */
export class WebFleet extends Construct {
  public readonly autoScalingGroupName: string;
  public readonly autoScalingGroupArn: string;
  public readonly securityGroupId: string;
  private readonly group: AutoscalingGroup;
  private readonly role: IamRole;
  private readonly region: string;
  /** Connections and secret grants added by the intent methods, counted for their construct ids. */
  private connections = 0;
  private secretGrants = 0;
  private readonly refreshMinHealthyPercentage: number;
  private readonly refreshOptions: InstanceRefreshOptions;

  constructor(scope: Construct, id: string, props: WebFleetProps) {
    super(scope, id);
    checkFleetProps(props);
    const tags = props.tags ?? {};
    // Named up front: the instances' user data reports to the group by name.
    const groupName = `${props.name}-web`;
    const sg = this.securityGroup(props);
    this.securityGroupId = sg.id;

    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    const role = new IamRole(this, 'role', {
      name: `${props.name}-instance`,
      assumeRolePolicy: assumeRolePolicy(this, 'ec2-trust', 'ec2.amazonaws.com', { account: props.account }),
      // Set here, the stack-wide boundary aspect leaves this role alone: the instance one wins for it only.
      permissionsBoundary: props.permissionsBoundaryArn,
    });
    new IamRolePolicy(this, 'instance-policy', { name: 'session-manager-and-parameters', role: role.name, policy: this.instancePolicy(props, partition) });
    if ((props.managedPolicyArns?.length ?? 0) > 0 || (props.policyStatements?.length ?? 0) > 0) {
      new InstancePermissions(this, 'app-permissions', { role, managedPolicyArns: props.managedPolicyArns, statements: props.policyStatements });
    }
    this.role = role;
    this.region = props.region;
    const profile = new IamInstanceProfile(this, 'profile', { name: `${props.name}-instance`, role: role.name });

    const [defaultType] = props.instanceTypes;
    const template = new LaunchTemplate(this, 'template', {
      namePrefix: `${props.name}-`,
      description: `Web tier of ${props.name}`,
      imageId: props.imageId ?? DEFAULT_IMAGE_ID,
      instanceType: defaultType?.type,
      updateDefaultVersion: true,
      vpcSecurityGroupIds: [sg.id, ...(props.securityGroupIds ?? [])],
      iamInstanceProfile: { arn: profile.arn },
      // A hibernated warm pool needs instances launched hibernation-capable.
      hibernationOptions: props.warmPool?.poolState === 'Hibernated' ? { configured: true } : undefined,
      userData: userDataOf(props, groupName),
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'enabled',
      },
      monitoring: { enabled: props.detailedMonitoring ?? true },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: props.rootVolumeSizeGb ?? 30,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
        resourceType,
        tags: { ...tags, Name: `${props.name}-web` },
      })),
      lifecycle: { createBeforeDestroy: true },
    });

    const distribution = { ...INSTANCES_DISTRIBUTION_DEFAULTS, ...props.instancesDistribution };
    // A concrete version (not $Latest) makes every template change a
    // diff on the group, which is what starts the instance refresh.
    const templateVersion = Token.asString(template.latestVersion);
    this.refreshMinHealthyPercentage = props.refreshMinHealthyPercentage ?? INSTANCE_REFRESH_DEFAULTS.minHealthyPercentage;
    this.refreshOptions = props.instanceRefresh ?? {};
    const terminationPolicies = props.terminationPolicies ?? DEFAULT_TERMINATION_POLICIES;
    const warmPool = props.warmPool;
    const group = new AutoscalingGroup(this, 'group', {
      name: groupName,
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity ?? props.minSize,
      vpcZoneIdentifier: props.subnetIds,
      targetGroupArns: props.targetGroupArns,
      healthCheckType: 'ELB',
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? 300,
      defaultInstanceWarmup: props.defaultInstanceWarmup ?? 120,
      capacityRebalance: true,
      enabledMetrics: GROUP_METRICS,
      metricsGranularity: '1Minute',
      // AWS refuses warm pools on mixed-instances groups: with one, the single on-demand type launches from the template itself.
      launchTemplate: warmPool ? { id: template.id, version: templateVersion } : undefined,
      mixedInstancesPolicy: warmPool
        ? undefined
        : {
            launchTemplate: {
              launchTemplateSpecification: { launchTemplateId: template.id, version: templateVersion },
              override: props.instanceTypes.map((t) => ({ instanceType: t.type, weightedCapacity: String(t.weight) })),
            },
            instancesDistribution: {
              onDemandAllocationStrategy: 'prioritized',
              onDemandBaseCapacity: distribution.onDemandBaseCapacity,
              onDemandPercentageAboveBaseCapacity: distribution.onDemandPercentageAboveBaseCapacity,
              spotAllocationStrategy: distribution.spotAllocationStrategy,
            },
          },
      instanceRefresh: { strategy: 'Rolling', preferences: refreshPreferences(this.refreshMinHealthyPercentage, this.refreshOptions, []) },
      instanceMaintenancePolicy: props.instanceMaintenancePolicy,
      // AWS's own default is left unsaid, as before.
      terminationPolicies: sameList(terminationPolicies, DEFAULT_TERMINATION_POLICIES) ? undefined : [...terminationPolicies],
      maxInstanceLifetime: props.maxInstanceLifetime,
      warmPool: warmPool
        ? {
            poolState: warmPool.poolState ?? WARM_POOL_DEFAULTS.poolState,
            minSize: warmPool.minSize ?? WARM_POOL_DEFAULTS.minSize,
            maxGroupPreparedCapacity: warmPool.maxGroupPreparedCapacity,
            instanceReusePolicy: { reuseOnScaleIn: warmPool.reuseOnScaleIn ?? WARM_POOL_DEFAULTS.reuseOnScaleIn },
          }
        : undefined,
      tag: Object.entries({ ...tags, Name: `${props.name}-web` }).map(([key, value]) => ({
        key,
        value,
        propagateAtLaunch: true,
      })),
      // Scaling policies own the desired capacity after the first apply;
      // resetting it on every deploy would undo a scale-out mid-incident.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
    });
    this.group = group;
    this.autoScalingGroupName = group.name;
    this.autoScalingGroupArn = group.arn;

    if (props.readinessHookName) {
      const completeHook = new DataAwsIamPolicyDocument(this, 'readiness-permissions', {
        statement: [{ sid: 'ReportReady', actions: ['autoscaling:CompleteLifecycleAction'], resources: [group.arn] }],
      });
      new IamRolePolicy(this, 'readiness-policy', { name: 'report-ready', role: role.name, policy: completeHook.json });
    }
  }

  /**
   * Lets the instances open TCP connections to members of `securityGroupId`
   * on `port` (a database, a cache): one egress rule to that group, not to a range.
   */
  allowConnectionTo(securityGroupId: string, port: number, description: string): void {
    new VpcSecurityGroupEgressRule(this, `connect-${port}-${++this.connections}`, {
      securityGroupId: this.securityGroupId,
      description,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: securityGroupId,
    });
  }

  /**
   * Lets the instances read one Secrets Manager secret, and decrypt it with
   * `kmsKeyArn` only as Secrets Manager does for that secret (kms:ViaService
   * and the SecretARN encryption context), so the grant reads nothing else
   * under the key.
   */
  grantSecretRead(secretArn: string, kmsKeyArn: string): void {
    const id = ++this.secretGrants;
    const policy = new DataAwsIamPolicyDocument(this, `secret-read-permissions-${id}`, {
      statement: [
        { sid: 'ReadSecret', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [secretArn] },
        {
          sid: 'DecryptSecret',
          actions: ['kms:Decrypt'],
          resources: [kmsKeyArn],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${this.region}.amazonaws.com`] },
            { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secretArn] },
          ],
        },
      ],
    });
    new IamRolePolicy(this, `secret-read-${id}`, { name: `read-secret-${id}`, role: this.role.name, policy: policy.json });
  }

  /**
   * An instance refresh stops (and, with `autoRollback`, rolls back) when
   * any of these alarms goes into ALARM. Alarm names, not references: the
   * alarms watch this group, so a reference back would be a cycle.
   */
  stopRefreshOnAlarms(alarmNames: readonly string[]): void {
    if (alarmNames.some((name) => Token.isUnresolved(name))) throw new Error(`${this.node.path}: refresh alarms must be literal names, not Terraform references`);
    this.group.putInstanceRefresh({
      strategy: 'Rolling',
      preferences: refreshPreferences(this.refreshMinHealthyPercentage, this.refreshOptions, alarmNames),
    });
  }

  /**
   * What an instance may do, in place of `AmazonSSMManagedInstanceCore`,
   * whose `ssm:GetParameter*` on `*` reads every parameter of the account:
   * the agent registers and keeps its message channels (Session Manager, no
   * SSH), and the app reads its own parameters only. Run Command's
   * ec2messages channel stays, as the agent polls it; association, inventory
   * and patching actions are gone, as nothing here uses State Manager.
   */
  private instancePolicy(props: WebFleetProps, partition: string): string {
    const path = props.parameterPath.replace(/\/+$/, '');
    const parameters = `arn:${partition}:ssm:${props.region}:${props.account}:parameter${path}`;
    return new DataAwsIamPolicyDocument(this, 'instance-permissions', {
      statement: [
        // These actions have no resource-level permissions: '*' is the only resource they take.
        { sid: 'RegisterWithSystemsManager', actions: ['ssm:UpdateInstanceInformation'], resources: ['*'] },
        {
          sid: 'SessionManagerChannels',
          actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          resources: ['*'],
        },
        {
          sid: 'AgentMessages',
          actions: ['ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint', 'ec2messages:GetMessages', 'ec2messages:SendReply'],
          resources: ['*'],
        },
        // GetParametersByPath is authorized against the path itself, the others against each parameter below it.
        { sid: 'ReadOwnParameters', actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], resources: [parameters, `${parameters}/*`] },
        {
          // SecureStrings: decrypt only as Parameter Store, for a parameter below the path.
          sid: 'DecryptOwnSecureStrings',
          actions: ['kms:Decrypt'],
          resources: [`arn:${partition}:kms:${props.region}:${props.account}:key/*`],
          condition: [
            { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${props.region}.amazonaws.com`] },
            { test: 'ArnLike', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [`${parameters}/*`] },
          ],
        },
      ],
    }).json;
  }

  private securityGroup(props: WebFleetProps): SecurityGroup {
    const sg = new SecurityGroup(this, 'sg', {
      namePrefix: `${props.name}-web-`,
      description: `Web instances of ${props.name}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-web` },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupIngressRule(this, 'from-alb', {
      securityGroupId: sg.id,
      description: 'Application port from the load balancer only',
      ipProtocol: 'tcp',
      fromPort: props.appPort,
      toPort: props.appPort,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
    });
    // The ALB's own group is closed outbound until the fleet says where its targets are.
    new VpcSecurityGroupEgressRule(this, 'alb-to-web', {
      securityGroupId: props.loadBalancerSecurityGroupId,
      description: 'Load balancer to web instances',
      ipProtocol: 'tcp',
      fromPort: props.appPort,
      toPort: props.appPort,
      referencedSecurityGroupId: sg.id,
    });
    // Further ports of the app, each for a target group of its own, reachable the same way.
    for (const port of new Set(props.additionalTargetPorts ?? [])) {
      if (port === props.appPort) continue;
      new VpcSecurityGroupIngressRule(this, `from-alb-${port}`, {
        securityGroupId: sg.id,
        description: `Port ${port} from the load balancer only`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
      });
      new VpcSecurityGroupEgressRule(this, `alb-to-web-${port}`, {
        securityGroupId: props.loadBalancerSecurityGroupId,
        description: `Load balancer to web instances on port ${port}`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: sg.id,
      });
    }
    addEgressRules(this, sg.id, props.egressRules ?? []);
    (props.egressPorts ?? DEFAULT_EGRESS_PORTS).forEach((port) => {
      new VpcSecurityGroupEgressRule(this, `egress-${port}`, {
        securityGroupId: sg.id,
        description: `Outbound TCP ${port}`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
      });
    });
    return sg;
  }
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
