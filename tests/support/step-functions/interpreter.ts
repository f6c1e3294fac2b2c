/**
 * Runs a state machine definition the way Step Functions does, one state
 * at a time, on a virtual clock: Wait states, retry intervals and the time
 * a task handler says it took advance it, nothing sleeps. Task resources
 * are answered by the test's handler, so a test decides what each AWS call
 * returns or throws, and every transition and task call is recorded.
 *
 * Processing order per state (AWS's "Input and output processing"):
 * InputPath → Parameters → the task → ResultSelector → ResultPath (into the
 * state's raw input) → OutputPath; a Catch places {Error, Cause} into the
 * raw input at the catcher's ResultPath and skips OutputPath.
 */
import { evaluateRule, type ChoiceRule } from './choice';
import { runtimeError, StatesError, TaskFailure } from './errors';
import { clone, type Json, type JsonObject } from './json';
import { readPath, truncate, writePath } from './json-path';
import { applyTemplate } from './payload';
import { type Definition, validateDefinition } from './validate';

export interface VirtualClock {
  /** Seconds since the execution started. */
  readonly now: number;
  /** Lets a task take time (a long-running call, a job that runs for a while). */
  advance(seconds: number): void;
}

export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  /** The effective parameters (after InputPath and Parameters), what the service would receive. */
  readonly parameters: Json;
  /** 1 for the first try of this entry into the state, 2 for its first retry, … */
  readonly attempt: number;
  readonly clock: VirtualClock;
}

/** Answers a Task: returns the service's result, or throws `taskFailure(error, cause)`. */
export type TaskHandler = (call: TaskCall) => Json;

export interface RunOptions {
  readonly input: Json;
  readonly tasks: TaskHandler;
  readonly executionName?: string;
  readonly stateMachineArn?: string;
  /** ISO start time of the execution (the virtual clock's zero). */
  readonly startTime?: string;
  /** A guard against a definition that loops forever (default 20,000 state entries; the history quota usually ends such a run first, as in AWS). */
  readonly maxTransitions?: number;
}

/** Step Functions' quotas a Standard execution runs into. */
export const QUOTAS = {
  /** Events in one execution's history; past it the execution fails. */
  historyEvents: 25_000,
  /** Bytes of a state's input, output or a task's result (UTF-8 JSON). */
  payloadBytes: 262_144,
} as const;

export interface Failure {
  readonly error: string;
  readonly cause: string;
}

export interface Transition {
  readonly state: string;
  readonly type: string;
  /** Seconds since the start when the state was entered. */
  readonly enteredAt: number;
  readonly input: Json;
  output?: Json;
  next?: string;
  /** The error the state ended with (caught, or failing the execution). */
  error?: Failure;
  caughtBy?: number;
}

export interface TaskRecord {
  readonly state: string;
  readonly resource: string;
  readonly parameters: Json;
  readonly attempt: number;
  readonly at: number;
  result?: Json;
  error?: Failure;
}

export interface Execution {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  readonly transitions: readonly Transition[];
  readonly tasks: readonly TaskRecord[];
  /** The states entered, in order. */
  readonly path: readonly string[];
  readonly elapsedSeconds: number;
  /**
   * Events the execution's history holds, counted as Step Functions writes
   * them: ExecutionStarted; Entered and Exited per state; Scheduled, Started
   * and Succeeded/Failed per task attempt; the execution's end.
   */
  readonly historyEvents: number;
}

class TimedOut extends Error {}

const NAME = 'TestStateMachine';

export function execute(definition: unknown, options: RunOptions): Execution {
  const machine = validateDefinition(definition);
  return new Run(machine, options).go();
}

class Run {
  private elapsed = 0;
  private history = 1;
  private readonly transitions: Transition[] = [];
  private readonly tasks: TaskRecord[] = [];
  private readonly start: number;
  private readonly context: JsonObject;

