/**
 * Intrinsic functions (`"Key.$": "States.Format('{}/{}', $.a, $.b)"`).
 * Arguments are single-quoted strings (`\'`, `\{`, `\}`, `\\` escapes),
 * numbers, `null`, `true`/`false`, paths and nested calls. A failing
 * function fails the execution with States.Runtime, as AWS reports it.
 */
import { createHash } from 'node:crypto';
import { runtimeError } from './errors';
import { isObject, type Json, type JsonObject } from './json';
import { readPath, truncate } from './json-path';

type Expr =
  | { kind: 'call'; name: string; args: Expr[]; source: string }
  | { kind: 'literal'; value: Json; raw?: string }
  | { kind: 'path'; path: string };

export function isIntrinsic(value: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(value);
}

export function parseIntrinsic(source: string): Expr {
  let i = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`invalid intrinsic ${source} at ${i}: ${why}`);
  };
  const skip = () => {
    while (source[i] === ' ') i += 1;
  };
  const expr = (): Expr => {
    skip();
    const rest = source.slice(i);
    const call = /^States\.([A-Za-z0-9]+)\s*\(/.exec(rest);
    if (call) {
      const start = i;
      i += call[0].length;
      const args: Expr[] = [];
      skip();
      if (source[i] === ')') i += 1;
      else {
        for (;;) {
          args.push(expr());
          skip();
          if (source[i] === ',') i += 1;
          else if (source[i] === ')') {
            i += 1;
            break;
          } else fail('expected , or )');
        }
      }
      return { kind: 'call', name: call[1]!, args, source: source.slice(start, i) };
    }
    if (source[i] === "'") {
      i += 1;
      let raw = '';
      while (i < source.length && source[i] !== "'") {
        if (source[i] === '\\') {
          const next = source[i + 1] ?? fail('dangling \\');
          // Keep \{ and \} escaped: only States.Format gives braces a meaning.
          raw += next === '{' || next === '}' ? `\\${next}` : next;
          i += 2;
        } else raw += source[i++];
      }
      if (source[i] !== "'") fail('unterminated string');
      i += 1;
      return { kind: 'literal', value: raw.replace(/\\([{}])/g, '$1'), raw };
    }
    if (source[i] === '$') {
      const start = i;
      let depth = 0;
      let quote: string | undefined;
      while (i < source.length) {
        const c = source[i]!;
        if (quote) {
          if (c === '\\') i += 1;
          else if (c === quote) quote = undefined;
        } else if (c === "'" || c === '"') quote = c;
        else if (c === '[') depth += 1;
        else if (c === ']') depth -= 1;
        else if (depth === 0 && (c === ',' || c === ')')) break;
        i += 1;
      }
      return { kind: 'path', path: source.slice(start, i).trim() };
    }
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null|true|false)/.exec(rest);
    if (literal) {
      i += literal[0].length;
      return { kind: 'literal', value: JSON.parse(literal[0]) as Json };
    }
    return fail('expected a string, number, null, boolean, path or States.* call');
  };
  const parsed = expr();
  skip();
  if (i !== source.length) fail('trailing text');
  return parsed;
}

let uuidCounter = 0;

export function evaluateIntrinsic(source: string, data: Json, context: Json, where: string): Json {
  const evaluate = (e: Expr): Json => {
    if (e.kind === 'literal') return e.value;
    if (e.kind === 'path') return readPath(data, context, e.path, where);
    const fail = (why: string): never => {
      throw runtimeError(`${where}: the function '${e.source}' had the following error: ${why}`);
    };
    const fn = FUNCTIONS[e.name] ?? fail(`unknown intrinsic function States.${e.name}`);
    if (e.name === 'Format') {
      const [template, ...rest] = e.args;
      if (!template || template.kind !== 'literal' || typeof template.value !== 'string') return fail('the first argument must be a string literal');
      return format(template.raw ?? template.value, rest.map(evaluate), fail);
    }
    return fn(e.args.map(evaluate), fail);
  };
  return evaluate(parseIntrinsic(source));
}

type Fn = (args: Json[], fail: (why: string) => never) => Json;

function format(template: string, args: Json[], fail: (why: string) => never): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i];
    if (c === '\\' && (template[i + 1] === '{' || template[i + 1] === '}')) {
      out += template[++i];
    } else if (c === '{' && template[i + 1] === '}') {
      if (n >= args.length) fail('the number of arguments does not match the number of {} placeholders');
      const arg = args[n++]!;
      if (isObject(arg) || Array.isArray(arg)) fail(`argument ${n} must be a string, number, boolean or null, not ${truncate(arg)}`);
      out += typeof arg === 'string' ? arg : JSON.stringify(arg);
      i += 1;
    } else out += c;
  }
  if (n !== args.length) fail('the number of arguments does not match the number of {} placeholders');
  return out;
}

