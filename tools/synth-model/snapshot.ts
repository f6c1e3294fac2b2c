/**
 * Committed stack snapshots that a person can review: the synthesized JSON
 * with cdktf's asset paths and content hashes replaced by placeholders
 * naming the asset (so a handler edit does not rewrite every stack), and a
 * diff of two stacks by Terraform-like address (`aws_x.name.attr[0].key`)
 * instead of by line. Pure functions: the stacks test and
 * `npm run snapshots` both use them, so they agree on what a change is.
 */
import type { TfJson } from './tf-json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * cdktf's asset layout: `assets/<logical id>/<content hash>/<file name>`, no
 * file name for a directory. The hash must look like one (cdktf writes 32 hex
 * digits), so an ordinary key such as `assets/img/logo.png` is left alone.
 */
const ASSET_PATH = /^assets\/([^/]+)\/([0-9A-Fa-f]{8,})(?:\/(.*))?$/;
/** The 8-hex suffix cdktf appends to a logical id: it only keeps ids unique, a reader does not need it. */
const LOGICAL_ID_SUFFIX = /_[0-9A-F]{8}$/;
/** A file name that is itself a content hash (the Lambda bundle's `ec646813a6eb7956.zip`) says nothing to a reader. */
const HASH_FILE_NAME = /^[0-9a-f]{8,}(\.[A-Za-z0-9.]+)?$/i;
/** Attributes that hold the hash of the asset named beside them in the same block. */
const ASSET_HASH_ATTRIBUTES = ['source_code_hash', 'etag', 'source_hash'];

/** Longest line the diff prints: values are cut, never the address, unless the address alone is longer. */
export const MAX_LINE = 160;

export interface AssetReference {
  /** Where the asset is named, e.g. `aws_lambda_function.primary_spot-handler_function_1A2B3C4D.filename`. */
  readonly address: string;
  /** The path as synthesized, relative to the stack's directory in the synth output. */
  readonly path: string;
  /** Hash attributes beside it (`source_code_hash`, `etag`, `source_hash`), as synthesized. */
  readonly hashes: Readonly<Record<string, string>>;
}

