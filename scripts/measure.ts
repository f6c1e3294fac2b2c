/**
 * `npm run measure`: the figures quoted in the README, measured on this
 * machine in one run. Synth is timed as `cdktf synth` runs the app (a fresh
 * process per run, median of several); test layers are timed as whole
 * vitest runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.MEASURE_RUNS ?? 5);

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr.toString()}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

function main(): void {
  process.stdout.write(`Measuring on ${cpus().length} cores, Node ${process.version}, ${RUNS} synth runs…\n`);
  const synth = synthSeconds();
  process.stdout.write(`  synth, all 4 stacks (median): ${synth.toFixed(2)} s\n`);
  const unit = vitestSeconds(['--exclude', 'tests/terraform.test.ts']);
  process.stdout.write(`  tests without terraform: ${unit.toFixed(1)} s\n`);
  const terraform = vitestSeconds(['tests/terraform.test.ts']);
  process.stdout.write(`  terraform init + validate + plan, all stacks: ${terraform.toFixed(1)} s\n`);
  process.stdout.write(
    [
      '',
      '| measure | budget | measured |',
      '|---|---|---|',
      `| synth, all 4 stacks (median of ${RUNS}) | ≤ 1.5 s | ${synth.toFixed(2)} s |`,
      `| tests without terraform | ≤ 20 s | ${unit.toFixed(1)} s |`,
      `| offline terraform validate + plan, all stacks | ≤ 90 s | ${terraform.toFixed(1)} s |`,
      '',
    ].join('\n'),
  );
}

main();
