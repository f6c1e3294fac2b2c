/**
 * Changes we propose to files the benchmark may not edit, measured in scratch
 * copies of the app. Each is a list of exact text replacements; when an
 * anchor is gone (the file changed), the candidate reports that it no longer
 * applies instead of measuring something else.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Edit {
  /** Repository-relative file; created when `find` is empty and the file does not exist. */
  readonly file: string;
  /** Exact text to replace (must occur once); empty to create `file`. */
  readonly find: string;
  readonly replace: string;
}

export interface Candidate {
  readonly id: string;
  readonly title: string;
  /** What to change, for the report. */
  readonly change: string;
  readonly edits: readonly Edit[];
}

const SOURCE_MAPS_SYNTH: Candidate = {
    id: 'sourcemaps-synth',
    title: 'main.ts: source maps off while building and synthesizing',
    change:
      'In main.ts, call `process.setSourceMapsEnabled(false)` just before `const app = new App();`, and ' +
      '`process.setSourceMapsEnabled(true)` as the first statement of the `main().catch(...)` handler. ' +
      'cdktf records a full stack trace for every token it creates (tokens/private/stack-trace.js, with ' +
      'Error.stackTraceLimit = MAX_SAFE_INTEGER); tsx turns Node source maps on, so each frame of each of ' +
      'those traces is source-mapped. Maps are still read while modules load, and V8 formats an error\'s ' +
      'stack lazily, so an unexpected error printed by the catch handler keeps its TypeScript line numbers.',
    edits: [
      {
        file: 'main.ts',
        find: '  const app = new App();\n',
        replace:
          "  // cdktf records a full stack trace per token; source-mapping every frame of them is slow.\n  process.setSourceMapsEnabled(false);\n  const app = new App();\n",
      },
      {
        file: 'main.ts',
        find: 'main().catch((error: unknown) => {\n',
        replace: 'main().catch((error: unknown) => {\n  process.setSourceMapsEnabled(true); // errors keep TypeScript line numbers\n',
      },
    ],
  };

const SOURCE_MAPS_OFF: Candidate = {
    id: 'sourcemaps-off',
    title: 'main.ts: source maps off from the first import',
    change:
      'Add `source-maps-off.ts` next to main.ts containing `process.setSourceMapsEnabled(false);` and make ' +
      "`import './source-maps-off';` the first line of main.ts. Saves the same as above plus Node parsing " +
      "every loaded file's inline source map; costs TypeScript line numbers in stack traces of unexpected errors.",
    edits: [
      { file: 'source-maps-off.ts', find: '', replace: '// Loaded first by main.ts: no source maps in the synth process.\nprocess.setSourceMapsEnabled(false);\nexport {};\n' },
      { file: 'main.ts', find: "import { App } from 'cdktf';\n", replace: "import './source-maps-off';\nimport { App } from 'cdktf';\n" },
    ],
  };

const BUNDLE_CACHE_CODE = `  const bundle = { path, sha256: digest.toString('base64') };
  built.set(entry, bundle);
  writeDiskCache(entry, Object.keys(result.metafile.inputs), bundle);
  return bundle;
}

/** Where the last bundle of \`entry\` is recorded, with a hash of every file esbuild read for it. */
function cacheIndexPath(entry: string): string {
  return join(tmpdir(), 'web-tier-lambda', \`\${sha256Hex(\`\${ROOT}\\0\${entry}\`).slice(0, 16)}.json\`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What makes a bundle besides its inputs: this file (the esbuild and zip options) and esbuild's version. */
function toolchain(): string {
  const esbuild = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as { version: string };
  return sha256Hex(\`\${esbuild.version}\\0\${readFileSync(__filename, 'utf8')}\`);
}

interface CacheIndex {
  readonly toolchain: string;
  /** Input path (relative to ROOT) → sha256 of its contents. */
  readonly inputs: Record<string, string>;
  readonly bundle: LambdaBundle;
}

function fromDiskCache(entry: string): LambdaBundle | undefined {
  try {
    const index = JSON.parse(readFileSync(cacheIndexPath(entry), 'utf8')) as CacheIndex;
    if (index.toolchain !== toolchain() || !existsSync(index.bundle.path)) return undefined;
    for (const [input, hash] of Object.entries(index.inputs)) {
      if (sha256Hex(readFileSync(join(ROOT, input))) !== hash) return undefined;
    }
    return index.bundle;
  } catch {
    return undefined; // no index yet, or an input is gone: build
  }
}

function writeDiskCache(entry: string, inputs: readonly string[], bundle: LambdaBundle): void {
  const index: CacheIndex = {
    toolchain: toolchain(),
    inputs: Object.fromEntries(inputs.map((input) => [input, sha256Hex(readFileSync(join(ROOT, input)))])),
    bundle,
  };
  writeFileSync(cacheIndexPath(entry), JSON.stringify(index));
}
`;