const arity = (args: Json[], min: number, max: number, fail: (why: string) => never) => {
  if (args.length < min || args.length > max) fail(`expected ${min === max ? min : `${min}..${max}`} arguments, got ${args.length}`);
};
const integer = (value: Json | undefined, name: string, fail: (why: string) => never): number => {
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`${name} must be an integer, got ${truncate(value)}`);
  if (value < -2147483648 || value > 2147483647) return fail(`${name} is out of the 32-bit integer range`);
  return value;
};
const array = (value: Json | undefined, name: string, fail: (why: string) => never): Json[] => (Array.isArray(value) ? value : fail(`${name} must be an array, got ${truncate(value)}`));
const string = (value: Json | undefined, name: string, fail: (why: string) => never): string => (typeof value === 'string' ? value : fail(`${name} must be a string, got ${truncate(value)}`));
const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

const FUNCTIONS: Record<string, Fn> = {
  Format: () => '',
  Array: (args) => args,
  ArrayPartition: (args, fail) => {
    arity(args, 2, 2, fail);
    const list = array(args[0], 'the array', fail);
    const size = integer(args[1], 'the chunk size', fail);
    if (size <= 0) fail('the chunk size must be positive');
    const out: Json[] = [];
    for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
    return out;
  },
  ArrayContains: (args, fail) => {
    arity(args, 2, 2, fail);
    return array(args[0], 'the array', fail).some((item) => same(item, args[1]!));
  },
  ArrayRange: (args, fail) => {
    arity(args, 3, 3, fail);
    const [start, end, stepBy] = args.map((a, n) => integer(a, `argument ${n + 1}`, fail)) as [number, number, number];
    if (stepBy === 0) fail('the step must not be 0');
    const out: number[] = [];
    for (let v = start; stepBy > 0 ? v <= end : v >= end; v += stepBy) out.push(v);
    if (out.length > 1000) fail('the range has more than 1000 items');
    return out;
  },
  ArrayGetItem: (args, fail) => {
    arity(args, 2, 2, fail);
    const list = array(args[0], 'the array', fail);
    const index = integer(args[1], 'the index', fail);
    if (index < 0 || index >= list.length) fail(`the index ${index} is out of bounds for an array of ${list.length}`);
    return list[index]!;
  },
  ArrayLength: (args, fail) => {
    arity(args, 1, 1, fail);
    return array(args[0], 'the array', fail).length;
  },
  ArrayUnique: (args, fail) => {
    arity(args, 1, 1, fail);
    const out: Json[] = [];
    for (const item of array(args[0], 'the array', fail)) if (!out.some((seen) => same(seen, item))) out.push(item);
    return out;
  },
  // Both take at most 10,000 characters.
  Base64Encode: (args, fail) => {
    arity(args, 1, 1, fail);
    const data = string(args[0], 'the data', fail);
    if (data.length > 10_000) fail('the input is longer than 10,000 characters');
    return Buffer.from(data, 'utf8').toString('base64');
  },
  Base64Decode: (args, fail) => {
    arity(args, 1, 1, fail);
    const data = string(args[0], 'the data', fail);
    if (data.length > 10_000) fail('the input is longer than 10,000 characters');
    return Buffer.from(data, 'base64').toString('utf8');
  },
  Hash: (args, fail) => {
    arity(args, 2, 2, fail);
    const algorithm = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' }[string(args[1], 'the algorithm', fail)] ?? fail('unsupported hash algorithm');
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    return createHash(algorithm).update(data).digest('hex');
  },
  JsonMerge: (args, fail) => {
    arity(args, 3, 3, fail);
    if (!isObject(args[0]) || !isObject(args[1])) fail('both arguments must be objects');
    if (args[2] !== false) fail('only shallow merges (false) are supported by Step Functions');
    return { ...(args[0] as JsonObject), ...(args[1] as JsonObject) };
  },
  StringToJson: (args, fail) => {
    arity(args, 1, 1, fail);
    try {
      return JSON.parse(string(args[0], 'the argument', fail)) as Json;
    } catch (error) {
      return fail(`not JSON: ${(error as Error).message}`);
    }
  },
  JsonToString: (args, fail) => {
    arity(args, 1, 1, fail);
    return JSON.stringify(args[0]);
  },
  MathRandom: (args, fail) => {
    arity(args, 2, 3, fail);
    // Deterministic: the lower bound, so executions replay identically.
    return integer(args[0], 'the start', fail);
  },
  MathAdd: (args, fail) => {
    arity(args, 2, 2, fail);
    return integer(args[0], 'the first argument', fail) + integer(args[1], 'the second argument', fail);
  },
  StringSplit: (args, fail) => {
    arity(args, 2, 2, fail);
    const text = string(args[0], 'the string', fail);
    const delimiters = [...string(args[1], 'the delimiter', fail)];
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.includes(c)) {
        parts.push(current);
        current = '';
      } else current += c;
    }
    parts.push(current);
    return parts.filter((part) => part !== '');
  },
  UUID: (args, fail) => {
    arity(args, 0, 0, fail);
    uuidCounter += 1;
    // Deterministic, version-4 shaped.
    return `00000000-0000-4000-8000-${uuidCounter.toString(16).padStart(12, '0')}`;
  },
};
