/**
 * `npm run bench:load`: the end-to-end suite on a machine that is busy —
 * what a shared 2-core CI runner does to it. Starts N CPU-bound processes
 * (default: one per core), runs `vitest run tests/tools/sandbox/e2e.test.ts` K times in a
 * row (default 3), stops the load, and prints each run's result and wall
 * time, the load average while it ran, and from the emulator's request
 * trace (WEB_TIER_EMULATOR_TRACE, see tools/sandbox/moto_launcher.py) how
 * many calls an SDK sent again and how many of those the emulator answered
 * with the answer it had already given. Writes its section of BENCHMARKS.md
 * (other sections stay as they are) unless --no-write.
 *
 *   npm run bench:load                         # one busy process per core, 3 runs
 *   npm run bench:load -- --hogs 4 --runs 5
 *   npm run bench:load -- --no-write           # print only
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup, runCleanup } from '../lib/cleanup';
import { run } from '../lib/processes';
import { vitestBin, vitestRun, type VitestRun } from './layers';
import { ROOT } from './proc';
import { withSection } from '../lib/benchmark-sections';
import { commandLine, defineCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';

const E2E = 'tests/tools/sandbox/e2e.test.ts';
/** A busy process ends by itself after this long, however this one ends. */
const HOG_LIMIT_MS_PER_RUN = 30 * 60_000;
// A CPU-bound loop with its own deadline (argv[1], in ms).
const HOG = 'const end = Date.now() + Number(process.argv[1]); while (Date.now() < end) {}';

interface Options {
  readonly hogs: number;
  readonly runs: number;
  readonly write: boolean;
}

const BENCH_LOAD_COMMAND = defineCommand({
  usage: 'npm run bench:load -- [options]',
  summary:
    'Runs the end-to-end suite several times in a row while busy processes keep the cores occupied, prints each run, ' +
    'and writes its section of BENCHMARKS.md.',
  options: {
    hogs: { type: 'string', default: String(cpus().length), valueName: '<n>', description: 'Busy processes; default: one per core.' },
    runs: { type: 'string', default: '3', valueName: '<k>', description: 'Runs of the suite.' },
    'no-write': { type: 'boolean', default: false, description: 'Leave BENCHMARKS.md as it is.' },
  },
});

function parseLoadArgs(argv: readonly string[]): Options {
  const { values } = commandLine('bench:load', BENCH_LOAD_COMMAND, argv);
  const count = (flag: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} takes a whole number, got ${raw}`);
    return n;
  };
  return { hogs: count('hogs', values.hogs), runs: Math.max(1, count('runs', values.runs)), write: !values['no-write'] };
}

/** What the emulator's request trace says about one run. */
interface TraceFigures {
  readonly requests: number;
  /** Requests that were a second or later attempt of an SDK call (amz-sdk-request: attempt=N, N > 1). */
  readonly resent: number;
  /** Of those, answered with the answer an earlier attempt got (sdk-retry-replay). */
  readonly replayed: number;
}

interface TraceRecord {
  readonly attempt?: string | null;
  readonly status?: string | null;
  readonly replayed?: boolean;
}

/** Counts from every trace-<port>.jsonl in `dir` (one per emulator the run started). */
function readTraces(dir: string): TraceFigures {
  const records: TraceRecord[] = readdirSync(dir)
    .filter((f) => /^trace-\d+\.jsonl$/.test(f))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as TraceRecord)
    .filter((r) => r.status !== undefined);
  return {
    requests: records.length,
    resent: records.filter((r) => r.attempt && !/^attempt=1\b/.test(r.attempt)).length,
    replayed: records.filter((r) => r.replayed === true).length,
  };
}

interface RunResult {
  readonly vitest: VitestRun;
  readonly load: number;
  readonly trace: TraceFigures;
}

function startHogs(count: number, limitMs: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', HOG, String(limitMs)], { stdio: 'ignore' }));
}

async function runOnce(traceDir: string): Promise<RunResult> {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(loadavg()[0] ?? 0), 10_000);
  try {
    const result = await run(vitestBin(ROOT), ['run', E2E], { cwd: ROOT, env: { ...process.env, WEB_TIER_EMULATOR_TRACE: traceDir } });
    const load = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : (loadavg()[0] ?? 0);
    return { vitest: vitestRun(result.ms / 1000, result.code, result.output), load, trace: readTraces(traceDir) };
  } finally {
    clearInterval(sampler);
  }
}

const seconds = (s: number) => `${s.toFixed(0)} s`;

function runLine(index: number, total: number, r: RunResult): string {
  const outcome = r.vitest.status === 0 ? 'passed' : `FAILED (exit ${r.vitest.status})`;
  return (
    `run ${index}/${total}: ${outcome} in ${seconds(r.vitest.seconds)} (${r.vitest.tests}); load average ${r.load.toFixed(1)}; ` +
    `${r.trace.requests} requests, ${r.trace.resent} sent again by an SDK, ${r.trace.replayed} answered with the first attempt's answer`
  );
}

