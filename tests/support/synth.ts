/**
 * Test helpers over synthesized Terraform JSON. The app is synthesized the
 * way `cdktf synth` does it (same environments, same composition), into a
 * temp directory, so tests never touch the working tree's cdktf.out.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { type EnvironmentSource, readEnvironmentSources, validateEnvironments } from '../../environments/load';
import { stateBackend } from '../../environments/state-backend';
import { buildStacks } from '../../stacks';
import { type Block, resourceList, type TfJson } from '../../tools/synth-model/tf-json';

export type { Block, TfJson } from '../../tools/synth-model/tf-json';
export { resourceList } from '../../tools/synth-model/tf-json';

export interface SynthesizedApp {
  readonly outdir: string;
  readonly stacks: Record<string, TfJson>;
}

let cached: Promise<SynthesizedApp> | undefined;

/** Synthesizes every stack once per test file. */
export function synthApp(): Promise<SynthesizedApp> {
  cached ??= readEnvironmentSources().then(synthEnvironments);
  return cached;
}

/** Looks up a stack of the synthesized app by name; fails clearly for one that was not synthesized. */
export function stackNamed(stacks: Record<string, TfJson>, name: string): TfJson {
  const found = stacks[name];
  if (!found) throw new Error(`stack ${name} was not synthesized`);
  return found;
}

/** Synthesizes the given environments (the app's, or a test's fixtures) with the state backend, as `cdktf synth` does. */
export function synthEnvironments(sources: readonly EnvironmentSource[]): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-synth-'));
  const app = new App({ outdir });
  buildStacks(app, validateEnvironments(sources), stateBackend);
  app.synth();
  return { outdir, stacks: readStacks(outdir) };
}

export function readStacks(outdir: string): Record<string, TfJson> {
  const stacksDir = join(outdir, 'stacks');
  return Object.fromEntries(
    readdirSync(stacksDir).map((name) => [name, JSON.parse(readFileSync(join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as TfJson]),
  );
}

/** Synthesizes one construct in a bare stack, for module-level tests. */
export function synthConstruct(build: (scope: Construct) => void): TfJson {
  return JSON.parse(Testing.synthScope(build)) as TfJson;
}

/** Every resource of `type`, keyed by logical id. */
export function resources(stack: TfJson, type: string): Record<string, Block> {
  return stack.resource?.[type] ?? {};
}

/** The single resource of `type`; fails when there are none or several. */
export function only(stack: TfJson, type: string): Block {
  const list = resourceList(stack, type);
  if (list.length !== 1) throw new Error(`expected exactly one ${type}, found ${list.length}`);
  return list[0]!;
}

export function dataSources(stack: TfJson, type: string): Record<string, Block> {
  return stack.data?.[type] ?? {};
}

/** `${aws_x.logical.attr}` for the single resource of `type`. */
export function ref(stack: TfJson, type: string, attribute: string): string {
  const ids = Object.keys(resources(stack, type));
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return `\${${type}.${ids[0]}.${attribute}}`;
}

/** Finds the resource whose `key` equals `value`. */
export function findBy(stack: TfJson, type: string, key: string, value: unknown): Block {
  const match = resourceList(stack, type).find((block) => block[key] === value);
  if (!match) throw new Error(`no ${type} with ${key} = ${JSON.stringify(value)}`);
  return match;
}

/**
 * The part of a stack built under one construct path, e.g. `prod/primary/`
 * (the primary region's web tier) or `prod/standby/` — resources and data
 * sources only, less those under any `except` path; backend, providers and outputs stay with the whole stack.
 */
export function underPath(stack: TfJson, prefix: string, except: readonly string[] = []): TfJson {
  const wanted = (path: string) => path.startsWith(prefix) && !except.some((skipped) => path.startsWith(skipped));
  const keep = (byType: Record<string, Record<string, Block>> | undefined) =>
    Object.fromEntries(
      Object.entries(byType ?? {})
        .map(([type, byId]) => [type, Object.fromEntries(Object.entries(byId).filter(([, block]) => wanted(metadataPath(block))))] as const)
        .filter(([, byId]) => Object.keys(byId).length > 0),
    );
  return { ...stack, resource: keep(stack.resource), data: keep(stack.data) };
}

function metadataPath(block: Block): string {
  const meta = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
  return meta?.path ?? '';
}
