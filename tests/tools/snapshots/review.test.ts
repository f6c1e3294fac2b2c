/**
 * `npm run snapshots` against temp snapshot directories: the app and the
 * examples are synthesized once for the file, by the tool's own synthesis,
 * and handed to each run, so the command's every other step runs as it does
 * for a user.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HelpRequested } from '../../../tools/lib/cli';
import { UsageError } from '../../../tools/lib/usage-error';
import { reviewSnapshots } from '../../../tools/snapshots/review';
import { synthesizeExamples, synthesizeStacks } from '../../../tools/snapshots/synthesize';
import { snapshotText } from '../../../tools/synth-model/snapshot';
import type { TfJson } from '../../../tools/synth-model/tf-json';

let stacks: Record<string, TfJson>;
let examples: Record<string, TfJson>;

beforeAll(async () => {
  stacks = await synthesizeStacks();
  examples = await synthesizeExamples();
});

/** Runs the command on `dir` with the file's stacks; returns its exit code and what it printed. */
async function review(dir: string, ...argv: string[]): Promise<{ code: number; output: string }> {
  return reviewSets([{ dir, synthesize: async () => stacks }], argv);
}

async function reviewSets(sets: { dir: string; synthesize: () => Promise<Record<string, TfJson>> }[], argv: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await reviewSnapshots(argv, { sets, print: (line) => lines.push(line) });
  return { code, output: lines.join('\n') };
}

/** A snapshot directory as `npm run snapshots` writes it. */
async function freshSnapshots(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'snapshots-review-'));
  expect((await review(dir)).code).toBe(0);
  return dir;
}

/** dev's one Auto Scaling group: its address and its snapshot edited to a max_size one higher than synthesized. */
function editDev(dir: string): { address: string; maxSize: number; edited: string } {
  const file = join(dir, 'dev.tf.json');
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as TfJson;
  const groups = snapshot.resource!.aws_autoscaling_group!;
  const [id] = Object.keys(groups);
  const maxSize = groups[id!]!.max_size as number;
  groups[id!]!.max_size = maxSize + 1;
  // A resource the app does not have, and one it has removed from the file.
  snapshot.resource!.aws_sns_topic_stale = { gone: { name: 'gone' } };
  delete snapshot.output!.vpc_id;
  const edited = `${JSON.stringify(snapshot, null, 2)}\n`;
  writeFileSync(file, edited);
  return { address: `aws_autoscaling_group.${id}`, maxSize, edited };
}

describe('npm run snapshots', () => {
  it('removes its synth directory', () => {
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('snapshots-synth-'))).toEqual([]);
  });

  it('writes every stack, normalized, into an empty directory, then finds nothing to write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshots-review-'));
    const first = await review(dir);
    expect(first.code).toBe(0);
    expect(first.output).toContain('dev.tf.json: ');
    expect(first.output).toContain('there is no committed snapshot');
    expect(readdirSync(dir).sort()).toEqual(['dev.tf.json', 'prod.tf.json', 'staging.tf.json', 'state-backend.tf.json']);
    for (const name of Object.keys(stacks)) expect(readFileSync(join(dir, `${name}.tf.json`), 'utf8')).toBe(snapshotText(stacks[name]!));
    expect(await review(dir)).toEqual({ code: 0, output: expect.stringMatching(/^All 4 snapshots in .* match the synthesized stacks; nothing to write\.$/) });
  });

  it('--check prints each change by address, exits 1 and writes nothing', async () => {
    const dir = await freshSnapshots();
    const { address, maxSize, edited } = editDev(dir);
    writeFileSync(join(dir, 'retired.tf.json'), '{}\n');
    const { code, output } = await review(dir, '--check');
    expect(code).toBe(1);
    expect(output.split('\n')).toEqual([
      'dev.tf.json: 3 changes (committed → synthesized)',
      `  ~ ${address}.max_size: ${maxSize + 1} → ${maxSize}`,
      '  - aws_sns_topic_stale.gone',
      '  + output.vpc_id',
      'retired.tf.json: no stack of that name any more (the file would be removed)',
      expect.stringMatching(/^2 snapshot file\(s\) in .* differ from the synthesized stacks; run npm run snapshots to review and update them\.$/),
    ]);
    expect(readFileSync(join(dir, 'dev.tf.json'), 'utf8')).toBe(edited);
    expect(readdirSync(dir)).toContain('retired.tf.json');
  });

  it('without --check prints the same changes, then rewrites the file to the normalized text and drops the retired one', async () => {
    const dir = await freshSnapshots();
    const { address, maxSize } = editDev(dir);
    writeFileSync(join(dir, 'retired.tf.json'), '{}\n');
    const { code, output } = await review(dir);
    expect(code).toBe(0);
    expect(output).toContain(`  ~ ${address}.max_size: ${maxSize + 1} → ${maxSize}`);
    expect(output).toMatch(/Updated 2 snapshot file\(s\) in .*; review them with git diff before committing\.$/);
    expect(readFileSync(join(dir, 'dev.tf.json'), 'utf8')).toBe(snapshotText(stacks.dev!));
    expect(readdirSync(dir)).not.toContain('retired.tf.json');
  });

  it('reviews the examples\' snapshots beside the app\'s, each directory on its own, keyed by example file', async () => {
    const app = await freshSnapshots();
    const exampleDir = mkdtempSync(join(tmpdir(), 'snapshots-examples-'));
    const sets = [
      { dir: app, synthesize: async () => stacks },
      { dir: exampleDir, synthesize: async () => examples },
    ];
    const names = Object.keys(examples).sort();
    expect(names).toContain('orders-prod');
    const check = await reviewSets(sets, ['--check']);
    expect(check.code).toBe(1);
    expect(check.output.split('\n')[0]).toMatch(/^All 4 snapshots in .* match the synthesized stacks; nothing to write\.$/);
    expect(check.output).toContain('orders-prod.tf.json: ');
    expect(readdirSync(exampleDir)).toEqual([]);
    expect((await reviewSets(sets, [])).code).toBe(0);
    expect(readdirSync(exampleDir).sort()).toEqual(names.map((name) => `${name}.tf.json`));
    expect(readFileSync(join(exampleDir, 'orders-prod.tf.json'), 'utf8')).toBe(snapshotText(examples['orders-prod']!));
    expect((await reviewSets(sets, ['--check'])).code).toBe(0);
  });

  it('answers --help through the shared parser, and refuses an unknown option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshots-review-'));
    await expect(review(dir, '--help')).rejects.toThrow(HelpRequested);
    await expect(review(dir, '--help')).rejects.toThrow(/^usage: npm run snapshots -- \[--check\]/);
    await expect(review(dir, '--write')).rejects.toThrow(UsageError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
