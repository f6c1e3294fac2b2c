/**
 * The test interpreter against small hand-written definitions whose
 * outcomes the AWS Step Functions developer guide states (input and output
 * processing, intrinsic functions, Choice rules, Retry and Catch), so the
 * batch workflow's execution tests rest on a checked interpreter.
 */
import { describe, expect, it } from 'vitest';
import { DefinitionError, execute, type Json, type JsonObject, QUOTAS, type TaskHandler, taskFailure } from '.';

const TASK = 'arn:aws:states:::aws-sdk:ec2:describeInstances';
const noTasks: TaskHandler = () => {
  throw new Error('no task expected');
};

/** A one-state machine around `state` (End: true added). */
function single(state: JsonObject, extra: JsonObject = {}): JsonObject {
  return { StartAt: 'Only', States: { Only: { ...state, End: true } }, ...extra };
}

function run(definition: JsonObject, input: Json, tasks: TaskHandler = noTasks) {
  return execute(definition, { input, tasks });
}

describe('input and output processing (the developer guide\'s examples)', () => {
  it('InputPath selects part of the input', () => {
    const input = { comment: 'Example for InputPath.', dataset1: { val1: 1, val2: 2, val3: 3 }, dataset2: { val1: 'a', val2: 'b', val3: 'c' } };
    expect(run(single({ Type: 'Pass', InputPath: '$.dataset2' }), input).output).toEqual({ val1: 'a', val2: 'b', val3: 'c' });
    expect(run(single({ Type: 'Pass', InputPath: '$.dataset1.val2' }), input).output).toBe(2);
  });

  it('a path with a slice yields a list', () => {
    expect(run(single({ Type: 'Pass', InputPath: '$.a[0:2]' }), { a: [1, 2, 3, 4] }).output).toEqual([1, 2]);
  });

  it('Parameters copies static values and takes `.$` keys from the input and the context object', () => {
    const input = { comment: 'Example for Parameters.', product: { details: { color: 'blue', size: 'small', material: 'cotton' }, availability: 'in stock', sku: '2317', cost: '$23' } };
    const out = execute(single({ Type: 'Pass', Parameters: { comment: 'Selecting what I care about.', MyDetails: { 'size.$': '$.product.details.size', 'exists.$': '$.product.availability', StaticValue: 'foo' }, 'execution.$': '$$.Execution.Name', 'state.$': '$$.State.Name' } }), {
      input,
      tasks: noTasks,
      executionName: 'run-1',
    }).output;
    expect(out).toEqual({ comment: 'Selecting what I care about.', MyDetails: { size: 'small', exists: 'in stock', StaticValue: 'foo' }, execution: 'run-1', state: 'Only' });
  });

  it('processes `.$` keys of objects inside arrays', () => {
    const out = run(single({ Type: 'Pass', Parameters: { Tags: [{ Key: 'run', 'Value.$': '$.id' }] } }), { id: 'x1' }).output;
    expect(out).toEqual({ Tags: [{ Key: 'run', Value: 'x1' }] });
  });

  it('a `.$` path that selects nothing fails the execution with States.Runtime, past any Catch', () => {
    const result = run(
      {
        StartAt: 'Call',
        States: {
          Call: { Type: 'Task', Resource: TASK, Parameters: { 'InstanceIds.$': '$.missing' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
          Caught: { Type: 'Succeed' },
        },
      },
      { present: 1 },
      () => ({}),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain("'$.missing' could not be found");
    expect(result.tasks).toHaveLength(0);
  });

  it('ResultSelector reshapes the result, ResultPath places it into the raw input, OutputPath filters last', () => {
    const definition = single({
      Type: 'Task',
      Resource: TASK,
      InputPath: '$.request',
      Parameters: { 'InstanceIds.$': 'States.Array($.id)' },
      ResultSelector: { 'State.$': '$.Reservations[0].Instances[0].State.Name', Static: 1 },
      ResultPath: '$.describe',
      OutputPath: '$.describe',
    });
    const seen: Json[] = [];
    const result = run(definition, { request: { id: 'i-1' }, keep: true }, ({ parameters }) => {
      seen.push(parameters);
      return { Reservations: [{ Instances: [{ State: { Name: 'running' } }] }] };
    });
    expect(seen).toEqual([{ InstanceIds: ['i-1'] }]);
    expect(result.output).toEqual({ State: 'running', Static: 1 });
    expect(result.transitions[0]!.output).toEqual({ State: 'running', Static: 1 });
  });

  it('ResultPath writes into the raw input, not the InputPath selection', () => {
    const result = run(single({ Type: 'Pass', InputPath: '$.a', Result: 'done', ResultPath: '$.result' }), { a: { x: 1 }, b: 2 });
    expect(result.output).toEqual({ a: { x: 1 }, b: 2, result: 'done' });
  });

  it('ResultPath $ replaces the input, null discards the result, a nested path creates the objects on the way', () => {
    const input = { comment: 'This is a test of the input and output of a Task state.', details: 'Default example', who: 'AWS Step Functions' };
    const hello = () => 'Hello, AWS Step Functions!';
    expect(run(single({ Type: 'Task', Resource: TASK }), input, hello).output).toBe('Hello, AWS Step Functions!');
    expect(run(single({ Type: 'Task', Resource: TASK, ResultPath: null }), input, hello).output).toEqual(input);
    expect(run(single({ Type: 'Task', Resource: TASK, ResultPath: '$.taskresult' }), input, hello).output).toEqual({ ...input, taskresult: 'Hello, AWS Step Functions!' });
    expect(run(single({ Type: 'Task', Resource: TASK, ResultPath: '$.strings.lambdaresult' }), input, hello).output).toEqual({ ...input, strings: { lambdaresult: 'Hello, AWS Step Functions!' } });
  });

  it('ResultPath that runs through a non-object cannot be applied (States.Runtime)', () => {
    const result = run(single({ Type: 'Pass', Result: 1, ResultPath: '$.who.result' }), { who: 'AWS Step Functions' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });

  it('InputPath and OutputPath null give {}', () => {
    expect(run(single({ Type: 'Pass', InputPath: null }), { a: 1 }).output).toEqual({});
    expect(run(single({ Type: 'Pass', OutputPath: null }), { a: 1 }).output).toEqual({});
  });

  it('each state receives a copy: a handler mutating its parameters changes nothing recorded', () => {
    const result = run(single({ Type: 'Task', Resource: TASK, ResultPath: '$.r' }), { a: [1] }, ({ parameters }) => {
      ((parameters as JsonObject).a as number[]).push(2);
      return 'ok';
    });
    expect(result.output).toEqual({ a: [1], r: 'ok' });
    expect(result.tasks[0]!.parameters).toEqual({ a: [1] });
  });
});

describe('intrinsic functions', () => {
  const evaluate = (expression: string, input: Json = {}) => run(single({ Type: 'Pass', Parameters: { 'v.$': expression } }), input);
  const value = (expression: string, input: Json = {}) => (evaluate(expression, input).output as JsonObject).v;

  it('States.Format fills {} in order and honours escapes', () => {
    expect(value("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' })).toBe('Hello, my name is Arnav.');
    expect(value("States.Format('s3://{}/{}', $.b, $.k)", { b: 'in', k: 'a/b.csv' })).toBe('s3://in/a/b.csv');
    expect(value("States.Format('{} \\{literal\\} it\\'s {}', 1, true)")).toBe("1 {literal} it's true");
    expect(value("States.Format('n={}', null)")).toBe('n=null');
    expect(evaluate("States.Format('{}', $.o)", { o: { a: 1 } }).error).toBe('States.Runtime');
    expect(evaluate("States.Format('{} {}', 'one')").error).toBe('States.Runtime');
  });

  it('States.StringToJson and States.JsonToString round-trip', () => {
    expect(value('States.StringToJson($.s)', { s: '{"number": 20}' })).toEqual({ number: 20 });
    expect(value('States.JsonToString($.o)', { o: { foo: 'bar', n: 1 } })).toBe('{"foo":"bar","n":1}');
    expect(evaluate('States.StringToJson($.s)', { s: 'not json' }).error).toBe('States.Runtime');
  });

  it('the array functions', () => {
    expect(value("States.Array('Foo', 2020, $.s, null)", { s: 'x' })).toEqual(['Foo', 2020, 'x', null]);
    expect(value('States.ArrayGetItem($.inputArray, $.index)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 })).toBe(6);
    expect(evaluate('States.ArrayGetItem($.a, 3)', { a: [1] }).error).toBe('States.Runtime');
    expect(value('States.ArrayLength($.a)', { a: [1, 2, 3] })).toBe(3);
    expect(value('States.ArrayContains($.a, $.v)', { a: [1, 2, 3], v: 5 })).toBe(false);
    expect(value('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(value('States.ArrayPartition($.a, 4)', { a: [1, 2, 3, 4, 5, 6, 7] })).toEqual([[1, 2, 3, 4], [5, 6, 7]]);
    expect(value('States.ArrayUnique($.a)', { a: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).toEqual([1, 2, 3, 4]);
  });

  it('States.MathAdd adds integers only', () => {
    expect(value('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 })).toBe(110);
    expect(value('States.MathAdd(States.ArrayLength($.a), 1)', { a: [1, 2] })).toBe(3);
    expect(evaluate('States.MathAdd($.v, 1)', { v: '1' }).error).toBe('States.Runtime');
    expect(evaluate('States.MathAdd($.v, 1)', { v: 1.5 }).error).toBe('States.Runtime');
  });

  it('string, encoding and hash functions', () => {
    expect(value("States.StringSplit($.s, ',')", { s: '1,2,3,4,5' })).toEqual(['1', '2', '3', '4', '5']);
    expect(value("States.StringSplit($.s, '.+')", { s: 'This.is+a.test' })).toEqual(['This', 'is', 'a', 'test']);
    expect(value('States.Base64Encode($.s)', { s: 'Data to encode' })).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(value('States.Base64Decode($.s)', { s: 'RGF0YSB0byBlbmNvZGU=' })).toBe('Data to encode');
    expect(evaluate('States.Base64Encode($.s)', { s: 'x'.repeat(10_001) }).error).toBe('States.Runtime');
    expect(value("States.Hash($.s, 'SHA-1')", { s: 'input data' })).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(value('States.JsonMerge($.a, $.b, false)', { a: { x: 1, y: { z: 1 } }, b: { y: { w: 2 } } })).toEqual({ x: 1, y: { w: 2 } });
  });

  it('nests calls, with paths that contain brackets and quotes', () => {
    expect(value("States.ArrayGetItem(States.StringSplit($['the key'][0], '/'), 1)", { 'the key': ['a/b/c'] })).toBe('b');
  });
});

describe('Choice rules', () => {
  const machine = (rules: Json[], withDefault = true): JsonObject => ({
    StartAt: 'Pick',
    States: {
      Pick: { Type: 'Choice', Choices: rules, ...(withDefault ? { Default: 'Other' } : {}) },
      Yes: { Type: 'Succeed' },
      ...(withDefault ? { Other: { Type: 'Fail', Error: 'NoMatch' } } : {}),
    },
  });
  const picks = (rule: JsonObject, input: Json) => run(machine([{ ...rule, Next: 'Yes' }]), input).path.at(-1) === 'Yes';

  it('compares strings, numbers, booleans and timestamps; a value of the wrong type never matches', () => {
    expect(picks({ Variable: '$.s', StringEquals: 'Success' }, { s: 'Success' })).toBe(true);
    expect(picks({ Variable: '$.s', StringEquals: 'Success' }, { s: 'Failed' })).toBe(false);
    expect(picks({ Variable: '$.n', StringEquals: '1' }, { n: 1 })).toBe(false);
    expect(picks({ Variable: '$.n', NumericLessThan: 3 }, { n: 2 })).toBe(true);
    expect(picks({ Variable: '$.n', NumericLessThan: 3 }, { n: 3 })).toBe(false);
    expect(picks({ Variable: '$.n', NumericLessThanEquals: 3 }, { n: 3 })).toBe(true);
    expect(picks({ Variable: '$.n', NumericLessThanPath: '$.max' }, { n: 2, max: 3 })).toBe(true);
    expect(picks({ Variable: '$.n', NumericGreaterThanEqualsPath: '$.max' }, { n: 2, max: 3 })).toBe(false);
    expect(picks({ Variable: '$.s', StringEqualsPath: '$.t' }, { s: 'a', t: 'a' })).toBe(true);
    expect(picks({ Variable: '$.b', BooleanEquals: true }, { b: true })).toBe(true);
    expect(picks({ Variable: '$.b', BooleanEquals: true }, { b: 'true' })).toBe(false);
    expect(picks({ Variable: '$.t', TimestampLessThan: '2026-01-02T00:00:00Z' }, { t: '2026-01-01T12:00:00Z' })).toBe(true);
    expect(picks({ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-2026.txt' })).toBe(true);
    expect(picks({ Variable: '$.f', StringMatches: 'log-\\*.txt' }, { f: 'log-2026.txt' })).toBe(false);
  });

  it('IsPresent tests existence; other rules on a missing Variable fail with States.Runtime', () => {
    expect(picks({ Variable: '$.x', IsPresent: true }, { x: null })).toBe(true);
    expect(picks({ Variable: '$.x', IsPresent: false }, {})).toBe(true);
    expect(picks({ Variable: '$.x[0].y', IsPresent: true }, { x: [] })).toBe(false);
    expect(picks({ Variable: '$.x', IsNull: true }, { x: null })).toBe(true);
    const missing = run(machine([{ Variable: '$.x', StringEquals: 'a', Next: 'Yes' }]), {});
    expect(missing.status).toBe('FAILED');
    expect(missing.error).toBe('States.Runtime');
  });

  it('And, Or and Not combine rules; the first matching rule wins', () => {
    const and: JsonObject = { And: [{ Variable: '$.n', NumericGreaterThanEquals: 20 }, { Variable: '$.n', NumericLessThan: 30 }] };
    expect(picks(and, { n: 25 })).toBe(true);
    expect(picks(and, { n: 30 })).toBe(false);
    expect(picks({ Or: [{ Variable: '$.s', StringEquals: 'a' }, { Variable: '$.s', StringEquals: 'b' }] }, { s: 'b' })).toBe(true);
    expect(picks({ Not: { Variable: '$.type', StringEquals: 'Private' } }, { type: 'Public' })).toBe(true);
    const first = run(
      {
        StartAt: 'Pick',
        States: { Pick: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'A' }, { Variable: '$.n', NumericGreaterThan: 0, Next: 'B' }] }, A: { Type: 'Succeed' }, B: { Type: 'Succeed' } },
      },
      { n: 5 },
    );
    expect(first.path).toEqual(['Pick', 'A']);
  });

  it('no match and no Default fails with States.NoChoiceMatched', () => {
    const result = run(machine([{ Variable: '$.n', NumericEquals: 1, Next: 'Yes' }], false), { n: 2 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.NoChoiceMatched');
  });
});

describe('Retry and Catch', () => {
  const flaky = (failures: number, error = 'Ec2.RequestLimitExceeded'): TaskHandler => ({ attempt }) => {
    if (attempt <= failures) throw taskFailure(error, `attempt ${attempt}`);
    return { ok: attempt };
  };
  const withRetry = (retry: Json[], catchers: Json[] = []): JsonObject => ({
    StartAt: 'Call',
    States: {
      Call: { Type: 'Task', Resource: TASK, Retry: retry, Catch: catchers, ResultPath: '$.result', Next: 'Done' },
      Done: { Type: 'Succeed' },
      // Only a Catch leads here (an unreachable state is refused).
      ...(catchers.length > 0 ? { Handle: { Type: 'Pass', Next: 'Done' } } : {}),
    },
  });

  it('retries up to MaxAttempts with IntervalSeconds × BackoffRate^n on the virtual clock', () => {
    const result = run(withRetry([{ ErrorEquals: ['Ec2.RequestLimitExceeded'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 3 }]), {}, flaky(3));
    expect(result.status).toBe('SUCCEEDED');
    expect(result.tasks.map((t) => t.attempt)).toEqual([1, 2, 3, 4]);
    expect(result.tasks.map((t) => t.at)).toEqual([0, 2, 8, 26]);
    expect(result.output).toEqual({ result: { ok: 4 } });
  });

  it('the defaults are 3 attempts, 1 s, rate 2.0; MaxAttempts 0 never retries', () => {
    const exhausted = run(withRetry([{ ErrorEquals: ['States.ALL'] }]), {}, flaky(9));
    expect(exhausted.status).toBe('FAILED');
    expect(exhausted.error).toBe('Ec2.RequestLimitExceeded');
    expect(exhausted.tasks.map((t) => t.at)).toEqual([0, 1, 3, 7]);
    expect(run(withRetry([{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }]), {}, flaky(1)).tasks).toHaveLength(1);
  });

  it('MaxDelaySeconds caps the backoff', () => {
    const result = run(withRetry([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 10, MaxAttempts: 3, MaxDelaySeconds: 30 }]), {}, flaky(3));
    expect(result.tasks.map((t) => t.at)).toEqual([0, 10, 40, 70]);
  });

  it('only the first retrier whose ErrorEquals matches is used, with its own counter', () => {
    const result = run(
      withRetry([
        { ErrorEquals: ['Ec2.RequestLimitExceeded'], MaxAttempts: 1 },
        { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
      ]),
      {},
      flaky(3),
    );
    expect(result.status).toBe('FAILED');
    expect(result.tasks).toHaveLength(2);
  });

  it('a Catch after retries places {Error, Cause} at its ResultPath in the raw input and skips OutputPath', () => {
    const definition = withRetry([{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }], [{ ErrorEquals: ['Ec2.RequestLimitExceeded'], ResultPath: '$.error', Next: 'Handle' }]);
    (definition.States as Record<string, JsonObject>).Call!.OutputPath = '$.result';
    const result = run(definition, { id: 7 }, flaky(5));
    expect(result.path).toEqual(['Call', 'Handle', 'Done']);
    expect(result.output).toEqual({ id: 7, error: { Error: 'Ec2.RequestLimitExceeded', Cause: 'attempt 2' } });
    expect(result.transitions[0]).toMatchObject({ error: { error: 'Ec2.RequestLimitExceeded' }, caughtBy: 0, next: 'Handle' });
  });

  it('a Catch without ResultPath replaces the input with the error; ResultPath null keeps the input', () => {
    const replace = run(withRetry([], [{ ErrorEquals: ['States.ALL'], Next: 'Handle' }]), { id: 7 }, flaky(1));
    expect(replace.output).toEqual({ Error: 'Ec2.RequestLimitExceeded', Cause: 'attempt 1' });
    const keep = run(withRetry([], [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'Handle' }]), { id: 7 }, flaky(1));
    expect(keep.output).toEqual({ id: 7 });
  });

  it('States.TaskFailed matches any task error except States.Timeout', () => {
    const catchTaskFailed = (definition: JsonObject) => {
      const states = definition.States as Record<string, JsonObject>;
      states.Call!.TimeoutSeconds = 60;
      return definition;
    };
    const named = run(catchTaskFailed(withRetry([], [{ ErrorEquals: ['States.TaskFailed'], Next: 'Handle' }])), {}, flaky(1, 'Ssm.InvalidInstanceIdException'));
    expect(named.path).toEqual(['Call', 'Handle', 'Done']);
    const slow: TaskHandler = ({ clock }) => {
      clock.advance(61);
      return {};
    };
    const timeout = run(catchTaskFailed(withRetry([], [{ ErrorEquals: ['States.TaskFailed'], Next: 'Handle' }])), {}, slow);
    expect(timeout.status).toBe('FAILED');
    expect(timeout.error).toBe('States.Timeout');
    const caught = run(catchTaskFailed(withRetry([], [{ ErrorEquals: ['States.Timeout'], Next: 'Handle' }])), {}, slow);
    expect(caught.path).toEqual(['Call', 'Handle', 'Done']);
  });

  it('an uncaught error fails the execution with the error and cause; a Fail state sets its own', () => {
    const uncaught = run(withRetry([]), {}, flaky(1, 'Ec2.InsufficientInstanceCapacity'));
    expect(uncaught).toMatchObject({ status: 'FAILED', error: 'Ec2.InsufficientInstanceCapacity', cause: 'attempt 1' });
    const failState = run({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Job.Failed', CausePath: '$.why' } } }, { why: 'exit 1' });
    expect(failState).toMatchObject({ status: 'FAILED', error: 'Job.Failed', cause: 'exit 1' });
  });

  it('a handler that throws something other than taskFailure is a test bug, not a task error', () => {
    expect(() =>
      run(withRetry([], [{ ErrorEquals: ['States.ALL'], Next: 'Handle' }]), {}, () => {
        throw new TypeError('oops');
      }),
    ).toThrow(/task handler threw/);
  });

  it('$$.State.RetryCount counts the retries of this entry', () => {
    const definition: JsonObject = {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: TASK, Parameters: { 'retry.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }], End: true } },
    };
    const result = run(definition, {}, flaky(2));
    expect(result.tasks.map((t) => t.parameters)).toEqual([{ retry: 0 }, { retry: 1 }, { retry: 2 }]);
  });
});

describe('Wait and the machine-level TimeoutSeconds', () => {
  const loop = (timeout: number): JsonObject => ({
    StartAt: 'Init',
    TimeoutSeconds: timeout,
    States: {
      Init: { Type: 'Pass', Result: 0, ResultPath: '$.n', Next: 'Wait' },
      Wait: { Type: 'Wait', SecondsPath: '$.every', Next: 'Count' },
      Count: { Type: 'Pass', Parameters: { 'every.$': '$.every', 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Enough' },
      Enough: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThanEquals: 5, Next: 'Done' }], Default: 'Wait' },
      Done: { Type: 'Succeed' },
    },
  });

  it('Wait advances the virtual clock', () => {
    const result = run(loop(3600), { every: 30 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.elapsedSeconds).toBe(150);
    expect(result.output).toEqual({ every: 30, n: 5 });
  });

  it('the execution times out once the clock reaches TimeoutSeconds, whatever state it is in', () => {
    const result = run(loop(100), { every: 30 });
    expect(result.status).toBe('TIMED_OUT');
    expect(result.error).toBe('States.Timeout');
    expect(result.elapsedSeconds).toBe(100);
    expect(result.path.at(-1)).toBe('Wait');
  });

  it('a Wait on a timestamp waits until then', () => {
    const result = execute(single({ Type: 'Wait', Timestamp: '2026-01-01T00:10:00Z' }), { input: {}, tasks: noTasks, startTime: '2026-01-01T00:00:00Z' });
    expect(result.elapsedSeconds).toBe(600);
  });

  it('a task that takes longer than the machine allows times the execution out', () => {
    const result = run({ ...single({ Type: 'Task', Resource: TASK }), TimeoutSeconds: 60 }, {}, ({ clock }) => {
      clock.advance(120);
      return {};
    });
    expect(result.status).toBe('TIMED_OUT');
  });

  it('stops a definition that never ends', () => {
    const forever: JsonObject = {
      StartAt: 'A',
      States: { A: { Type: 'Choice', Choices: [{ Variable: '$.stop', BooleanEquals: true, Next: 'B' }], Default: 'A' }, B: { Type: 'Succeed' } },
    };
    expect(() => execute(forever, { input: { stop: false }, tasks: noTasks, maxTransitions: 50 })).toThrow(/entered 50 states/);
  });
});

describe('quotas', () => {
  const poll = (times: number): JsonObject => ({
    StartAt: 'Wait',
    States: {
      Wait: { Type: 'Wait', Seconds: 60, Next: 'Check' },
      Check: { Type: 'Task', Resource: TASK, ResultPath: '$.status', Next: 'Done?' },
      'Done?': { Type: 'Choice', Choices: [{ Variable: '$.status.n', NumericGreaterThanEquals: times, Next: 'Done' }], Default: 'Wait' },
      Done: { Type: 'Succeed' },
    },
  });
  let n = 0;
  const counter: TaskHandler = () => ({ n: ++n });

  it('counts history events as Step Functions writes them', () => {
    n = 0;
    // Started + 3 × (Wait 2 + Task 5 + Choice 2) + Succeed 2 + Succeeded.
    expect(execute(poll(3), { input: {}, tasks: counter }).historyEvents).toBe(1 + 3 * 9 + 2 + 1);
  });

  it('fails an execution whose history outgrows 25,000 events', () => {
    n = 0;
    const result = execute(poll(5000), { input: {}, tasks: counter, maxTransitions: 100_000 });
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(`${QUOTAS.historyEvents} events`);
    expect(result.historyEvents).toBeLessThanOrEqual(QUOTAS.historyEvents);
  });

  it('fails a state whose output exceeds 256 KiB with States.DataLimitExceeded, past any Catch', () => {
    const definition: JsonObject = {
      StartAt: 'Big',
      States: { Big: { Type: 'Task', Resource: TASK, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }, Caught: { Type: 'Succeed' } },
    };
    const result = execute(definition, { input: {}, tasks: () => 'x'.repeat(QUOTAS.payloadBytes) });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });
});

describe('validation before running', () => {
  const problems = (definition: unknown): string[] => {
    try {
      execute(definition, { input: {}, tasks: noTasks });
    } catch (error) {
      if (error instanceof DefinitionError) return [...error.problems];
      throw error;
    }
    return [];
  };

  it('accepts a well-formed definition', () => {
    expect(problems(single({ Type: 'Pass' }))).toEqual([]);
  });

  it('names a missing StartAt, Next, Default and Catch target', () => {
    expect(problems({ StartAt: 'Nope', States: { A: { Type: 'Succeed' } } })).toEqual(expect.arrayContaining([expect.stringContaining('StartAt "Nope" is not a state')]));
    const found = problems({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: TASK, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Gone' }], Next: 'B' },
        B: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'a', Next: 'Missing' }], Default: 'Absent' },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Catch[0].Next "Gone" is not a state'),
        expect.stringContaining('Choices[0].Next "Missing" is not a state'),
        expect.stringContaining('Default "Absent" is not a state'),
      ]),
    );
  });

  it('names unreachable states and states that can never finish', () => {
    expect(problems({ StartAt: 'A', States: { A: { Type: 'Succeed' }, Orphan: { Type: 'Succeed' } } })).toEqual(['States.Orphan: is unreachable from StartAt']);
    expect(problems({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } })).toEqual(
      expect.arrayContaining(['States.A: can never reach a terminal state (End, Succeed or Fail)']),
    );
  });

  it('refuses malformed states: Next with End, no Next, fields of another type, bad paths and rules', () => {
    const found = problems({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B', End: true },
        B: { Type: 'Pass', Seconds: 5, Next: 'C' },
        C: { Type: 'Task', Resource: TASK, ResultPath: '$.a[*]', Next: 'D' },
        D: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 1, NumericEquals: 1, Next: 'E' }, { And: [{ Variable: '$.x', IsPresent: true, Next: 'E' }], Next: 'E' }] },
        E: { Type: 'Succeed', Next: 'A' },
        F: { Type: 'Pass' },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'States.A: has both Next and End',
        'States.B: field Seconds is not allowed in a Pass state',
        'States.C: ResultPath "$.a[*]" is not a reference path',
        'States.D.Choices[0]: needs exactly one comparison operator (has StringEquals, NumericEquals)',
        'States.D.Choices[1].And[0]: field Next is not allowed here (only top-level rules have Next)',
        'States.E: field Next is not allowed in a Succeed state',
        'States.F: has neither Next nor End',
      ]),
    );
  });

  it('refuses States.ALL that is not alone and last, and unsupported state types', () => {
    const found = problems({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: TASK, Retry: [{ ErrorEquals: ['States.ALL', 'X'] }, { ErrorEquals: ['Y'], BackoffRate: 0.5 }], Next: 'M' },
        M: { Type: 'Map', End: true },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'States.A.Retry[0]: States.ALL must appear alone, in the last entry',
        'States.A.Retry[1]: BackoffRate must be a number >= 1.0',
        expect.stringContaining('States.M: Type "Map" is not supported'),
      ]),
    );
  });

  it('refuses a `.$` value that is neither a path nor a well-formed intrinsic', () => {
    expect(problems(single({ Type: 'Pass', Parameters: { 'a.$': 'States.Format(\'x\', $.b' } }))).toEqual([expect.stringContaining('States.Only.Parameters.a.$: invalid intrinsic')]);
    expect(problems(single({ Type: 'Pass', Parameters: { 'a.$': 'b' } }))).toEqual([expect.stringContaining('is neither a path nor an intrinsic function')]);
  });
});
