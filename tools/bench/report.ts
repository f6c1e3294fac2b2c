/** Renders the benchmark's results as BENCHMARKS.md. */
import { APPLIED, type Candidate } from './candidates';
import type { Layer } from './layers';
import { profileMarkdown, type ProfileSummary } from './profile';
import type { LinearFit, Summary } from './stats';

export interface TestLayerResult {
  readonly layer: Layer;
  readonly time: Summary;
  readonly failures: number;
  readonly tests: string;
}

export interface CandidateResult {
  readonly candidate: Candidate;
  readonly problem?: string;
  readonly baseline?: Summary;
  readonly time?: Summary;
  /** Real minus candidate, paired by round. */
  readonly saving?: Summary;
  /** Candidate over floor, paired by round. */
  readonly overFloor?: Summary;
}

export interface Report {
  readonly machine: { cores: number; cpu: string; node: string; date: string; runs: number };
  readonly command: string;
  readonly partial?: string;
  readonly appCommand: string;
  readonly env: readonly string[];
  readonly usage: { files: number; modules: number; classes: number };
  readonly barrel: { files: number; namespaces: number; stacks: readonly string[]; resources: number };
  readonly synth: { real: Summary; floor: Summary; barrel: Summary };
  readonly ratios: { realOverFloor: Summary; barrelOverReal: Summary };
  readonly memory: { real: Summary; floor: Summary; barrel: Summary };
  readonly scaling: readonly { environments: number; stacks: number; time: Summary }[];
  readonly fit: LinearFit;
  readonly slopes: readonly { from: number; to: number; slope: number }[];
  readonly targets: {
    ratio: { target: number; measured: number; met: boolean };
    fifty: { target: number; measured: number; met: boolean };
  };
  readonly profiles: readonly { title: string; summary: ProfileSummary }[];
  readonly candidates: readonly CandidateResult[];
  readonly tests: readonly TestLayerResult[];
  readonly testRuns: number;
}

const s = (x: number, d = 2) => x.toFixed(d);
/** Text safe inside a markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const spread = (x: Summary, d = 2, unit = ' s') => `${s(x.median, d)}${unit} (${s(x.min, d)}–${s(x.max, d)})`;
const ratio = (x: Summary) => `${s(x.median)}× (${s(x.min)}–${s(x.max)})`;
const yes = (met: boolean) => (met ? '**met**' : '**missed**');

/**
 * Is time linear in N, given the noise? Yes when R² ≥ 0.99 and at every N
 * the fitted line passes within the runs' min–max or within 5 % of the
 * median (a few runs can have a narrow spread by chance): no point departs
 * from the line by more than the runs vary. Segment slopes are reported too;
 * slopes that keep rising would mean superlinear growth.
 */
export function linearVerdict(
  fit: LinearFit,
  points: readonly { x: number; time: Summary }[],
  slopes: readonly { from: number; to: number; slope: number }[],
): { linear: boolean; why: string } {
  const outside = points.filter(({ x, time }) => {
    const fitted = fit.a + fit.b * x;
    return (fitted < time.min || fitted > time.max) && Math.abs(fitted - time.median) > 0.05 * time.median;
  });
  const linear = fit.r2 >= 0.99 && outside.length === 0;
  const slopeText = slopes.map((x) => `${x.from}→${x.to}: ${(x.slope * 1000).toFixed(0)} ms`).join(', ');
  return {
    linear,
    why:
      `R² = ${fit.r2.toFixed(4)}; the line ${outside.length === 0 ? 'passes within the runs\' min–max (or 5 % of the median) at every N' : `misses the runs' min–max and 5 % of the median at N = ${outside.map((o) => o.x).join(', ')}`}; ` +
      `slopes between successive N: ${slopeText} per environment`,
  };
}

function share(summary: ProfileSummary, match: (key: string) => boolean, rows: 'byActivity' | 'byPhase' = 'byActivity'): number {
  return summary[rows].filter((r) => match(r.key)).reduce((t, r) => t + r.ms, 0);
}

