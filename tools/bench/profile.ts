/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package
 * and by file, and an attribution of every sample to what the app was doing —
 * loading a package (inside a require() made by project code), compiling
 * project TypeScript, running a package's code, or running project code.
 *
 *   node --require tsx/cjs tools/bench/profile.ts <file.cpuprofile> [--root <dir>] [--top 15]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, defineCommand } from '../lib/cli';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Row {
  readonly key: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly byPackage: readonly Row[];
  readonly byFile: readonly Row[];
  readonly byActivity: readonly Row[];
  /** Time under each function called directly by the `phases` function (e.g. main() in main.ts); the rest is startup and module loading. */
  readonly byPhase: readonly Row[];
}

/** The function whose direct callees are the phases, e.g. `{ file: 'main.ts', functionName: 'main' }`. */
export interface PhaseRoot {
  readonly file: string;
  readonly functionName: string;
}

function pathOf(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url;
}

/** What a frame belongs to: a package, `node:internal`, a project file, or a V8 pseudo-frame. */
export function ownerOf(frame: CallFrame, root: string): { kind: 'package' | 'project' | 'node' | 'v8' | 'native'; name: string; file: string } {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return { kind: 'v8', name: functionName, file: functionName };
    return { kind: 'native', name: '(native)', file: `(native) ${functionName}` };
  }
  if (url.startsWith('node:')) return { kind: 'node', name: 'node (internal)', file: url };
  const path = pathOf(url);
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { kind: 'package', name: pkg, file: `${pkg}/${rest.slice(pkg.split('/').length).join('/')}` };
  }
  const rel = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
  return { kind: 'project', name: `(project) ${rel.split('/')[0]}`, file: rel };
}

/** Sample durations in µs, as DevTools computes them: each sample lasts until the next. */
function sampleDurations(profile: CpuProfile): number[] {
  const { samples, timeDeltas, endTime } = profile;
  const stamps: number[] = [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0;
    stamps.push(t);
  }
  return samples.map((_, i) => Math.max(0, (i + 1 < stamps.length ? stamps[i + 1]! : endTime) - stamps[i]!));
}

const LOADER = /^node:internal\/modules\//;
const SOURCE_MAP = /^node:internal\/source_map\//;

