/**
 * What the instances may do and reach, and how the group replaces, retires
 * and pre-warms them: IAM, security groups and egress, instance refresh,
 * maintenance policy, termination order, lifetime, warm pool.
 */
import { z } from 'zod';
import {
  ADMIN_MANAGED_POLICIES,
  checkpointProblems,
  DEFAULT_EGRESS_PORTS,
  DEFAULT_TERMINATION_POLICIES,
  egressRuleKey,
  INSTANCE_REFRESH_DEFAULTS,
  lifetimeProblem,
  maintenanceProblems,
  MAX_CHECKPOINT_DELAY,
  MAX_INSTANCE_LIFETIME,
  MIN_INSTANCE_LIFETIME,
  rollbackProblem,
  TERMINATION_POLICIES,
  WARM_POOL_DEFAULTS,
  warmPoolFleetProblem,
} from '../../modules/compute';
import { IAM_POLICY_ARN } from '../../modules/shared/iam';
import { ec2ResourceId } from '../aws-limits';
import { cidr, count, ranged, reportDuplicates, type ItemReport, type Report } from './primitives';

/** IAM's default quota of managed policies attached to one role. */
export const MAX_MANAGED_POLICIES = 10;
/** An ENI takes 5 security groups; the fleet's own is one of them. */
export const MAX_EXTRA_SECURITY_GROUPS = 4;
/** A security group's default quota of outbound rules. */
export const MAX_EGRESS_RULES = 60;
/** IAM: a role's inline policies together hold at most 10,240 characters (whitespace aside)… */
export const MAX_INLINE_POLICY_CHARACTERS = 10_240;
/** …of which the fleet's own policies (Session Manager, parameters, readiness) take up to this. */
export const FLEET_POLICY_ALLOWANCE = 3_072;

/** AWS-managed (`arn:aws:iam::aws:policy/…`) or customer-managed (`arn:aws:iam::<account>:policy/…`). */
const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
/** `service:Action`, wildcards allowed (`s3:Get*`); a lone `*` is recognised so it can be refused by name. */
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-*]*:(\d{12}|aws|\*)?:.+$/;
/** Every resource: `*`, or an ARN whose resource part is `*`. */
const isAnyResource = (resource: string) => resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource);
/** Actions that only list or describe: the ones AWS authorizes on `*` alone. */
const isListOrDescribe = (action: string) => /^[a-z0-9-]+:(List|Describe)[A-Za-z0-9*]*$/.test(action);

const conditionSchema = z.strictObject({
  test: z
    .string()
    .regex(/^(ForAnyValue:|ForAllValues:)?[A-Za-z]+$/, 'is not an IAM condition operator like StringEquals or ArnLike')
    .meta({ description: 'IAM condition operator, e.g. `StringEquals`, `ArnLike`, `ForAnyValue:StringLike`.' }),
  variable: z
    .string()
    .regex(/^[A-Za-z0-9-]+:[A-Za-z0-9_./:$*-]+$/, 'is not a condition key like kms:ViaService or aws:SourceVpc')
    .meta({ description: 'Condition key, e.g. `kms:ViaService`, `aws:SourceVpce`, `s3:prefix`.' }),
  values: z.array(z.string().min(1)).min(1).meta({ description: 'Values the key is compared with; at least one.' }),
});

export const statementSchema = z
  .strictObject({
    sid: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits only (IAM Sid)').optional().meta({ description: 'Statement ID: letters and digits; unique in the list.' }),
    effect: z.enum(['Allow', 'Deny']).default('Allow').meta({ description: '`Allow` (default) or `Deny`.' }),
    actions: z
      .array(z.string().regex(ACTION, 'is not an IAM action like s3:GetObject'))
      .min(1)
      .meta({ description: 'Actions as `service:Action`; a wildcard only after a prefix (`s3:Get*`). `*` and `service:*` only in a Deny.' }),
    resources: z
      .array(z.string().refine((r) => r === '*' || ARN.test(r), { error: (issue) => `${JSON.stringify(issue.input)} is not an ARN (or *)` }))
      .min(1)
      .meta({ description: 'Resource ARNs. `*` (or an ARN ending in `:*`) in an Allow only when every action lists or describes, or the statement has a condition.' }),
    conditions: z.array(conditionSchema).optional().meta({ description: 'Conditions, all of which must hold; omitted, none.' }),
  })
  .superRefine((statement, ctx) => checkStatement(statement, (message, path) => ctx.addIssue({ code: 'custom', message, path })));

