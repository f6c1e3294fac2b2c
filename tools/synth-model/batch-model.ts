/**
 * The batch tier of a synthesized stack, as the cost estimate and the
 * simulator need it: which runner was built (the Step Functions workflow that
 * launches one Spot instance per object, or the steady Spot Fleet), the
 * instance types it launches, and — for the workflow — how many state
 * transitions one run takes, counted on the definition itself.
 */
import type { PlacedResource, StackModel } from './stack-model';
import { block, type Block } from './tf-json';

/** One state of an Amazon States Language definition, as far as counting transitions needs it. */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Seconds?: number;
  Parameters?: Block;
  Arguments?: Block;
  Choices?: Array<{ Next?: string }>;
  Default?: string;
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** A polling loop on the happy path: a Wait, the states that look, and the Choice that goes round again. */
export interface PollingLoop {
  /** What the loop waits for: the instance to boot, or the job (after the SSM command was sent). */
  waitsFor: 'instance' | 'job';
  /** States entered on each round, the Wait and the Choice included. */
  states: string[];
  /** The Wait's Seconds: one round's length. */
  waitSeconds: number;
}

/** The happy path of one run through a workflow definition. */
export interface HappyPath {
  /** States entered once, in order, with each polling loop entered once. */
  states: string[];
  loops: PollingLoop[];
}

export interface BatchWorkflowModel {
  runner: 'workflow';
  region: string;
  stateMachine: PlacedResource;
  /** Instance types of the createFleet overrides, first first. */
  instanceTypes: string[];
  path: HappyPath;
  /** gp3 GB each instance's launch template attaches. */
  volumeGbPerInstance: number;
}

export interface BatchFleetModel {
  runner: 'spot-fleet';
  region: string;
  fleet: PlacedResource;
  targetCapacity: number;
  onDemandTargetCapacity: number;
  /** capacityOptimized, priceCapacityOptimized, lowestPrice or diversified (Spot Fleet's spelling). */
  allocationStrategy: string;
  /** lowestPrice (Spot Fleet's default) or prioritized. */
  onDemandAllocationStrategy: string;
  instanceTypes: string[];
  volumeGbPerInstance: number;
}

export type BatchModel = BatchWorkflowModel | BatchFleetModel;

const CREATE_FLEET = 'arn:aws:states:::aws-sdk:ec2:createFleet';
const SEND_COMMAND = /:ssm:sendCommand/;

/** The stack's batch tiers (one per region that builds one; the shipped stacks build at most one). */
export function readBatch(model: StackModel): BatchModel[] {
  const batches: BatchModel[] = [];
  for (const machine of model.resources.filter((r) => r.type === 'aws_sfn_state_machine')) {
    const definition = parseDefinition(machine);
    const launch = Object.values(definition.States).find((s) => s.Resource === CREATE_FLEET);
    // Other state machines (none today) are not batch workflows.
    if (!launch) continue;
    const parameters = launch.Parameters ?? launch.Arguments ?? {};
    const configs = Array.isArray(parameters.LaunchTemplateConfigs) ? (parameters.LaunchTemplateConfigs as Block[]) : [];
    const overrides = configs.flatMap((c) => (Array.isArray(c.Overrides) ? (c.Overrides as Block[]) : []));
    const instanceTypes = unique(overrides.map((o) => o.InstanceType).filter((t): t is string => typeof t === 'string'));
    if (instanceTypes.length === 0) throw new Error(`${model.name}: state machine ${machine.id} launches no literal instance type (createFleet Overrides[].InstanceType)`);
    const templateId = configs.map((c) => block(c.LaunchTemplateSpecification)?.LaunchTemplateId).find((id) => id !== undefined);
    batches.push({
      runner: 'workflow',
      region: machine.region,
      stateMachine: machine,
      instanceTypes,
      path: happyPath(definition),
      volumeGbPerInstance: volumeOf(model, templateId),
    });
  }
  for (const fleet of model.resources.filter((r) => r.type === 'aws_spot_fleet_request')) {
    const b = fleet.body;
    const configs = Array.isArray(b.launch_template_config) ? (b.launch_template_config as Block[]) : [block(b.launch_template_config) ?? {}];
    const overrides = configs.flatMap((c) => (Array.isArray(c.overrides) ? (c.overrides as Block[]) : c.overrides ? [c.overrides as Block] : []));
    const instanceTypes = unique(overrides.map((o) => o.instance_type).filter((t): t is string => typeof t === 'string'));
    if (instanceTypes.length === 0) throw new Error(`${model.name}: aws_spot_fleet_request.${fleet.id} has no literal instance_type in its overrides`);
    const templateId = configs.map((c) => block(c.launch_template_specification)?.id).find((id) => id !== undefined);
    batches.push({
      runner: 'spot-fleet',
      region: fleet.region,
      fleet,
      targetCapacity: Number(b.target_capacity),
      onDemandTargetCapacity: Number(b.on_demand_target_capacity ?? 0),
      allocationStrategy: typeof b.allocation_strategy === 'string' ? b.allocation_strategy : 'lowestPrice',
      onDemandAllocationStrategy: typeof b.on_demand_allocation_strategy === 'string' ? b.on_demand_allocation_strategy : 'lowestPrice',
      instanceTypes,
      volumeGbPerInstance: volumeOf(model, templateId),
    });
  }
  return batches;
}

