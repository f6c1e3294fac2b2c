/**
 * The environment reference, generated from the schema itself: the JSON
 * Schema of an environment file (docs/environment.schema.json, for editors)
 * and a readable table of every field (docs/environments.md).
 *
 *   npm run docs:environments          rewrites both files
 *   node --require tsx/cjs tools/lib/environment-reference.ts
 *                                      only checks: exits 1 when either is stale
 *
 * Both texts are pure functions of the schema: no dates, no machine paths.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { environmentSchema } from '../../environments/schema';
import { commandLine, defineCommand } from './cli';

/** The JSON Schema subset zod emits for the environment (draft-07). */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: string;
  const?: unknown;
  enum?: readonly unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  [key: string]: unknown;
}

/** One documented field: a dotted path and what the schema says about it. */
export interface FieldRow {
  readonly path: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

export const REFERENCE_FILES = {
  markdown: join('docs', 'environments.md'),
  jsonSchema: join('docs', 'environment.schema.json'),
} as const;

/** The JSON Schema of what an environment file may contain (the schema's input side). */
export function environmentJsonSchema(): JsonSchema {
  // Refinements (superRefine, refine) have no JSON form and are left out; they still run when environments load.
  const schema = z.toJSONSchema(environmentSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
  return withoutSafeIntegerBounds(schema);
}

/** zod bounds every integer by ±2^53−1; those bounds say nothing to a reader or an editor. */
function withoutSafeIntegerBounds(schema: JsonSchema): JsonSchema {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.minimum === Number.MIN_SAFE_INTEGER) delete record.minimum;
      if (record.maximum === Number.MAX_SAFE_INTEGER) delete record.maximum;
      Object.values(record).forEach(visit);
    }
  };
  visit(schema);
  return schema;
}

/** Every field below the root, depth first in schema order; union members' fields are tagged with their discriminator. */
export function fieldRows(root: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visitObject = (schema: JsonSchema, prefix: string): void => {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      rows.push({ path, schema: child, required: (schema.required ?? []).includes(key) });
      visitChildren(child, path);
    }
  };
  const visitChildren = (schema: JsonSchema, path: string): void => {
    if (schema.properties) visitObject(schema, path);
    if (schema.items) visitChildren(schema.items, `${path}[]`);
    for (const member of schema.anyOf ?? schema.oneOf ?? []) {
      const kind = member.properties?.kind?.const;
      visitChildren(member, typeof kind === 'string' ? `${path}(${kind})` : path);
    }
  };
  visitObject(root, '');
  return rows;
}

