/**
 * Just enough EC2 and SSM, on the interpreter's virtual clock, to answer a
 * workflow that launches an instance with EC2 Fleet, runs a command on it
 * through SSM Run Command and terminates it — with the responses' shapes
 * (PascalCase, as Step Functions' AWS SDK integrations return them), the
 * states an instance goes through, and the errors the services raise.
 * A scenario says what goes wrong: no Spot capacity for a launch, Spot
 * reclaiming an instance, a job that fails or never ends.
 */
import { taskFailure } from './errors';
import { hex } from './from-terraform';
import type { TaskCall } from './interpreter';
import { isObject, type Json, type JsonObject } from './json';

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
export type CommandStatus = 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';

export interface Scenario {
  /** Per createFleet call (1-based): false → no Spot capacity in any pool (the fleet answers with errors and no instance). @default always capacity */
  readonly capacity?: (launch: number) => boolean;
  /** createFleet answers an empty fleet without an `Instances` key (as an SDK may leave out an empty list). @default false */
  readonly omitEmptyInstances?: boolean;
  /** Per launched instance (1-based): seconds after it is running that Spot reclaims it; undefined → never. */
  readonly reclaimAfter?: (instance: number) => number | undefined;
  /** What Spot does with a reclaimed instance (the launch template's interruption behaviour). @default 'terminate' */
  readonly reclaimBehaviour?: 'terminate' | 'stop';
  /** The command's status on an instance that was reclaimed while it ran. @default 'InProgress' (the agent is gone; SSM never hears back) */
  readonly statusWhenReclaimed?: CommandStatus;
  /** Per command (1-based): how long the job runs and how it ends. @default 300 s, Success */
  readonly job?: (command: number) => { readonly seconds: number; readonly outcome: 'Success' | 'Failed' };
  /** Per createFleet call (1-based): the fleet is launched but its answer is lost (EC2 returns a 500 after launching). @default never */
  readonly answerLost?: (launch: number) => boolean;
  /** Seconds from launch to running. @default 40 */
  readonly bootSeconds?: number;
  /** Seconds from running until the SSM agent has registered (SendCommand refuses the instance before). @default 50 */
  readonly agentSeconds?: number;
  /** Seconds after SendCommand before GetCommandInvocation knows the invocation. @default 2 */
  readonly invocationDelaySeconds?: number;
  /** The tag an instance must carry for TerminateInstances and SendCommand to be allowed (the workflow role's condition). */
  readonly requiredTag?: { readonly key: string; readonly value: string };
}

export interface FakeInstance {
  readonly id: string;
  readonly number: number;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly launchTemplate: Json;
  readonly tags: Record<string, string>;
  readonly launchedAt: number;
  terminatedAt?: number;
  reclaimedAt?: number;
}

export interface FakeCommand {
  readonly id: string;
  readonly number: number;
  readonly instanceId: string;
  readonly sentAt: number;
  readonly document: string;
  /** The command lines as SSM received them. */
  readonly commands: readonly string[];
  readonly executionTimeoutSeconds: number;
  readonly parameters: JsonObject;
}

const CODES: Record<InstanceState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

export class FakeEc2Ssm {
  readonly instances: FakeInstance[] = [];
  readonly commands: FakeCommand[] = [];
  readonly fleets: JsonObject[] = [];
  readonly terminateCalls: string[][] = [];
  private launches = 0;
  /** CreateFleet's idempotency: a repeated ClientToken gets the first call's fleet, not another one. */
  private readonly fleetsByToken = new Map<string, Json>();

  constructor(private readonly scenario: Scenario = {}) {}

