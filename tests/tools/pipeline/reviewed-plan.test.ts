/**
 * The reviewed-plan flow, offline with a local backend: a saved plan applies
 * when the state is the one it was planned against, and is refused (by our
 * serial/lineage check, and by Terraform itself: "Saved plan is stale") when
 * the state moved in between. Then the provider lock CI installs: committed,
 * hashicorp/aws 5.100.0 with hashes, accepted by `init -lockfile=readonly`,
 * and the CI CLI configuration that installs nothing but hashicorp/aws.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stateBackend } from '../../../environments/state-backend';
import { buildStacks } from '../../../stacks';
import { APPLY_REVIEWED_PLAN_COMMAND } from '../../../tools/pipeline/apply-reviewed-plan';
import { PLAN_FOR_REVIEW_COMMAND } from '../../../tools/pipeline/plan-for-review';
import { CI_CLI_CONFIG, installLockFile, LOCK_FILE, parseLockFile } from '../../../tools/pipeline/provider-lock';
import { applyReviewedPlan, currentState, pointerFile, savePlan, StalePlanError, staleness } from '../../../tools/pipeline/reviewed-plan';
import { assertTerraformInstalled, cliConfig, quietEnv } from '../../../tools/lib/terraform';
import { findProviderMirror } from '../../../tools/lib/provider-mirror';
import { ROOT } from '../../support/paths';

const terraform = (dir: string, args: string[], env: NodeJS.ProcessEnv = quietEnv()) =>
  spawnSync('terraform', [`-chdir=${dir}`, ...args], { encoding: 'utf8', env, timeout: 120_000 });

/** A stack of one built-in resource (no provider to install) keeping its state in a local backend. */
function stack(input: string, dir = mkdtempSync(join(tmpdir(), 'reviewed-plan-'))): string {
  writeFileSync(
    join(dir, 'cdk.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: 'state.tfstate' } } }, resource: { terraform_data: { page: { input } } } }),
  );
  return dir;
}

function initialized(input: string): { dir: string; tf: { dir: string; env: NodeJS.ProcessEnv } } {
  const dir = stack(input);
  const init = terraform(dir, ['init', '-input=false']);
  expect(init.status, init.stderr).toBe(0);
  return { dir, tf: { dir, env: quietEnv() } };
}

/** Another apply changes the state (as a concurrent deploy or a console fix would), then the configuration goes back. */
function changeStateBehindThePlan(dir: string): void {
  stack('changed elsewhere', dir);
  const apply = terraform(dir, ['apply', '-input=false', '-auto-approve']);
  expect(apply.status, apply.stderr).toBe(0);
  stack('v2', dir);
}

beforeAll(() => {
  assertTerraformInstalled();
});

describe('a saved plan, applied after review', () => {
  it('applies when the state is the one it was planned against, and records that state beside the plan', async () => {
    const { dir, tf } = initialized('v1');
    const saved = await savePlan(tf, 'demo', 'tfplan');
    expect(saved.pointer).toBeNull(); // no state yet
    expect(readFileSync(join(dir, pointerFile('tfplan')), 'utf8').trim()).toBe('null');
    expect(saved.summary).toMatchObject({ stack: 'demo', add: 1, change: 0, destroy: 0 });
    expect(saved.summary.changes!.map((c) => [c.address, c.kind])).toEqual([['terraform_data.page', 'create']]);

    await applyReviewedPlan(tf, 'tfplan');
    const after = await currentState(tf);
    expect(after).toMatchObject({ serial: expect.any(Number), lineage: expect.any(String) });

    // A second round, against a state that now exists.
    stack('v2', dir);
    const second = await savePlan(tf, 'demo', 'tfplan');
    expect(second.pointer).toEqual(after);
    expect(second.summary).toMatchObject({ add: 0, change: 1, destroy: 0 });
    await applyReviewedPlan(tf, 'tfplan');
    expect((await currentState(tf))!.serial).toBeGreaterThan(after!.serial);
  }, 120_000);

  it('the summary holds addresses and actions, never attribute values', async () => {
    const { tf } = initialized('a value that must stay in the plan job');
    const saved = await savePlan(tf, 'demo', 'tfplan');
    expect(JSON.stringify(saved.summary)).not.toContain('must stay in the plan job');
  }, 120_000);

  it('is refused when the state changed after the plan: nothing is applied', async () => {
    const { dir, tf } = initialized('v1');
    expect(terraform(dir, ['apply', '-input=false', '-auto-approve']).status).toBe(0);
    stack('v2', dir);
    const saved = await savePlan(tf, 'demo', 'tfplan');
    changeStateBehindThePlan(dir);
    const moved = await currentState(tf);
    expect(moved!.serial).toBeGreaterThan(saved.pointer!.serial);

    await expect(applyReviewedPlan(tf, 'tfplan')).rejects.toThrow(StalePlanError);
    await expect(applyReviewedPlan(tf, 'tfplan')).rejects.toThrow(
      `the plan was made against serial ${saved.pointer!.serial} of lineage ${saved.pointer!.lineage}, the state is now serial ${moved!.serial} of lineage ${moved!.lineage}: it changed after the plan was reviewed. Re-run the deploy to plan and review again.`,
    );
    expect(await currentState(tf)).toEqual(moved);
  }, 120_000);

  it('Terraform refuses the same stale plan on its own ("Saved plan is stale"), so the check has a second line', async () => {
    const { dir, tf } = initialized('v1');
    expect(terraform(dir, ['apply', '-input=false', '-auto-approve']).status).toBe(0);
    stack('v2', dir);
    await savePlan(tf, 'demo', 'tfplan');
    changeStateBehindThePlan(dir);
    const direct = terraform(dir, ['apply', '-input=false', '-no-color', 'tfplan']);
    expect(direct.status).toBe(1);
    expect(direct.stderr).toContain('Saved plan is stale');
  }, 120_000);

  it('refuses a plan with no recorded state (not saved by ci:plan)', async () => {
    const { dir, tf } = initialized('v1');
    expect(terraform(dir, ['plan', '-input=false', '-out=tfplan']).status).toBe(0);
    await expect(applyReviewedPlan(tf, 'tfplan')).rejects.toThrow('tfplan.state.json is missing: only a plan saved by npm run ci:plan is applied');
  }, 120_000);

  it('staleness: same serial and lineage, or still no state, is fresh; anything else is not', () => {
    const a = { serial: 3, lineage: 'L' };
    expect(staleness(a, { ...a })).toBeUndefined();
    expect(staleness(null, null)).toBeUndefined();
    expect(staleness(a, { serial: 4, lineage: 'L' })).toMatch(/^the plan was made against serial 3 of lineage L, the state is now serial 4 of lineage L/);
    expect(staleness(a, { serial: 3, lineage: 'M' })).toBeDefined(); // a replaced state with the same serial
    expect(staleness(null, a)).toMatch(/^the plan was made against no state/);
    expect(staleness(a, null)).toMatch(/the state is now no state/);
  });

  it('the commands say what they do', () => {
    expect(PLAN_FOR_REVIEW_COMMAND.usage).toBe('npm run ci:plan -- --stack <name> [options]');
    expect(APPLY_REVIEWED_PLAN_COMMAND.usage).toBe('npm run ci:apply -- --stack <name> [options]');
  });
});

describe('the provider lock CI installs', () => {
  it('is committed (not ignored), and pins hashicorp/aws 5.100.0 with hashes', () => {
    expect(LOCK_FILE).toBe(join(ROOT, 'terraform', '.terraform.lock.hcl'));
    const ignored = spawnSync('git', ['check-ignore', '-q', 'terraform/.terraform.lock.hcl'], { cwd: ROOT });
    expect(ignored.status, 'terraform/.terraform.lock.hcl is git-ignored').toBe(1);
    const providers = parseLockFile(readFileSync(LOCK_FILE, 'utf8'));
    expect(providers.map(({ source, version, constraints }) => ({ source, version, constraints }))).toEqual([
      { source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0', constraints: '5.100.0' },
    ]);
    expect(providers[0]!.hashes.length).toBeGreaterThan(0);
    for (const hash of providers[0]!.hashes) expect(hash).toMatch(/^(h1:[A-Za-z0-9+/]{43}=|zh:[0-9a-f]{64})$/);
  });

  it('the CI CLI configuration installs hashicorp/aws from the registry and nothing else', () => {
    expect(CI_CLI_CONFIG).toBe(join(ROOT, 'terraform', 'ci.tfrc'));
    const text = readFileSync(CI_CLI_CONFIG, 'utf8').replace(/#.*$/gm, '');
    expect(text.replace(/\s+/g, ' ').trim()).toBe('provider_installation { direct { include = ["registry.terraform.io/hashicorp/aws"] } }');
  });

  it('a stack with the committed lock initializes with -lockfile=readonly, and the lock stays as committed', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'lock-'));
    const app = new App({ outdir });
    buildStacks(app, [], stateBackend);
    app.synth();
    // An artifact may bring a .terraform/ of its own: installing the lock drops it.
    mkdirSync(join(outdir, 'stacks', 'state-backend', '.terraform', 'providers'), { recursive: true });
    expect(installLockFile(outdir)).toEqual(['state-backend']);
    const dir = join(outdir, 'stacks', 'state-backend');
    expect(existsSync(join(dir, '.terraform'))).toBe(false);
    // Offline, the registry is the mirror; the lock's hashes must match what it holds.
    const rc = join(outdir, 'mirror.tfrc');
    writeFileSync(rc, cliConfig(findProviderMirror()));
    const init = terraform(dir, ['init', '-input=false', '-no-color', '-lockfile=readonly'], quietEnv({ TF_CLI_CONFIG_FILE: rc }));
    expect(init.status, init.stderr).toBe(0);
    expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toBe(readFileSync(LOCK_FILE, 'utf8'));
  }, 120_000);

  it('a configuration naming any other provider does not initialize with the CI configuration and the lock', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-external-'));
    cpSync(LOCK_FILE, join(dir, '.terraform.lock.hcl'));
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { external: { source: 'hashicorp/external' } } }, data: { external: { x: { program: ['true'] } } } }),
    );
    const init = terraform(dir, ['init', '-input=false', '-no-color', '-lockfile=readonly'], quietEnv({ TF_CLI_CONFIG_FILE: CI_CLI_CONFIG }));
    expect(init.status).toBe(1);
    expect(init.stderr).toContain('provider registry.terraform.io/hashicorp/external was not');
  }, 120_000);

  it.each(['plan-stack.yml', 'deploy-stack.yml'])('%s initializes with -lockfile=readonly, the lock installed, and the CI CLI configuration', (file) => {
    const wf = parse(readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8')) as { jobs: Record<string, { env?: Record<string, string>; steps?: { run?: string }[] }> };
    const job = Object.values(wf.jobs).find((j) => (j.steps ?? []).some((s) => s.run?.includes(' init')))!;
    const runs = job.steps!.map((s) => s.run ?? '');
    const init = runs.findIndex((r) => r.includes(' init'));
    expect(runs[init]).toBe('terraform -chdir="synth/cdktf.out/stacks/$STACK" init -input=false -lockfile=readonly');
    expect(runs.slice(0, init).some((r) => r.startsWith('npm run -s ci:provider-lock -- '))).toBe(true);
    expect(job.env!.TF_CLI_CONFIG_FILE).toMatch(/^\$\{\{ github\.workspace \}\}\/(trusted\/)?terraform\/ci\.tfrc$/);
  });
});
