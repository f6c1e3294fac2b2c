/**
 * `npm run ci:provider-lock -- [cdktf.out]`: puts the committed provider lock
 * (terraform/.terraform.lock.hcl) into every synthesized stack directory, the
 * only place Terraform and cdktf 0.21 read one (cdktf writes none and copies
 * none from the project), and removes any `.terraform/` a synth artifact
 * brought along, so `terraform init -lockfile=readonly` installs exactly the
 * locked hashicorp/aws and nothing cached from elsewhere.
 */
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandLine, defineCommand } from '../lib/cli';
import { DEFAULT_OUTDIR, ROOT } from '../synth-model/synth-output';

/** The lock file, committed; generated from the provider mirror (docs/pipeline.md). */
export const LOCK_FILE = join(ROOT, 'terraform', '.terraform.lock.hcl');
/** The CLI configuration CI runs Terraform with (TF_CLI_CONFIG_FILE): hashicorp/aws only. */
export const CI_CLI_CONFIG = join(ROOT, 'terraform', 'ci.tfrc');

export interface LockedProvider {
  readonly source: string;
  readonly version: string;
  readonly constraints?: string;
  readonly hashes: string[];
}

/** The provider blocks of a `.terraform.lock.hcl`. */
export function parseLockFile(text: string): LockedProvider[] {
  return [...text.matchAll(/provider "([^"]+)" \{([\s\S]*?)\n\}/g)].map(([, source, body]) => {
    const version = /\bversion\s*=\s*"([^"]+)"/.exec(body!)?.[1] ?? '';
    const constraints = /\bconstraints\s*=\s*"([^"]+)"/.exec(body!)?.[1];
    const hashes = [...body!.matchAll(/"((?:h1|zh):[^"]+)"/g)].map((m) => m[1]!);
    return { source: source!, version, ...(constraints ? { constraints } : {}), hashes };
  });
}

/** Copies the lock into each stack directory of `outdir`; returns the stacks. */
export function installLockFile(outdir: string, lockFile: string = LOCK_FILE): string[] {
  const stacks = readdirSync(join(outdir, 'stacks'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const stack of stacks) {
    const dir = join(outdir, 'stacks', stack);
    rmSync(join(dir, '.terraform'), { recursive: true, force: true });
    copyFileSync(lockFile, join(dir, '.terraform.lock.hcl'));
  }
  return stacks;
}

const PROVIDER_LOCK_COMMAND = defineCommand({
  usage: 'npm run ci:provider-lock -- [synth-output-dir]',
  summary: 'Copies terraform/.terraform.lock.hcl into every synthesized stack directory (and drops any .terraform/ there), for terraform init -lockfile=readonly.',
  allowPositionals: true,
  options: {},
});

if (require.main === module) {
  const { positionals } = commandLine('ci:provider-lock', PROVIDER_LOCK_COMMAND, process.argv.slice(2));
  const stacks = installLockFile(resolve(positionals[0] ?? DEFAULT_OUTDIR));
  process.stdout.write(`provider lock installed in: ${stacks.join(', ')}\n`);
}