  constructor(
    private readonly machine: Definition,
    private readonly options: RunOptions,
  ) {
    this.start = Date.parse(options.startTime ?? '2026-01-01T00:00:00.000Z');
    const name = options.executionName ?? 'test-execution';
    const arn = options.stateMachineArn ?? `arn:aws:states:eu-west-1:123456789012:stateMachine:${NAME}`;
    this.context = {
      Execution: {
        Id: `${arn.replace(':stateMachine:', ':execution:')}:${name}`,
        Input: clone(options.input),
        Name: name,
        RoleArn: 'arn:aws:iam::123456789012:role/test-state-machine',
        StartTime: this.iso(0),
        RedriveCount: 0,
      },
      StateMachine: { Id: arn, Name: arn.split(':').at(-1) ?? NAME },
      State: {},
      Task: { Token: 'test-task-token' },
    };
  }

  go(): Execution {
    let name: string | undefined = this.machine.StartAt;
    let data: Json = clone(this.options.input);
    const limit = this.options.maxTransitions ?? 20_000;
    try {
      while (name !== undefined) {
        if (this.transitions.length >= limit) throw new Error(`the execution entered ${limit} states without finishing (a loop?): ${this.path().slice(-12).join(' → ')}`);
        this.checkDeadline();
        this.record(2, name);
        const state = this.machine.States[name]!;
        const transition: Transition = { state: name, type: String(state.Type), enteredAt: this.elapsed, input: clone(data) };
        this.transitions.push(transition);
        this.context.State = { Name: name, EnteredTime: this.iso(this.elapsed), RetryCount: 0 };
        const step = this.enter(name, state, data, transition);
        transition.output = step.output;
        checkSize(step.output, `state '${name}' output`);
        if (step.end) return this.finish(step.end, step.output);
        transition.next = step.next;
        data = step.output;
        name = step.next;
      }
      throw new Error('unreachable: the loop ends only by returning');
    } catch (error) {
      if (error instanceof TimedOut) return this.finish({ status: 'TIMED_OUT', error: 'States.Timeout', cause: `the execution ran longer than TimeoutSeconds (${this.machine.TimeoutSeconds})` });
      if (error instanceof StatesError) {
        const last = this.transitions.at(-1);
        if (last) last.error = { error: error.error, cause: error.cause };
        return this.finish({ status: 'FAILED', error: error.error, cause: error.cause });
      }
      throw error;
    }
  }

  private finish(end: { status: Execution['status']; error?: string; cause?: string }, output?: Json): Execution {
    return {
      ...end,
      ...(end.status === 'SUCCEEDED' ? { output } : {}),
      transitions: this.transitions,
      tasks: this.tasks,
      path: this.path(),
      elapsedSeconds: this.elapsed,
      historyEvents: this.history + 1,
    };
  }

  /** Counts history events; an execution whose history would outgrow the quota fails. */
  private record(events: number, where: string): void {
    this.history += events;
    if (this.history + 1 > QUOTAS.historyEvents) {
      // The execution's last event (ExecutionFailed) is the 25,000th.
      this.history = QUOTAS.historyEvents - 1;
      throw new StatesError('States.Runtime', `the execution history reached ${QUOTAS.historyEvents} events (at state '${where}', ${this.elapsed} s in)`);
    }
  }

  private path(): string[] {
    return this.transitions.map((t) => t.state);
  }

  private iso(seconds: number): string {
    return new Date(this.start + seconds * 1000).toISOString();
  }

  private checkDeadline(): void {
    const limit = this.machine.TimeoutSeconds;
    if (limit !== undefined && this.elapsed >= limit) {
      this.elapsed = limit;
      throw new TimedOut();
    }
  }

  private advance(seconds: number): void {
    if (!(seconds >= 0)) throw new Error(`the clock cannot move by ${seconds} seconds`);
    this.elapsed += seconds;
    this.checkDeadline();
  }