type StatementSpec = z.output<typeof statementSchema>;

/** What an Allow may not grant: every action of a service (or all), or every resource for actions that can be scoped. */
function checkStatement(statement: StatementSpec, report: (message: string, path: (string | number)[]) => void): void {
  if (statement.effect !== 'Allow') return;
  statement.actions.forEach((action, i) => {
    const name = action.split(':')[1] ?? '';
    if (action === '*' || /^[*?]/.test(name)) report(`${action} allows every action${action === '*' ? '' : ' of the service'}; name the actions (a wildcard only after a prefix, e.g. s3:Get*)`, ['actions', i]);
  });
  const anyIndex = statement.resources.findIndex(isAnyResource);
  const scoped = statement.actions.every(isListOrDescribe) || (statement.conditions?.length ?? 0) > 0;
  if (anyIndex >= 0 && !scoped) {
    report(`${statement.resources[anyIndex]} grants every resource; name the ARNs, or add a condition (only List/Describe actions take * alone)`, ['resources', anyIndex]);
  }
}

/** The statements as IAM reads them, whitespace aside: what counts against a role's inline-policy size. */
export function policyCharacters(statements: readonly StatementSpec[]): number {
  const document = {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect,
      Action: s.actions,
      Resource: s.resources,
      ...(s.conditions?.length ? { Condition: Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: c.values }])) } : {}),
    })),
  };
  return JSON.stringify(document).length;
}

const iamSchema = z
  .strictObject({
    managedPolicyArns: z
      .array(
        z
          .string()
          .regex(MANAGED_POLICY_ARN, 'is not an IAM policy ARN like arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy')
          .refine((arn) => !(ADMIN_MANAGED_POLICIES as readonly string[]).some((name) => arn.endsWith(`:aws:policy/${name}`)), {
            error: (issue) => `${String(issue.input)} grants administration; attach a policy scoped to what the app does`,
          }),
      )
      .max(MAX_MANAGED_POLICIES, `at most ${MAX_MANAGED_POLICIES} managed policies per role (IAM's default quota)`)
      .superRefine((arns, ctx) => reportDuplicates(arns, (i, arn) => ctx.addIssue({ code: 'custom', path: [i], message: `${arn} is listed twice` })))
      .default([])
      .meta({
        description: `Managed policy ARNs attached to the instance role: AWS-managed (\`arn:aws:iam::aws:policy/…\`) or in the environment's \`account\`; at most ${MAX_MANAGED_POLICIES}; never ${ADMIN_MANAGED_POLICIES.join(', ')}.`,
      }),
    statements: z
      .array(statementSchema)
      .superRefine((statements, ctx) => {
        reportDuplicates(
          statements.flatMap((s) => (s.sid ? [s.sid] : [])),
          (_, sid) => ctx.addIssue({ code: 'custom', message: `sid ${sid} is used twice` }),
        );
        const size = policyCharacters(statements);
        const room = MAX_INLINE_POLICY_CHARACTERS - FLEET_POLICY_ALLOWANCE;
        if (statements.length > 0 && size > room) {
          ctx.addIssue({ code: 'custom', message: `policy is ${size} characters; beside the fleet's own, a role's inline policies leave ${room} (IAM's ${MAX_INLINE_POLICY_CHARACTERS})` });
        }
      })
      .default([])
      .meta({ description: "The application's own permissions: statements of one inline policy on the instance role, beside the fleet's (Session Manager, its parameters)." }),
    permissionsBoundaryArn: z
      .string()
      .regex(IAM_POLICY_ARN, 'is not an IAM policy ARN like arn:aws:iam::210987654321:policy/web-app-instance-boundary')
      .optional()
      .meta({ description: "Permissions boundary of the instance role only, a managed policy in the environment's `account`; omitted: security.permissionsBoundaryArn, as every role." }),
  })
  .prefault({})
  .meta({ description: 'What the application on the instances may do, beyond what the fleet needs itself.' });

const port = z.number().int();

