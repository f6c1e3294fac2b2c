/**
 * `npm run mutate:planted`: plants each bug of the catalog (./planted-bugs.ts)
 * in a scratch copy of the repository, one at a time, with the snapshot
 * files deleted and snapshot comparisons off, runs the fast property suite
 * (./vitest.config.mts), and names the tests that failed. A bug no test
 * catches fails the command. The working tree is never edited.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { onCleanup, runCleanup } from '../lib/cleanup';
import { UsageError } from '../lib/usage-error';
import { PLANTED_BUGS, type PlantedBug } from './planted-bugs';

const ROOT = resolve(__dirname, '..', '..');
const SUITE_CONFIG = 'tools/mutate/vitest.config.mts';

const PLANTED_COMMAND = defineCommand({
  usage: 'npm run mutate:planted -- [--only <id>]',
  summary:
    'Plants each catalogued bug in a scratch copy (snapshot files deleted, comparisons off), runs the fast property tests, and lists the tests that catch it. Exits 1 if a bug is caught by nothing, or if the catalog no longer matches the source.',
  options: {
    only: { type: 'string', multiple: true, default: [], valueName: '<id>', description: `Plant only this bug (${PLANTED_BUGS.map((b) => b.id).join(', ')}).` },
  },
});

interface VitestJson {
  testResults: Array<{ name: string; message?: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** Copies the files git would commit (tracked and new, not ignored) into a scratch directory, with node_modules linked. */
function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'planted-bugs-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }), 'scratch copy');
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr.trim()}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      cpSync(join(ROOT, file), join(dir, file));
    } catch {
      // Deleted in the working tree but still tracked: the copy matches the working tree.
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const snapshots = join(dir, 'tests', 'stacks', '__snapshots__');
  for (const file of readdirSync(snapshots)) rmSync(join(snapshots, file));
  return dir;
}

/** Runs the suite in `dir`; returns the full names of failed tests, and files that failed outside a test. */
function failures(dir: string): string[] {
  const report = join(dir, 'vitest-report.json');
  rmSync(report, { force: true });
  // CI=true: vitest writes no snapshot; SNAPSHOTS=off comes from the suite's config.
  spawnSync(process.execPath, [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', SUITE_CONFIG, '--reporter=json', `--outputFile=${report}`], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdio: 'ignore',
  });
  const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
  return json.testResults.flatMap((file) => {
    const failed = file.assertionResults.filter((t) => t.status === 'failed').map((t) => `${file.name.slice(dir.length + 1)} > ${t.fullName}`);
    return failed.length === 0 && file.message ? [`${file.name.slice(dir.length + 1)}: ${file.message.split('\n')[0]}`] : failed;
  });
}

function plant(dir: string, bug: PlantedBug): () => void {
  const path = join(dir, bug.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(bug.find).length - 1;
  if (count !== 1) throw new Error(`${bug.id}: the catalog is stale: ${bug.file} holds its text ${count} times, not once`);
  writeFileSync(path, original.replace(bug.find, bug.replace));
  return () => writeFileSync(path, original);
}

async function main(): Promise<void> {
  const { values } = parseCommand(PLANTED_COMMAND, process.argv.slice(2));
  const unknown = values.only.filter((id) => !PLANTED_BUGS.some((b) => b.id === id));
  if (unknown.length > 0) throw new UsageError(`no planted bug ${unknown.join(', ')} (--help lists them)`);
  const bugs = values.only.length > 0 ? PLANTED_BUGS.filter((b) => values.only.includes(b.id)) : PLANTED_BUGS;
  const dir = scratchCopy();
  const baseline = failures(dir);
  if (baseline.length > 0) throw new Error(`the suite fails before any bug is planted:\n  ${baseline.join('\n  ')}`);
  let missed = 0;
  for (const bug of bugs) {
    const restore = plant(dir, bug);
    const caught = failures(dir);
    restore();
    if (caught.length === 0) missed += 1;
    process.stdout.write(`${caught.length > 0 ? 'caught' : 'MISSED'}  ${bug.id}: ${bug.description}\n`);
    for (const name of caught.slice(0, 5)) process.stdout.write(`          ${name}\n`);
    if (caught.length > 5) process.stdout.write(`          … and ${caught.length - 5} more\n`);
  }
  process.stdout.write(`${bugs.length - missed} of ${bugs.length} planted bugs caught by a property test (snapshot files deleted, comparisons off).\n`);
  await runCleanup();
  if (missed > 0) process.exit(1);
}

if (require.main === module) runCommand('mutate:planted', main);
