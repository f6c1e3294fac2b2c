/**
 * Amazon States Language, typed: the states the batch workflow uses (Task,
 * Pass, Wait, Choice, Succeed, Fail) with their Retry, Catch and Choice rules,
 * so a misspelt field or a missing Next is a type error rather than a failed
 * `CreateStateMachine`. `renderStateMachine` turns a definition into the JSON
 * Step Functions reads; `structuralProblems` checks what types cannot (every
 * Next names a state, every state is reachable, a machine can end).
 */

/** A JSONPath into the state's data (`$.detail.object.key`) or the context object (`$$.Execution.Id`). */
export type JsonPath = `$${string}`;

/** Error names Retry and Catch match: Step Functions' own (`States.ALL`, `States.Timeout`, …) or a service's (`Ec2.InsufficientInstanceCapacity`). */
export type ErrorName = string;

export interface Retrier {
  readonly ErrorEquals: readonly ErrorName[];
  /** @default 1 */
  readonly IntervalSeconds?: number;
  /** @default 3 */
  readonly MaxAttempts?: number;
  /** @default 2.0 */
  readonly BackoffRate?: number;
  /** @default no cap */
  readonly MaxDelaySeconds?: number;
  /** @default 'NONE' */
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly ErrorName[];
  readonly Next: string;
  /** Where the error (`{ Error, Cause }`) goes in the data. @default '$' (replaces it) */
  readonly ResultPath?: JsonPath | null;
}

/** A value, or an object whose `key.$` fields are paths or intrinsic functions. */
export type Payload = { readonly [key: string]: PayloadValue };
export type PayloadValue = string | number | boolean | null | Payload | readonly PayloadValue[];

/** Fields every state but Choice, Succeed and Fail ends with: one of Next or End. */
type Transition = { readonly Next: string; readonly End?: never } | { readonly End: true; readonly Next?: never };

interface Common {
  readonly Comment?: string;
  /** @default '$' */
  readonly InputPath?: JsonPath | null;
  /** @default '$' */
  readonly OutputPath?: JsonPath | null;
}

export type TaskState = Common &
  Transition & {
    readonly Type: 'Task';
    /** A service integration, e.g. `arn:aws:states:::aws-sdk:ec2:createFleet`. */
    readonly Resource: string;
    readonly Parameters?: Payload;
    readonly ResultSelector?: Payload;
    /** @default '$' */
    readonly ResultPath?: JsonPath | null;
    readonly TimeoutSeconds?: number;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

export type PassState = Common &
  Transition & {
    readonly Type: 'Pass';
    readonly Parameters?: Payload;
    readonly Result?: PayloadValue;
    /** @default '$' */
    readonly ResultPath?: JsonPath | null;
  };

export type WaitState = Common &
  Transition & {
    readonly Type: 'Wait';
  } & ({ readonly Seconds: number } | { readonly SecondsPath: JsonPath } | { readonly Timestamp: string } | { readonly TimestampPath: JsonPath });

/** Comparison operators a Choice rule may use (the `…Path` forms compare with another path). */
export type Comparison =
  | 'StringEquals'
  | 'StringMatches'
  | 'NumericEquals'
  | 'NumericLessThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThan'
  | 'NumericGreaterThanEquals'
  | 'NumericLessThanPath'
  | 'BooleanEquals'
  | 'IsPresent';

/** One test of a Choice: a variable compared with a value, or And/Or/Not of tests. */
export type ChoiceRule =
  | ({ readonly Variable: JsonPath } & { readonly [op in Comparison]?: string | number | boolean })
  | { readonly And: readonly ChoiceRule[] }
  | { readonly Or: readonly ChoiceRule[] }
  | { readonly Not: ChoiceRule };

export type TopChoiceRule = ChoiceRule & { readonly Next: string };

export interface ChoiceState extends Common {
  readonly Type: 'Choice';
  readonly Choices: readonly TopChoiceRule[];
  readonly Default?: string;
}

export interface SucceedState extends Common {
  readonly Type: 'Succeed';
}

export interface FailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

export type State = TaskState | PassState | WaitState | ChoiceState | SucceedState | FailState;

export interface StateMachineDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  /** Whole-execution budget; the execution fails with States.Timeout past it. */
  readonly TimeoutSeconds?: number;
  readonly States: Readonly<Record<string, State>>;
}

/** The JSON Step Functions reads (`aws_sfn_state_machine.definition`). */
export function renderStateMachine(definition: StateMachineDefinition): string {
  return JSON.stringify(definition);
}

/** Where a state may go next. */
export function successorsOf(state: State): string[] {
  const next: string[] = [];
  if ('Next' in state && typeof state.Next === 'string') next.push(state.Next);
  if (state.Type === 'Choice') {
    next.push(...state.Choices.map((c) => c.Next));
    if (state.Default) next.push(state.Default);
  }
  if (state.Type === 'Task') next.push(...(state.Catch ?? []).map((c) => c.Next));
  return next;
}

/**
 * What the types cannot see: StartAt and every Next name a state, every
 * state is reachable from StartAt, a terminal state is reachable, a Choice
 * has a rule, an error list is not empty and `States.ALL` comes last.
 */
export function structuralProblems(definition: StateMachineDefinition): string[] {
  const problems: string[] = [];
  const names = new Set(Object.keys(definition.States));
  if (!names.has(definition.StartAt)) problems.push(`StartAt ${definition.StartAt} is not a state`);
  for (const [name, state] of Object.entries(definition.States)) {
    if (name.length > 80) problems.push(`${name}: a state name is at most 80 characters`);
    for (const next of successorsOf(state)) if (!names.has(next)) problems.push(`${name}: goes to ${next}, which is not a state`);
    if (state.Type === 'Choice' && state.Choices.length === 0) problems.push(`${name}: a Choice needs at least one rule`);
    if (state.Type === 'Task') {
      for (const [kind, list] of [['Retry', state.Retry ?? []], ['Catch', state.Catch ?? []]] as const) {
        list.forEach((entry, i) => {
          if (entry.ErrorEquals.length === 0) problems.push(`${name}.${kind}[${i}]: ErrorEquals is empty`);
          if (entry.ErrorEquals.includes('States.ALL') && (entry.ErrorEquals.length > 1 || i < list.length - 1)) {
            problems.push(`${name}.${kind}[${i}]: States.ALL must be alone and last`);
          }
        });
      }
    }
  }
  const reached = new Set<string>();
  const queue = [definition.StartAt];
  while (queue.length) {
    const name = queue.shift()!;
    if (reached.has(name) || !names.has(name)) continue;
    reached.add(name);
    queue.push(...successorsOf(definition.States[name]!));
  }
  for (const name of names) if (!reached.has(name)) problems.push(`${name}: not reachable from ${definition.StartAt}`);
  const terminal = [...reached].some((name) => {
    const state = definition.States[name]!;
    return state.Type === 'Succeed' || state.Type === 'Fail' || ('End' in state && state.End === true);
  });
  if (!terminal) problems.push('no terminal state is reachable');
  return problems;
}