const BUNDLE_CACHE: Candidate = {
  id: 'bundle-cache',
  title: 'modules/resilience/bundle.ts: reuse the last Lambda bundle while its inputs are unchanged',
  change:
    'Every synth loads esbuild, runs it (a Go child process) and zips the Spot handler, though the handler rarely changes. ' +
    'Record, next to the zip in $TMPDIR/web-tier-lambda, the sha256 of every file esbuild read (its metafile inputs) plus a hash of ' +
    'bundle.ts and the esbuild version; on the next synth, if they all match, return the recorded {path, sha256} without loading ' +
    'esbuild or fflate (require them lazily, only on a miss). The exact patch is BUNDLE_CACHE in tools/bench/candidates.ts. ' +
    'Not applied: a cache that missed one input would ship stale Lambda code without a word, and it saves about 0.1 s.',
  edits: [
    {
      file: 'modules/resilience/bundle.ts',
      find: "import { existsSync, mkdirSync, writeFileSync } from 'node:fs';\n",
      replace: "import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';\n",
    },
    { file: 'modules/resilience/bundle.ts', find: "import { buildSync } from 'esbuild';\nimport { zipSync } from 'fflate';\n", replace: '' },
    {
      file: 'modules/resilience/bundle.ts',
      find: '  const cached = built.get(entry);\n  if (cached) return cached;\n  const result = buildSync({\n',
      replace:
        '  const cached = built.get(entry) ?? fromDiskCache(entry);\n  if (cached) {\n    built.set(entry, cached);\n    return cached;\n  }\n' +
        "  // Loaded only on a cache miss: most synths reuse the last bundle.\n  const { buildSync } = require('esbuild') as typeof import('esbuild');\n  const { zipSync } = require('fflate') as typeof import('fflate');\n" +
        '  const result = buildSync({\n    metafile: true,\n',
    },
    { file: 'modules/resilience/bundle.ts', find: "  const bundle = { path, sha256: digest.toString('base64') };\n  built.set(entry, bundle);\n  return bundle;\n}\n", replace: BUNDLE_CACHE_CODE },
  ],
};

/**
 * Candidates already made in the app, with what they saved when they were
 * measured as candidates; the report lists them instead of re-measuring.
 */
export const APPLIED: readonly { readonly candidate: Candidate; readonly measured: string }[] = [
  { candidate: SOURCE_MAPS_SYNTH, measured: '0.16–0.19 s per synth in three full runs of npm run bench before it was applied (1.29–1.31 s → ~1.1 s)' },
];

export const CANDIDATES: readonly Candidate[] = [SOURCE_MAPS_OFF, BUNDLE_CACHE];

/** Applies a candidate's edits to a copy of the app in `dir`; returns problems (empty when it applied). */
export function applyCandidate(dir: string, candidate: Candidate): string[] {
  const problems: string[] = [];
  for (const edit of candidate.edits) {
    const path = join(dir, edit.file);
    if (edit.find === '') {
      if (existsSync(path)) problems.push(`${edit.file} already exists`);
      else writeFileSync(path, edit.replace);
      continue;
    }
    if (!existsSync(path)) {
      problems.push(`${edit.file} does not exist`);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    const count = text.split(edit.find).length - 1;
    if (count !== 1) {
      problems.push(`${edit.file}: expected the anchor ${JSON.stringify(edit.find.slice(0, 60))} once, found it ${count} times`);
      continue;
    }
    writeFileSync(path, text.replace(edit.find, () => edit.replace));
  }
  return problems;
}
