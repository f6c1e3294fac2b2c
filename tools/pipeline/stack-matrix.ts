/**
 * `npm run -s ci:stacks -- [cdktf.out]`: the stacks a pull request plans, read
 * from the synth manifest (never a hand-kept list), as a GitHub Actions output
 * line `stacks=[…]`. The state backend is left out: its own state is local to
 * whoever bootstraps the account, so CI never plans it against itself.
 */
import { resolve } from 'node:path';
import { DEFAULT_OUTDIR, stackNames } from '../synth-model/synth-output';
import { commandLine, defineCommand } from '../lib/cli';

/** Stacks CI plans, in manifest order, without the state backend. */
export function plannedStacks(outdir: string): string[] {
  return stackNames(outdir).filter((name) => name !== 'state-backend');
}

const STACK_MATRIX_COMMAND = defineCommand({
  usage: 'npm run ci:stacks -- [synth-output-dir]',
  summary: 'Prints the stacks CI plans (every synthesized stack but the state backend) as a GitHub Actions output line: stacks=[...].',
  allowPositionals: true,
  options: {},
});

if (require.main === module) {
  const { positionals } = commandLine('ci:stacks', STACK_MATRIX_COMMAND, process.argv.slice(2));
  const outdir = resolve(positionals[0] ?? DEFAULT_OUTDIR);
  process.stdout.write(`stacks=${JSON.stringify(plannedStacks(outdir))}\n`);
}
