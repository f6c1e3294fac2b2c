/**
 * `npm run summary`: synthesize every stack with the real cdktf CLI, then print
 * what each stack contains, read back from cdktf.out.
 */
import { renderRows, summarizeStack } from './stack-summary';
import { DEFAULT_OUTDIR as OUTDIR, readSynthesizedStack, runCdktfSynth, stackNames } from './synth-output';
import { commandLine, defineCommand } from '../lib/cli';

function synthesize(): number {
  process.stdout.write('Synthesizing every stack with `cdktf synth` …\n');
  return runCdktfSynth(OUTDIR);
}

function main(): void {
  const elapsed = synthesize();
  const names = stackNames(OUTDIR);
  process.stdout.write(`\nSynthesized ${names.length} stacks in ${(elapsed / 1000).toFixed(1)} s → ${OUTDIR}/stacks/<name>/cdk.tf.json\n`);
  for (const name of names) {
    const stack = readSynthesizedStack(OUTDIR, name);
    process.stdout.write(`\n■ ${name}\n${renderRows(summarizeStack(stack))}\n`);
  }
  process.stdout.write(
    '\nNext: `npx cdktf deploy state-backend` once per account, then `npx cdktf deploy dev`.\n' +
      'Plan in CI: `terraform -chdir=cdktf.out/stacks/<name> init && terraform -chdir=cdktf.out/stacks/<name> plan`.\n',
  );
}

const SUMMARY_COMMAND = defineCommand({
  usage: 'npm run summary',
  summary: 'Synthesizes every stack with the real cdktf CLI into cdktf.out, then prints what each stack contains, read back from it.',
  options: {},
});

commandLine('summary', SUMMARY_COMMAND, process.argv.slice(2));
main();
