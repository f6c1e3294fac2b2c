/**
 * `npm run bench`: synth time and memory against a floor and a barrel
 * variant, scaling with the number of environments, and test-suite wall time
 * by layer — all measured in one run on this machine, written to
 * BENCHMARKS.md (full runs only) and printed.
 *
 *   BENCH_RUNS=7 npm run bench            full run (~8–10 min with the emulator layers)
 *   npm run bench -- --skip-e2e           no emulator end-to-end layer (report not written to BENCHMARKS.md)
 *   npm run bench -- --quick              3 runs, no test layers (report not written to BENCHMARKS.md)
 *   npm run bench -- --profile            profile even when every target is met
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import dev from '../../environments/dev';
import { applyCandidate, CANDIDATES } from './candidates';
import { generateEnvironments, writeEnvironments } from './envgen';
import { layers, runVitest, testFiles, type VitestRun } from './layers';
import { cdktfSynthEnv, readCdktfJson, ROOT, synthOnce, withNodeFlags, type Program } from './proc';
import { loadProfile, summarizeProfile, type ProfileSummary } from './profile';
import { renderReport, type CandidateResult, type Report, type TestLayerResult } from './report';
import { scanProviderUsage } from './scan';
import { keepSections } from '../lib/benchmark-sections';
import { fitLinear, segmentSlopes, summarize, type Summary } from './stats';
import { compareStacks, copyApp, stackFiles, verifyBarrelAtRuntime, writeBarrelCopy, writeFloor } from './variants';
import { commandLine, defineCommand } from '../lib/cli';

const BENCH_COMMAND = defineCommand({
  usage: 'npm run bench -- [options]',
  summary:
    'Measures synth against a floor and the barrel import, 1 to 50 generated environments, every test layer, peak memory and CPU profiles, ' +
    'and writes BENCHMARKS.md. BENCH_RUNS sets the runs per figure (default 7, 3 with --quick).',
  options: {
    quick: { type: 'boolean', default: false, description: 'Fewer runs per figure.' },
    'skip-e2e': { type: 'boolean', default: false, description: 'Leave the end-to-end layer out.' },
    profile: { type: 'boolean', default: false, description: 'Profile synth even in a quick run.' },
  },
});

const { values: flags } = commandLine('bench', BENCH_COMMAND, process.argv.slice(2));
const QUICK = flags.quick;
const SKIP_E2E = flags['skip-e2e'];
const FORCE_PROFILE = flags.profile;
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 7));
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_RUNS must be a positive integer, got ${process.env.BENCH_RUNS}`);
const MEM_RUNS = Math.min(RUNS, 3);
const SCALES = [1, 4, 20, 50] as const;
const runsAt = (n: number) => (n >= 50 ? Math.max(2, Math.ceil(RUNS / 2)) : RUNS);
const TEST_RUNS = Number(process.env.BENCH_TEST_RUNS ?? 3);

const TARGET_RATIO = 1.5;
const TARGET_50 = 5;

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

function machine(): Report['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  return { cores: cpus().length, cpu: model, node: process.version, date: new Date().toISOString(), runs: RUNS };
}

/** The app command from cdktf.json, and the same runner pointed at another script. */
function appCommand(): { command: string; script: string; runner: (script: string) => string } {
  const command = readCdktfJson().app;
  const m = /^(node\s.*?)(\S+\.ts)$/.exec(command);
  if (!m) throw new Error(`cdktf.json app "${command}" is not "node … <script>.ts"; the floor needs the same runner`);
  return { command, script: m[2]!, runner: (script) => `${m[1]}${script}` };
}

