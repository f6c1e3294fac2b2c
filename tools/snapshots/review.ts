/**
 * `npm run snapshots [-- --check]`: synthesizes the app and the worked
 * examples (examples/), normalizes each stack as the stacks test does, and
 * prints what changed in every committed snapshot by address before writing
 * anything — so an update is reviewed, not waved through as `vitest -u` did
 * with 3,000-line files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { compareSnapshot, describeChanges, type SnapshotComparison } from '../synth-model/snapshot';
import { ROOT } from '../synth-model/synth-output';
import type { TfJson } from '../synth-model/tf-json';

export const DEFAULT_SNAPSHOT_DIR = join(ROOT, 'tests', 'stacks', '__snapshots__');
/** The worked examples' snapshots (examples/<name>.ts → <name>.tf.json). */
export const EXAMPLE_SNAPSHOT_DIR = join(ROOT, 'tests', 'examples', '__snapshots__');
const SUFFIX = '.tf.json';

export const SNAPSHOTS_COMMAND = defineCommand({
  usage: 'npm run snapshots -- [--check]',
  summary:
    'Synthesizes the app and the worked examples, normalizes each stack (asset paths and hashes become placeholders) and prints what differs from its committed snapshot in tests/stacks/__snapshots__ and tests/examples/__snapshots__, by address, then writes the snapshots.',
  options: {
    check: { type: 'boolean', default: false, description: 'Print what differs and exit 1 if anything does; write nothing.' },
  },
});

/** One directory of snapshots and the stacks it must match. */
export interface SnapshotSet {
  readonly dir: string;
  /** The stacks, by snapshot name (`<name>.tf.json`). */
  readonly synthesize: () => Promise<Record<string, TfJson>>;
}

export interface ReviewOptions {
  /**
   * What is reviewed, in order; a test points them at temp directories and
   * stacks it synthesized once for the whole file.
   * @default the app's stacks (tests/stacks/__snapshots__), then the examples' (tests/examples/__snapshots__)
   */
  readonly sets?: readonly SnapshotSet[];
  readonly print?: (line: string) => void;
}

/** Runs the command; resolves to its exit code (throws HelpRequested or UsageError as the parser does). */
export async function reviewSnapshots(argv: readonly string[], options: ReviewOptions = {}): Promise<number> {
  const { values } = parseCommand(SNAPSHOTS_COMMAND, argv);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sets = options.sets ?? defaultSets();
  let code = 0;
  // Each set is reported (and written) on its own, under a line naming its directory.
  for (const set of sets) code = Math.max(code, await reviewSet(set, values.check, print));
  return code;
}

/** The app's stacks and the examples'. Loaded only when needed: cdktf and the stacks take seconds to import, and --help should not wait for them. */
function defaultSets(): SnapshotSet[] {
  const synthesis = () => require('./synthesize') as typeof import('./synthesize');
  return [
    { dir: DEFAULT_SNAPSHOT_DIR, synthesize: () => synthesis().synthesizeStacks() },
    { dir: EXAMPLE_SNAPSHOT_DIR, synthesize: () => synthesis().synthesizeExamples() },
  ];
}

async function reviewSet({ dir, synthesize }: SnapshotSet, check: boolean, print: (line: string) => void): Promise<number> {
  const stacks = await synthesize();

  const names = Object.keys(stacks).sort();
  const differing = names.flatMap((name) => {
    const file = join(dir, `${name}${SUFFIX}`);
    const comparison = compareSnapshot(existsSync(file) ? readFileSync(file, 'utf8') : undefined, stacks[name]!);
    return comparison.matches ? [] : [{ name, file, comparison }];
  });
  // A snapshot of a stack the app no longer has would otherwise stay committed, compared by nothing.
  const orphans = existsSync(dir) ? readdirSync(dir).filter((entry) => entry.endsWith(SUFFIX) && !names.includes(entry.slice(0, -SUFFIX.length))) : [];

  const shownDir = relative(process.cwd(), dir) || '.';
  if (differing.length === 0 && orphans.length === 0) {
    print(`All ${names.length} snapshot${names.length === 1 ? '' : 's'} in ${shownDir} match the synthesized stacks; nothing to write.`);
    return 0;
  }
  for (const { name, comparison } of differing) print(report(name, comparison));
  for (const orphan of orphans) print(`${orphan}: no stack of that name any more (the file would be removed)`);

  const count = differing.length + orphans.length;
  if (check) {
    print(`${count} snapshot file(s) in ${shownDir} differ from the synthesized stacks; run npm run snapshots to review and update them.`);
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  for (const { file, comparison } of differing) writeFileSync(file, comparison.expected);
  for (const orphan of orphans) rmSync(join(dir, orphan));
  print(`Updated ${count} snapshot file(s) in ${shownDir}; review them with git diff before committing.`);
  return 0;
}

/** One stack's heading and its changes, committed → synthesized. */
function report(name: string, comparison: SnapshotComparison): string {
  const count = comparison.changes.length;
  const heading = `${name}${SUFFIX}: ${count} change${count === 1 ? '' : 's'} (committed → synthesized)`;
  return [heading, ...describeChanges(comparison).map((line) => `  ${line}`)].join('\n');
}

if (require.main === module) {
  runCommand('snapshots', async () => {
    // As main.ts does: cdktf source-maps a stack trace per token under tsx, which slows synth for nothing here.
    process.setSourceMapsEnabled(false);
    process.exitCode = await reviewSnapshots(process.argv.slice(2));
  });
}
