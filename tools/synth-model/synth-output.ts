/**
 * The synthesized app on disk: run `cdktf synth` when asked, and read the
 * stacks back through `manifest.json`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TfJson } from './tf-json';

export const ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_OUTDIR = join(ROOT, 'cdktf.out');

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

/** Runs the real `cdktf synth` into `outdir`; returns milliseconds, or exits with cdktf's status. */
export function runCdktfSynth(outdir: string = DEFAULT_OUTDIR): number {
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true' };
  // A CLI config path that does not exist makes every terraform call the CLI makes print a warning.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  const result = spawnSync(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', outdir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0) {
    process.stderr.write('cdktf synth failed.\n');
    process.exit(result.status ?? 1);
  }
  return Date.now() - started;
}

/** Synthesizes into `outdir` unless it already holds a synthesized app. */
export function ensureSynthOutput(outdir: string): void {
  if (existsSync(join(outdir, 'manifest.json'))) return;
  process.stderr.write(`No synth output in ${outdir}; running cdktf synth first …\n`);
  runCdktfSynth(outdir);
}

/** Stack names in `outdir`, the state backend first. */
export function stackNames(outdir: string): string[] {
  return Object.keys(readManifest(outdir).stacks).sort((a, b) => (a === 'state-backend' ? -1 : b === 'state-backend' ? 1 : a.localeCompare(b)));
}

/** One synthesized stack, or an error naming the stacks that exist. */
export function readSynthesizedStack(outdir: string, name: string): TfJson {
  const entry = readManifest(outdir).stacks[name];
  if (!entry) throw new Error(`no stack ${name} in ${outdir} (it has ${stackNames(outdir).join(', ')})`);
  return JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')) as TfJson;
}

function readManifest(outdir: string): Manifest {
  const file = join(outdir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${outdir} holds no synthesized app (no manifest.json); run npx cdktf synth first`);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}