function main(): void {
  const started = Date.now();
  const info = machine();
  log(`bench: ${info.cores} cores (${info.cpu}), Node ${info.node}, BENCH_RUNS=${RUNS}${QUICK ? ', --quick' : ''}${SKIP_E2E ? ', --skip-e2e' : ''}`);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const report = measureAll(scratch, info);
    const markdown = renderReport(report);
    log(`\n${markdown}`);
    const full = !QUICK && !SKIP_E2E;
    const target = full ? join(ROOT, 'BENCHMARKS.md') : join(tmpdir(), 'BENCHMARKS.partial.md');
    // Sections other commands wrote (npm run bench:load) stay: this run does not measure them.
    writeFileSync(target, existsSync(target) ? keepSections(markdown, readFileSync(target, 'utf8')) : markdown);
    log(`\n${full ? 'wrote' : 'partial run: wrote (not BENCHMARKS.md)'} ${target} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function measureAll(scratch: string, info: Report['machine']): Report {
  const app = appCommand();
  // --- programs -----------------------------------------------------------
  const usage = scanProviderUsage(ROOT);
  const classCount = [...usage.classes.values()].reduce((n, c) => n + c.length, 0);
  log(`scan: ${usage.files.length} app source files import ${classCount} provider classes from ${usage.classes.size} modules`);
  const floorFile = writeFloor(join(scratch, 'floor'), ROOT, usage);
  const barrel = writeBarrelCopy(join(scratch, 'barrel'), ROOT);
  verifyBarrelAtRuntime(ROOT, usage);
  log(`barrel: rewrote ${barrel.files} files (${barrel.modules.length} namespaces, all present in the barrel at runtime)`);

  const real: Program = { label: 'real app', cwd: ROOT, command: app.command };
  const floor: Program = { label: 'floor', cwd: join(scratch, 'floor'), command: app.runner(floorFile) };
  const barrelApp: Program = { label: 'barrel', cwd: join(scratch, 'barrel'), command: app.command };

  // First runs: warm tsx's transform cache for every program and check them.
  let realStacks = new Map<string, Buffer>();
  let barrelStacks = new Map<string, Buffer>();
  synthOnce(real, { keep: (out) => (realStacks = stackFiles(out)) });
  synthOnce(barrelApp, { keep: (out) => (barrelStacks = stackFiles(out)) });
  synthOnce(floor);
  const identical = compareStacks(realStacks, barrelStacks);
  if (identical.length > 0) throw new Error(`the barrel variant synthesizes different stacks:\n  ${identical.join('\n  ')}`);
  log(`check: barrel variant writes byte-identical cdk.tf.json for ${realStacks.size} stacks (${[...realStacks.keys()].join(', ')})`);

  // --- synth, interleaved -------------------------------------------------
  const programs = [real, floor, barrelApp];
  const samples = new Map<string, number[]>(programs.map((p) => [p.label, []]));
  for (let round = 0; round < RUNS; round++) {
    const line = programs.map((p) => {
      const s = synthOnce(p).seconds;
      samples.get(p.label)!.push(s);
      return `${p.label} ${s.toFixed(3)}`;
    });
    log(`synth ${round + 1}/${RUNS}: ${line.join(', ')}`);
  }
  const mem = new Map<string, number[]>(programs.map((p) => [p.label, []]));
  for (let round = 0; round < MEM_RUNS; round++) {
    for (const p of programs) mem.get(p.label)!.push(synthOnce(p, { maxRss: true }).maxRssMiB!);
  }
  log(`memory: ${programs.map((p) => `${p.label} ${summarize(mem.get(p.label)!).median.toFixed(0)} MiB`).join(', ')}`);
  const sum = (label: string) => summarize(samples.get(label)!);
  const paired = (a: string, b: string) => summarize(samples.get(a)!.map((x, i) => x / samples.get(b)![i]!));

  // --- scaling ------------------------------------------------------------
  const envDirs = new Map<number, string>();
  for (const n of SCALES) {
    const dir = join(scratch, 'environments', String(n));
    writeEnvironments(dir, generateEnvironments(dev, n));
    envDirs.set(n, dir);
    // Validation: the app accepts them and writes one stack each (plus the state backend).
    let stacks = 0;
    synthOnce({ label: `${n} environments`, cwd: ROOT, command: app.command, env: { ENVIRONMENTS_DIR: dir } }, {
      keep: (out) => (stacks = readdirSync(join(out, 'stacks')).length),
    });
    if (stacks !== n + 1) throw new Error(`${n} generated environments gave ${stacks} stacks, expected ${n + 1}`);
  }
  log(`scaling: generated ${SCALES.join(', ')} environments; the app accepts each set`);
  const scale = new Map<number, number[]>(SCALES.map((n) => [n, []]));
  for (let round = 0; round < RUNS; round++) {
    const line: string[] = [];
    for (const n of SCALES) {
      if (round >= runsAt(n)) continue;
      const s = synthOnce({ label: `${n} environments`, cwd: ROOT, command: app.command, env: { ENVIRONMENTS_DIR: envDirs.get(n)! } }).seconds;
      scale.get(n)!.push(s);
      line.push(`${n}: ${s.toFixed(2)}`);
    }
    log(`scaling ${round + 1}/${RUNS}: ${line.join(', ')}`);
  }
  const scaling = SCALES.map((n) => ({ environments: n, stacks: n + 1, time: summarize(scale.get(n)!) }));
  const points = scaling.map((s) => [s.environments, s.time.median] as const);
  const fit = fitLinear(points);
  const slopes = segmentSlopes(points);

  // --- targets, profiles, candidates --------------------------------------
  const ratio = sum('real app').median / sum('floor').median;
  const at50 = scaling.find((s) => s.environments === 50)!.time.median;
  const ratioMet = ratio <= TARGET_RATIO;
  const scaleMet = at50 < TARGET_50;
  const profiles: { title: string; summary: ProfileSummary }[] = [];
  if (!ratioMet || FORCE_PROFILE) profiles.push(profileRun(scratch, real, 'real app, all stacks'), profileRun(scratch, floor, 'floor'));
  if (!scaleMet || FORCE_PROFILE) profiles.push(profileRun(scratch, { ...real, label: '50 environments', env: { ENVIRONMENTS_DIR: envDirs.get(50)! } }, 'real app, 50 environments'));
  const candidates = !ratioMet || FORCE_PROFILE ? withoutNewBundleIndexes(() => measureCandidates(scratch, real, floor, realStacks)) : [];

  // --- test layers --------------------------------------------------------
  const tests: TestLayerResult[] = [];
  if (!QUICK) {
    const all = layers(testFiles(ROOT)).filter((l) => !(SKIP_E2E && l.id === 'e2e'));
    const runs = new Map<string, VitestRun[]>(all.map((l) => [l.id, []]));
    const runsFor = (id: string) => (id === 'unit' || id === 'terraform' ? TEST_RUNS : 1);
    for (let round = 0; round < Math.max(...all.map((l) => runsFor(l.id))); round++) {
      for (const layer of all) {
        if (round >= runsFor(layer.id) || layer.files.length === 0) continue;
        const run = runVitest(ROOT, layer.files);
        runs.get(layer.id)!.push(run);
        log(`tests ${layer.id} ${round + 1}/${runsFor(layer.id)}: ${run.seconds.toFixed(1)} s, exit ${run.status}, ${run.tests}`);
        if (run.status !== 0) log(run.tail);
      }
    }
    for (const layer of all) {
      const r = runs.get(layer.id)!;
      if (r.length === 0) continue;
      tests.push({ layer, time: summarize(r.map((x) => x.seconds)), failures: r.filter((x) => x.status !== 0).length, tests: r[r.length - 1]!.tests });
    }
  }

  return {
    machine: info,
    command: 'npm run bench',
    partial: QUICK || SKIP_E2E ? [QUICK ? '--quick' : '', SKIP_E2E ? '--skip-e2e' : ''].filter(Boolean).join(' ') : undefined,
    appCommand: app.command,
    env: Object.keys(cdktfSynthEnv('<outdir>')).filter((k) => /^(CDKTF_|SYNTH_|NODE_OPTIONS$)/.test(k)).sort().map((k) => `${k}=${cdktfSynthEnv('<outdir>')[k]}`),
    usage: { files: usage.files.length, modules: usage.classes.size, classes: classCount },
    barrel: { files: barrel.files, namespaces: barrel.modules.length, stacks: [...realStacks.keys()], resources: countResources(realStacks) },
    synth: { real: sum('real app'), floor: sum('floor'), barrel: sum('barrel') },
    ratios: { realOverFloor: paired('real app', 'floor'), barrelOverReal: paired('barrel', 'real app') },
    memory: { real: summarize(mem.get('real app')!), floor: summarize(mem.get('floor')!), barrel: summarize(mem.get('barrel')!) },
    scaling,
    fit,
    slopes,
    targets: {
      ratio: { target: TARGET_RATIO, measured: ratio, met: ratioMet },
      fifty: { target: TARGET_50, measured: at50, met: scaleMet },
    },
    profiles,
    candidates,
    tests,
    testRuns: TEST_RUNS,
  };
}

/** The bundle-cache candidate records its index in $TMPDIR/web-tier-lambda; remove the ones this run added. */
function withoutNewBundleIndexes<T>(fn: () => T): T {
  const dir = join(tmpdir(), 'web-tier-lambda');
  const list = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []);
  const before = new Set(list());
  try {
    return fn();
  } finally {
    for (const f of list()) if (!before.has(f)) rmSync(join(dir, f), { force: true });
  }
}

function countResources(stacks: Map<string, Buffer>): number {
  let n = 0;
  for (const json of stacks.values()) {
    const parsed = JSON.parse(json.toString('utf8')) as { resource?: Record<string, Record<string, unknown>>; data?: Record<string, Record<string, unknown>> };
    for (const byId of [...Object.values(parsed.resource ?? {}), ...Object.values(parsed.data ?? {})]) n += Object.keys(byId).length;
  }
  return n;
}

/** Profiles `program` three times and keeps the run with the median sampled time (one run can be hit by noise). */
function profileRun(scratch: string, program: Program, title: string): { title: string; summary: ProfileSummary } {
  const summaries: ProfileSummary[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = join(scratch, 'profiles', `${title.replace(/\W+/g, '-')}-${i}`);
    mkdirSync(dir, { recursive: true });
    synthOnce({ ...program, command: withNodeFlags(program.command, `--cpu-prof --cpu-prof-interval 250 --cpu-prof-dir=${JSON.stringify(dir)}`) });
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written for ${title}`);
    summaries.push(summarizeProfile(loadProfile(join(dir, file)), program.cwd));
  }
  summaries.sort((a, b) => a.totalMs - b.totalMs);
  const chosen = summaries[1]!;
  log(`profiled ${title}: ${summaries.map((x) => x.totalMs.toFixed(0)).join(', ')} ms sampled; using ${chosen.totalMs.toFixed(0)}`);
  return { title, summary: chosen };
}