  /** The interpreter's task handler. */
  readonly handle = (call: TaskCall): Json => {
    const api = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(call.resource);
    if (!api) throw new Error(`the fake answers AWS SDK integrations only, not ${call.resource}`);
    const [, service, action] = api as unknown as [string, string, string];
    const params = call.parameters;
    if (!isObject(params)) throw taskFailure('States.TaskFailed', 'parameters must be an object');
    const now = call.clock.now;
    switch (`${service}:${action}`) {
      case 'ec2:createFleet':
        return this.createFleet(params, now);
      case 'ec2:describeInstances':
        return this.describeInstances(params, now);
      case 'ec2:terminateInstances':
        return this.terminateInstances(params, now);
      case 'ssm:sendCommand':
        return this.sendCommand(params, now);
      case 'ssm:getCommandInvocation':
        return this.getCommandInvocation(params, now);
      default:
        throw new Error(`the fake has no ${service}:${action}`);
    }
  };

  stateOf(instance: FakeInstance, now: number): InstanceState {
    if (instance.terminatedAt !== undefined) return now - instance.terminatedAt < 30 ? 'shutting-down' : 'terminated';
    if (instance.reclaimedAt !== undefined && now >= instance.reclaimedAt) {
      const since = now - instance.reclaimedAt;
      return this.scenario.reclaimBehaviour === 'stop' ? (since < 30 ? 'stopping' : 'stopped') : since < 30 ? 'shutting-down' : 'terminated';
    }
    return now - instance.launchedAt < (this.scenario.bootSeconds ?? 40) ? 'pending' : 'running';
  }

  /** Instances that still cost money at `now`: anything neither terminated nor shutting down. */
  leftBehind(now: number): FakeInstance[] {
    return this.instances.filter((i) => !['terminated', 'shutting-down'].includes(this.stateOf(i, now)));
  }

  private runningSince(instance: FakeInstance): number {
    return instance.launchedAt + (this.scenario.bootSeconds ?? 40);
  }

  private createFleet(params: JsonObject, now: number): Json {
    const token = typeof params.ClientToken === 'string' ? params.ClientToken : undefined;
    if (token !== undefined && token.length > 64) throw taskFailure('Ec2.Ec2Exception', `InvalidParameterValue: ClientToken is longer than 64 characters`);
    const earlier = token === undefined ? undefined : this.fleetsByToken.get(token);
    if (earlier !== undefined) return earlier;
    const answer = this.launchFleet(params, now);
    if (token !== undefined) this.fleetsByToken.set(token, answer);
    if (this.scenario.answerLost?.(this.launches)) throw taskFailure('Ec2.Ec2Exception', 'InternalError: An internal error has occurred (Service: Ec2, Status Code: 500)');
    return answer;
  }

  private launchFleet(params: JsonObject, now: number): Json {
    this.launches += 1;
    this.fleets.push(params);
    const fleetId = `fleet-${hex(`fleet${this.launches}`, 8)}-0000-4000-8000-${hex(`f${this.launches}`, 12)}`;
    if (params.Type !== 'instant') throw taskFailure('Ec2.Ec2Exception', 'the fake models instant fleets only');
    const capacity = params.TargetCapacitySpecification;
    if (!isObject(capacity) || capacity.TotalTargetCapacity !== 1) throw taskFailure('Ec2.Ec2Exception', 'the fake launches one instance per fleet');
    const configs = params.LaunchTemplateConfigs;
    const config = Array.isArray(configs) && isObject(configs[0]) ? configs[0] : undefined;
    const overrides = config && Array.isArray(config.Overrides) ? config.Overrides.filter(isObject) : [];
    if (!config || overrides.length === 0) throw taskFailure('Ec2.Ec2Exception', 'InvalidParameterValue: no launch template config with overrides');
    if (this.scenario.capacity && !this.scenario.capacity(this.launches)) {
      const errors = overrides.map((override) => ({
        LaunchTemplateAndOverrides: { LaunchTemplateSpecification: config.LaunchTemplateSpecification ?? null, Overrides: override },
        Lifecycle: 'spot',
        ErrorCode: 'InsufficientInstanceCapacity',
        ErrorMessage: 'There is no Spot capacity available that matches your request.',
      }));
      return { FleetId: fleetId, Errors: errors, ...(this.scenario.omitEmptyInstances ? {} : { Instances: [] }) };
    }
    const override = overrides[0]!;
    const number = this.instances.length + 1;
    const tags: Record<string, string> = {};
    for (const spec of Array.isArray(params.TagSpecifications) ? params.TagSpecifications.filter(isObject) : []) {
      if (spec.ResourceType !== 'instance') continue;
      for (const tag of Array.isArray(spec.Tags) ? spec.Tags.filter(isObject) : []) tags[String(tag.Key)] = String(tag.Value);
    }
    const instance: FakeInstance = {
      id: `i-${hex(`instance${number}`)}`,
      number,
      instanceType: String(override.InstanceType),
      subnetId: String(override.SubnetId),
      launchTemplate: config.LaunchTemplateSpecification ?? null,
      tags,
      launchedAt: now,
    };
    const reclaim = this.scenario.reclaimAfter?.(number);
    if (reclaim !== undefined) instance.reclaimedAt = this.runningSince(instance) + reclaim;
    this.instances.push(instance);
    return {
      FleetId: fleetId,
      Errors: [],
      Instances: [{ LaunchTemplateAndOverrides: { LaunchTemplateSpecification: instance.launchTemplate, Overrides: override }, Lifecycle: 'spot', InstanceIds: [instance.id], InstanceType: instance.instanceType, Platform: 'Linux/UNIX' }],
    };
  }