/** Every cdktf asset path a stack names, anywhere in it, with the hash attributes next to it. */
export function assetReferences(stack: TfJson): AssetReference[] {
  const found: AssetReference[] = [];
  const visit = (value: Json, address: string, siblingHashes: Record<string, string>): void => {
    if (typeof value === 'string' && ASSET_PATH.test(value)) found.push({ address, path: value, hashes: siblingHashes });
    // A list item has no siblings by name: a hash beside a list of assets could belong to any of them.
    else if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${address}[${index}]`, {}));
    else if (isObject(value)) {
      const hashes = Object.fromEntries(ASSET_HASH_ATTRIBUTES.flatMap((key) => (typeof value[key] === 'string' ? [[key, value[key]] as const] : [])));
      for (const [key, item] of Object.entries(value)) visit(item, joinAddress(address, key), hashes);
    }
  };
  for (const [address, unit] of addressedUnits(stack)) visit(unit, address, {});
  return found;
}

/** A readable name for an asset: its logical id without cdktf's suffix, and its file name unless that is a hash. */
function assetName(path: string, distinct: (logicalId: string) => boolean): string {
  const [, logicalId = path, , fileName] = ASSET_PATH.exec(path) ?? [];
  const name = distinct(logicalId) ? logicalId.replace(LOGICAL_ID_SUFFIX, '') : logicalId;
  return fileName && !HASH_FILE_NAME.test(fileName) ? `${name}/${fileName}` : name;
}

/**
 * The stack with every asset path replaced by `<asset NAME>` and each hash
 * attribute beside one by `<hash of asset NAME>`: those change with every
 * edit of the asset's content, and a property test checks them instead.
 */
export function normalizeStack(stack: TfJson): TfJson {
  const logicalIds = new Set(assetReferences(stack).map((ref) => ASSET_PATH.exec(ref.path)?.[1] ?? ref.path));
  const shortNames = [...logicalIds].map((id) => id.replace(LOGICAL_ID_SUFFIX, ''));
  // Two assets whose ids differ only in the suffix keep it, so their placeholders still differ.
  const distinct = (id: string) => shortNames.filter((name) => name === id.replace(LOGICAL_ID_SUFFIX, '')).length === 1;
  const placeholder = (value: Json): Json => (typeof value === 'string' && ASSET_PATH.test(value) ? `<asset ${assetName(value, distinct)}>` : value);
  const rewrite = (value: Json): Json => {
    if (Array.isArray(value)) return value.map((item) => rewrite(placeholder(item)));
    if (!isObject(value)) return value;
    const assets = Object.values(value).filter((item): item is string => typeof item === 'string' && ASSET_PATH.test(item));
    const hashOf = assets.length > 0 ? `<hash of asset ${assets.map((path) => assetName(path, distinct)).join(', ')}>` : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, hashOf && ASSET_HASH_ATTRIBUTES.includes(key) && typeof item === 'string' ? hashOf : rewrite(placeholder(item))]),
    );
  };
  return rewrite(stack as unknown as Json) as unknown as TfJson;
}

/** The committed form of a stack: normalized, two-space JSON, one trailing newline. */
export function snapshotText(stack: TfJson): string {
  return `${JSON.stringify(normalizeStack(stack), null, 2)}\n`;
}

/**
 * The addressable parts of a stack, Terraform-like: `type.name` for a
 * resource, `data.type.name`, `output.name`, `provider.name[i]` (providers
 * are a list per name in cdktf's JSON), `terraform` for the settings block
 * (its backend shows as `terraform.backend.s3.…`), `<block>.name` otherwise.
 */
export function addressedUnits(stack: TfJson): Map<string, Json> {
  const units = new Map<string, Json>();
  for (const [key, content] of Object.entries(stack as unknown as JsonObject)) {
    // cdktf's stack-level `//` (metadata) reads as `["//"].metadata`, like any other odd key.
    const section = segment(key).replace(/^\./, '');
    if (section === 'resource' && isObject(content)) {
      for (const [type, byName] of Object.entries(content)) for (const [name, block] of entries(byName)) units.set(`${type}${segment(name)}`, block);
    } else if (section === 'provider' && isObject(content)) {
      for (const [name, list] of Object.entries(content)) (Array.isArray(list) ? list : [list]).forEach((block, index) => units.set(`provider${segment(name)}[${index}]`, block));
    } else if (section === 'data' && isObject(content)) {
      for (const [type, byName] of Object.entries(content)) for (const [name, block] of entries(byName)) units.set(`data${segment(type)}${segment(name)}`, block);
    } else if (section !== 'terraform' && isObject(content)) {
      for (const [name, block] of Object.entries(content)) units.set(`${section}${segment(name)}`, block);
    } else {
      units.set(section, content);
    }
  }
  return units;
}

export interface Change {
  /** `+` added, `-` removed, `~` changed. */
  readonly kind: '+' | '-' | '~';
  readonly address: string;
  /** The values, when the change is inside a block; a whole block added or removed shows its address only. */
  readonly before?: Json;
  readonly after?: Json;
}

/** What changed from `before` to `after`, by address, sorted by the address of the block it is in. */
export function diffStacks(before: TfJson, after: TfJson): Change[] {
  const was = addressedUnits(before);
  const is = addressedUnits(after);
  const addresses = [...new Set([...was.keys(), ...is.keys()])].sort();
  return addresses.flatMap((address): Change[] => {
    if (!was.has(address)) return [{ kind: '+', address }];
    if (!is.has(address)) return [{ kind: '-', address }];
    return diffValues(address, was.get(address)!, is.get(address)!);
  });
}

