/**
 * Errors as Step Functions names them. A `StatesError` is what a state
 * raises (a task's error, States.Timeout, …); `States.Runtime` ones are the
 * execution's own faults (a path that selects nothing, a ResultPath that
 * cannot be applied) and, as in AWS, no Retry or Catch — not even
 * States.ALL — handles them.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }

  /** Not retriable, not catchable: the execution fails. */
  get terminal(): boolean {
    return this.error === 'States.Runtime' || this.error === 'States.DataLimitExceeded';
  }
}

export const runtimeError = (cause: string) => new StatesError('States.Runtime', cause);

/** What a test's task handler throws to make a Task fail the way the service would (e.g. `Ec2.InsufficientInstanceCapacity`). */
export class TaskFailure extends StatesError {}

export function taskFailure(error: string, cause = ''): TaskFailure {
  return new TaskFailure(error, cause);
}

/** A definition the interpreter refuses before running it (structure, unsupported features). */
export class DefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid state machine definition:\n  ${problems.join('\n  ')}`);
    this.name = 'DefinitionError';
  }
}