const egressRuleSchema = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9. _\-:/()#,@[\]+=&;{}!$*]+$/, 'has characters a security group rule description does not allow')
      .meta({ description: 'What the rule is for (1–255 characters), shown on the rule in EC2.' }),
    protocol: z.enum(['tcp', 'udp', 'icmp', 'all']).default('tcp').meta({ description: '`tcp` (default), `udp`, `icmp` or `all` (every protocol and port).' }),
    fromPort: port.optional().meta({ description: 'First port (0–65535; for icmp the ICMP type, -1 for all); required except with `all`, which takes none.' }),
    toPort: port.optional().meta({ description: 'Last port, at least fromPort (for icmp the code, -1 for all); omitted, fromPort.' }),
    cidrIpv4: cidr.optional().meta({ description: 'Destination IPv4 network, e.g. `10.20.0.0/16`.' }),
    prefixListId: z
      .string()
      .regex(/^pl-([0-9a-f]{8}|[0-9a-f]{17})$/, 'is not a prefix list ID (pl- then 8 or 17 lowercase hex digits)')
      .optional()
      .meta({ description: 'Destination managed prefix list, e.g. `pl-0a1b2c3d4e5f60718`.' }),
    securityGroupId: ec2ResourceId('sg', 'security group').optional().meta({ description: "Destination security group, e.g. the database's." }),
  })
  .superRefine((rule, ctx) => checkEgressRule(rule, (message) => ctx.addIssue({ code: 'custom', message })))
  .meta({ description: 'One outbound rule: a protocol and ports to exactly one of cidrIpv4, prefixListId, securityGroupId.' });

interface EgressRuleFields {
  protocol: 'tcp' | 'udp' | 'icmp' | 'all';
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  prefixListId?: string;
  securityGroupId?: string;
}

function checkEgressRule(rule: EgressRuleFields, report: ItemReport): void {
  const destinations = [rule.cidrIpv4, rule.prefixListId, rule.securityGroupId].filter((d) => d !== undefined).length;
  if (destinations !== 1) report(`needs exactly one of cidrIpv4, prefixListId, securityGroupId; has ${destinations}`);
  if (rule.protocol === 'all') {
    if (rule.fromPort !== undefined || rule.toPort !== undefined) report('protocol all takes no fromPort or toPort');
    if (rule.cidrIpv4 === '0.0.0.0/0') report('every protocol to 0.0.0.0/0 undoes the fleet\'s egress lock-down; name the ports');
    return;
  }
  if (rule.fromPort === undefined) {
    report(`protocol ${rule.protocol} needs fromPort`);
    return;
  }
  const to = rule.toPort ?? rule.fromPort;
  const [low, high] = rule.protocol === 'icmp' ? [-1, 255] : [0, 65535];
  for (const [name, value] of [['fromPort', rule.fromPort], ['toPort', to]] as const) {
    if (value < low || value > high) report(`${name} ${value} is outside ${low}–${high}`);
  }
  if (rule.protocol !== 'icmp' && to < rule.fromPort) report(`toPort ${to} < fromPort ${rule.fromPort}`);
}