function diffValues(address: string, before: Json, after: Json): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key): Change[] => {
      const at = joinAddress(address, key);
      if (!(key in after)) return [{ kind: '-', address: at, before: before[key]! }];
      if (!(key in before)) return [{ kind: '+', address: at, after: after[key]! }];
      return diffValues(at, before[key]!, after[key]!);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, index): Change[] => {
      const at = `${address}[${index}]`;
      if (index >= after.length) return [{ kind: '-', address: at, before: before[index]! }];
      if (index >= before.length) return [{ kind: '+', address: at, after: after[index]! }];
      return diffValues(at, before[index]!, after[index]!);
    }).flat();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ kind: '~', address, before, after }];
}

/** One line per change, e.g. `~ aws_autoscaling_group.fleet.max_size: 30 → 31`, each at most MAX_LINE characters. */
export function renderChange(change: Change): string {
  const head = `${change.kind} ${change.address}`;
  const values = [change.before, change.after].filter((value): value is Json => value !== undefined).map((value) => JSON.stringify(value));
  if (values.length === 0) return clip(head, MAX_LINE);
  const separators = ': '.length + (values.length - 1) * ' → '.length;
  return clip(`${head}: ${fit(values, MAX_LINE - head.length - separators).join(' → ')}`, MAX_LINE);
}

/**
 * Cuts values to share `room`: each gets an equal share of what is left
 * (at least enough to recognise it), shortest first, so a short value leaves
 * what it does not use to the long one.
 */
function fit(values: readonly string[], room: number): string[] {
  const order = values.map((_, index) => index).sort((a, b) => values[a]!.length - values[b]!.length);
  const shares = new Map<number, number>();
  let left = room;
  order.forEach((index, position) => {
    const share = Math.max(16, Math.floor(left / (order.length - position)));
    shares.set(index, share);
    left -= Math.min(values[index]!.length, share);
  });
  return values.map((value, index) => clip(value, shares.get(index)!));
}

export interface SnapshotComparison {
  /** The normalized text the snapshot should hold. */
  readonly expected: string;
  readonly matches: boolean;
  /** Why the committed file could not be compared by address (missing, not JSON), if it could not. */
  readonly problem?: string;
  /** Committed → synthesized, by address. */
  readonly changes: readonly Change[];
}

/** Compares a committed snapshot (undefined: no file) with a freshly synthesized stack. */
export function compareSnapshot(committed: string | undefined, stack: TfJson): SnapshotComparison {
  const expected = snapshotText(stack);
  if (committed === expected) return { expected, matches: true, changes: [] };
  if (committed === undefined) return { expected, matches: false, problem: 'there is no committed snapshot', changes: diffStacks({ terraform: {} }, normalizeStack(stack)) };
  let before: TfJson;
  try {
    before = JSON.parse(committed) as TfJson;
  } catch (error) {
    return { expected, matches: false, problem: `the committed snapshot is not JSON (${(error as Error).message})`, changes: [] };
  }
  const changes = diffStacks(before, normalizeStack(stack));
  return { expected, matches: false, ...(changes.length === 0 ? { problem: 'only formatting or key order differs' } : {}), changes };
}

/** The lines that explain a mismatch: the problem if any, then the changes, at most `limit` of them. */
export function describeChanges(comparison: SnapshotComparison, limit = Number.POSITIVE_INFINITY): string[] {
  const shown = comparison.changes.slice(0, limit).map(renderChange);
  const more = comparison.changes.length - shown.length;
  return [...(comparison.problem ? [comparison.problem] : []), ...shown, ...(more > 0 ? [`… and ${more} more (npm run snapshots -- --check lists them all)`] : [])];
}

/** A key as it reads in an address: bare when it is a plain name, `["…"]` otherwise (tags like `kubernetes.io/role`, cdktf's `//`). */
function segment(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function joinAddress(address: string, key: string): string {
  return `${address}${segment(key)}`;
}

function entries(value: Json): [string, Json][] {
  return isObject(value) ? Object.entries(value) : [];
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