/** A few sentences on where the real app's time goes, from its profile and the floor's. */
export function whereTimeGoes(real: ProfileSummary, floor: ProfileSummary | undefined): string[] {
  const pct = (ms: number) => `${((ms / real.totalMs) * 100).toFixed(0)} %`;
  const loading = share(real, (k) => k.startsWith('outside '), 'byPhase');
  const build = share(real, (k) => k.startsWith('buildStacks'), 'byPhase');
  const synth = share(real, (k) => k.startsWith('synth '), 'byPhase');
  const validate = share(real, (k) => k.startsWith('validateEnvironments') || k.startsWith('readEnvironmentSources'), 'byPhase');
  const gc = share(real, (k) => k.startsWith('garbage'));
  const traces = share(real, (k) => k.includes('captureStackTrace'));
  const maps = share(real, (k) => k.startsWith('source maps'));
  const cdktfRun = share(real, (k) => k === 'run: cdktf');
  const esbuild = share(real, (k) => k === 'run: esbuild' || k === 'load: esbuild');
  const zod = share(real, (k) => k === 'run: zod' || k === 'load: zod');
  const lines = [
    `Of ${s(real.totalMs, 0)} ms sampled in the real app: startup and module loading ${s(loading, 0)} ms (${pct(loading)})${floor ? ` — the floor, which is nothing but that loading, samples ${s(floor.totalMs, 0)} ms` : ''}; ` +
      `building the constructs (buildStacks) ${s(build, 0)} ms (${pct(build)}); cdktf's synth, including the security pack's own pass over every stack, ${s(synth, 0)} ms (${pct(synth)}); ` +
      `reading and validating the environments ${s(validate, 0)} ms (${pct(validate)}); garbage collection ${s(gc, 0)} ms (${pct(gc)}).`,
    `Across phases: cdktf recording a full stack trace for every token it creates, with every frame source-mapped because tsx turns Node's source maps on, takes ${s(traces, 0)} ms (${pct(traces)}); ` +
      `Node parsing inline source maps of the files it loads ${s(maps, 0)} ms (${pct(maps)}); cdktf's own code (token resolution, mostly) ${s(cdktfRun, 0)} ms (${pct(cdktfRun)}); ` +
      `zod (validation) ${s(zod, 0)} ms; esbuild bundling the Spot handler ${s(esbuild, 0)} ms of this process's CPU (plus its own Go process).`,
  ];
  return lines;
}

