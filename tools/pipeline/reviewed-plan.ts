/**
 * The reviewed-plan flow's two halves, shared by `npm run ci:plan` and
 * `npm run ci:apply`: a plan saved with the state it was made against, and an
 * apply of exactly that plan, refused when the state has moved since.
 *
 * Terraform itself refuses a saved plan whose state changed ("Saved plan is
 * stale"; tests/tools/pipeline/reviewed-plan.test.ts shows it); the recorded
 * serial and lineage make the refusal ours too, with a message that says
 * what to do, before the deploy role takes the lock.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../lib/processes';
import { summarizePlan, statePlaceOf, type ShowJson, type StackPlan } from './plan-report';
import type { TfJson } from '../synth-model/tf-json';

/** Which state a plan was made against: Terraform bumps `serial` on every write; `lineage` names the state's history. */
export interface StatePointer {
  readonly serial: number;
  readonly lineage: string;
}

/** The file recorded beside a saved plan. */
export function pointerFile(planFile: string): string {
  return `${planFile}.state.json`;
}

export class StalePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StalePlanError';
  }
}

interface Terraform {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

async function terraform(tf: Terraform, args: string[], okCodes = [0]): Promise<string> {
  const result = await run('terraform', [`-chdir=${tf.dir}`, ...args], { cwd: tf.dir, env: tf.env });
  if (!okCodes.includes(result.code)) {
    throw new Error(`terraform ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr.split('\n').slice(-30).join('\n')}`);
  }
  return result.stdout;
}

/** The current state's serial and lineage (`terraform state pull`), or null when there is no state yet. */
export async function currentState(tf: Terraform): Promise<StatePointer | null> {
  const text = (await terraform(tf, ['state', 'pull'])).trim();
  if (!text) return null;
  const state = JSON.parse(text) as { serial?: unknown; lineage?: unknown };
  if (typeof state.serial !== 'number' || typeof state.lineage !== 'string') throw new Error('terraform state pull: no serial/lineage in the state');
  return { serial: state.serial, lineage: state.lineage };
}

/** Why `now` is not the state a plan recorded, or undefined when it is. */
export function staleness(recorded: StatePointer | null, now: StatePointer | null): string | undefined {
  const show = (p: StatePointer | null) => (p ? `serial ${p.serial} of lineage ${p.lineage}` : 'no state');
  if (recorded === null && now === null) return undefined;
  if (recorded && now && recorded.serial === now.serial && recorded.lineage === now.lineage) return undefined;
  return `the plan was made against ${show(recorded)}, the state is now ${show(now)}: it changed after the plan was reviewed. Re-run the deploy to plan and review again.`;
}

export interface SavedPlan {
  readonly pointer: StatePointer | null;
  /** Addresses and actions only: no attribute values leave the plan job. */
  readonly summary: StackPlan;
}

/**
 * Plans `stack` in `tf.dir` into `planFile` (relative to the dir) and
 * records the state it was planned against. The state is read before the
 * plan: a write in between makes the apply refuse, never the reverse.
 * `-lock=false`: a plan writes nothing, so the plan role needs no lock
 * (docs/pipeline.md); the apply takes the lock.
 */
export async function savePlan(tf: Terraform, stack: string, planFile: string): Promise<SavedPlan> {
  const pointer = await currentState(tf);
  await terraform(tf, ['plan', '-input=false', '-no-color', '-lock=false', `-out=${planFile}`]);
  writeFileSync(join(tf.dir, pointerFile(planFile)), `${JSON.stringify(pointer)}\n`);
  // Values stay in memory: only the summary is written.
  const show = JSON.parse(await terraform(tf, ['show', '-json', planFile])) as ShowJson;
  const config = join(tf.dir, 'cdk.tf.json');
  const place = existsSync(config) ? statePlaceOf(JSON.parse(readFileSync(config, 'utf8')) as TfJson) : {};
  return { pointer, summary: summarizePlan(stack, show, place) };
}

/**
 * Applies exactly `planFile`, after checking that the state is the one it
 * was planned against. Throws StalePlanError (and applies nothing) when not.
 */
export async function applyReviewedPlan(tf: Terraform, planFile: string, lockTimeout = '5m'): Promise<string> {
  const recordedFile = join(tf.dir, pointerFile(planFile));
  if (!existsSync(recordedFile)) throw new StalePlanError(`${pointerFile(planFile)} is missing: only a plan saved by npm run ci:plan is applied`);
  const recorded = JSON.parse(readFileSync(recordedFile, 'utf8')) as StatePointer | null;
  const why = staleness(recorded, await currentState(tf));
  if (why) throw new StalePlanError(why);
  // A saved plan applies without a prompt: the review happened at the approval gate.
  return terraform(tf, ['apply', '-input=false', '-no-color', `-lock-timeout=${lockTimeout}`, planFile]);
}