/** The JSON Schema file: stable (zod emits keys in schema order) and ending in a newline. */
export function renderJsonSchema(schema: JsonSchema = environmentJsonSchema()): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** The readable reference: an overview, then one section per top-level field. */
export function renderMarkdown(schema: JsonSchema = environmentJsonSchema()): string {
  const lines: string[] = [
    '# Environment reference',
    '',
    '<!-- Generated from environments/schema.ts by `npm run docs:environments`; do not edit by hand. -->',
    '',
    'Every file in `environments/` other than the support files default-exports `defineEnvironment({ … })`,',
    'checked against this contract before anything is synthesized. The field descriptions below are the',
    'schema\'s own (`environments/schema.ts` and `environments/schema/`); rules relating fields to each other',
    '(subnets inside the VPC, AZs of the region, standby within the primary) are checked too but not listed here.',
    '[`environment.schema.json`](environment.schema.json) is the same contract as JSON Schema (draft-07), for',
    'editors completing and checking environment data written as JSON or YAML.',
    '',
    'Paths are dotted; `[]` stands for each item of a list, `(kind)` for one variant of a choice.',
    'A default of `{}` means the object may be omitted and each of its fields takes its own default.',
    '',
    '## Top-level fields',
    '',
    '| Field | Type | Default | Description |',
    '| --- | --- | --- | --- |',
  ];
  const properties = schema.properties ?? {};
  for (const [key, child] of Object.entries(properties)) {
    lines.push(`| [\`${key}\`](#${key.toLowerCase()}) | ${cell(typeOf(child))} | ${cell(defaultOf(child, (schema.required ?? []).includes(key)))} | ${cell(child.description ?? '')} |`);
  }
  for (const [key, child] of Object.entries(properties)) {
    lines.push('', `## ${key}`, '', child.description ?? '', '');
    const rows = [{ path: key, schema: child, required: (schema.required ?? []).includes(key) }, ...fieldRows({ properties: { [key]: child } }).slice(1)];
    lines.push('| Field | Type | Default | Allowed | Description |', '| --- | --- | --- | --- | --- |');
    for (const row of rows) {
      lines.push(`| \`${row.path}\` | ${cell(typeOf(row.schema))} | ${cell(defaultOf(row.schema, row.required))} | ${cell(allowedOf(row.schema))} | ${cell(row.schema.description ?? '')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Both generated texts, keyed by their path relative to the repository root. */
export function environmentReference(): Record<string, string> {
  const schema = environmentJsonSchema();
  return { [REFERENCE_FILES.markdown]: renderMarkdown(schema), [REFERENCE_FILES.jsonSchema]: renderJsonSchema(schema) };
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  if (schema.type === 'string' && schema.format) return `string (${schema.format})`;
  return schema.type ?? 'any';
}

function defaultOf(schema: JsonSchema, required: boolean): string {
  if (schema.default !== undefined) {
    const text = JSON.stringify(schema.default);
    return text.length > 48 ? 'see description' : `\`${text}\``;
  }
  return required ? '**required**' : 'optional';
}

function allowedOf(schema: JsonSchema): string {
  const parts: string[] = [];
  const values = schema.enum;
  if (values) {
    const shown = values.map((v) => `\`${String(v)}\``);
    parts.push(shown.length > 12 ? `one of ${shown.length}: ${shown.slice(0, 6).join(', ')}, … (all in the JSON Schema)` : shown.join(', '));
  }
  const low = schema.minimum ?? (schema.exclusiveMinimum === undefined ? undefined : `> ${schema.exclusiveMinimum}`);
  const high = schema.maximum;
  if (typeof low === 'number' && high !== undefined) parts.push(`${low}–${high}`);
  else {
    if (low !== undefined) parts.push(typeof low === 'number' ? `≥ ${low}` : low);
    if (high !== undefined) parts.push(`≤ ${high}`);
  }
  const length = span(schema.minLength, schema.maxLength);
  if (length) parts.push(`${length} characters`);
  const items = span(schema.minItems, schema.maxItems);
  if (items) parts.push(`${items} items`);
  if (schema.pattern) parts.push(`matches \`${schema.pattern}\``);
  return parts.join('; ');
}

function span(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  return max === undefined ? undefined : `≤ ${max}`;
}

/** A Markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

const REFERENCE_COMMAND = defineCommand({
  usage: 'npm run docs:environments -- [options]',
  summary: 'Generates docs/environments.md and docs/environment.schema.json from environments/schema.ts; without --write, only checks that both are current.',
  options: {
    write: { type: 'boolean', default: false, description: 'Rewrite the files that differ (npm run docs:environments passes it).' },
  },
});

/** Writes (or, without --write, checks) both files; the exit status is 1 when a file is stale and not written. */
function main(argv: readonly string[]): number {
  const { values } = commandLine('docs:environments', REFERENCE_COMMAND, argv);
  const root = resolve(__dirname, '..', '..');
  let stale = 0;
  for (const [file, text] of Object.entries(environmentReference())) {
    const full = join(root, file);
    let current: string | undefined;
    try {
      current = readFileSync(full, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    if (values.write) {
      writeFileSync(full, text);
      console.log(`wrote ${file}`);
    } else {
      console.error(`${file} is stale: run npm run docs:environments`);
      stale++;
    }
  }
  return stale === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
