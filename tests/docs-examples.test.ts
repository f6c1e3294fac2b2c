/**
 * Examples run as written: every environment file shown in the README or
 * docs/ is written to an environments directory exactly as printed (only its
 * `./schema` import pointed at the real one) and must load, validate and
 * synthesize. (The README's qa example once ended its certificate ARN in `…`.)
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
