/**
 * `instances` and `scaling.customTargets` from the environment file: each
 * rule's exact line (their defaults are in defaults.test.ts), on a copy of prod changed in that one
 * place (prod: account 210987654321, the seed's mixed Spot fleet, the
 * default resolve:ssm image, lifecycle hooks on).
 */
import { describe, expect, it } from 'vitest';
import type { EnvironmentInput } from '../../environments/schema';
import { problemsFor } from '../support/problems';

type Instances = NonNullable<EnvironmentInput['instances']>;
type CustomTarget = NonNullable<NonNullable<EnvironmentInput['scaling']>['customTargets']>[number];

const withInstances = (instances: Instances) => problemsFor((e) => (e.instances = instances));
const withTargets = (customTargets: CustomTarget[]) => problemsFor((e) => (e.scaling = { ...e.scaling, customTargets }));
const metric = { namespace: 'Orders', metricName: 'InFlight', statistic: 'Average' } as const;

describe('instances.iam', () => {
  it('refuses administration, policies of other accounts and a boundary of another account', () => {
    expect(
      withInstances({
        iam: {
          managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::123456789012:policy/team-reads', 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'],
          permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
        },
      }),
    ).toEqual([
      'prod.instances.iam.managedPolicyArns[0]: arn:aws:iam::aws:policy/AdministratorAccess grants administration; attach a policy scoped to what the app does',
    ]);
    // The account rules run once the section parses.
    expect(withInstances({ iam: { managedPolicyArns: ['arn:aws:iam::123456789012:policy/team-reads'], permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary' } })).toEqual([
      "prod.instances.iam.managedPolicyArns[0]: policy belongs to account 123456789012, not the environment's 210987654321",
      "prod.instances.iam.permissionsBoundaryArn: policy belongs to account 123456789012, not the environment's 210987654321",
    ]);
    expect(withInstances({ iam: { managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::aws:policy/IAMFullAccess'] } })).toHaveLength(2);
  });

  it('refuses every action, every action of a service, and every resource for scopable actions in an Allow', () => {
    expect(
      withInstances({
        iam: {
          statements: [
            { actions: ['*'], resources: ['arn:aws:s3:::reports/*'] },
            { actions: ['s3:*', 's3:GetObject'], resources: ['*'] },
            { sid: 'Bad', actions: ['s3GetObject'], resources: ['bucket'] },
          ],
        },
      }),
    ).toEqual([
      'prod.instances.iam.statements[0].actions[0]: * allows every action; name the actions (a wildcard only after a prefix, e.g. s3:Get*)',
      'prod.instances.iam.statements[1].actions[0]: s3:* allows every action of the service; name the actions (a wildcard only after a prefix, e.g. s3:Get*)',
      'prod.instances.iam.statements[1].resources[0]: * grants every resource; name the ARNs, or add a condition (only List/Describe actions take * alone)',
      'prod.instances.iam.statements[2].actions[0]: is not an IAM action like s3:GetObject',
      'prod.instances.iam.statements[2].resources[0]: "bucket" is not an ARN (or *)',
    ]);
  });

  it('accepts a broad Deny, List/Describe on *, a conditioned *, and prefixed wildcards', () => {
    expect(
      withInstances({
        iam: {
          statements: [
            { effect: 'Deny', actions: ['s3:*'], resources: ['*'], conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
            { actions: ['ec2:DescribeInstances', 's3:ListAllMyBuckets'], resources: ['*'] },
            { actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['Orders'] }] },
            { sid: 'Reports', actions: ['s3:Get*'], resources: ['arn:aws:s3:::reports/*'] },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('sids are unique, and the policy fits beside the fleet\'s own', () => {
    const statement = { sid: 'Same', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::a/*'] };
    expect(withInstances({ iam: { statements: [statement, statement] } })).toEqual(['prod.instances.iam.statements: sid Same is used twice']);
    const long = Array.from({ length: 250 }, (_, i) => `arn:aws:s3:::bucket-number-${i}/*`);
    expect(withInstances({ iam: { statements: [{ actions: ['s3:GetObject'], resources: long }] } })[0]).toMatch(
      /^prod\.instances\.iam\.statements: policy is \d+ characters; beside the fleet's own, a role's inline policies leave 7168 \(IAM's 10240\)$/,
    );
  });
});

describe('instances network reach', () => {
  it('refuses malformed destinations and ports', () => {
    expect(
      withInstances({
        securityGroupIds: ['sg-123', 'sg-0123456789abcdef0', 'sg-0123456789abcdef0'],
        egress: [
          { description: 'Two places', fromPort: 5432, cidrIpv4: '10.0.0.0/16', securityGroupId: 'sg-0123456789abcdef0' },
          { description: 'No port', cidrIpv4: '10.0.0.0/16' },
          { description: 'All with ports', protocol: 'all', fromPort: 1, cidrIpv4: '10.0.0.0/16' },
          { description: 'All anywhere', protocol: 'all', cidrIpv4: '0.0.0.0/0' },
          { description: 'Backwards', fromPort: 9000, toPort: 8000, prefixListId: 'pl-0123abcd' },
        ],
        egressPorts: [443, 443],
      }),
    ).toEqual([
      'prod.instances.securityGroupIds[0]: "sg-123" is not a security group ID (sg- then 8 or 17 lowercase hex digits)',
      'prod.instances.securityGroupIds[2]: sg-0123456789abcdef0 is listed twice',
      'prod.instances.egress[0]: needs exactly one of cidrIpv4, prefixListId, securityGroupId; has 2',
      'prod.instances.egress[1]: protocol tcp needs fromPort',
      'prod.instances.egress[2]: protocol all takes no fromPort or toPort',
      "prod.instances.egress[3]: every protocol to 0.0.0.0/0 undoes the fleet's egress lock-down; name the ports",
      'prod.instances.egress[4]: toPort 8000 < fromPort 9000',
      'prod.instances.egressPorts[1]: port 443 is listed twice',
    ]);
  });

  it('at most 4 extra security groups, no rule twice', () => {
    const sg = (n: number) => `sg-0123456789abcdef${n}`;
    expect(withInstances({ securityGroupIds: [1, 2, 3, 4, 5].map(sg) })).toEqual([
      "prod.instances.securityGroupIds: at most 4: an instance takes 5 security groups, one of them the fleet's own",
    ]);
    const rule = { description: 'PostgreSQL', fromPort: 5432, securityGroupId: sg(1) };
    expect(withInstances({ egress: [rule, { ...rule, description: 'Again' }] })).toEqual(['prod.instances.egress[1]: allows the same as an earlier rule']);
  });
});

describe('instances.instanceRefresh', () => {
  it('checkpoints ascend and end at 100; a delay needs them', () => {
    expect(withInstances({ instanceRefresh: { checkpointPercentages: [50, 25] } })).toEqual([
      'prod.instances.instanceRefresh.checkpointPercentages: must ascend, each percent once: 25 follows 50',
      'prod.instances.instanceRefresh.checkpointPercentages: must end at 100 to replace every instance, ends at 25',
    ]);
    expect(withInstances({ instanceRefresh: { checkpointDelay: 600 } })).toEqual(['prod.instances.instanceRefresh.checkpointDelay: only applies with checkpointPercentages']);
    expect(withInstances({ instanceRefresh: { checkpointPercentages: [20, 100], checkpointDelay: 200_000 } })).toEqual([
      'prod.instances.instanceRefresh.checkpointDelay: 200000 is outside 0–172800 seconds',
    ]);
  });

  it('autoRollback needs an AMI ID: AWS cannot roll back to an SSM-resolved image', () => {
    expect(withInstances({ instanceRefresh: { autoRollback: true, rollbackOnAlarm: true } })).toEqual([
      'prod.instances.instanceRefresh.autoRollback: AWS cannot roll back to a launch template whose image is an SSM parameter (resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64); set app.imageId to an AMI ID, or autoRollback false',
    ]);
    expect(
      problemsFor((e) => {
        e.app = { ...e.app, imageId: 'ami-0123456789abcdef0' };
        e.instances = { instanceRefresh: { autoRollback: true, rollbackOnAlarm: true } };
      }),
    ).toEqual([]);
  });
});

describe('instances: maintenance, termination, lifetime', () => {
  it('refuses what Auto Scaling refuses', () => {
    expect(
      withInstances({
        instanceMaintenancePolicy: { minHealthyPercentage: 50, maxHealthyPercentage: 201 },
        terminationPolicies: ['OldestInstance', 'OldestInstance'],
        maxInstanceLifetime: 3600,
      }),
    ).toEqual([
      'prod.instances.instanceMaintenancePolicy.maxHealthyPercentage: 201 is outside 100–200',
      'prod.instances.instanceMaintenancePolicy.maxHealthyPercentage: 201 is more than 100 above minHealthyPercentage 50',
      'prod.instances.terminationPolicies[1]: OldestInstance is listed twice',
      'prod.instances.maxInstanceLifetime: 3600 is neither 0 (no limit) nor 86400–31536000 seconds (one day to one year)',
    ]);
    expect(withInstances({ maxInstanceLifetime: 0, terminationPolicies: ['OldestLaunchTemplate', 'Default'] })).toEqual([]);
  });
});

describe('instances.warmPool', () => {
  it("is refused on the seed's mixed Spot fleet with lifecycle hooks on, each reason at the field", () => {
    expect(withInstances({ warmPool: {} })).toEqual([
      'prod.instances.warmPool: AWS refuses warm pools on groups with a mixed instances policy: needs exactly one instance type, instanceTypes has 4',
      'prod.instances.warmPool: needs resilience.lifecycleHooks.enabled false: an instance leaving the pool waits on the launch hook again, and the readiness check (first boot only) never completes it',
    ]);
  });

  it('is accepted on one on-demand type of weight 1 without lifecycle hooks', () => {
    const onDemand = (e: EnvironmentInput, weight = 1) => {
      e.instanceTypes = [{ type: 'm5.large', weight }];
      e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 100 };
      e.resilience = { ...e.resilience, lifecycleHooks: { enabled: false } };
      e.instances = { warmPool: { poolState: 'Running', minSize: 2, maxGroupPreparedCapacity: 1 } };
    };
    expect(problemsFor((e) => onDemand(e))).toEqual(['prod.instances.warmPool.maxGroupPreparedCapacity: 1 < minSize 2']);
    expect(problemsFor((e) => (onDemand(e, 2), (e.instances = { warmPool: {} })))).toEqual([
      'prod.instances.warmPool: needs instanceTypes[0].weight 1 (without a mixed instances policy capacity counts instances), not 2',
    ]);
    expect(problemsFor((e) => (onDemand(e), (e.instances = { warmPool: { minSize: 1 } })))).toEqual([]);
  });
});

describe('scaling.customTargets', () => {
  it('need exactly one of metric and metrics, one returned query, unique ids and names', () => {
    expect(
      withTargets([
        { name: 'neither', targetValue: 1 },
        { name: 'both', targetValue: 1, metric, metrics: [{ id: 'a', metric, returnData: true }] },
        { name: 'math', targetValue: 1, metrics: [{ id: 'a', metric }, { id: 'a', expression: 'a * 2', metric }] },
        { name: 'cpu-target', targetValue: 0, metric },
      ]),
    ).toEqual([
      'prod.scaling.customTargets[0]: needs exactly one of metric, metrics',
      'prod.scaling.customTargets[1]: needs exactly one of metric, metrics',
      'prod.scaling.customTargets[2].metrics[1]: needs exactly one of expression, metric',
      'prod.scaling.customTargets[2].metrics: exactly one query returns data (returnData true); 0 do',
      'prod.scaling.customTargets[2].metrics[1].id: id a is used twice',
      'prod.scaling.customTargets[3].targetValue: Too small: expected number to be >0',
    ]);
    expect(withTargets([{ name: 'cpu-target', targetValue: 50, metric }])).toEqual(["prod.scaling.customTargets[0].name: cpu-target is the name of the tier's own policy"]);
    expect(
      problemsFor((e) => {
        e.scaling = {
          ...e.scaling,
          stepPolicies: [{ name: 'orders', threshold: 80, steps: [{ lower: 0, adjustment: 1 }] }],
          customTargets: [{ name: 'orders', targetValue: 5, metric }],
        };
      }),
    ).toEqual(['prod.scaling: duplicate scaling policy name orders']);
  });
});
