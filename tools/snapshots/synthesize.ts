/**
 * The app synthesized in-process, as the stacks test does it (same
 * environments, same state backend, same composition), into a temp
 * directory that is removed afterwards: reviewing snapshots never touches
 * the working tree's cdktf.out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { readEnvironmentSources, validateEnvironments } from '../../environments/load';
import { stateBackend } from '../../environments/state-backend';
import { buildStacks } from '../../stacks';
import { onCleanup } from '../lib/cleanup';
import type { TfJson } from '../synth-model/tf-json';

/** Every stack of the app, by name, as `cdk.tf.json` holds it. */
export async function synthesizeStacks(): Promise<Record<string, TfJson>> {
  const sources = await readEnvironmentSources();
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
