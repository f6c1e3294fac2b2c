/**
 * The app synthesized in-process, as the stacks test does it (same
 * environments, same state backend, same composition), into a temp
 * directory that is removed afterwards: reviewing snapshots never touches
 * the working tree's cdktf.out. The worked examples in examples/ are
 * synthesized the same way, each on its own, as tests/examples does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { App } from 'cdktf';
import { type EnvironmentSource, readEnvironmentSources, validateEnvironments } from '../../environments/load';
import { stateBackend } from '../../environments/state-backend';
import { buildStacks } from '../../stacks';
import { onCleanup } from '../lib/cleanup';
import { ROOT } from '../synth-model/synth-output';
import type { TfJson } from '../synth-model/tf-json';

/** Where the worked examples live: environment files a team copies into environments/. */
export const EXAMPLES_DIR = join(ROOT, 'examples');

/** Every stack of the app, by name, as `cdk.tf.json` holds it. */
export async function synthesizeStacks(): Promise<Record<string, TfJson>> {
  return synthesizeSources(await readEnvironmentSources());
}

/**
 * Each example's environment stack, keyed by its file name without the
 * extension (`orders-prod`): examples may share an environment name (every
 * one is somebody's `prod`), so each is synthesized in an app of its own.
 */
export async function synthesizeExamples(dir: string = EXAMPLES_DIR): Promise<Record<string, TfJson>> {
  const sources = await readEnvironmentSources(dir);
  const stacks: Record<string, TfJson> = {};
  for (const source of sources) {
    const [environment] = validateEnvironments([source]);
    stacks[basename(source.file, extname(source.file))] = synthesizeSources([source])[environment!.name]!;
  }
  return stacks;
}

function synthesizeSources(sources: readonly EnvironmentSource[]): Record<string, TfJson> {
  const outdir = mkdtempSync(join(tmpdir(), 'snapshots-synth-'));
  const remove = () => rmSync(outdir, { recursive: true, force: true });
  // Ctrl-C during synth must not leave the temp dir behind either.
  const unregister = onCleanup(remove);
  try {
    const app = new App({ outdir });
    buildStacks(app, validateEnvironments(sources), stateBackend);
    app.synth();
    const stacksDir = join(outdir, 'stacks');
    return Object.fromEntries(readdirSync(stacksDir).map((name) => [name, JSON.parse(readFileSync(join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as TfJson]));
  } finally {
    unregister();
    remove();
  }
}