/** Each candidate in its own scratch copy, checked for identical output, timed interleaved with the real app. */
function measureCandidates(scratch: string, real: Program, floor: Program, realStacks: Map<string, Buffer>): CandidateResult[] {
  const prepared: { candidate: (typeof CANDIDATES)[number]; program?: Program; problem?: string }[] = CANDIDATES.map((candidate) => {
    const dir = join(scratch, 'candidates', candidate.id);
    copyApp(dir, ROOT);
    const problems = applyCandidate(dir, candidate);
    if (problems.length > 0) return { candidate, problem: `no longer applies: ${problems.join('; ')}` };
    const program: Program = { label: candidate.id, cwd: dir, command: real.command };
    let stacks = new Map<string, Buffer>();
    synthOnce(program, { keep: (out) => (stacks = stackFiles(out)) });
    const diff = compareStacks(realStacks, stacks);
    if (diff.length > 0) return { candidate, problem: `changes the output: ${diff.join('; ')}` };
    return { candidate, program };
  });
  const live = prepared.filter((p) => p.program);
  const base: number[] = [];
  const floors: number[] = [];
  const times = new Map<string, number[]>(live.map((p) => [p.candidate.id, []]));
  for (let round = 0; round < RUNS; round++) {
    base.push(synthOnce(real).seconds);
    floors.push(synthOnce(floor).seconds);
    for (const p of live) times.get(p.candidate.id)!.push(synthOnce(p.program!).seconds);
    log(`candidates ${round + 1}/${RUNS}: real ${base[round]!.toFixed(3)}, floor ${floors[round]!.toFixed(3)}, ${live.map((p) => `${p.candidate.id} ${times.get(p.candidate.id)![round]!.toFixed(3)}`).join(', ')}`);
  }
  const baseline: Summary = summarize(base);
  return prepared.map((p) => {
    if (!p.program) return { candidate: p.candidate, problem: p.problem };
    const t = times.get(p.candidate.id)!;
    return {
      candidate: p.candidate,
      baseline,
      time: summarize(t),
      saving: summarize(t.map((x, i) => base[i]! - x)),
      overFloor: summarize(t.map((x, i) => x / floors[i]!)),
    };
  });
}

main();
