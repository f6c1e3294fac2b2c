/**
 * Running programs the way `cdktf synth` runs the app: through a shell, in a
 * fresh process, with the environment cdktf-cli 0.21 passes
 * (@cdktf/cli-core/src/lib/synth-stack.js): the parent's environment minus
 * TF_VAR_*, NODE_OPTIONS=--max-old-space-size=4096 when unset, CDKTF_OUTDIR,
 * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS=true, CDKTF_CONTEXT_JSON (cdktf.json's
 * context plus cdktfRelativeModules) and SYNTH_HCL_OUTPUT=false.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/** The `--require` preload that writes the process's peak RSS (KiB) at exit to $BENCH_MAXRSS_FILE. */
export const MAXRSS_PRELOAD = join(__dirname, 'maxrss.cjs');

interface CdktfJson {
  readonly app: string;
  readonly context?: Record<string, unknown>;
  readonly terraformModules?: (string | { source: string })[];
}

export function readCdktfJson(root: string = ROOT): CdktfJson {
  return JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as CdktfJson;
}

/** The environment cdktf-cli gives the app command. */
export function cdktfSynthEnv(outdir: string, base: NodeJS.ProcessEnv = process.env, config: CdktfJson = readCdktfJson()): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('TF_VAR_')));
  if (!env.NODE_OPTIONS) env.NODE_OPTIONS = '--max-old-space-size=4096';
  const relativeModules = (config.terraformModules ?? []).filter((m) => {
    const source = typeof m === 'string' ? m : m.source;
    return source.startsWith('./') || source.startsWith('../');
  });
  return {
    ...env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...(config.context ?? {}), cdktfRelativeModules: relativeModules }),
    SYNTH_HCL_OUTPUT: 'false',
  };
}

export interface RunResult {
  readonly seconds: number;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a shell command (as cdktf does, `shell: true`) and times it wall-clock. */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv): RunResult {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw result.error;
  return { seconds, status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

/** A program as the benchmark runs it: a shell command in a directory, with optional extra environment. */
export interface Program {
  readonly label: string;
  readonly cwd: string;
  /** e.g. `node --require tsx/cjs main.ts` */
  readonly command: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Inserts node flags right after `node` in a `node …` command. */
export function withNodeFlags(command: string, flags: string): string {
  if (!/^node\s/.test(command)) throw new Error(`expected a "node …" command, got ${command}`);
  return command.replace(/^node\s/, `node ${flags} `);
}

export interface SynthRun extends RunResult {
  /** Peak RSS in MiB when measured with the preload. */
  readonly maxRssMiB?: number;
}

/** One synth-like run of `program` with a fresh CDKTF_OUTDIR; `keep` receives the outdir before it is removed. */
export function synthOnce(program: Program, options: { maxRss?: boolean; keep?: (outdir: string) => void } = {}): SynthRun {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-out-'));
  const rssFile = join(outdir, '..', `${outdir.split('/').pop()}.maxrss`);
  try {
    const env = { ...cdktfSynthEnv(outdir), ...program.env };
    let command = program.command;
    if (options.maxRss) {
      command = withNodeFlags(command, `--require ${JSON.stringify(MAXRSS_PRELOAD)}`);
      env.BENCH_MAXRSS_FILE = rssFile;
    }
    const result = runShell(command, program.cwd, env);
    if (result.status !== 0) {
      throw new Error(`${program.label}: "${command}" exited ${result.status}\n${result.stderr.slice(-4000)}`);
    }
    options.keep?.(outdir);
    let maxRssMiB: number | undefined;
    if (options.maxRss) {
      if (!existsSync(rssFile)) throw new Error(`${program.label}: the maxRSS preload wrote nothing`);
      maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    }
    return { ...result, maxRssMiB };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(rssFile, { force: true });
  }
}