  private instanceIds(params: JsonObject): string[] {
    const ids = params.InstanceIds;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) throw taskFailure('Ec2.Ec2Exception', `InvalidParameterValue: InstanceIds must be a non-empty list of IDs, got ${JSON.stringify(ids)}`);
    return ids as string[];
  }

  private find(id: string): FakeInstance {
    const instance = this.instances.find((i) => i.id === id);
    if (!instance) throw taskFailure('Ec2.Ec2Exception', `InvalidInstanceID.NotFound: The instance ID '${id}' does not exist`);
    return instance;
  }

  private allowed(instance: FakeInstance, action: string): void {
    const tag = this.scenario.requiredTag;
    if (tag && instance.tags[tag.key] !== tag.value) throw taskFailure(action.startsWith('ssm') ? 'Ssm.SsmException' : 'Ec2.Ec2Exception', `UnauthorizedOperation: not allowed to ${action} ${instance.id} (no tag ${tag.key}=${tag.value})`);
  }

  private describeInstances(params: JsonObject, now: number): Json {
    const found = this.instanceIds(params).map((id) => this.find(id));
    return {
      Reservations: found.map((i) => ({
        ReservationId: `r-${hex(i.id)}`,
        OwnerId: '123456789012',
        Instances: [{ InstanceId: i.id, InstanceType: i.instanceType, SubnetId: i.subnetId, InstanceLifecycle: 'spot', State: { Code: CODES[this.stateOf(i, now)], Name: this.stateOf(i, now) }, Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })) }],
      })),
    };
  }

  private terminateInstances(params: JsonObject, now: number): Json {
    const ids = this.instanceIds(params);
    this.terminateCalls.push(ids);
    const found = ids.map((id) => this.find(id));
    found.forEach((i) => this.allowed(i, 'ec2:TerminateInstances'));
    return {
      TerminatingInstances: found.map((i) => {
        const previous = this.stateOf(i, now);
        if (previous !== 'terminated' && i.terminatedAt === undefined) i.terminatedAt = now;
        return { InstanceId: i.id, PreviousState: { Code: CODES[previous], Name: previous }, CurrentState: { Code: CODES[this.stateOf(i, now)], Name: this.stateOf(i, now) } };
      }),
    };
  }

  private sendCommand(params: JsonObject, now: number): Json {
    const ids = params.InstanceIds;
    if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'string') throw taskFailure('Ssm.SsmException', `the fake runs a command on one instance, got ${JSON.stringify(ids)}`);
    const instance = this.instances.find((i) => i.id === ids[0]);
    // SSM knows an instance only once its agent has registered, and forgets it once it stops.
    if (!instance || this.stateOf(instance, now) !== 'running' || now < this.runningSince(instance) + (this.scenario.agentSeconds ?? 50)) {
      throw taskFailure('Ssm.InvalidInstanceIdException', `Instances [[${String(ids[0])}]] not in a valid state for account 123456789012 (Service: Ssm, Status Code: 400)`);
    }
    this.allowed(instance, 'ssm:SendCommand');
    const parameters = params.Parameters;
    if (!isObject(parameters) || !Array.isArray(parameters.commands) || !parameters.commands.every((c) => typeof c === 'string')) throw taskFailure('Ssm.InvalidParametersException', 'commands must be a list of strings');
    const timeout = parameters.executionTimeout;
    const executionTimeoutSeconds = Array.isArray(timeout) && typeof timeout[0] === 'string' ? Number(timeout[0]) : 3600;
    if (!Number.isInteger(executionTimeoutSeconds) || executionTimeoutSeconds < 1 || executionTimeoutSeconds > 172800) throw taskFailure('Ssm.InvalidParametersException', `executionTimeout ${JSON.stringify(timeout)}`);
    const delivery = params.TimeoutSeconds;
    if (delivery !== undefined && !(typeof delivery === 'number' && Number.isInteger(delivery) && delivery >= 30 && delivery <= 2_592_000)) throw taskFailure('Ssm.InvalidParametersException', `TimeoutSeconds ${JSON.stringify(delivery)} is not 30..2592000`);
    const number = this.commands.length + 1;
    const command: FakeCommand = {
      id: `${hex(`command${number}`, 8)}-0000-4000-8000-${hex(`c${number}`, 12)}`,
      number,
      instanceId: instance.id,
      sentAt: now,
      document: String(params.DocumentName),
      commands: parameters.commands as string[],
      executionTimeoutSeconds,
      parameters: params,
    };
    this.commands.push(command);
    return { Command: { CommandId: command.id, DocumentName: command.document, InstanceIds: [instance.id], Status: 'Pending', Parameters: parameters, Comment: params.Comment ?? '' } };
  }

  /** A command's status at `now`: the job's own course, cut short by its timeout or by the instance going away. */
  commandStatus(command: FakeCommand, now: number): { status: CommandStatus; details: string; code: number } {
    const instance = this.find(command.instanceId);
    const job = this.scenario.job?.(command.number) ?? { seconds: 300, outcome: 'Success' };
    const start = command.sentAt + (this.scenario.invocationDelaySeconds ?? 2);
    const ends = Math.min(start + job.seconds, start + command.executionTimeoutSeconds);
    const gone = [instance.terminatedAt, instance.reclaimedAt].filter((t): t is number => t !== undefined).sort((a, b) => a - b)[0];
    if (gone !== undefined && gone < ends && now >= gone) {
      const status = this.scenario.statusWhenReclaimed ?? 'InProgress';
      // SSM never hears back from a vanished agent; once the execution timeout passes it gives up.
      if (status === 'InProgress' && now >= start + command.executionTimeoutSeconds) return { status: 'TimedOut', details: 'ExecutionTimedOut', code: -1 };
      return { status, details: status, code: -1 };
    }
    if (now < ends) return { status: 'InProgress', details: 'InProgress', code: -1 };
    if (job.seconds >= command.executionTimeoutSeconds) return { status: 'TimedOut', details: 'ExecutionTimedOut', code: -1 };
    return job.outcome === 'Success' ? { status: 'Success', details: 'Success', code: 0 } : { status: 'Failed', details: 'Failed', code: 1 };
  }

  private getCommandInvocation(params: JsonObject, now: number): Json {
    const command = this.commands.find((c) => c.id === params.CommandId && c.instanceId === params.InstanceId);
    if (!command || now < command.sentAt + (this.scenario.invocationDelaySeconds ?? 2)) throw taskFailure('Ssm.InvocationDoesNotExistException', `no invocation of ${String(params.CommandId)} on ${String(params.InstanceId)}`);
    const { status, details, code } = this.commandStatus(command, now);
    return {
      CommandId: command.id,
      InstanceId: command.instanceId,
      DocumentName: command.document,
      PluginName: 'aws:runShellScript',
      ResponseCode: code,
      Status: status,
      StatusDetails: details,
      StandardOutputContent: '',
      StandardErrorContent: '',
    };
  }
}
