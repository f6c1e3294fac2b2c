/**
 * The GitHub workflows, checked here since they cannot run here: GitHub's own
 * workflow parser (@actions/workflow-parser, the one behind the Actions
 * language service) must accept each file, ajv must accept it against this
 * repository's policy schema, and every repo script a workflow runs must
 * exist and be exercised by a test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stateBackend } from '../../../environments/state-backend';
import { plannedStacks } from '../../../tools/pipeline/stack-matrix';
import { mirrorArgs, pinConfig } from '../../../tools/pipeline/mirror-provider';
import { AWS_PROVIDER_VERSION } from '../../../tools/lib/provider-mirror';
import { synthApp } from '../../support/synth';
import { ROOT } from '../../support/paths';

const WORKFLOWS = join(ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (file: string): string => readFileSync(join(WORKFLOWS, file), 'utf8');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  uses?: string;
  env?: Record<string, string>;
  needs?: string | string[];
  with?: Record<string, unknown>;
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
  'timeout-minutes'?: number;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, Job>;
}
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;

describe('workflow files', () => {
  it('there are the PR pipeline, the deploy pipeline, and the reusable deploy and plan workflows', () => {
    expect(files).toEqual(['deploy-stack.yml', 'deploy.yml', 'plan-stack.yml', 'pr.yml']);
  });

  it.each(files)("%s is accepted by GitHub's workflow parser", async (file) => {
    const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
    const parsed = parseWorkflow({ name: file, content: text(file) }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.jobs ?? {}).length).toBeGreaterThan(0);
  });

  it("GitHub's parser does reject a broken workflow (so the check above can fail)", async () => {
    const { parseWorkflow, NoOperationTraceWriter } = await import('@actions/workflow-parser');
    const broken = text('pr.yml').replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04');
    const parsed = parseWorkflow({ name: 'broken.yml', content: broken }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  const ajv = new Ajv({ allErrors: true });
  const policy = ajv.compile(JSON.parse(readFileSync(join(ROOT, '.github', 'workflow-policy.schema.json'), 'utf8')) as object);

  it.each(files)('%s follows the policy schema: permissions, timeouts, SHA-pinned actions, no AWS keys', (file) => {
    expect(policy(workflow(file)), ajv.errorsText(policy.errors)).toBe(true);
  });

  it('the policy schema rejects a tag-pinned action, a missing timeout and a long-lived key', () => {
    const pr = workflow('pr.yml');
    expect(policy(pr)).toBe(true);
    const tagged = structuredClone(pr);
    tagged.jobs.test!.steps![0]!.uses = 'actions/checkout@v4';
    expect(policy(tagged)).toBe(false);
    const untimed = structuredClone(pr) as unknown as { jobs: Record<string, Record<string, unknown>> };
    delete untimed.jobs.test!['timeout-minutes'];
    expect(policy(untimed)).toBe(false);
    const keyed = structuredClone(workflow('plan-stack.yml'));
    expect(policy(keyed)).toBe(true);
    keyed.jobs.plan!.steps!.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))!.with = { 'aws-access-key-id': '${{ secrets.KEY }}', 'aws-region': 'x' };
    expect(policy(keyed)).toBe(false);
  });

  it('the policy schema rejects a pull_request_target trigger, in every form YAML allows', () => {
    const pr = workflow('pr.yml');
    for (const on of [{ pull_request_target: { branches: ['main'] } }, { pull_request: {}, pull_request_target: null }, ['push', 'pull_request_target'], 'pull_request_target']) {
      const bad = { ...structuredClone(pr), on } as unknown as Workflow;
      expect(policy(bad), JSON.stringify(on)).toBe(false);
      expect(ajv.errorsText(policy.errors)).toMatch(/data\/on/);
    }
    expect(policy({ ...structuredClone(pr), on: ['push', 'pull_request'] })).toBe(true);
  });

  it('the policy schema rejects an expression inside a run script (values go through env:)', () => {
    const pr = workflow('pr.yml');
    const injected = structuredClone(pr);
    injected.jobs.test!.steps!.push({ run: 'echo "${{ github.event.pull_request.title }}"' });
    expect(policy(injected)).toBe(false);
    expect(ajv.errorsText(policy.errors)).toMatch(/run must NOT be valid/);
    const viaEnv = structuredClone(pr);
    viaEnv.jobs.test!.steps!.push({ run: 'echo "$TITLE"', env: { TITLE: '${{ github.event.pull_request.title }}' } });
    expect(policy(viaEnv)).toBe(true);
  });

  it.each(files)('%s has no ${{ … }} in any run script and no pull_request_target', (file) => {
    const wf = workflow(file);
    expect(Object.keys(wf.on)).not.toContain('pull_request_target');
    for (const job of Object.values(wf.jobs)) for (const step of job.steps ?? []) expect(step.run ?? '').not.toContain('${{');
  });

  it.each(files)('%s names the version of every pinned action in a comment', (file) => {
    const pinned = text(file)
      .split('\n')
      .filter((line) => /uses: [^.]\S+@[0-9a-f]{40}/.test(line));
    for (const line of pinned) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('the same action is pinned to the same SHA everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const [, action, sha] of text(file).matchAll(/uses: ([\w./-]+)@([0-9a-f]{40})/g)) {
        pins.set(action!, (pins.get(action!) ?? new Set()).add(sha!));
      }
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });
});

describe('pull request pipeline', () => {
  const pr = workflow('pr.yml');

  it('runs on pull requests, one run per PR at a time, read-only by default', () => {
    expect(Object.keys(pr.on)).toEqual(['pull_request']);
    expect(pr.concurrency).toEqual({ group: 'pr-${{ github.event.pull_request.number }}', 'cancel-in-progress': true });
    expect(pr.permissions).toEqual({ contents: 'read' });
  });

  it('tests with npm ci then npm test, with the provider mirror and moto the tests need', () => {
    const runs = pr.jobs.test!.steps!.map((s) => s.run).filter(Boolean);
    expect(runs[0]).toBe('npm ci');
    expect(runs.at(-1)).toBe('npm test');
    expect(runs).toContain('npm run ci:mirror-provider');
    expect(runs.some((r) => r!.includes('moto[server]'))).toBe(true);
  });

  it('plans a matrix read from the synth manifest, each in plan-stack.yml at the default branch (what the plan roles trust)', () => {
    const plan = pr.jobs.plan!;
    expect(plan.needs).toBe('synth');
    expect(plan.strategy!.matrix!.stack).toBe('${{ fromJSON(needs.synth.outputs.stacks) }}');
    expect(pr.jobs.synth!.steps!.find((s) => s.run?.includes('ci:stacks'))).toBeDefined();
    // Not ./.github/…: a local call runs the pull request's copy, at refs/pull/<n>/merge.
    expect(plan.uses).toBe(`${stateBackend.ci.repository}/.github/workflows/plan-stack.yml@${stateBackend.ci.defaultBranch}`);
    expect(plan.with).toEqual({ stack: '${{ matrix.stack }}', environment: "${{ matrix.stack == 'prod' && 'prod-plan' || '' }}", 'synth-artifact': 'synth' });
    expect(plan.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    for (const [name, job] of Object.entries(pr.jobs)) if (name !== 'plan') expect(job.permissions?.['id-token'], name).toBeUndefined();
    expect(pr.jobs.synth!.steps!.some((s) => s.uses?.startsWith('aws-actions/'))).toBe(false);
  });

  it("prod's pull-request plan waits in the reviewed environment prod-plan, as the prod plan role's trust requires", () => {
    const reviewed = [...String(pr.jobs.plan!.with!.environment).matchAll(/matrix\.stack == '([\w-]+)' && '([\w-]+)'/g)].map((m) => [m[1], m[2]]);
    expect(reviewed).toEqual(stateBackend.ci.reviewedPlans.map((env) => [env, `${env}-plan`]));
  });

  it('uploads no plan and no plan JSON from a pull request: only the summaries, and the comment reads those', () => {
    const all = files.map(text).join('\n');
    expect(all).not.toMatch(/show -json/);
    expect(all).not.toMatch(/plans\/\$STACK\.json/);
    const download = pr.jobs.comment!.steps!.find((s) => s.with?.pattern !== undefined)!;
    expect(download.with).toEqual({ pattern: 'plan-summary-*', 'merge-multiple': true, path: 'pr/plans' });
  });

  it('comments once per PR (updated, not duplicated), even when a plan failed, with the cost diff', () => {
    const comment = pr.jobs.comment!;
    expect(comment.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const run = comment.steps!.find((s) => s.run?.includes('plan-summary'))!;
    expect(run.run).toMatch(/--post/);
    expect(run.run).toMatch(/--cost pr\/cost-diff.json/);
    expect(pr.jobs.synth!.steps!.some((s) => s.run?.includes('npm run -s cost -- --json --compare ../base/cdktf.out'))).toBe(true);
  });

  it('the matrix never holds the state backend, and holds every other stack of the manifest', async () => {
    const { outdir } = await synthApp();
    const stacks = plannedStacks(outdir);
    expect(stacks).not.toContain('state-backend');
    expect(stacks.sort()).toEqual(readdirSync(join(outdir, 'stacks')).filter((s) => s !== 'state-backend').sort());
  });
});

describe('deploy pipeline', () => {
  const deploy = workflow('deploy.yml');
  const stackJob = workflow('deploy-stack.yml');

  it('on main: dev, then staging, then prod, never two at once', () => {
    expect(deploy.on).toEqual({ push: { branches: ['main'] } });
    expect(deploy.concurrency).toEqual({ group: 'deploy-main', 'cancel-in-progress': false });
    expect(Object.entries(deploy.jobs).map(([name, job]) => [name, job.needs ?? null, job.with?.stack])).toEqual([
      ['dev', null, 'dev'],
      ['staging', 'dev', 'staging'],
      ['prod', 'staging', 'prod'],
    ]);
  });

  it('synth: no credentials, no install scripts', () => {
    const synth = stackJob.jobs.synth!;
    expect(synth.permissions).toEqual({ contents: 'read' });
    expect(synth.steps!.map((s) => s.run).filter(Boolean)).toEqual(['npm ci --ignore-scripts', 'mkdir -p out && node --require tsx/cjs main.ts']);
    expect(synth.steps!.some((s) => s.uses?.startsWith('aws-actions/'))).toBe(false);
  });

  it('plan: the same plan-stack.yml as pull requests, keeping the saved plan for the apply', () => {
    expect(stackJob.jobs.plan).toMatchObject({
      needs: 'synth',
      uses: './.github/workflows/plan-stack.yml',
      with: { stack: '${{ inputs.stack }}', 'synth-artifact': 'deploy-synth-${{ inputs.stack }}', 'keep-plan': true },
    });
  });

  it('apply: in the GitHub environment of the stack (prod: required reviewers), exactly the saved plan, never cdktf deploy', () => {
    const job = stackJob.jobs.apply!;
    expect(job.needs).toBe('plan');
    expect(job.environment).toBe('${{ inputs.stack }}');
    const runs = job.steps!.map((s) => s.run).filter(Boolean);
    expect(runs.at(-1)).toBe('npm run -s ci:apply -- --stack "$STACK" --outdir synth/cdktf.out');
    const creds = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with!['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(files.map(text).join('\n')).not.toMatch(/cdktf deploy|auto-approve/);
  });

  it.each([
    ['plan-stack.yml', 'plan'],
    ['deploy-stack.yml', 'apply'],
  ])('%s %s: dependencies installed without scripts before any role is assumed', (file, name) => {
    const steps = workflow(file).jobs[name]!.steps!;
    const install = steps.findIndex((s) => s.run === 'npm ci --ignore-scripts');
    const creds = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(creds).toBeGreaterThan(install);
    expect(steps.some((s) => s.run?.includes('npm ci') && s.run !== 'npm ci --ignore-scripts')).toBe(false);
  });
});

describe('plan-stack.yml', () => {
  const planStack = workflow('plan-stack.yml');
  const job = planStack.jobs.plan!;

  it('waits in the environment it is given, assumes the stack plan role from AWS_PLAN_ROLE_ARNS', () => {
    expect(Object.keys(planStack.on)).toEqual(['workflow_call']);
    expect(job.environment).toBe('${{ inputs.environment }}');
    const creds = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(creds.with!['role-to-assume']).toBe('${{ fromJSON(vars.AWS_PLAN_ROLE_ARNS)[inputs.stack] }}');
  });

  it('runs the tools of the default branch, only the synthesized JSON comes from the caller', () => {
    const checkout = job.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toEqual({ ref: '${{ github.event.repository.default_branch }}', path: 'trusted', 'persist-credentials': false });
    expect(job.env!.TF_CLI_CONFIG_FILE).toBe('${{ github.workspace }}/trusted/terraform/ci.tfrc');
  });

  it('plans with ci:plan (state recorded, summary to the job summary), uploads the summary, and the plan file only for a deploy, for a day', () => {
    const runs = job.steps!.map((s) => s.run ?? '');
    expect(runs).toContain('npm run -s ci:plan -- --stack "$STACK" --outdir ../synth/cdktf.out --summary "../summary/$STACK.json" >> "$GITHUB_STEP_SUMMARY"');
    const uploads = job.steps!.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(uploads.map((s) => [s.with!.name, s.with!.path, s.with!['retention-days']])).toEqual([
      ['plan-summary-${{ inputs.stack }}', 'summary/${{ inputs.stack }}.json', 7],
      ['tfplan-${{ inputs.stack }}', 'synth/cdktf.out/stacks/${{ inputs.stack }}/tfplan\nsynth/cdktf.out/stacks/${{ inputs.stack }}/tfplan.state.json\n', 1],
    ]);
    expect((uploads[1] as Step & { if?: string }).if).toBe('${{ inputs.keep-plan }}');
  });
});

describe('CODEOWNERS', () => {
  const owners = readFileSync(join(ROOT, '.github', 'CODEOWNERS'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/));

  it.each(['/environments/', '/modules/security/', '/.github/', '/modules/ci-access/', '/terraform/'])('%s has a security owner', (path) => {
    const rule = owners.find(([pattern]) => pattern === path);
    expect(rule, path).toBeDefined();
    expect(rule!.slice(1)).toContain('@example-org/platform-security');
  });

  it('names teams only, @org/team', () => {
    for (const [, ...teams] of owners) for (const team of teams) expect(team).toMatch(/^@[\w-]+\/[\w-]+$/);
  });
});

describe('scripts the workflows run', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const tests = readdirSync(join(ROOT, 'tests'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(ROOT, 'tests', f), 'utf8'))
    .join('\n');
  const runs = files.flatMap((f) => (workflow(f).jobs ? Object.values(workflow(f).jobs) : []).flatMap((job) => (job.steps ?? []).map((s) => s.run ?? '')));
  const npmScripts = [...new Set(runs.flatMap((r) => [...r.matchAll(/npm run(?: -s)? ([\w:-]+)/g)].map((m) => m[1]!)))];

  it('are package.json scripts whose files exist and are tested', () => {
    expect(npmScripts.sort()).toEqual(['ci:apply', 'ci:mirror-provider', 'ci:plan', 'ci:provider-lock', 'ci:stacks', 'cost', 'plan-summary']);
    for (const name of npmScripts) {
      const command = scripts[name];
      expect(command, name).toBeDefined();
      const file = /(tools\/[\w/.-]+)\.ts/.exec(command!)![1]!;
      expect(readdirSync(join(ROOT, file, '..'))).toContain(`${file.split('/').at(-1)}.ts`);
      // A test imports the script's module (by a path relative to the test).
      expect(tests, `${file}.ts is not imported by any test`).toMatch(new RegExp(`'(\\.\\./)+${file}'`));
    }
  });

  it('ci:mirror-provider pins the provider version the bindings were generated from', () => {
    expect(AWS_PROVIDER_VERSION).toBe('5.100.0');
    expect(pinConfig()).toEqual({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } } });
    expect(mirrorArgs('/m', 'linux_amd64')).toEqual(['providers', 'mirror', '-platform=linux_amd64', '/m']);
  });
});
