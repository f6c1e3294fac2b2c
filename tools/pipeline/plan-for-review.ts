/**
 * `npm run ci:plan -- --stack <name> [--outdir cdktf.out] [--out tfplan] [--summary <file>]`
 *
 * In an initialized stack directory (cdktf.out/stacks/<name>): plans into a
 * saved plan file, records the state it was planned against beside it (what
 * `npm run ci:apply` checks), prints the plan's summary as Markdown (for
 * $GITHUB_STEP_SUMMARY, where the approval gate shows it) and writes it as
 * JSON for the pull request comment. Only addresses and actions leave the
 * job: `terraform show -json` holds unredacted values and is never written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderStackSummary } from './plan-report';
import { savePlan } from './reviewed-plan';
import { quietEnv } from '../lib/terraform';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';
import { DEFAULT_OUTDIR } from '../synth-model/synth-output';

export const PLAN_FOR_REVIEW_COMMAND = defineCommand({
  usage: 'npm run ci:plan -- --stack <name> [options]',
  summary:
    'Plans an initialized stack into a saved plan file, records the state it was planned against beside it, prints the summary as Markdown ' +
    'and writes it as JSON (addresses and actions only, never values).',
  options: {
    stack: { type: 'string', valueName: '<name>', description: 'Stack to plan (required).' },
    outdir: { type: 'string', default: DEFAULT_OUTDIR, valueName: '<dir>', description: 'The synth output holding stacks/<name>.' },
    out: { type: 'string', default: 'tfplan', valueName: '<file>', description: 'Plan file, relative to the stack directory.' },
    summary: { type: 'string', valueName: '<file>', description: 'Where to write the summary JSON (for npm run plan-summary).' },
  },
});

async function main(): Promise<void> {
  const { values } = parseCommand(PLAN_FOR_REVIEW_COMMAND, process.argv.slice(2));
  if (!values.stack) throw new UsageError('--stack <name> is required');
  const dir = join(resolve(values.outdir), 'stacks', values.stack);
  const saved = await savePlan({ dir, env: quietEnv({ ...(process.env.TF_CLI_CONFIG_FILE ? { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE } : {}) }) }, values.stack, values.out);
  if (values.summary) {
    const file = resolve(values.summary);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(saved.summary, null, 2)}\n`);
  }
  process.stdout.write(renderStackSummary(saved.summary, saved.pointer ? `state serial ${saved.pointer.serial}` : 'no state yet'));
}

if (require.main === module) runCommand('ci:plan', main);
