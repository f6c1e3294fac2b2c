/**
 * The test suite in layers, each timed as one whole `vitest run <files>`.
 * Layers are by what a file needs and how long it takes, not by name alone:
 *  - unit: everything that runs in-process in a second or so per file
 *    (unit, snapshot and property tests, including tests/tools/bench/);
 *  - offline terraform: each terraform*.test.ts under tests/ — real `terraform init /
 *    validate / plan` of every stack against the local provider mirror, and
 *    the harness's own tests (mirror discovery needs that mirror too);
 *  - emulator sandbox: tests/tools/sandbox/sandbox.test.ts — starts moto (the
 *    emulator) for its failure handling; ~35 s, so it is not a unit test;
 *  - emulator end-to-end: tests/tools/sandbox/e2e.test.ts — apply, plan and
 *    destroy against the emulator.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Layer {
  readonly id: 'unit' | 'terraform' | 'sandbox' | 'e2e';
  readonly label: string;
  readonly files: readonly string[];
}

const SPECIAL = {
  terraform: /^tests\/(.+\/)?terraform[^/]*\.test\.ts$/,
  sandbox: /^tests\/tools\/sandbox\/sandbox\.test\.ts$/,
  e2e: /^tests\/tools\/sandbox\/e2e\.test\.ts$/,
};

/** Every test file under tests/ (the tree mirrors the repository's), relative to `root`. */
export function testFiles(root: string): string[] {
  return (readdirSync(join(root, 'tests'), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `tests/${f.split('\\').join('/')}`)
    .sort();
}

export function layers(files: readonly string[]): Layer[] {
  const pick = (re: RegExp) => files.filter((f) => re.test(f));
  const special = new Set([...pick(SPECIAL.terraform), ...pick(SPECIAL.sandbox), ...pick(SPECIAL.e2e)]);
  return [
    { id: 'unit', label: 'unit, snapshot and property tests', files: files.filter((f) => !special.has(f)) },
    { id: 'terraform', label: 'offline terraform (init, validate, plan every stack)', files: pick(SPECIAL.terraform) },
    { id: 'sandbox', label: 'emulator sandbox machinery and failure handling', files: pick(SPECIAL.sandbox) },
    { id: 'e2e', label: 'emulator end-to-end (apply, plan, destroy)', files: pick(SPECIAL.e2e) },
  ];
}

export interface VitestRun {
  readonly seconds: number;
  readonly status: number | null;
  /** e.g. "57 passed (57)" from vitest's summary. */
  readonly tests: string;
  readonly tail: string;
}

const ANSI = /\u001b\[[0-9;]*m/g;

export const vitestBin = (root: string) => join(root, 'node_modules/.bin/vitest');

export function runVitest(root: string, files: readonly string[]): VitestRun {
  const started = process.hrtime.bigint();
  const result = spawnSync(vitestBin(root), ['run', ...files], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  return vitestRun(seconds, result.status, `${result.stdout.toString()}\n${result.stderr.toString()}`);
}

/** A finished `vitest run`, from its exit status and its output: the "Tests" summary line and the last lines. */
export function vitestRun(seconds: number, status: number | null, output: string): VitestRun {
  const out = output.replace(ANSI, '');
  const tests = /^\s*Tests\s+(.+)$/m.exec(out)?.[1]?.trim() ?? '?';
  return { seconds, status, tests, tail: out.split('\n').slice(-30).join('\n') };
}