/** Every row, largest first; render with profileMarkdown(summary, title, top). */
export function summarizeProfile(profile: CpuProfile, root: string, phaseRoot: PhaseRoot = { file: 'main.ts', functionName: 'main' }): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const durations = sampleDurations(profile);
  const pkg = new Map<string, number>();
  const file = new Map<string, number>();
  const activity = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const activityCache = new Map<number, string>();
  const phase = new Map<string, number>();
  const phaseCache = new Map<number, string>();
  const isPhaseRoot = (n: ProfileNode) => n.callFrame.functionName === phaseRoot.functionName && ownerOf(n.callFrame, root).file === phaseRoot.file;
  const frameLabel = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} (${ownerOf(n.callFrame, root).file})`;
  const phaseOf = (leafId: number): string => {
    const cached = phaseCache.get(leafId);
    if (cached) return cached;
    let child: ProfileNode | undefined;
    let result = `outside ${phaseRoot.functionName}(): startup and module loading`;
    for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id)!;
      if (isPhaseRoot(node)) {
        result = child ? frameLabel(child) : `${phaseRoot.functionName}() itself`;
        break;
      }
      child = node;
    }
    if (byId.get(leafId)?.callFrame.functionName === '(garbage collector)') result = 'garbage collection (any phase)';
    phaseCache.set(leafId, result);
    return result;
  };

  const activityOf = (leafId: number): string => {
    const cached = activityCache.get(leafId);
    if (cached) return cached;
    // Frames from the leaf up to the root, with their owners.
    const stack: ProfileNode[] = [];
    for (let id: number | undefined = leafId; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!);
    const owners = stack.map((n) => ownerOf(n.callFrame, root));
    const urls = stack.map((n) => n.callFrame.url);
    const leaf = owners[0]!;
    let result: string;
    if (leaf.kind === 'v8') {
      result = leaf.name === '(garbage collector)' ? 'garbage collection' : leaf.name;
    } else if (urls.some((u) => u.endsWith('/cdktf/lib/tokens/private/stack-trace.js'))) {
      // cdktf records a full stack trace for every token; with source maps on, each frame is mapped.
      result = 'cdktf captureStackTrace (incl. source-mapping the frames)';
    } else if (urls.some((u) => SOURCE_MAP.test(u))) {
      result = 'source maps (Node parsing/caching maps while loading)';
    } else {
      // The nearest project frame, and whether a require() sits between it and the leaf.
      const projectAt = owners.findIndex((o) => o.kind === 'project');
      const belowCount = projectAt < 0 ? stack.length : projectAt;
      const requireAt = urls.slice(0, belowCount).map((u) => LOADER.test(u)).lastIndexOf(true);
      if (projectAt >= 0 && requireAt >= 0) {
        // Inside a require() made by project code: the outermost package whose code runs below it is what is loading.
        const loaded = owners
          .slice(0, requireAt)
          .reverse()
          .find((o) => (o.kind === 'package' && o.name !== 'tsx') || o.kind === 'project');
        result = loaded ? `load: ${loaded.name}` : `load: module loader and tsx hook (resolve, read, transform, compile) — ${leaf.name}`;
      } else if (projectAt < 0) {
        const first = [...owners].reverse().find((o) => o.kind === 'package' || o.kind === 'project');
        result = first ? `startup: ${first.name}` : 'node startup';
      } else {
        result = `run: ${leaf.name}`;
      }
    }
    activityCache.set(leafId, result);
    return result;
  };

  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = durations[i]!;
    total += us;
    const node = byId.get(id);
    if (!node) return;
    const owner = ownerOf(node.callFrame, root);
    add(pkg, owner.name, us);
    add(file, owner.file, us);
    add(activity, activityOf(id), us);
    add(phase, phaseOf(id), us);
  });
  const rows = (m: Map<string, number>): Row[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([key, us]) => ({ key, ms: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, byPackage: rows(pkg), byFile: rows(file), byActivity: rows(activity), byPhase: rows(phase) };
}

export function loadProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

export function profileMarkdown(summary: ProfileSummary, title: string, top = 15): string {
  const table = (heading: string, rows: readonly Row[]) =>
    [`| ${heading} | self ms | share |`, '|---|---:|---:|', ...rows.slice(0, top).map((r) => `| ${r.key.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${(r.share * 100).toFixed(1)} % |`)].join('\n');
  return [
    `#### ${title} (${summary.totalMs.toFixed(0)} ms sampled)`,
    '',
    'By phase (what the process was inside):',
    '',
    table('phase', summary.byPhase),
    '',
    'By activity (each sample attributed to what the process was doing):',
    '',
    table('activity', summary.byActivity),
    '',
    table('package (self time)', summary.byPackage),
    '',
    table('file (self time)', summary.byFile),
    '',
  ].join('\n');
}

const PROFILE_COMMAND = defineCommand({
  usage: 'node --require tsx/cjs tools/bench/profile.ts <file.cpuprofile> [options]',
  summary: 'Summarizes a V8 CPU profile (node --cpu-prof) as Markdown tables: self time by phase, package and file.',
  allowPositionals: true,
  options: {
    root: { type: 'string', valueName: '<dir>', description: 'Project root that file paths are shown relative to; default: this repository.' },
    top: { type: 'string', default: '15', valueName: '<n>', description: 'Rows per table.' },
  },
});

if (require.main === module) {
  const { values, positionals } = commandLine('profile', PROFILE_COMMAND, process.argv.slice(2));
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write('profile: give one .cpuprofile file (--help for usage)\n');
    process.exit(2);
  }
  const root = resolve(values.root ?? resolve(__dirname, '..', '..'));
  process.stdout.write(profileMarkdown(summarizeProfile(loadProfile(file), root), file, Number(values.top)));
}
