/**
 * `npm run -s ci:stacks -- [cdktf.out]`: the stacks a pull request plans, read
 * from the synth manifest (never a hand-kept list), as a GitHub Actions output
 * line `stacks=[…]`. The state backend is left out: its own state is local to
 * whoever bootstraps the account, so CI never plans it against itself.
 */
import { resolve } from 'node:path';
import { DEFAULT_OUTDIR, stackNames } from '../synth-model/synth-output';

/** Stacks CI plans, in manifest order, without the state backend. */
export function plannedStacks(outdir: string): string[] {
  return stackNames(outdir).filter((name) => name !== 'state-backend');
}

if (require.main === module) {
  const outdir = resolve(process.argv[2] ?? DEFAULT_OUTDIR);
  process.stdout.write(`stacks=${JSON.stringify(plannedStacks(outdir))}\n`);
}