  private enter(name: string, state: JsonObject, raw: Json, transition: Transition): { output: Json; next?: string; end?: { status: Execution['status']; error?: string; cause?: string } } {
    const where = `state '${name}'`;
    const input = this.inputPath(state, raw, where);
    const flow = (output: Json) => (state.End === true ? { output, end: { status: 'SUCCEEDED' as const } } : { output, next: state.Next as string });
    switch (state.Type) {
      case 'Pass': {
        const effective = state.Parameters !== undefined ? applyTemplate(state.Parameters, input, this.context, where) : input;
        const result = state.Result !== undefined ? clone(state.Result) : effective;
        return flow(this.outputPath(state, this.resultPath(state.ResultPath, raw, result, where), where));
      }
      case 'Wait': {
        this.advance(this.waitSeconds(state, input, where));
        return flow(this.outputPath(state, input, where));
      }
      case 'Choice': {
        const rules = state.Choices as ChoiceRule[];
        const match = rules.find((rule) => evaluateRule(rule, input, this.context, where));
        const next = (match?.Next as string | undefined) ?? (state.Default as string | undefined);
        if (next === undefined) throw new StatesError('States.NoChoiceMatched', `${where}: no choice rule matched and there is no Default, input ${truncate(input)}`);
        return { output: this.outputPath(state, input, where), next };
      }
      case 'Succeed':
        return { output: this.outputPath(state, input, where), end: { status: 'SUCCEEDED' } };
      case 'Fail': {
        const error = state.ErrorPath !== undefined ? readPath(raw, this.context, state.ErrorPath as string, `${where} ErrorPath`) : state.Error;
        const cause = state.CausePath !== undefined ? readPath(raw, this.context, state.CausePath as string, `${where} CausePath`) : state.Cause;
        return { output: raw, end: { status: 'FAILED', ...(error !== undefined ? { error: String(error) } : {}), ...(cause !== undefined ? { cause: String(cause) } : {}) } };
      }
      case 'Task':
        return this.task(name, state, raw, input, transition, flow);
      default:
        throw new Error(`unsupported state type ${String(state.Type)}`);
    }
  }

  private task(name: string, state: JsonObject, raw: Json, input: Json, transition: Transition, flow: (output: Json) => { output: Json; next?: string; end?: { status: 'SUCCEEDED' } }) {
    const where = `state '${name}'`;
    const resource = state.Resource as string;
    const retriers = (state.Retry as JsonObject[] | undefined) ?? [];
    const counts = retriers.map(() => 0);
    for (let attempt = 1; ; attempt += 1) {
      (this.context.State as JsonObject).RetryCount = attempt - 1;
      const parameters = state.Parameters !== undefined ? applyTemplate(state.Parameters, input, this.context, where) : input;
      const record: TaskRecord = { state: name, resource, parameters: clone(parameters), attempt, at: this.elapsed };
      this.tasks.push(record);
      this.record(3, name);
      checkSize(parameters, `${where} parameters`);
      let failure: StatesError;
      try {
        const result = this.call({ state: name, resource, parameters: clone(parameters), attempt }, state, where);
        record.result = clone(result);
        checkSize(result, `${where} result`);
        const selected = state.ResultSelector !== undefined ? applyTemplate(state.ResultSelector, result, this.context, `${where} ResultSelector`) : result;
        return flow(this.outputPath(state, this.resultPath(state.ResultPath, raw, selected, where), where));
      } catch (error) {
        if (!(error instanceof StatesError)) throw error;
        failure = error;
        record.error = { error: error.error, cause: error.cause };
      }
      if (failure.terminal) throw failure;
      const r = retriers.findIndex((retrier) => matches(retrier.ErrorEquals as string[], failure));
      const retrier = retriers[r];
      const maxAttempts = (retrier?.MaxAttempts as number | undefined) ?? 3;
      if (retrier && counts[r]! < maxAttempts) {
        const interval = ((retrier.IntervalSeconds as number | undefined) ?? 1) * ((retrier.BackoffRate as number | undefined) ?? 2) ** counts[r]!;
        const capped = retrier.MaxDelaySeconds !== undefined ? Math.min(interval, retrier.MaxDelaySeconds as number) : interval;
        counts[r]! += 1;
        this.advance(capped);
        continue;
      }
      const catchers = (state.Catch as JsonObject[] | undefined) ?? [];
      const c = catchers.findIndex((catcher) => matches(catcher.ErrorEquals as string[], failure));
      if (c < 0) throw failure;
      const catcher = catchers[c]!;
      transition.error = { error: failure.error, cause: failure.cause };
      transition.caughtBy = c;
      const resultPath = catcher.ResultPath === undefined ? '$' : catcher.ResultPath;
      return { output: this.resultPath(resultPath, raw, { Error: failure.error, Cause: failure.cause }, `${where} Catch[${c}]`), next: catcher.Next as string };
    }
  }

