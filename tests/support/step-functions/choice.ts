/**
 * Choice rules: the comparison operators, their `…Path` forms, the type
 * tests and And/Or/Not. A Variable (or a `…Path` operand) that selects
 * nothing is a States.Runtime error, except under IsPresent; a comparison
 * of a value of the wrong type is simply false.
 */
import { runtimeError } from './errors';
import type { Json } from './json';
import { pathExists, readPath } from './json-path';

export type ChoiceRule = Record<string, Json>;

type Compare = (value: Json, operand: Json) => boolean;

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Whether `value` is an RFC 3339 timestamp, the only form the Timestamp operators compare. */
export const isTimestamp = (value: Json | undefined) => value !== undefined && !Number.isNaN(time(value));

const time = (value: Json) => (typeof value === 'string' && rfc3339.test(value) ? Date.parse(value) : Number.NaN);

const strings = (test: (a: string, b: string) => boolean): Compare => (a, b) => typeof a === 'string' && typeof b === 'string' && test(a, b);
const numbers = (test: (a: number, b: number) => boolean): Compare => (a, b) => typeof a === 'number' && typeof b === 'number' && test(a, b);
const timestamps = (test: (a: number, b: number) => boolean): Compare => (a, b) => {
  const [x, y] = [time(a), time(b)];
  return !Number.isNaN(x) && !Number.isNaN(y) && test(x, y);
};

function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') source += '.*';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

export const COMPARISONS: Record<string, Compare> = {
  StringEquals: strings((a, b) => a === b),
  StringLessThan: strings((a, b) => a < b),
  StringGreaterThan: strings((a, b) => a > b),
  StringLessThanEquals: strings((a, b) => a <= b),
  StringGreaterThanEquals: strings((a, b) => a >= b),
  StringMatches: strings((a, b) => wildcard(b).test(a)),
  NumericEquals: numbers((a, b) => a === b),
  NumericLessThan: numbers((a, b) => a < b),
  NumericGreaterThan: numbers((a, b) => a > b),
  NumericLessThanEquals: numbers((a, b) => a <= b),
  NumericGreaterThanEquals: numbers((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && a === b,
  TimestampEquals: timestamps((a, b) => a === b),
  TimestampLessThan: timestamps((a, b) => a < b),
  TimestampGreaterThan: timestamps((a, b) => a > b),
  TimestampLessThanEquals: timestamps((a, b) => a <= b),
  TimestampGreaterThanEquals: timestamps((a, b) => a >= b),
};

export const TYPE_TESTS: Record<string, (value: Json) => boolean> = {
  IsNull: (v) => v === null,
  IsBoolean: (v) => typeof v === 'boolean',
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsTimestamp: (v) => !Number.isNaN(time(v)),
};

/** Every operator a rule may carry (exactly one per rule). */
export const OPERATORS = [
  ...Object.keys(COMPARISONS),
  ...Object.keys(COMPARISONS).filter((op) => op !== 'StringMatches').map((op) => `${op}Path`),
  ...Object.keys(TYPE_TESTS),
  'IsPresent',
  'And',
  'Or',
  'Not',
];

export function operatorOf(rule: ChoiceRule): string[] {
  return Object.keys(rule).filter((key) => OPERATORS.includes(key));
}

export function evaluateRule(rule: ChoiceRule, data: Json, context: Json, where: string): boolean {
  const [op] = operatorOf(rule);
  if (op === 'And') return (rule.And as ChoiceRule[]).every((r) => evaluateRule(r, data, context, where));
  if (op === 'Or') return (rule.Or as ChoiceRule[]).some((r) => evaluateRule(r, data, context, where));
  if (op === 'Not') return !evaluateRule(rule.Not as ChoiceRule, data, context, where);
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw runtimeError(`${where}: a choice rule without a Variable`);
  if (op === 'IsPresent') return pathExists(data, context, variable) === rule.IsPresent;
  const value = readPath(data, context, variable, `${where}: the choice rule's Variable`);
  if (op && op in TYPE_TESTS) return TYPE_TESTS[op]!(value) === rule[op];
  if (op?.endsWith('Path') && op.slice(0, -4) in COMPARISONS) {
    const operand = readPath(data, context, rule[op] as string, `${where}: ${op}`);
    return COMPARISONS[op.slice(0, -4)]!(value, operand);
  }
  if (op && op in COMPARISONS) return COMPARISONS[op]!(value, rule[op]!);
  throw runtimeError(`${where}: no comparison operator in ${JSON.stringify(rule)}`);
}
