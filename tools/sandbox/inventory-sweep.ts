/**
 * Deletes what an environment left in the emulator outside Terraform's
 * state: resources carrying its default tags, found and removed with the AWS
 * SDK. A failed apply can leave such resources behind — a create that acted
 * but whose answer never arrived, then failed on its retry, is in no state,
 * so no destroy sees it (security groups and target groups named from a
 * prefix, roles). This runs only after a failure: after a clean run, anything
 * left is a finding for the leftover check, not something to sweep away.
 *
 * The kinds are those an orphaned create leaves standing once `terraform
 * destroy` has removed everything the state knows, in the order their
 * dependencies need: groups and load balancers before the target groups and
 * templates they use, those before security groups and addresses.
 */
import { DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeleteLaunchTemplateCommand,
  DeleteNatGatewayCommand,
  DeleteSecurityGroupCommand,
  DescribeAddressesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeNatGatewaysCommand,
  DescribeSecurityGroupsCommand,
  ReleaseAddressCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import type { EmulatorClients } from './aws-clients';

/** Tags that mark a resource as an environment's: every one must match. */
export type TagSelector = Readonly<Record<string, string>>;

interface Found {
  readonly kind: string;
  readonly id: string;
  remove(): Promise<unknown>;
}

/** One kind of resource: what of it in `region` carries the tags, and how each is removed. */
type Sweeper = (clients: EmulatorClients, region: string, selector: TagSelector) => Promise<Found[]>;

function matches(tags: readonly Tag[] | undefined, selector: TagSelector): boolean {
  return Object.entries(selector).every(([key, value]) => (tags ?? []).some((tag) => tag.Key === key && tag.Value === value));
}

const autoScalingGroups: Sweeper = async (clients, region, selector) => {
  const autoscaling = clients.get('autoscaling', region);
  const groups = (await autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
  return groups
    .filter((g) => matches(g.Tags, selector))
    .map((g) => ({
      kind: 'Auto Scaling group',
      id: g.AutoScalingGroupName ?? '',
      remove: () => autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: g.AutoScalingGroupName, ForceDelete: true })),
    }));
};

/** ELBv2 resources carry their tags apart from their description: DescribeTags, 20 ARNs at a time. */
async function taggedElbv2Arns(clients: EmulatorClients, region: string, arns: readonly string[], selector: TagSelector): Promise<Set<string>> {
  const elbv2 = clients.get('elbv2', region);
  const tagged = new Set<string>();
  for (let i = 0; i < arns.length; i += 20) {
    const descriptions = (await elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }))).TagDescriptions ?? [];
    for (const d of descriptions) if (d.ResourceArn && matches(d.Tags, selector)) tagged.add(d.ResourceArn);
  }
  return tagged;
}

const loadBalancers: Sweeper = async (clients, region, selector) => {
  const elbv2 = clients.get('elbv2', region);
  const arns = ((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn ?? '');
  const tagged = await taggedElbv2Arns(clients, region, arns, selector);
  return [...tagged].map((arn) => ({
    kind: 'load balancer',
    id: arn,
    // Deletion protection is lifted first, as teardown does for the ones in state.
    remove: async () => {
      await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
      await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    },
  }));
};

const targetGroups: Sweeper = async (clients, region, selector) => {
  const elbv2 = clients.get('elbv2', region);
  const arns = ((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((tg) => tg.TargetGroupArn ?? '');
  const tagged = await taggedElbv2Arns(clients, region, arns, selector);
  return [...tagged].map((arn) => ({ kind: 'target group', id: arn, remove: () => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })) }));
};

const launchTemplates: Sweeper = async (clients, region, selector) => {
  const ec2 = clients.get('ec2', region);
  const templates = (await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
  return templates
    .filter((t) => matches(t.Tags, selector))
    .map((t) => ({ kind: 'launch template', id: t.LaunchTemplateId ?? '', remove: () => ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: t.LaunchTemplateId })) }));
};

const natGateways: Sweeper = async (clients, region, selector) => {
  const ec2 = clients.get('ec2', region);
  const gateways = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['pending', 'available'] }] }))).NatGateways ?? [];
  return gateways
    .filter((g) => matches(g.Tags, selector))
    .map((g) => ({ kind: 'NAT gateway', id: g.NatGatewayId ?? '', remove: () => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: g.NatGatewayId })) }));
};

const addresses: Sweeper = async (clients, region, selector) => {
  const ec2 = clients.get('ec2', region);
  const found = (await ec2.send(new DescribeAddressesCommand({}))).Addresses ?? [];
  return found
    .filter((a) => matches(a.Tags, selector))
    .map((a) => ({ kind: 'elastic IP', id: a.AllocationId ?? '', remove: () => ec2.send(new ReleaseAddressCommand({ AllocationId: a.AllocationId })) }));
};

const securityGroups: Sweeper = async (clients, region, selector) => {
  const ec2 = clients.get('ec2', region);
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
  return groups
    .filter((g) => g.GroupName !== 'default' && matches(g.Tags, selector))
    .map((g) => ({ kind: 'security group', id: g.GroupId ?? '', remove: () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId })) }));
};

/** IAM is global: swept once, from the first region's client. A role goes with its policies and instance profiles. */
const roles: Sweeper = async (clients, region, selector) => {
  const iam = clients.get('iam', region);
  const all = (await iam.send(new ListRolesCommand({}))).Roles ?? [];
  const tagged = [];
  for (const role of all) {
    if (role.Path?.startsWith('/aws-service-role/')) continue;
    if (matches((await iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))).Tags, selector)) tagged.push(role.RoleName ?? '');
  }
  return tagged.map((name) => ({
    kind: 'IAM role',
    id: name,
    remove: async () => {
      for (const policy of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []) {
        await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: policy.PolicyArn }));
      }
      for (const policy of (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? []) {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policy }));
      }
      for (const profile of (await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: name }))).InstanceProfiles ?? []) {
        await iam.send(new RemoveRoleFromInstanceProfileCommand({ RoleName: name, InstanceProfileName: profile.InstanceProfileName }));
        await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profile.InstanceProfileName }));
      }
      await iam.send(new DeleteRoleCommand({ RoleName: name }));
    },
  }));
};

const REGIONAL: readonly Sweeper[] = [autoScalingGroups, loadBalancers, targetGroups, launchTemplates, natGateways, addresses, securityGroups];
const GLOBAL: readonly Sweeper[] = [roles];

/**
 * Deletes every resource of the kinds above that carries all of `selector`'s
 * tags in `regions`; returns what it deleted (`kind id`). A resource that
 * cannot be deleted is reported in the thrown error after the rest are done.
 */
export async function sweepTagged(clients: EmulatorClients, regions: readonly string[], selector: TagSelector): Promise<string[]> {
  if (Object.keys(selector).length === 0) throw new Error('refusing to sweep without tags to select by: that would be everything');
  const deleted: string[] = [];
  const failed: string[] = [];
  const stages = [...REGIONAL.map((sweeper) => regions.map((region) => () => sweeper(clients, region, selector))), GLOBAL.map((sweeper) => () => sweeper(clients, regions[0] ?? 'us-east-1', selector))];
  for (const stage of stages) {
    const found = (await Promise.all(stage.map((list) => list()))).flat();
    for (const resource of found) {
      try {
        await resource.remove();
        deleted.push(`${resource.kind} ${resource.id}`);
      } catch (error) {
        failed.push(`${resource.kind} ${resource.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  if (failed.length > 0) throw new Error(`sweep could not delete:\n  ${failed.join('\n  ')}${deleted.length ? `\n(deleted: ${deleted.join(', ')})` : ''}`);
  return deleted;
}
