/**
 * `npm run summary`: synthesize every stack with the real cdktf CLI, then print
 * what each stack contains, read back from cdktf.out.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderRows, summarizeStack } from './lib/stack-summary';
import type { TfJson } from './lib/tf-json';

const ROOT = resolve(__dirname, '..');
const OUTDIR = join(ROOT, 'cdktf.out');

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

function synthesize(): number {
  process.stdout.write('Synthesizing every stack with `cdktf synth` …\n');
  const started = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true' };
  // A CLI config path that does not exist makes every terraform call the CLI makes print a warning.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  const result = spawnSync(join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', OUTDIR], { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write('cdktf synth failed; nothing to summarize.\n');
    process.exit(result.status ?? 1);
  }
  return Date.now() - started;
}

function main(): void {
  const elapsed = synthesize();
  const manifest = JSON.parse(readFileSync(join(OUTDIR, 'manifest.json'), 'utf8')) as Manifest;
  const names = Object.keys(manifest.stacks).sort((a, b) => (a === 'state-backend' ? -1 : b === 'state-backend' ? 1 : a.localeCompare(b)));
  process.stdout.write(`\nSynthesized ${names.length} stacks in ${(elapsed / 1000).toFixed(1)} s → ${OUTDIR}/stacks/<name>/cdk.tf.json\n`);
  for (const name of names) {
    const stackPath = join(OUTDIR, manifest.stacks[name]!.synthesizedStackPath);
    const stack = JSON.parse(readFileSync(stackPath, 'utf8')) as TfJson;
    process.stdout.write(`\n■ ${name}\n${renderRows(summarizeStack(stack))}\n`);
  }
  process.stdout.write(
    '\nNext: `npx cdktf deploy state-backend` once per account, then `npx cdktf deploy dev`.\n' +
      'Plan in CI: `terraform -chdir=cdktf.out/stacks/<name> init && terraform -chdir=cdktf.out/stacks/<name> plan`.\n',
  );
}

main();
