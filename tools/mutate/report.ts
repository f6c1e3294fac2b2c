/**
 * `npm run mutate:report`: the mutation score of the last `npm run mutate`
 * (reports/mutation/mutation.json) per file, with every mutant that
 * survived, written into BENCHMARKS.md's "Mutation score" section (or
 * printed with --print). A figure in BENCHMARKS.md comes from a command.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { withSection } from '../lib/benchmark-sections';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';

const ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json');
const BENCHMARKS = join(ROOT, 'BENCHMARKS.md');

/** The part of Stryker's mutation-testing-report-schema this reads. */
export interface MutationReport {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

export interface FileScore {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  /** Detected (killed or timed out) over valid (detected, survived, not covered), in %; undefined with no valid mutant. */
  readonly score: number | undefined;
}

export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly mutator: string;
  readonly status: 'Survived' | 'NoCoverage';
  readonly original: string;
  readonly replacement: string;
}

function count(mutants: readonly Mutant[], status: string): number {
  return mutants.filter((m) => m.status === status).length;
}

function scoreOf(file: string, mutants: readonly Mutant[]): FileScore {
  const killed = count(mutants, 'Killed');
  const timeout = count(mutants, 'Timeout');
  const survived = count(mutants, 'Survived');
  const noCoverage = count(mutants, 'NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  return { file, killed, timeout, survived, noCoverage, ignored: count(mutants, 'Ignored'), score: valid > 0 ? (100 * (killed + timeout)) / valid : undefined };
}

/** Per-file scores, sorted by path, and the total (file `All files`). */
export function scores(report: MutationReport): { files: FileScore[]; total: FileScore } {
  const files = Object.entries(report.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, { mutants }]) => scoreOf(file, mutants));
  const all = Object.values(report.files).flatMap((f) => f.mutants);
  return { files, total: scoreOf('All files', all) };
}

/** Every mutant no test detected, with the line it changed. */
export function survivors(report: MutationReport): Survivor[] {
  return Object.entries(report.files)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([file, { source, mutants }]) => {
      const lines = source.split('\n');
      return mutants
        .filter((m): m is Mutant & { status: Survivor['status'] } => m.status === 'Survived' || m.status === 'NoCoverage')
        .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
        .map((m) => ({
          file,
          line: m.location.start.line,
          mutator: m.mutatorName,
          status: m.status,
          original: (lines[m.location.start.line - 1] ?? '').trim(),
          replacement: (m.replacement ?? '').replace(/\s+/g, ' ').trim(),
        }));
    });
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const percent = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} %`);

export function renderSection(report: MutationReport, measuredAt: Date, note?: string): string {
  const { files, total } = scores(report);
  const row = (s: FileScore) => `| ${s.file === 'All files' ? '**all files**' : code(s.file)} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} | ${percent(s.score)} |`;
  const left = survivors(report);
  return [
    '## Mutation score',
    '',
    `Measured by \`npm run mutate\` (StrykerJS, vitest runner, snapshot comparisons off: tools/mutate/), reported by \`npm run mutate:report\` from the run of ${measuredAt.toISOString()}. The score is detected mutants (killed or timed out) over killed, timed out, survived and not covered; ignored mutants are the schema's documentation texts. Files not listed were not mutated in that run.`,
    '',
    '| file | killed | timeout | survived | no coverage | ignored | score |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...files.map(row),
    row(total),
    '',
    ...(note ? [note, ''] : []),
    left.length === 0 ? 'No mutant survived.' : `### Surviving mutants (${left.length})`,
    '',
    ...left.map((s) => `- ${code(`${s.file}:${s.line}`)} ${s.mutator}${s.status === 'NoCoverage' ? ' (no test runs it)' : ''}: ${code(cut(s.original, 100))} → ${code(cut(s.replacement, 60))}`),
  ].join('\n');
}

const REPORT_COMMAND = defineCommand({
  usage: 'npm run mutate:report -- [--report <file>] [--print]',
  summary: 'Writes the mutation score of the last `npm run mutate` into BENCHMARKS.md ("Mutation score"), per file, with every surviving mutant.',
  options: {
    report: { type: 'string', default: DEFAULT_REPORT, valueName: '<file>', description: "Stryker's JSON report." },
    print: { type: 'boolean', default: false, description: 'Print the section instead of writing BENCHMARKS.md.' },
    note: { type: 'string', valueName: '<text>', description: 'A paragraph under the table: what was measured (commit, scope).' },
  },
});

function main(): void {
  const { values } = parseCommand(REPORT_COMMAND, process.argv.slice(2));
  if (!existsSync(values.report)) throw new Error(`no mutation report at ${relative(process.cwd(), values.report)}: run npm run mutate first`);
  const report = JSON.parse(readFileSync(values.report, 'utf8')) as MutationReport;
  const section = renderSection(report, statSync(values.report).mtime, values.note);
  if (values.print) {
    process.stdout.write(`${section}\n`);
    return;
  }
  writeFileSync(BENCHMARKS, withSection(readFileSync(BENCHMARKS, 'utf8'), 'mutate:report', section));
  const { total } = scores(report);
  process.stdout.write(`BENCHMARKS.md: mutation score ${percent(total.score)} over ${Object.keys(report.files).length} files.\n`);
}

if (require.main === module) runCommand('mutate:report', main);
