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
import { readEnvironmentSources } from '../environments/load';
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