function renderSection(options: Options, results: readonly RunResult[], started: Date): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const passed = results.filter((r) => r.vitest.status === 0).length;
  return [
    '## End-to-end suite under CPU load',
    '',
    `Measured by \`npm run bench:load\` (\`tools/bench/load.ts\`) on ${cpus().length} cores (${cpu}), Node ${process.version}, ${started.toISOString()}: ` +
      `${options.hogs} busy-loop processes kept the cores busy while \`vitest run ${E2E}\` ran ${options.runs} times in a row ` +
      '(state backend, dev and prod applied into moto, read back, planned again, dev\'s state-safety runs, all destroyed, nothing left). ' +
      'Load average is the 1-minute figure sampled every 10 s during the run; other work on the machine adds to it. ' +
      'The last three columns come from the emulator\'s request trace: a request "sent again" is a second or later attempt of one SDK call ' +
      '(same `amz-sdk-invocation-id`), and "answered again" counts those the emulator answered with the answer the call had already got ' +
      '(`sdk-retry-replay` in the emulator gaps of docs/sandbox.md) instead of acting twice.',
    '',
    '| run | result | tests | wall time | load average | requests | sent again | answered again |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${r.vitest.status === 0 ? 'passed' : `**failed** (exit ${r.vitest.status})`} | ${r.vitest.tests} | ${seconds(r.vitest.seconds)} | ${r.load.toFixed(1)} | ${r.trace.requests} | ${r.trace.resent} | ${r.trace.replayed} |`,
    ),
    '',
    `${passed} of ${results.length} runs passed.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = parseLoadArgs(process.argv.slice(2));
  const started = new Date();
  process.stdout.write(`bench:load: ${options.hogs} busy processes on ${cpus().length} cores, ${options.runs} runs of vitest run ${E2E}\n`);
  const hogs = startHogs(options.hogs, options.runs * HOG_LIMIT_MS_PER_RUN);
  const stopHogs = () => hogs.forEach((hog) => hog.kill('SIGKILL'));
  const unregister = onCleanup(stopHogs, 'stopping the busy processes');
  const scratch = mkdtempSync(join(tmpdir(), 'bench-load-'));
  const results: RunResult[] = [];
  try {
    for (let i = 1; i <= options.runs; i++) {
      const traceDir = join(scratch, `run-${i}`);
      const result = await runOnce(traceDir);
      results.push(result);
      process.stdout.write(`${runLine(i, options.runs, result)}\n`);
      if (result.vitest.status !== 0) process.stdout.write(`${result.vitest.tail}\n`);
    }
  } finally {
    unregister();
    stopHogs();
    rmSync(scratch, { recursive: true, force: true });
  }
  const section = renderSection(options, results, started);
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    const file = join(ROOT, 'BENCHMARKS.md');
    writeFileSync(file, withSection(existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n', 'bench:load', section));
    process.stdout.write(`\nwrote its section of ${file}\n`);
  }
  if (results.some((r) => r.vitest.status !== 0)) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  await runCleanup();
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
