/** The mutation-testing workbench (tools/mutate/): the planted-bug catalogue still matches the source; the score report. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepSections, sectionOf, withSection } from '../../../tools/lib/benchmark-sections';
import { PLANTED_BUGS } from '../../../tools/mutate/planted-bugs';
import { type MutationReport, renderSection, scores, survivors } from '../../../tools/mutate/report';
import { ROOT } from '../../support/paths';

describe('the planted-bug catalogue', () => {
  it.each(PLANTED_BUGS.map((bug) => [bug.id, bug] as const))('%s edits text that is in its file exactly once, and changes it', (_, bug) => {
    const text = readFileSync(join(ROOT, bug.file), 'utf8');
    expect(text.split(bug.find).length - 1).toBe(1);
    expect(bug.replace).not.toBe(bug.find);
  });

  it('has one entry per id', () => {
    expect(new Set(PLANTED_BUGS.map((b) => b.id)).size).toBe(PLANTED_BUGS.length);
  });
});

const mutant = (status: string, line: number, mutatorName = 'StringLiteral', replacement = '""') => ({ status, mutatorName, replacement, location: { start: { line, column: 1 } } });

const REPORT: MutationReport = {
  files: {
    'modules/b.ts': { source: "const a = 'x';\nconst b = a ?? 'y';\n", mutants: [mutant('Killed', 1), mutant('Survived', 2, 'LogicalOperator', "a && 'y'"), mutant('Timeout', 2)] },
    'modules/a.ts': { source: 'export const n = 3;\n', mutants: [mutant('Killed', 1, 'NumericLiteral'), mutant('NoCoverage', 1, 'NumericLiteral', '0'), mutant('Ignored', 1)] },
  },
};

describe('the mutation report', () => {
  it('scores detected over killed, timed out, survived and not covered, per file and in total', () => {
    const { files, total } = scores(REPORT);
    expect(files.map((f) => [f.file, f.killed, f.timeout, f.survived, f.noCoverage, f.ignored, f.score])).toEqual([
      ['modules/a.ts', 1, 0, 0, 1, 1, 50],
      ['modules/b.ts', 1, 1, 1, 0, 0, (100 * 2) / 3],
    ]);
    expect(total.score).toBe(60);
  });

  it('lists each undetected mutant with the line it changed', () => {
    expect(survivors(REPORT)).toEqual([
      { file: 'modules/a.ts', line: 1, mutator: 'NumericLiteral', status: 'NoCoverage', original: 'export const n = 3;', replacement: '0' },
      { file: 'modules/b.ts', line: 2, mutator: 'LogicalOperator', status: 'Survived', original: "const b = a ?? 'y';", replacement: "a && 'y'" },
    ]);
  });

  it('renders the section: a row per file, the total, the survivors', () => {
    const section = renderSection(REPORT, new Date('2026-11-26T19:00:00Z'));
    expect(section).toContain('from the run of 2026-11-26T19:00:00.000Z');
    expect(section).toContain('| `modules/a.ts` | 1 | 0 | 0 | 1 | 1 | 50.0 % |');
    expect(section).toContain('| **all files** | 2 | 1 | 1 | 1 | 1 | 60.0 % |');
    expect(section).toContain("- `modules/b.ts:2` LogicalOperator: `const b = a ?? 'y';` → `a && 'y'`");
    expect(section).toContain('- `modules/a.ts:1` NumericLiteral (no test runs it)');
    expect(renderSection(REPORT, new Date(0), 'Measured at commit abc.')).toMatch(/60\.0 % \|\n\nMeasured at commit abc\.\n/);
  });

  it('goes into its own BENCHMARKS.md section, which a full npm run bench keeps', () => {
    const doc = withSection('# Benchmarks\n\nold body\n', 'mutate:report', '## Mutation score\n\n60.0 %');
    expect(sectionOf(doc, 'mutate:report')).toContain('60.0 %');
    expect(withSection(doc, 'mutate:report', 'new').match(/mutate:report: begin/g)).toHaveLength(1);
    expect(keepSections('# Benchmarks\n\nfresh\n', doc)).toContain('## Mutation score');
  });
});
