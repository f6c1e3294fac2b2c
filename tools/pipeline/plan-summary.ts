/**
 * `npm run plan-summary -- --plans <dir> [--synth cdktf.out] [--cost cost-diff.json] [--post]`
 *
 * Reads `<dir>/<stack>.json` (each stack's plan summary, written in its plan
 * job by `npm run ci:plan -- --summary`: addresses and actions, no values),
 * prints the pull request comment as Markdown, and with --post creates or
 * updates it on the pull request (GITHUB_TOKEN, GITHUB_REPOSITORY, PR_NUMBER).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { upsertComment } from './github-comment';
import { COMMENT_MARKER, parseStackPlan, renderComment, type StackPlan } from './plan-report';
import { plannedStacks } from './stack-matrix';
import type { CostDiff } from '../synth-model/cost-report';
import { DEFAULT_OUTDIR } from '../synth-model/synth-output';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { UsageError } from '../lib/usage-error';

export interface SummaryOptions {
  plans: string;
  synth: string;
  cost?: string;
  post: boolean;
}

export const PLAN_SUMMARY_COMMAND = defineCommand({
  usage: 'npm run plan-summary -- --plans <dir> [options]',
  summary:
    'Reads <dir>/<stack>.json (each stack\'s plan summary from npm run ci:plan -- --summary), prints the pull request comment as Markdown, ' +
    'and with --post creates or updates it on the pull request (GITHUB_TOKEN, GITHUB_REPOSITORY, PR_NUMBER).',
  options: {
    plans: { type: 'string', valueName: '<dir>', description: 'One <stack>.json plan summary per stack (required).' },
    synth: { type: 'string', default: DEFAULT_OUTDIR, valueName: '<dir>', description: 'The synth output: which stacks to expect.' },
    cost: { type: 'string', valueName: '<file>', description: 'npm run cost -- --compare … --json output to include.' },
    post: { type: 'boolean', default: false, description: 'Create or update the comment on the pull request.' },
  },
});

export function parseSummaryArgs(argv: string[]): SummaryOptions {
  const { values } = parseCommand(PLAN_SUMMARY_COMMAND, argv);
  if (!values.plans) throw new UsageError('--plans <dir> is required (one <stack>.json plan summary per stack, from npm run ci:plan -- --summary)');
  return { plans: resolve(values.plans), synth: resolve(values.synth), ...(values.cost ? { cost: resolve(values.cost) } : {}), post: values.post };
}

/** The comment for the plans in `options.plans`, stacks taken from the synth manifest. */
export function buildComment(options: SummaryOptions, runUrl?: string): string {
  const expected = plannedStacks(options.synth);
  // A stack without a summary (its plan failed or never ran) shows as "no plan".
  const plans = expected.flatMap((stack): StackPlan[] => {
    const file = join(options.plans, `${stack}.json`);
    return existsSync(file) ? [parseStackPlan(readFileSync(file, 'utf8'), stack)] : [];
  });
  const cost = options.cost && existsSync(options.cost) ? (JSON.parse(readFileSync(options.cost, 'utf8')) as { diffs: CostDiff[] }).diffs : undefined;
  return renderComment(plans, expected, cost, runUrl);
}

async function main(): Promise<void> {
  {
    const options = parseSummaryArgs(process.argv.slice(2));
    const env = process.env;
    const runUrl = env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const body = buildComment(options, runUrl);
    process.stdout.write(body);
    if (options.post) {
      const pr = Number(env.PR_NUMBER);
      if (!env.GITHUB_TOKEN || !env.GITHUB_REPOSITORY || !Number.isInteger(pr) || pr <= 0) {
        throw new UsageError('--post needs GITHUB_TOKEN, GITHUB_REPOSITORY and PR_NUMBER in the environment');
      }
      const result = await upsertComment({ token: env.GITHUB_TOKEN, repo: env.GITHUB_REPOSITORY, pr, ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}) }, body, COMMENT_MARKER);
      process.stderr.write(`plan-summary: comment ${result.id} ${result.action}\n`);
    }
  }
}

if (require.main === module) runCommand('plan-summary', main);