const refreshSchema = z
  .strictObject({
    minHealthyPercentage: ranged(z.number().int(), 0, 100)
      .default(INSTANCE_REFRESH_DEFAULTS.minHealthyPercentage)
      .meta({ description: 'Percent (0–100) of desired capacity kept healthy while a refresh replaces instances.' }),
    skipMatching: z
      .boolean()
      .default(INSTANCE_REFRESH_DEFAULTS.skipMatching)
      .meta({ description: 'Replace only instances whose launch template or type differs from the new configuration.' }),
    instanceWarmup: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Seconds after a new instance is in service before the refresh counts it and moves on; omitted, the group\'s default warm-up.' }),
    checkpointPercentages: z
      .array(z.number().int())
      .default([...INSTANCE_REFRESH_DEFAULTS.checkpointPercentages])
      .meta({ description: 'Percent of the group replaced at which the refresh pauses: ascending, each once, from 1 to 100, the last 100. Default: none.' }),
    checkpointDelay: z
      .number()
      .int()
      .optional()
      .meta({ description: `Seconds (0–${MAX_CHECKPOINT_DELAY}) the refresh waits at each checkpoint; only with checkpointPercentages; omitted, AWS's 3600.` }),
    autoRollback: z
      .boolean()
      .default(INSTANCE_REFRESH_DEFAULTS.autoRollback)
      .meta({
        description:
          'Roll back to the previous launch template when a refresh fails (or the 5xx alarm fires, with rollbackOnAlarm). Needs app.imageId to be an AMI ID: AWS cannot roll back to an SSM-resolved image.',
      }),
    rollbackOnAlarm: z
      .boolean()
      .default(INSTANCE_REFRESH_DEFAULTS.rollbackOnAlarm)
      .meta({ description: "Stop a refresh when the tier's 5xx error-rate alarm goes into ALARM (and roll back, with autoRollback)." }),
  })
  .superRefine((refresh, ctx) => {
    for (const problem of checkpointProblems(refresh)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  })
  .prefault({})
  .meta({ description: 'How a launch-template change replaces the instances (instance refresh). Default: 80 % kept healthy, matching instances skipped, no checkpoints, no rollback.' });

const maintenanceSchema = z
  .strictObject({
    minHealthyPercentage: z.number().int().meta({ description: 'Percent (0–100) of desired capacity kept in service while instances are replaced.' }),
    maxHealthyPercentage: z.number().int().meta({ description: 'Percent (100–200) of desired capacity that may run while replacing; at most 100 above the minimum.' }),
  })
  .superRefine((policy, ctx) => {
    for (const problem of maintenanceProblems(policy)) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
  })
  .meta({ description: "Healthy capacity kept (min) and allowed (max) whenever instances are replaced (refresh, lifetime, rebalancing); omitted, AWS's behaviour." });

const warmPoolSchema = z
  .strictObject({
    poolState: z
      .enum(['Stopped', 'Running', 'Hibernated'])
      .default(WARM_POOL_DEFAULTS.poolState)
      .meta({ description: 'State instances wait in: `Stopped` (default: pay for volumes only), `Running`, or `Hibernated` (the instance type must support hibernation).' }),
    minSize: count().default(WARM_POOL_DEFAULTS.minSize).meta({ description: 'Instances always kept in the pool.' }),
    maxGroupPreparedCapacity: count()
      .optional()
      .meta({ description: 'Most instances in the group and the pool together, at least minSize; omitted, capacity.maxSize.' }),
    reuseOnScaleIn: z
      .boolean()
      .default(WARM_POOL_DEFAULTS.reuseOnScaleIn)
      .meta({ description: 'Scale-in returns instances to the pool instead of terminating them.' }),
  })
  .superRefine((pool, ctx) => {
    if (pool.maxGroupPreparedCapacity !== undefined && pool.maxGroupPreparedCapacity < pool.minSize) {
      ctx.addIssue({ code: 'custom', path: ['maxGroupPreparedCapacity'], message: `${pool.maxGroupPreparedCapacity} < minSize ${pool.minSize}` });
    }
  })
  .meta({
    description:
      'Pre-initialized instances beside the group, which scale-out draws on first. AWS refuses warm pools on mixed-instances groups and on Spot: needs one instance type of weight 1, onDemandPercentageAboveBaseCapacity 100, and resilience.lifecycleHooks off. Omitted: none.',
  });

export const instancesSchema = z
  .strictObject({
    iam: iamSchema,
    securityGroupIds: z
      .array(ec2ResourceId('sg', 'security group'))
      .max(MAX_EXTRA_SECURITY_GROUPS, `at most ${MAX_EXTRA_SECURITY_GROUPS}: an instance takes 5 security groups, one of them the fleet's own`)
      .superRefine((ids, ctx) => reportDuplicates(ids, (i, id) => ctx.addIssue({ code: 'custom', path: [i], message: `${id} is listed twice` })))
      .default([])
      .meta({ description: `Security groups of the VPC attached to the instances beside the fleet's own, at most ${MAX_EXTRA_SECURITY_GROUPS} (primary region only).` }),
    egress: z
      .array(egressRuleSchema)
      .superRefine((rules, ctx) => reportDuplicates(rules.map(egressRuleKey), (i) => ctx.addIssue({ code: 'custom', path: [i], message: 'allows the same as an earlier rule' })))
      .default([])
      .meta({ description: 'Outbound rules beside egressPorts, each with a description and one destination (CIDR, prefix list or security group).' }),
    egressPorts: z
      .array(ranged(z.number().int(), 1, 65535))
      .superRefine((ports, ctx) => reportDuplicates(ports.map(String), (i, p) => ctx.addIssue({ code: 'custom', path: [i], message: `port ${p} is listed twice` })))
      .default([...DEFAULT_EGRESS_PORTS])
      .meta({ description: 'TCP ports the instances may reach anywhere (0.0.0.0/0): package repositories, AWS APIs. Default: 443 only.' }),
    instanceRefresh: refreshSchema,
    instanceMaintenancePolicy: maintenanceSchema.optional(),
    terminationPolicies: z
      .array(z.enum(TERMINATION_POLICIES))
      .min(1)
      .superRefine((list, ctx) => reportDuplicates(list, (i, p) => ctx.addIssue({ code: 'custom', path: [i], message: `${p} is listed twice` })))
      .default([...DEFAULT_TERMINATION_POLICIES])
      .meta({ description: 'Which instances scale-in removes first, in order (AWS applies them in turn). Default: `Default` (AWS\'s own order).' }),
    maxInstanceLifetime: z
      .number()
      .superRefine((seconds, ctx) => {
        const problem = lifetimeProblem(seconds);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .meta({ description: `Seconds after which an instance is replaced: 0 (no limit) or ${MIN_INSTANCE_LIFETIME}–${MAX_INSTANCE_LIFETIME}; omitted, no limit.` }),
    warmPool: warmPoolSchema.optional(),
  })
  .superRefine((instances, ctx) => {
    const rules = instances.egressPorts.length + instances.egress.length;
    if (rules > MAX_EGRESS_RULES) ctx.addIssue({ code: 'custom', path: ['egress'], message: `${rules} outbound rules with egressPorts; a security group holds ${MAX_EGRESS_RULES}` });
  })
  .prefault({})
  .meta({ description: 'The instances: what they may do (IAM) and reach (security groups, egress), and how the group replaces, retires and pre-warms them.' });

type InstancesSpec = z.output<typeof instancesSchema>;

/** The sections these rules relate `instances` to, each present only when it parsed. */
interface InstancesContext {
  account?: string;
  instances?: InstancesSpec;
  app?: { imageId: string };
  instanceTypes?: readonly { type: string; weight: number }[];
  instancesDistribution?: { onDemandPercentageAboveBaseCapacity: number };
  resilience?: { lifecycleHooks: { enabled: boolean } };
}

/**
 * Rules relating `instances` to the rest: policies of the environment's
 * account, a rollback AWS can perform, a warm pool AWS accepts.
 */
export function checkInstances(env: InstancesContext, report: Report): void {
  const { instances, account } = env;
  if (!instances) return;
  const owner = (arn: string) => arn.split(':')[4];
  if (account) {
    instances.iam.managedPolicyArns.forEach((arn, i) => {
      if (owner(arn) !== 'aws' && owner(arn) !== account) report(['instances', 'iam', 'managedPolicyArns', i], `policy belongs to account ${owner(arn)}, not the environment's ${account}`);
    });
    const boundary = instances.iam.permissionsBoundaryArn;
    if (boundary && owner(boundary) !== account) report(['instances', 'iam', 'permissionsBoundaryArn'], `policy belongs to account ${owner(boundary)}, not the environment's ${account}`);
  }
  if (env.app) {
    const rollback = rollbackProblem(instances.instanceRefresh.autoRollback, env.app.imageId);
    if (rollback) report(['instances', 'instanceRefresh', 'autoRollback'], rollback);
  }
  if (!instances.warmPool) return;
  if (env.instanceTypes && env.instancesDistribution) {
    const problem = warmPoolFleetProblem(env.instanceTypes, env.instancesDistribution.onDemandPercentageAboveBaseCapacity);
    if (problem) report(['instances', 'warmPool'], problem);
  }
  if (env.resilience?.lifecycleHooks.enabled) {
    report(
      ['instances', 'warmPool'],
      'needs resilience.lifecycleHooks.enabled false: an instance leaving the pool waits on the launch hook again, and the readiness check (first boot only) never completes it',
    );
  }
}
