/**
 * The structural checks Step Functions' own validator makes before it
 * accepts a definition (and a few it does not: unreachable states, states
 * from which no terminal state can be reached). All problems are reported
 * together.
 */
import { isTimestamp, operatorOf, TYPE_TESTS } from './choice';
import { DefinitionError } from './errors';
import { isIntrinsic, parseIntrinsic } from './intrinsics';
import { isObject, type Json, type JsonObject } from './json';
import { isReferencePath, parsePath } from './json-path';

export interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, JsonObject>;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
}

const COMMON = ['Type', 'Comment'];
const FLOW = ['Next', 'End'];
const FIELDS: Record<string, readonly string[]> = {
  Task: [...COMMON, ...FLOW, 'Resource', 'Parameters', 'ResultSelector', 'ResultPath', 'InputPath', 'OutputPath', 'Retry', 'Catch', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath', 'Credentials'],
  Pass: [...COMMON, ...FLOW, 'Result', 'ResultPath', 'Parameters', 'InputPath', 'OutputPath'],
  Wait: [...COMMON, ...FLOW, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath', 'InputPath', 'OutputPath'],
  Choice: [...COMMON, 'Choices', 'Default', 'InputPath', 'OutputPath'],
  Succeed: [...COMMON, 'InputPath', 'OutputPath'],
  Fail: [...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath'],
};
const TOP = ['StartAt', 'States', 'TimeoutSeconds', 'Comment', 'Version', 'QueryLanguage'];

export function validateDefinition(candidate: unknown): Definition {
  const problems: string[] = [];
  const report = (where: string, message: string) => problems.push(`${where}: ${message}`);
  if (!isObject(candidate)) throw new DefinitionError(['the definition is not a JSON object']);
  for (const key of Object.keys(candidate)) if (!TOP.includes(key)) report('definition', `unknown field ${key}`);
  if (candidate.QueryLanguage !== undefined && candidate.QueryLanguage !== 'JSONPath') report('definition', `QueryLanguage ${JSON.stringify(candidate.QueryLanguage)} is not supported (JSONPath only)`);
  if (candidate.TimeoutSeconds !== undefined && !positiveInteger(candidate.TimeoutSeconds)) report('definition', 'TimeoutSeconds must be a positive integer');
  const states = candidate.States;
  if (!isObject(states) || Object.keys(states).length === 0) throw new DefinitionError([...problems, 'definition: States must be a non-empty object']);
  const names = new Set(Object.keys(states));
  if (typeof candidate.StartAt !== 'string' || !names.has(candidate.StartAt)) report('definition', `StartAt ${JSON.stringify(candidate.StartAt)} is not a state`);
  for (const name of names) if (name.length > 80) report(name, 'a state name is at most 80 characters');

  const edges = new Map<string, string[]>();
  const terminal = new Set<string>();
  for (const [name, state] of Object.entries(states)) {
    const where = `States.${name}`;
    const targets: string[] = [];
    edges.set(name, targets);
    const target = (field: string, value: Json | undefined) => {
      if (typeof value !== 'string' || !names.has(value)) report(where, `${field} ${JSON.stringify(value)} is not a state`);
      else targets.push(value);
    };
    if (!isObject(state)) {
      report(where, 'is not an object');
      continue;
    }
    const type = state.Type;
    const allowed = typeof type === 'string' ? FIELDS[type] : undefined;
    if (!allowed) {
      report(where, `Type ${JSON.stringify(type)} is not supported by this interpreter (${Object.keys(FIELDS).join(', ')})`);
      continue;
    }
    for (const key of Object.keys(state)) if (!allowed.includes(key)) report(where, `field ${key} is not allowed in a ${type} state`);

    if (allowed.includes('Next')) {
      if (state.End === true && state.Next !== undefined) report(where, 'has both Next and End');
      else if (state.End === true) terminal.add(name);
      else if (state.End !== undefined) report(where, 'End must be true when present');
      else if (state.Next === undefined) report(where, 'has neither Next nor End');
      else target('Next', state.Next);
    }
    if (type === 'Succeed' || type === 'Fail') terminal.add(name);

    for (const field of ['InputPath', 'OutputPath'] as const) {
      if (state[field] !== undefined && state[field] !== null && !validPath(state[field])) report(where, `${field} ${JSON.stringify(state[field])} is not a path`);
    }
    if (state.ResultPath !== undefined && state.ResultPath !== null && !referenceIntoData(state.ResultPath)) report(where, `ResultPath ${JSON.stringify(state.ResultPath)} is not a reference path`);
    for (const field of ['Parameters', 'ResultSelector'] as const) {
      if (state[field] !== undefined) checkTemplate(state[field], `${where}.${field}`, report);
    }

    switch (type) {
      case 'Task':
        if (typeof state.Resource !== 'string' || !state.Resource.startsWith('arn:')) report(where, 'Resource must be an ARN');
        for (const field of ['TimeoutSeconds', 'HeartbeatSeconds'] as const) if (state[field] !== undefined && !positiveInteger(state[field])) report(where, `${field} must be a positive integer`);
        if (positiveInteger(state.TimeoutSeconds) && positiveInteger(state.HeartbeatSeconds) && state.HeartbeatSeconds >= state.TimeoutSeconds) report(where, 'HeartbeatSeconds must be smaller than TimeoutSeconds');
        checkRetry(state.Retry, where, report);
        checkCatch(state.Catch, where, report, target);
        break;
      case 'Wait': {
        const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => state[f] !== undefined);
        if (given.length !== 1) report(where, `needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (has ${given.join(', ') || 'none'})`);
        if (state.Seconds !== undefined && !(Number.isInteger(state.Seconds) && (state.Seconds as number) >= 0)) report(where, 'Seconds must be a non-negative integer');
        for (const field of ['SecondsPath', 'TimestampPath']) if (state[field] !== undefined && !referenceIntoData(state[field])) report(where, `${field} must be a reference path`);
        break;
      }
      case 'Choice': {
        const choices = state.Choices;
        if (!Array.isArray(choices) || choices.length === 0) report(where, 'Choices must be a non-empty array');
        else
          choices.forEach((rule, n) => {
            if (!isObject(rule)) report(`${where}.Choices[${n}]`, 'is not an object');
            else {
              checkRule(rule, `${where}.Choices[${n}]`, report, true);
              target(`Choices[${n}].Next`, rule.Next);
            }
          });
        if (state.Default !== undefined) target('Default', state.Default);
        break;
      }
      case 'Fail':
        if (state.Error !== undefined && state.ErrorPath !== undefined) report(where, 'has both Error and ErrorPath');
        if (state.Cause !== undefined && state.CausePath !== undefined) report(where, 'has both Cause and CausePath');
        break;
      default:
        break;
    }
  }

  const start = typeof candidate.StartAt === 'string' ? candidate.StartAt : undefined;
  if (start && names.has(start)) {
    const reached = closure([start], (n) => edges.get(n) ?? []);
    for (const name of names) if (!reached.has(name)) report(`States.${name}`, 'is unreachable from StartAt');
    const reverse = new Map<string, string[]>();
    for (const [from, tos] of edges) for (const to of tos) reverse.set(to, [...(reverse.get(to) ?? []), from]);
    const canFinish = closure([...terminal], (n) => reverse.get(n) ?? []);
    for (const name of reached) if (!canFinish.has(name)) report(`States.${name}`, 'can never reach a terminal state (End, Succeed or Fail)');
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return candidate as unknown as Definition;
}

function closure(from: string[], next: (name: string) => string[]): Set<string> {
  const seen = new Set(from);
  const queue = [...from];
  while (queue.length > 0) for (const n of next(queue.shift()!)) if (!seen.has(n)) seen.add(n), queue.push(n);
  return seen;
}

const positiveInteger = (value: Json | undefined): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

function validPath(value: Json | undefined): boolean {
  if (typeof value !== 'string') return false;
  try {
    parsePath(value);
    return true;
  } catch {
    return false;
  }
}

const referenceIntoData = (value: Json | undefined) => typeof value === 'string' && isReferencePath(value) && !value.startsWith('$$');

function checkTemplate(template: Json, where: string, report: (where: string, message: string) => void): void {
  if (Array.isArray(template)) return template.forEach((item, n) => checkTemplate(item, `${where}[${n}]`, report));
  if (!isObject(template)) return;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (Object.hasOwn(template, key.slice(0, -2))) report(where, `has both ${key.slice(0, -2)} and ${key}`);
      if (typeof value !== 'string') report(where, `${key} must be a string`);
      else if (isIntrinsic(value)) {
        try {
          parseIntrinsic(value);
        } catch (error) {
          report(`${where}.${key}`, (error as Error).message);
        }
      } else if (!validPath(value)) report(`${where}.${key}`, `${JSON.stringify(value)} is neither a path nor an intrinsic function`);
    } else checkTemplate(value, `${where}.${key}`, report);
  }
}

function checkErrorEquals(value: Json | undefined, where: string, last: boolean, report: (where: string, message: string) => void): void {
  if (!Array.isArray(value) || value.length === 0 || !value.every((e) => typeof e === 'string')) return report(where, 'ErrorEquals must be a non-empty array of error names');
  if (value.includes('States.ALL') && (value.length !== 1 || !last)) report(where, 'States.ALL must appear alone, in the last entry');
}

function checkRetry(retry: Json | undefined, where: string, report: (where: string, message: string) => void): void {
  if (retry === undefined) return;
  if (!Array.isArray(retry)) return report(where, 'Retry must be an array');
  retry.forEach((retrier, n) => {
    const at = `${where}.Retry[${n}]`;
    if (!isObject(retrier)) return report(at, 'is not an object');
    for (const key of Object.keys(retrier)) if (!['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment'].includes(key)) report(at, `unknown field ${key}`);
    checkErrorEquals(retrier.ErrorEquals, at, n === retry.length - 1, report);
    if (retrier.IntervalSeconds !== undefined && !positiveInteger(retrier.IntervalSeconds)) report(at, 'IntervalSeconds must be a positive integer');
    if (retrier.MaxAttempts !== undefined && !(Number.isInteger(retrier.MaxAttempts) && (retrier.MaxAttempts as number) >= 0)) report(at, 'MaxAttempts must be a non-negative integer');
    if (retrier.BackoffRate !== undefined && !(typeof retrier.BackoffRate === 'number' && retrier.BackoffRate >= 1)) report(at, 'BackoffRate must be a number >= 1.0');
  });
}

function checkCatch(catchers: Json | undefined, where: string, report: (where: string, message: string) => void, target: (field: string, value: Json | undefined) => void): void {
  if (catchers === undefined) return;
  if (!Array.isArray(catchers)) return report(where, 'Catch must be an array');
  catchers.forEach((catcher, n) => {
    const at = `${where}.Catch[${n}]`;
    if (!isObject(catcher)) return report(at, 'is not an object');
    for (const key of Object.keys(catcher)) if (!['ErrorEquals', 'Next', 'ResultPath', 'Comment'].includes(key)) report(at, `unknown field ${key}`);
    checkErrorEquals(catcher.ErrorEquals, at, n === catchers.length - 1, report);
    if (catcher.ResultPath !== undefined && catcher.ResultPath !== null && !referenceIntoData(catcher.ResultPath)) report(at, `ResultPath ${JSON.stringify(catcher.ResultPath)} is not a reference path`);
    target(`Catch[${n}].Next`, catcher.Next);
  });
}

function checkRule(rule: JsonObject, where: string, report: (where: string, message: string) => void, top: boolean): void {
  const ops = operatorOf(rule);
  if (ops.length !== 1) return report(where, `needs exactly one comparison operator (has ${ops.join(', ') || 'none'})`);
  const op = ops[0]!;
  const allowed = ['Variable', op, 'Comment', ...(top ? ['Next'] : [])];
  for (const key of Object.keys(rule)) if (!allowed.includes(key)) report(where, `field ${key} is not allowed here${key === 'Next' ? ' (only top-level rules have Next)' : ''}`);
  if (top && rule.Next === undefined) report(where, 'a top-level rule needs Next');
  const value = rule[op];
  if (op === 'And' || op === 'Or') {
    if (rule.Variable !== undefined) report(where, `${op} takes no Variable`);
    if (!Array.isArray(value) || value.length === 0) return report(where, `${op} must be a non-empty array`);
    return value.forEach((r, n) => (isObject(r) ? checkRule(r, `${where}.${op}[${n}]`, report, false) : report(where, `${op}[${n}] is not an object`)));
  }
  if (op === 'Not') {
    if (rule.Variable !== undefined) report(where, 'Not takes no Variable');
    return isObject(value) ? checkRule(value, `${where}.Not`, report, false) : report(where, 'Not must be an object');
  }
  if (!validPath(rule.Variable)) report(where, `Variable ${JSON.stringify(rule.Variable)} is not a path`);
  if (op === 'IsPresent' || op in TYPE_TESTS) {
    if (typeof value !== 'boolean') report(where, `${op} must be true or false`);
  } else if (op.endsWith('Path')) {
    if (!validPath(value)) report(where, `${op} must be a path`);
  } else if (op.startsWith('String') && typeof value !== 'string') report(where, `${op} must be a string`);
  else if (op.startsWith('Numeric') && typeof value !== 'number') report(where, `${op} must be a number`);
  else if (op === 'BooleanEquals' && typeof value !== 'boolean') report(where, 'BooleanEquals must be true or false');
  else if (op.startsWith('Timestamp') && !isTimestamp(value)) report(where, `${op} must be an RFC 3339 timestamp`);
}