  private call(call: Omit<TaskCall, 'clock'>, state: JsonObject, where: string): Json {
    const started = this.elapsed;
    const run = this;
    const clock: VirtualClock = {
      get now() {
        return run.elapsed;
      },
      advance: (seconds) => {
        run.elapsed += seconds;
      },
    };
    let result: Json;
    try {
      result = this.options.tasks({ ...call, clock });
    } catch (error) {
      if (error instanceof TaskFailure) throw error;
      if (error instanceof StatesError) throw error;
      throw new Error(`the test's task handler threw for ${where} (${call.resource}); throw taskFailure(error, cause) to fail the task`, { cause: error });
    }
    if (result === undefined) throw new Error(`the test's task handler returned nothing for ${where} (${call.resource}, ${truncate(call.parameters)})`);
    const limit = state.TimeoutSeconds as number | undefined;
    if (limit !== undefined && this.elapsed - started > limit) {
      this.elapsed = started + limit;
      this.checkDeadline();
      throw new StatesError('States.Timeout', `${where}: the task ran longer than its TimeoutSeconds (${limit})`);
    }
    this.checkDeadline();
    return clone(result);
  }

  private inputPath(state: JsonObject, raw: Json, where: string): Json {
    if (state.InputPath === null) return {};
    if (state.InputPath === undefined) return clone(raw);
    return clone(readPath(raw, this.context, state.InputPath as string, `${where} InputPath`));
  }

  private outputPath(state: JsonObject, value: Json, where: string): Json {
    if (state.OutputPath === null) return {};
    if (state.OutputPath === undefined) return value;
    return clone(readPath(value, this.context, state.OutputPath as string, `${where} OutputPath`));
  }

  private resultPath(path: Json | undefined, raw: Json, result: Json, where: string): Json {
    if (path === null) return clone(raw);
    return writePath(raw, (path as string | undefined) ?? '$', clone(result), `${where} ResultPath`);
  }

  private waitSeconds(state: JsonObject, input: Json, where: string): number {
    if (state.Seconds !== undefined) return state.Seconds as number;
    if (state.SecondsPath !== undefined) {
      const seconds = readPath(input, this.context, state.SecondsPath as string, `${where} SecondsPath`);
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) throw runtimeError(`${where}: SecondsPath selected ${truncate(seconds)}, not a non-negative integer`);
      return seconds;
    }
    const stamp = state.Timestamp !== undefined ? state.Timestamp : readPath(input, this.context, state.TimestampPath as string, `${where} TimestampPath`);
    const at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (Number.isNaN(at)) throw runtimeError(`${where}: ${truncate(stamp)} is not a timestamp`);
    return Math.max(0, (at - this.start) / 1000 - this.elapsed);
  }
}

function checkSize(value: Json, where: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > QUOTAS.payloadBytes) throw new StatesError('States.DataLimitExceeded', `${where}: ${bytes} bytes, more than ${QUOTAS.payloadBytes}`);
}

/** Whether a Retry/Catch entry's ErrorEquals covers `failure` (States.ALL and States.TaskFailed as AWS defines them). */
export function matches(errorEquals: readonly string[], failure: StatesError): boolean {
  if (failure.terminal) return false;
  if (errorEquals.includes(failure.error)) return true;
  if (errorEquals.includes('States.ALL')) return true;
  return errorEquals.includes('States.TaskFailed') && failure.error !== 'States.Timeout';
}

