/**
 * Examples run as written: every environment file shown in the README or
 * docs/ is written to an environments directory exactly as printed (only its
 * `./schema` import pointed at the real one) and must load, validate and
 * synthesize. (The README's qa example once ended its certificate ARN in `…`.)
 * The commands that adopt the worked example run as printed, too.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { readEnvironmentSources } from '../environments/load';
import { environmentSchema } from '../environments/schema';
import { ROOT } from './support/paths';
import { synthEnvironments } from './support/synth';

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** Fenced code blocks of one language, with where they stand. */
function blocks(language: string): { file: string; line: number; code: string }[] {
  return DOCS.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => ({
      file,
      line: text.slice(0, m.index).split('\n').length,
      code: m[1]!,
    }));
  });
}

const environmentExamples = blocks('ts').filter((b) => b.code.includes('defineEnvironment({'));

describe('environment files in the README and docs', () => {
  it('there are some', () => {
    expect(environmentExamples.length).toBeGreaterThan(0);
  });

  it.each(environmentExamples.map((b) => [`${b.file}:${b.line}`, b] as const))('%s loads, validates and synthesizes as printed', async (_, example) => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-example-'));
    writeFileSync(join(dir, 'example.ts'), example.code.replace("from './schema'", `from '${join(ROOT, 'environments', 'schema')}'`));
    const sources = await readEnvironmentSources(dir);
    expect(sources.map((s) => s.loadError)).toEqual([undefined]);
    const { stacks } = synthEnvironments(sources);
    expect(Object.keys(stacks)).toHaveLength(2); // the example's stack and the state backend
  });
});

/**
 * The docs also show sections on their own (`batch: { … }`), lists
 * (`securityExceptions: [ … ]`) or fields of a section (`listenerRule: { … }`).
 * Each is put, as printed, into the environment the page is about (BASES;
 * staging by default) — a section replacing the environment's, a list's
 * entries added to its own (those it already has once), a field added to the
 * section its heading names — and must validate and synthesize.
 */
const BASES: Record<string, string> = {
  'docs/your-app.md': 'examples/orders-prod',
  // Production's own account and its warm standby.
  'docs/accounts.md': 'environments/prod',
  'docs/dns-and-failover.md': 'environments/prod',
  // Its waivers are dev's.
  'docs/security-pack.md': 'environments/dev',
};
const DEFAULT_BASE = 'environments/staging';

/** The fields of a top-level section's object, through optional and default wrappers. */
function sectionFields(section: string): string[] {
  let schema: unknown = (environmentSchema.shape as Record<string, z.ZodType>)[section];
  for (let depth = 0; depth < 6 && schema; depth++) {
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (shape) return Object.keys(shape);
    const def = (schema as { def?: { innerType?: unknown; in?: unknown } }).def;
    schema = def?.innerType ?? def?.in;
  }
  return [];
}

/** Where a fragment goes: its own key when that is a section, else the section its page's heading names (`## Serverless API (\`serverlessApi\`)`). */
function placement(file: string, line: number, key: string): { section?: string } {
  if (key in environmentSchema.shape) return {};
  const text = readFileSync(join(ROOT, file), 'utf8').split('\n').slice(0, line);
  const heading = text.reverse().find((l) => /^## .*`[a-zA-Z]+`/.test(l));
  const section = heading ? /`([a-zA-Z]+)`/.exec(heading)?.[1] : undefined;
  if (!section || !sectionFields(section).includes(key)) throw new Error(`${file}:${line}: no section takes \`${key}\` (heading: ${heading ?? 'none'})`);
  return { section };
}

const fragments = blocks('ts')
  .filter((b) => !b.code.includes('defineEnvironment({'))
  .map((b) => ({ ...b, key: /^([a-zA-Z]+):/.exec(b.code.trimStart())?.[1] }));

describe('sections and fields shown in the docs', () => {
  it('are all fragments of an environment file', () => {
    expect(fragments.filter((f) => !f.key).map((f) => `${f.file}:${f.line}`)).toEqual([]);
    expect(fragments.length).toBeGreaterThan(10);
  });

  it.each(fragments.map((f) => [`${f.file}:${f.line} (${f.key})`, f] as const))('%s validates and synthesizes in its environment', async (_, fragment) => {
    const base = join(ROOT, BASES[fragment.file] ?? DEFAULT_BASE);
    const { section } = placement(fragment.file, fragment.line, fragment.key!);
    // A list shown on its own (`securityExceptions: [ … ]`) is entries to add to the environment's own.
    const list = /^\s*([a-zA-Z]+):\s*(\[[\s\S]*\])\s*,?\s*$/.exec(fragment.code);
    const own = list ? `(base.${list[1]} ?? [])` : '';
    const entry = list ? `${list[1]}: [...${own}, ...${list[2]}.filter((e) => !${own}.some((o) => JSON.stringify(o) === JSON.stringify(e)))]` : fragment.code;
    const body = section ? `${section}: { ...base.${section}, ${entry} }` : entry;
    const dir = mkdtempSync(join(tmpdir(), 'docs-fragment-'));
    writeFileSync(
      join(dir, 'fragment.ts'),
      `import { defineEnvironment } from '${join(ROOT, 'environments', 'schema')}';\nimport base from '${base}';\nexport default defineEnvironment({ ...base, ${body} });\n`,
    );
    const sources = await readEnvironmentSources(dir);
    expect(sources.map((s) => s.loadError)).toEqual([undefined]);
    const { stacks } = synthEnvironments(sources);
    expect(Object.keys(stacks)).toHaveLength(2);
  });
});

describe('adopting the example as docs/your-app.md prints it', () => {
  it('its copy commands leave an environment file that loads, validates and synthesizes beside nothing else', async () => {
    const [copy] = blocks('sh').filter((b) => b.file === join('docs', 'your-app.md'));
    expect(copy?.code).toContain('cp examples/');
    // A scratch project: the example where the repository keeps it, and an environments/ of its own.
    const root = mkdtempSync(join(tmpdir(), 'your-app-'));
    mkdirSync(join(root, 'examples'));
    mkdirSync(join(root, 'environments'));
    for (const file of readdirSync(join(ROOT, 'examples'))) copyFileSync(join(ROOT, 'examples', file), join(root, 'examples', file));
    execFileSync('bash', ['-euo', 'pipefail', '-c', copy!.code], { cwd: root });
    const copied = readdirSync(join(root, 'environments'));
    expect(copied).toEqual(['orders-prod.ts']);
    const text = readFileSync(join(root, 'environments', copied[0]!), 'utf8');
    // The commands must leave the import an environments/ file uses, and nothing of the examples/ one.
    expect(text).toContain("from './schema'");
    expect(text).not.toContain('../environments/schema');
    writeFileSync(join(root, 'environments', copied[0]!), text.replace("from './schema'", `from '${join(ROOT, 'environments', 'schema')}'`));
    const sources = await readEnvironmentSources(join(root, 'environments'));
    expect(sources.map((s) => s.loadError)).toEqual([undefined]);
    expect(Object.keys(synthEnvironments(sources).stacks).sort()).toEqual(['prod', 'state-backend']);
  });
});
