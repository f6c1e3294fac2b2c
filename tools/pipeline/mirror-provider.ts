/**
 * `npm run ci:mirror-provider -- [dir] [--dry-run]`: puts hashicorp/aws at
 * the version the bindings were generated from into a filesystem mirror
 * (default: Terraform's implied local mirror, ~/.terraform.d/plugins), so a CI
 * runner plans the stacks the way the offline tests do. Needs network once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AWS_PROVIDER_VERSION, terraformPlatform } from '../lib/provider-mirror';
import { commandLine, defineCommand } from '../lib/cli';

/** A root module that only pins the provider: what `terraform providers mirror` reads. */
export function pinConfig(version: string = AWS_PROVIDER_VERSION): Record<string, unknown> {
  return { terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } } };
}

export function mirrorArgs(target: string, platform: string = terraformPlatform()): string[] {
  return ['providers', 'mirror', `-platform=${platform}`, target];
}

const MIRROR_PROVIDER_COMMAND = defineCommand({
  usage: 'npm run ci:mirror-provider -- [dir] [--dry-run]',
  summary:
    'Puts hashicorp/aws at the version the bindings were generated from into a filesystem mirror (default: ~/.terraform.d/plugins, ' +
    "Terraform's implied local mirror), so a CI runner plans the stacks the way the offline tests do. Needs network once.",
  allowPositionals: true,
  options: { 'dry-run': { type: 'boolean', default: false, description: 'Print the configuration and the terraform command instead of running it.' } },
});

function main(argv: string[]): number {
  const { values, positionals } = commandLine('ci:mirror-provider', MIRROR_PROVIDER_COMMAND, argv);
  const dryRun = values['dry-run'];
  const target = resolve(positionals[0] ?? join(homedir(), '.terraform.d', 'plugins'));
  const config = pinConfig();
  const args = mirrorArgs(target);
  if (dryRun) {
    process.stdout.write(`${JSON.stringify(config)}\nterraform ${args.join(' ')}\n`);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'provider-pin-'));
  try {
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config));
    const result = spawnSync('terraform', [`-chdir=${dir}`, ...args], { stdio: 'inherit' });
    if (result.error) process.stderr.write(`terraform not found on PATH: ${result.error.message}\n`);
    return result.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
