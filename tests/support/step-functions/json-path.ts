/**
 * The JSONPath subset the Amazon States Language uses. Paths start at `$`
 * (the state's data) or `$$` (the context object). Reference paths — what
 * ResultPath, Choice's Variable and the *Path fields take — name one node
 * with `.field`, `['field']` and `[index]` only; the payload templates'
 * `.$` values may also use `[*]`, `.*` and `..field`, which select a list.
 */
import { runtimeError } from './errors';
import { isObject, type Json, type JsonObject } from './json';

type Segment =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'wildcard' }
  | { kind: 'deep'; name: string };

export interface ParsedPath {
  /** `$$…`: the context object rather than the state's data. */
  readonly context: boolean;
  readonly segments: readonly Segment[];
  /** Selects at most one node (no wildcard or deep scan). */
  readonly definite: boolean;
}

const cache = new Map<string, ParsedPath>();

export function parsePath(path: string): ParsedPath {
  const hit = cache.get(path);
  if (hit) return hit;
  if (!path.startsWith('$')) throw new SyntaxError(`not a path (must start with $): ${path}`);
  const context = path.startsWith('$$');
  let i = context ? 2 : 1;
  const segments: Segment[] = [];
  const fail = (why: string): never => {
    throw new SyntaxError(`invalid path ${path} at ${i}: ${why}`);
  };
  while (i < path.length) {
    if (path.startsWith('..', i)) {
      i += 2;
      const name = readName();
      segments.push({ kind: 'deep', name });
    } else if (path[i] === '.') {
      i += 1;
      if (path[i] === '*') {
        i += 1;
        segments.push({ kind: 'wildcard' });
      } else if (path[i] === '[') {
        // `$.abc.['def ghi']`, as the AWS guide writes it, is the same as `$.abc['def ghi']`.
      } else {
        segments.push({ kind: 'field', name: readName() });
      }
    } else if (path[i] === '[') {
      const close = findClose(i);
      const inner = path.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') segments.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
      else if (/^(-?\d+)?:(-?\d+)?$/.test(inner)) {
        const [from, to] = inner.split(':');
        segments.push({ kind: 'slice', ...(from ? { start: Number(from) } : {}), ...(to ? { end: Number(to) } : {}) });
      }
      else if (/^'(?:[^'\\]|\\.)*'$/.test(inner) || /^"(?:[^"\\]|\\.)*"$/.test(inner)) segments.push({ kind: 'field', name: inner.slice(1, -1).replace(/\\(.)/g, '$1') });
      else fail(`unsupported bracket expression [${inner}] (filters and unions are not implemented)`);
    } else {
      fail(`unexpected ${JSON.stringify(path[i])}`);
    }
  }
  const parsed = { context, segments, definite: segments.every((s) => s.kind === 'field' || s.kind === 'index') };
  cache.set(path, parsed);
  return parsed;

  function readName(): string {
    const start = i;
    while (i < path.length && path[i] !== '.' && path[i] !== '[') i += 1;
    if (i === start) fail('empty field name');
    const name = path.slice(start, i);
    if (/[\s'"(),]/.test(name)) fail(`field ${JSON.stringify(name)} needs bracket notation`);
    return name;
  }

  function findClose(open: number): number {
    let quote: string | undefined;
    for (let j = open + 1; j < path.length; j += 1) {
      const c = path[j];
      if (quote) {
        if (c === '\\') j += 1;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === ']') return j;
    }
    return fail('unclosed [');
  }
}

/** Whether `path` is a Reference Path (selects a single node). */
export function isReferencePath(path: string): boolean {
  try {
    return parsePath(path).definite;
  } catch {
    return false;
  }
}

const MISSING = Symbol('missing');

function step(value: Json, segment: Segment): Json[] {
  switch (segment.kind) {
    case 'field':
      return isObject(value) && Object.hasOwn(value, segment.name) ? [value[segment.name]!] : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const at = segment.index < 0 ? value.length + segment.index : segment.index;
      return at >= 0 && at < value.length ? [value[at]!] : [];
    }
    case 'slice':
      return Array.isArray(value) ? value.slice(segment.start, segment.end) : [];
    case 'wildcard':
      return Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    case 'deep':
      return deepScan(value, segment.name);
  }
}

function deepScan(value: Json, name: string): Json[] {
  const found: Json[] = [];
  const visit = (node: Json) => {
    if (isObject(node)) {
      for (const [key, child] of Object.entries(node)) {
        if (name === '*' || key === name) found.push(child);
      }
      Object.values(node).forEach(visit);
    } else if (Array.isArray(node)) node.forEach(visit);
  };
  visit(value);
  return found;
}

function select(root: Json, parsed: ParsedPath): Json[] | typeof MISSING {
  let nodes: Json[] = [root];
  for (const segment of parsed.segments) {
    nodes = nodes.flatMap((node) => step(node, segment));
    if (parsed.definite && nodes.length === 0) return MISSING;
  }
  return nodes;
}

/** Whether a definite path names an existing node (Choice's IsPresent). */
export function pathExists(data: Json, context: Json, path: string): boolean {
  const parsed = parsePath(path);
  return select(parsed.context ? context : data, parsed) !== MISSING;
}

/**
 * The value a path selects: one node for a definite path, a list for one
 * with wildcards. A definite path that selects nothing is a States.Runtime
 * error, as in AWS ("The JSONPath … could not be found in the input").
 */
export function readPath(data: Json, context: Json, path: string, where: string): Json {
  const parsed = parsePath(path);
  const found = select(parsed.context ? context : data, parsed);
  if (found === MISSING) throw runtimeError(`${where}: the JSONPath '${path}' could not be found in the input ${truncate(parsed.context ? context : data)}`);
  return parsed.definite ? found[0]! : found;
}

/**
 * ResultPath: `value` placed at a reference path within `raw` (a copy),
 * creating the objects on the way, as AWS does; a path through a non-object
 * cannot be applied (States.Runtime).
 */
export function writePath(raw: Json, path: string, value: Json, where: string): Json {
  const parsed = parsePath(path);
  if (parsed.context || !parsed.definite) throw runtimeError(`${where}: '${path}' is not a reference path into the state's data`);
  if (parsed.segments.length === 0) return value;
  const root = structuredClone(raw);
  if (!isObject(root) && !Array.isArray(root)) throw runtimeError(`${where}: unable to apply ResultPath '${path}' to input ${truncate(raw)}`);
  let node: JsonObject | Json[] = root;
  parsed.segments.forEach((segment, n) => {
    const last = n === parsed.segments.length - 1;
    if (segment.kind === 'field') {
      if (!isObject(node)) throw runtimeError(`${where}: unable to apply ResultPath '${path}': not an object at segment ${n + 1}`);
      if (last) node[segment.name] = value;
      else {
        const next: Json | undefined = node[segment.name];
        if (next === undefined) node = node[segment.name] = {};
        else if (isObject(next) || Array.isArray(next)) node = next;
        else throw runtimeError(`${where}: unable to apply ResultPath '${path}': '${segment.name}' is not an object`);
      }
    } else if (segment.kind === 'index') {
      if (!Array.isArray(node) || segment.index < 0 || segment.index >= node.length) throw runtimeError(`${where}: unable to apply ResultPath '${path}': no element ${segment.index}`);
      if (last) node[segment.index] = value;
      else {
        const next: Json = node[segment.index]!;
        if (!isObject(next) && !Array.isArray(next)) throw runtimeError(`${where}: unable to apply ResultPath '${path}': element ${segment.index} is not an object`);
        node = next;
      }
    }
  });
  return root;
}

export function truncate(value: unknown, max = 300): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