function parseDefinition(machine: PlacedResource): AslDefinition {
  const text = machine.body.definition;
  try {
    const parsed = JSON.parse(String(text)) as AslDefinition;
    if (typeof parsed.StartAt === 'string' && parsed.States) return parsed;
  } catch {
    // reported below
  }
  throw new Error(`aws_sfn_state_machine.${machine.id}: the definition is not literal Amazon States Language JSON`);
}

/**
 * Walks the definition from StartAt the way a run that goes well does: each
 * Task and Wait to its Next, and at each Choice the branch that reaches a
 * Succeed state soonest without going back. The Choice's other branches that
 * lead back to a Wait already on the path (directly, or through states that
 * look again, like a check that the instance still runs) are polling loops;
 * branches that lead back to anything else (a relaunch) or only reach Fail
 * are the interruption and failure paths, not counted.
 */
export function happyPath(definition: AslDefinition): HappyPath {
  const states: string[] = [];
  const loops: PollingLoop[] = [];
  let sentCommand = false;
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    const state: AslState | undefined = definition.States[name];
    if (!state) throw new Error(`the definition has no state ${name}`);
    if (states.includes(name)) throw new Error(`the happy path enters ${name} twice outside a polling loop`);
    states.push(name);
    if (state.Resource !== undefined && SEND_COMMAND.test(state.Resource)) sentCommand = true;
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true) break;
    if (state.Type !== 'Choice') {
      name = state.Next;
      continue;
    }
    const targets = unique([...(state.Choices ?? []).map((c) => c.Next), state.Default].filter((t): t is string => typeof t === 'string'));
    const forward = targets
      .filter((t) => !states.includes(t))
      .map((t) => ({ t, steps: stepsToSucceed(definition, t, new Set(states)) }))
      .filter((f): f is { t: string; steps: number } => f.steps !== undefined)
      .sort((a, b) => a.steps - b.steps)[0];
    if (!forward) throw new Error(`no branch of ${name} reaches a Succeed state`);
    for (const other of targets.filter((t) => t !== forward.t)) {
      const back = wayBack(definition, other, states);
      const wait = back ? definition.States[back.to] : undefined;
      if (!back || wait?.Type !== 'Wait' || loops.some((l) => l.states[0] === back.to)) continue;
      if (typeof wait.Seconds !== 'number') throw new Error(`the polling loop back to ${back.to} waits without literal Seconds`);
      loops.push({ waitsFor: sentCommand ? 'job' : 'instance', states: [...states.slice(states.indexOf(back.to)), ...back.detour], waitSeconds: wait.Seconds });
    }
    name = forward.t;
  }
  if (definition.States[states.at(-1)!]?.Type !== 'Succeed') throw new Error(`the happy path ends in ${states.at(-1)}, not a Succeed state`);
  return { states, loops };
}

/** The shortest way from `from` back onto `path` (through states off it, never an end state): the state reached and the states in between. */
function wayBack(definition: AslDefinition, from: string, path: readonly string[]): { to: string; detour: string[] } | undefined {
  const onPath = new Set(path);
  if (onPath.has(from)) return { to: from, detour: [] };
  const parent = new Map<string, string | undefined>([[from, undefined]]);
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const state = definition.States[name];
    if (!state || state.Type === 'Succeed' || state.Type === 'Fail') continue;
    for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string')) {
      if (onPath.has(next)) {
        const detour: string[] = [];
        for (let at: string | undefined = name; at !== undefined; at = parent.get(at)) detour.unshift(at);
        return { to: next, detour };
      }
      if (!parent.has(next)) {
        parent.set(next, name);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** States from `from` to the nearest Succeed without entering `visited`, or undefined when none is reachable. */
function stepsToSucceed(definition: AslDefinition, from: string, visited: ReadonlySet<string>): number | undefined {
  const seen = new Set(visited);
  let frontier = [from];
  for (let steps = 1; frontier.length > 0; steps++) {
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      const state = definition.States[name];
      if (!state) continue;
      if (state.Type === 'Succeed') return steps;
      next.push(...[state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string'));
    }
    frontier = next;
  }
  return undefined;
}

/**
 * State transitions Step Functions bills for one run (each state entered):
 * the happy path once, plus each polling loop's extra rounds — the job loop
 * for `jobSeconds`, the instance loop for `bootSeconds`.
 */
export function transitionsPerRun(path: HappyPath, jobSeconds: number, bootSeconds: number): number {
  return path.loops.reduce((sum, loop) => {
    const rounds = Math.max(1, Math.ceil((loop.waitsFor === 'job' ? jobSeconds : bootSeconds) / loop.waitSeconds));
    return sum + (rounds - 1) * loop.states.length;
  }, path.states.length);
}

function volumeOf(model: StackModel, templateRef: unknown): number {
  if (typeof templateRef !== 'string') return 0;
  const match = /\$\{aws_launch_template\.([^.}]+)\./.exec(templateRef);
  const template = match ? model.resources.find((r) => r.type === 'aws_launch_template' && r.id === match[1]) : undefined;
  const devices = Array.isArray(template?.body.block_device_mappings) ? (template.body.block_device_mappings as Block[]) : [];
  return devices.reduce((sum, d) => {
    const ebs = block(d.ebs);
    return ebs && ebs.volume_type === 'gp3' ? sum + Number(ebs.volume_size ?? 0) : sum;
  }, 0);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
