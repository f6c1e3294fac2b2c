/**
 * `npm run ci:apply -- --stack <name> [--outdir cdktf.out] [--plan tfplan]`
 *
 * Applies exactly the plan `npm run ci:plan` saved (never a fresh plan),
 * refused when the state changed after it was planned: the serial and
 * lineage recorded beside the plan must still be the state's, and Terraform
 * refuses a stale saved plan on its own as well.
 */
import { join, resolve } from 'node:path';
import { applyReviewedPlan } from './reviewed-plan';
import { quietEnv } from '../lib/terraform';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';
import { DEFAULT_OUTDIR } from '../synth-model/synth-output';

export const APPLY_REVIEWED_PLAN_COMMAND = defineCommand({
  usage: 'npm run ci:apply -- --stack <name> [options]',
  summary: 'Applies exactly the saved plan of an initialized stack, refused when the state changed after it was planned.',
  options: {
    stack: { type: 'string', valueName: '<name>', description: 'Stack to apply (required).' },
    outdir: { type: 'string', default: DEFAULT_OUTDIR, valueName: '<dir>', description: 'The synth output holding stacks/<name>.' },
    plan: { type: 'string', default: 'tfplan', valueName: '<file>', description: 'The saved plan, relative to the stack directory.' },
  },
});

async function main(): Promise<void> {
  const { values } = parseCommand(APPLY_REVIEWED_PLAN_COMMAND, process.argv.slice(2));
  if (!values.stack) throw new UsageError('--stack <name> is required');
  const dir = join(resolve(values.outdir), 'stacks', values.stack);
  const output = await applyReviewedPlan({ dir, env: quietEnv({ ...(process.env.TF_CLI_CONFIG_FILE ? { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE } : {}) }) }, values.plan);
  process.stdout.write(output);
}

if (require.main === module) runCommand('ci:apply', main);
