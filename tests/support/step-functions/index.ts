/**
 * A small Amazon States Language interpreter for tests: validates a
 * definition as Step Functions would, then executes it on a virtual clock
 * with the test answering every Task.
 */
export { DefinitionError, StatesError, taskFailure } from './errors';
export { execute, QUOTAS, type Execution, type Failure, type RunOptions, type TaskCall, type TaskHandler, type TaskRecord, type Transition, type VirtualClock } from './interpreter';
export type { Json, JsonObject } from './json';
export { type Definition, validateDefinition } from './validate';