export function renderReport(r: Report): string {
  const m = r.machine;
  const verdict = linearVerdict(r.fit, r.scaling.map((x) => ({ x: x.environments, time: x.time })), r.slopes);
  const out: string[] = [];
  out.push('# Benchmarks', '');
  if (r.partial) out.push(`> Partial run (${r.partial}): not the committed figures.`, '');
  out.push(
    `Measured by \`${r.command}\` (\`tools/bench/run.ts\`) in one run on ${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.date}, \`BENCH_RUNS=${m.runs}\`. ` +
      'Times are wall-clock medians with the spread (min–max) of the runs. Regenerate with `npm run bench` (a full run writes this file).',
    '',
    '## Targets',
    '',
    '| target | measured | |',
    '|---|---|---|',
    `| synth of all real stacks within ${r.targets.ratio.target}× the floor | ${s(r.targets.ratio.measured)}× (median real / median floor) | ${yes(r.targets.ratio.met)} |`,
    `| 50 environments in under ${r.targets.fifty.target} s | ${s(r.targets.fifty.measured)} s | ${yes(r.targets.fifty.met)} |`,
    '',
    '## Synth, all real stacks',
    '',
    `Each program runs as \`cdktf synth\` runs the app: \`${r.appCommand}\` through a shell, a fresh process per run, with the environment cdktf-cli 0.21 passes ` +
      `(${r.env.map((e) => `\`${e}\``).join(', ')}; TF_VAR_* removed). The three programs are interleaved run by run. ` +
      `Stacks: ${r.barrel.stacks.join(', ')} (${r.barrel.resources} resources and data sources in all).`,
    '',
    '| program | what it is | time | peak RSS (MiB) |',
    '|---|---|---|---|',
    `| real app | \`main.ts\` as committed | ${spread(r.synth.real)} | ${spread(r.memory.real, 0, '')} |`,
    `| floor | a generated program, same runner, that only loads \`cdktf\` and the ${r.usage.classes} provider classes (${r.usage.modules} \`@cdktf/provider-aws/lib/*\` modules) that the app's ${r.usage.files} source files import | ${spread(r.synth.floor)} | ${spread(r.memory.floor, 0, '')} |`,
    `| barrel | the app with its ${r.barrel.files} files' provider imports rewritten to the \`@cdktf/provider-aws\` barrel (${r.barrel.namespaces} namespaces); writes byte-identical cdk.tf.json | ${spread(r.synth.barrel)} | ${spread(r.memory.barrel, 0, '')} |`,
    '',
    `- real / floor: ${ratio(r.ratios.realOverFloor)} (paired by round; ratio of medians ${s(r.synth.real.median / r.synth.floor.median)}×)`,
    `- barrel / real: ${ratio(r.ratios.barrelOverReal)} (paired by round; ratio of medians ${s(r.synth.barrel.median / r.synth.real.median)}×)`,
    `- Peak RSS is the node process's \`process.resourceUsage().maxRSS\` at exit (a \`--require\` preload, in ${r.memory.real.runs} separate runs per program); esbuild's own process is not included.`,
    '',
    '## Scaling with the number of environments',
    '',
    'Generated environments (tools/bench/envgen.ts) with the dev environment\'s shape, each with its own name, `10.<i>.0.0/16` VPC and DNS zone, pointed at by `ENVIRONMENTS_DIR`; ' +
      'each set was first run once to check the app accepts it (exit 0, one stack per environment plus the state backend).',
    '',
    '| environments | stacks | time | runs |',
    '|---:|---:|---|---:|',
    ...r.scaling.map((x) => `| ${x.environments} | ${x.stacks} | ${spread(x.time)} | ${x.time.runs} |`),
    '',
    `Least-squares fit on the medians, time = a + b·N: **a = ${s(r.fit.a, 3)} s, b = ${s(r.fit.b, 4)} s per environment, R² = ${r.fit.r2.toFixed(4)}**. ` +
      `${verdict.linear ? 'Linear' : 'Not linear'}: ${verdict.why}.`,
    '',
  );
  out.push('## Test suite by layer', '');
  if (r.tests.length === 0) out.push('Not measured in this run.', '');
  else {
    out.push(
      `Each layer timed as one whole \`vitest run <files>\` (vitest.config.mts: forks, 2 workers). Unit and offline terraform: ${r.testRuns} runs each, interleaved; the emulator layers: 1 run each.`,
      '',
      'Layers go by what a file needs and how long it takes: `terraform-harness.test.ts` is with the offline terraform layer because its mirror-discovery test needs the real provider mirror; ' +
        '`sandbox.test.ts` starts the emulator (moto), so it is a layer of its own rather than a unit test. `--skip-e2e` leaves out only the end-to-end layer.',
      '',
      '| layer | files | tests | time | runs | result |',
      '|---|---|---|---|---:|---|',
      ...r.tests.map(
        (t) =>
          `| ${t.layer.label} | ${t.layer.files.map((f) => `\`${f.replace('tests/', '')}\``).join(', ')} | ${cell(t.tests)} | ${spread(t.time, 1)} | ${t.time.runs} | ${t.failures ? `**${t.failures} of ${t.time.runs} run(s) failed**` : 'passed'} |`,
      ),
      '',
    );
  }
  const realProfile = r.profiles.find((p) => p.title.startsWith('real app, all'));
  const floorProfile = r.profiles.find((p) => p.title === 'floor');
  if (r.profiles.length > 0) {
    out.push(
      '## Where the time goes',
      '',
      'From `node --cpu-prof` (250 µs sampling) of each program, the run with the median sampled time of three, summarized by `tools/bench/profile.ts` ' +
        '(`node --require tsx/cjs tools/bench/profile.ts <file.cpuprofile>` reproduces these tables). Phases are the functions `main()` in main.ts calls; ' +
        'activities attribute each sample to what was running: a package loading (inside a `require()` from project code), project or package code running, GC.',
      '',
    );
    if (realProfile) out.push(...whereTimeGoes(realProfile.summary, floorProfile?.summary).map((l) => `${l}`), '');
    if (APPLIED.length > 0) {
      out.push('### Changes made after profiling', '', ...APPLIED.map((a) => `- **${a.candidate.title}** (measured: ${a.measured}). ${a.candidate.change}`), '');
    }
    if (r.candidates.length > 0) {
      out.push(
        '### Proposed changes, measured',
        '',
        'Each change applied to a scratch copy of the app (tools/bench/candidates.ts), checked to write byte-identical stacks, and timed interleaved with the real app and the floor.',
        '',
        '| change | real | with the change | saving (paired) | with the change / floor |',
        '|---|---|---|---|---|',
        ...r.candidates.map((c) =>
          c.problem
            ? `| ${c.candidate.title} | — | ${cell(c.problem)} | — | — |`
            : `| ${c.candidate.title} | ${spread(c.baseline!, 3)} | ${spread(c.time!, 3)} | ${spread(c.saving!, 3)} | ${ratio(c.overFloor!)} |`,
        ),
        '',
        ...r.candidates.map((c) => `- **${c.candidate.title}.** ${c.candidate.change}`),
        '',
      );
      const measured = r.candidates.filter((c) => c.overFloor);
      if (measured.length > 0) {
        const best = measured.reduce((a, b) => (b.overFloor!.median < a.overFloor!.median ? b : a));
        const reaches = best.overFloor!.median <= r.targets.ratio.target;
        out.push(
          `Best measured: ${best.candidate.title} — ${s(best.overFloor!.median)}× the floor, which ${reaches ? 'meets' : 'still misses'} the ${r.targets.ratio.target}× target.` +
            (reaches
              ? ''
              : ' What remains above the floor is mostly cdktf\'s own work of constructing and resolving the stacks (buildStacks and synth above), which grows with the number of resources.'),
          '',
        );
      }
    }
    for (const p of r.profiles) out.push(profileMarkdown(p.summary, `Profile: ${p.title}`, 12), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
