/**
 * The house rules, read from the code's own imports:
 * - the product (main.ts, environments/, modules/, stacks/) never imports the workbench (tools/), nor names the emulator;
 * - a tool (tools/<name>/) imports only its own folder, the shared folders
 *   (tools/lib/, tools/synth-model/) and the product's entry points, never another tool;
 * - the shared folders import no tool;
 * - a worked example (examples/) is an environment file: it imports the environment contract only;
 * - no file imports itself back through a loop.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/paths';

const PRODUCT = ['main.ts', 'environments', 'modules', 'stacks'];
const SHARED = ['tools/lib/', 'tools/synth-model/'];
/** What a tool may take from the product: the composition, the environment contract and files, nothing deeper. */
const ENTRY_POINTS = [/^main\.ts$/, /^stacks\/index\.ts$/, /^environments\/(load|schema|state-backend)\.ts$/, /^environments\/(dev|staging|prod)\.ts$/];


function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return path.endsWith('.ts') ? [path] : [];
  return readdirSync(full).flatMap((entry) => (entry === 'node_modules' ? [] : sourceFiles(join(path, entry))));
}

/** Relative imports of a file (static, dynamic and require), resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((spec) => resolveModule(resolve(ROOT, dirname(file), spec)));
}

function resolveModule(base: string): string {
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return relative(ROOT, candidate);
    } catch {
      // try the next form
    }
  }
  return relative(ROOT, base);
}

/** Environment files a team copies into environments/: data, typed by the contract, importing nothing else. */
const EXAMPLES = 'examples';

const files = [...PRODUCT, 'tools', EXAMPLES].flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const toolOf = (file: string) => /^tools\/([^/]+)\//.exec(file)?.[1];
const isShared = (file: string) => SHARED.some((folder) => file.startsWith(folder));
const isProduct = (file: string) => PRODUCT.some((p) => file === p || file.startsWith(`${p}/`));

describe('the house', () => {
  it('reads the imports it judges (a sanity check of the reader itself)', () => {
    expect(graph.get('main.ts')).toEqual(expect.arrayContaining(['stacks/index.ts', 'environments/load.ts']));
    expect(files.filter((f) => f.startsWith('tools/')).length).toBeGreaterThan(40);
  });

  it('the product never imports the workbench', () => {
    const leaks = files.filter(isProduct).flatMap((file) => graph.get(file)!.filter((target) => target.startsWith('tools/')).map((target) => `${file} -> ${target}`));
    expect(leaks).toEqual([]);
  });

  it('the product knows no emulator: targets other than AWS live with the workbench', () => {
    const mentions = files.filter(isProduct).filter((file) => /emulator|\bmoto\b/i.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(mentions).toEqual([]);
  });

  it('a tool imports its own folder, the shared folders and the product entry points only', () => {
    const breaches = files
      .filter((file) => toolOf(file) && !isShared(file))
      .flatMap((file) =>
        graph
          .get(file)!
          .filter((target) => {
            if (target.startsWith(`tools/${toolOf(file)}/`) || isShared(target)) return false;
            if (isProduct(target)) return !ENTRY_POINTS.some((entry) => entry.test(target));
            return target.startsWith('tools/');
          })
          .map((target) => `${file} -> ${target}`),
      );
    expect(breaches).toEqual([]);
  });

  it('an example imports the environment contract only, and nothing imports an example', () => {
    const examples = files.filter((file) => file.startsWith(`${EXAMPLES}/`));
    expect(examples.length).toBeGreaterThan(0);
    for (const file of examples) expect(graph.get(file), file).toEqual(['environments/schema.ts']);
    const importers = files.flatMap((file) => graph.get(file)!.filter((target) => target.startsWith(`${EXAMPLES}/`)).map((target) => `${file} -> ${target}`));
    expect(importers).toEqual([]);
  });

  it('the shared folders import no tool', () => {
    const breaches = files
      .filter(isShared)
      .flatMap((file) => graph.get(file)!.filter((target) => target.startsWith('tools/') && !isShared(target)).map((target) => `${file} -> ${target}`));
    expect(breaches).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
