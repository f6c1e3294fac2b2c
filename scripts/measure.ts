/**
 * `npm run measure`: the figures quoted in the README, measured on this
 * machine in one run. Synth is timed as `cdktf synth` runs the app (a fresh
 * process per run, median of several); test layers are timed as whole
 * vitest runs, and `npm start` as a whole run of its script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './lib/stats';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.MEASURE_RUNS ?? 5);

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function synthSeconds(): number {
  const samples = Array.from({ length: RUNS }, () => {
    const outdir = mkdtempSync(join(tmpdir(), 'measure-synth-'));
    try {
      return timed(process.execPath, ['--require', 'tsx/cjs', 'main.ts'], { CDKTF_OUTDIR: outdir });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
  return median(samples);
}

function vitestSeconds(args: string[]): number {
  return timed(join(ROOT, 'node_modules/.bin/vitest'), ['run', ...args]);
}

const SLOW = ['tests/terraform.test.ts', 'tests/e2e.test.ts', 'tests/sandbox.test.ts'];

function main(): void {
  process.stdout.write(`Measuring on ${cpus().length} cores, Node ${process.version}, ${RUNS} synth runs…\n`);
  const rows: [string, string, number, number][] = [];
  const measure = (label: string, budget: string, seconds: () => number, digits = 1) => {
    const value = seconds();
    process.stdout.write(`  ${label}: ${value.toFixed(digits)} s\n`);
    rows.push([label, budget, value, digits]);
  };
  measure(`synth, all 4 stacks (median of ${RUNS})`, '≤ 1.5 s', synthSeconds, 2);
  measure('unit, snapshot and property tests', '≤ 20 s', () => vitestSeconds(SLOW.flatMap((file) => ['--exclude', file])));
  measure('offline terraform validate + plan, all stacks', '≤ 90 s', () => vitestSeconds(['tests/terraform.test.ts']));
  measure('sandbox machinery and failure handling', '—', () => vitestSeconds(['tests/sandbox.test.ts']));
  measure('end-to-end: dev + prod applied, planned, destroyed', '≤ 180 s', () => vitestSeconds(['tests/e2e.test.ts']));
  measure('`npm start` (state-backend + dev, read back, destroyed)', '≤ 120 s', () =>
    timed(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'scripts', 'start.ts')]),
  );
  process.stdout.write(
    ['', '| measure | budget | measured |', '|---|---|---|', ...rows.map(([label, budget, value, digits]) => `| ${label} | ${budget} | ${value.toFixed(digits)} s |`), ''].join(
      '\n',
    ),
  );
}

main();
