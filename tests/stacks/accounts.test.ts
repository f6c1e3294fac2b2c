/**
 * Accounts and state, as synthesized and as planned: every AWS provider of a
 * stack allows only its account and assumes the deploy role when one is
 * given; the S3 backend assumes the state role; a cloud environment gets a
 * `cloud` block; free-form tags reach default_tags. Both kinds plan offline
 * with real Terraform (tools/lib/terraform.ts offlinePlan).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import dev from '../../environments/dev';
import { EnvironmentValidationError, validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import { stateBackend } from '../../environments/state-backend';
import { buildStacks, StateBackendStack } from '../../stacks';
import { offlinePlan, type OfflinePlanResult } from '../../tools/lib/terraform';
import { statePlaceOf } from '../../tools/pipeline/plan-report';
import { emulatorTarget } from '../../tools/sandbox/target';
import { readStacks, stackNamed, synthApp, synthEnvironments, type Block, type TfJson } from '../support/synth';

const PROD_DEPLOY_ROLE = 'arn:aws:iam::210987654321:role/platform/web-app-deploy';
const STATE_ROLE = 'arn:aws:iam::123456789012:role/web-app-state';

/** Prod (primary, standby and us-east-1 providers) deployed through a role, its state through another, with tags of its own. */
const ACCOUNTS: EnvironmentInput = {
  ...structuredClone(prod),
  name: 'acct',
  deployRole: { roleArn: PROD_DEPLOY_ROLE, externalId: 'web-app-acct' },
  state: { kind: 's3', roleArn: STATE_ROLE },
  tags: { DataClassification: 'internal', 'owner:email': 'platform@example.com' },
};

/** Dev with its state in an HCP Terraform workspace. */
const CLOUD: EnvironmentInput = {
  ...structuredClone(dev),
  name: 'cloudy',
  dns: { ...dev.dns!, domain: 'cloudy.dev.example.com' },
  state: { kind: 'cloud', organization: 'example-org', workspace: 'web-app-cloudy', project: 'Web App' },
};

const providers = (stack: TfJson): Block[] => stack.provider?.aws ?? [];

let outdir: string;
let stacks: Record<string, TfJson>;
beforeAll(() => {
  ({ outdir, stacks } = synthEnvironments([
    { file: 'acct.ts', data: ACCOUNTS },
    { file: 'cloudy.ts', data: CLOUD },
  ]));
});

describe('the shipped stacks', () => {
  it('every provider allows only the stack’s account and assumes no role', async () => {
    const shipped = (await synthApp()).stacks;
    const accounts = { dev: '123456789012', staging: '123456789012', prod: '210987654321', 'state-backend': '123456789012' };
    for (const [name, account] of Object.entries(accounts)) {
      const blocks = providers(stackNamed(shipped, name));
      expect(blocks.length, name).toBeGreaterThan(0);
      for (const block of blocks) {
        expect(block.allowed_account_ids, `${name} ${String(block.alias ?? 'default')}`).toEqual([account]);
        expect(block).not.toHaveProperty('assume_role');
      }
      expect(stackNamed(shipped, name).terraform.backend?.s3 ?? {}).not.toHaveProperty('assume_role');
    }
    expect(providers(stackNamed(shipped, 'prod')).map((b) => b.alias ?? 'default')).toEqual(['default', 'standby', 'us_east_1']);
  });
});

describe('an environment with a deploy role, a state role and tags', () => {
  it('every provider (primary, standby, us-east-1) assumes the role and allows only the account', () => {
    const blocks = providers(stackNamed(stacks, 'acct'));
    expect(blocks.map((b) => b.alias ?? 'default')).toEqual(['default', 'standby', 'us_east_1']);
    for (const block of blocks) {
      expect(block.allowed_account_ids).toEqual(['210987654321']);
      expect(block.assume_role).toEqual([{ role_arn: PROD_DEPLOY_ROLE, session_name: 'web-app-acct-cdktf', external_id: 'web-app-acct' }]);
    }
  });

  it('a session name given is used as given', () => {
    const { stacks: named } = synthEnvironments([{ file: 'acct.ts', data: { ...ACCOUNTS, deployRole: { roleArn: PROD_DEPLOY_ROLE, sessionName: 'release-42' } } }]);
    for (const block of providers(stackNamed(named, 'acct'))) expect(block.assume_role).toEqual([{ role_arn: PROD_DEPLOY_ROLE, session_name: 'release-42' }]);
  });

  it('the S3 backend assumes the state role in Terraform ≥ 1.6’s form', () => {
    const s3 = stackNamed(stacks, 'acct').terraform.backend?.s3;
    expect(s3).toMatchObject({ key: 'web-app/acct/terraform.tfstate', assume_role: { role_arn: STATE_ROLE, session_name: 'web-app-acct-cdktf' } });
    expect(s3).not.toHaveProperty('role_arn');
  });

  it('free-form tags join the cost tags in every provider’s default_tags, and on the instances', () => {
    const expected = {
      DataClassification: 'internal',
      'owner:email': 'platform@example.com',
      Environment: 'acct',
      ManagedBy: 'cdktf',
      Project: 'web-app',
      CostCenter: 'engineering',
      Team: 'platform',
    };
    for (const block of providers(stackNamed(stacks, 'acct'))) expect((block.default_tags as { tags: Record<string, string> }[])[0]!.tags).toEqual(expected);
    const templates = Object.values(stackNamed(stacks, 'acct').resource?.aws_launch_template ?? {});
    for (const template of templates) {
      for (const spec of template.tag_specifications as { tags: Record<string, string> }[]) expect(spec.tags).toMatchObject({ DataClassification: 'internal' });
    }
    expect(templates).toHaveLength(2);
  });

  it('a state role outside the state backend’s account is refused at synth, by field', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdktf-synth-')) });
    const envs = validateEnvironments([{ file: 'acct.ts', data: { ...ACCOUNTS, state: { kind: 's3', roleArn: 'arn:aws:iam::210987654321:role/web-app-state' } } }]);
    expect(() => buildStacks(app, envs, stateBackend)).toThrow(EnvironmentValidationError);
    expect(() => buildStacks(new App({ outdir: mkdtempSync(join(tmpdir(), 'cdktf-synth-')) }), envs, stateBackend)).toThrow(
      "acct.state.roleArn: role belongs to account 210987654321, not the state backend's 123456789012",
    );
  });
});

describe('an environment whose state is in HCP Terraform', () => {
  it('gets a cloud block naming its workspace and project, and no S3 backend', () => {
    const terraform = stackNamed(stacks, 'cloudy').terraform;
    expect(terraform.cloud).toEqual({ organization: 'example-org', hostname: 'app.terraform.io', workspaces: { name: 'web-app-cloudy', project: 'Web App' } });
    expect(terraform.backend).toBeUndefined();
    for (const block of providers(stackNamed(stacks, 'cloudy'))) expect(block.allowed_account_ids).toEqual(['123456789012']);
  });

  it('the plan comment finds no shared bucket or table to guard in it, and still finds them in an S3 one', () => {
    expect(statePlaceOf(stackNamed(stacks, 'cloudy'))).toEqual({});
    expect(statePlaceOf(stackNamed(stacks, 'acct'))).toEqual({ bucket: stateBackend.bucket, table: stateBackend.lockTable });
  });
});

describe('the state-backend stack', () => {
  it('assumes its own deploy role when given one, with its own session name', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-synth-'));
    const app = new App({ outdir });
    new StateBackendStack(app, { ...stateBackend, deployRole: { roleArn: 'arn:aws:iam::123456789012:role/state-admin' } });
    app.synth();
    expect(providers(stackNamed(readStacks(outdir), 'state-backend'))).toEqual([
      expect.objectContaining({
        allowed_account_ids: ['123456789012'],
        assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/state-admin', session_name: 'web-app-state-backend-cdktf' }],
      }),
    ]);
  });
});

describe('the sandbox target', () => {
  it('pins every provider to the emulator’s account, drops both roles, and keeps a cloud environment’s state in its own bucket', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktf-synth-'));
    const app = new App({ outdir });
    const envs = validateEnvironments([
      { file: 'acct.ts', data: ACCOUNTS },
      { file: 'cloudy.ts', data: CLOUD },
    ]);
    buildStacks(app, envs, stateBackend, emulatorTarget({ endpoint: 'https://127.0.0.1:5000', stateDir: outdir }));
    app.synth();
    const sandbox = readStacks(outdir);
    for (const name of ['acct', 'cloudy', 'state-backend']) {
      for (const block of providers(stackNamed(sandbox, name))) {
        // acct is prod's copy (account 210987654321): the emulator is one account for every environment.
        expect(block.allowed_account_ids, name).toEqual(['123456789012']);
        expect(block, name).not.toHaveProperty('assume_role');
      }
    }
    expect(stackNamed(sandbox, 'acct').terraform.backend?.s3).not.toHaveProperty('assume_role');
    expect(stackNamed(sandbox, 'cloudy').terraform.cloud).toBeUndefined();
    expect(stackNamed(sandbox, 'cloudy').terraform.backend?.s3).toMatchObject({ key: 'web-app/cloudy/terraform.tfstate', endpoints: { s3: 'https://127.0.0.1:5000' } });
  });
});

describe('offline plans (real Terraform)', () => {
  const plans = new Map<string, OfflinePlanResult>();
  beforeAll(async () => {
    // Two at once: each runs a provider process of several hundred MB.
    await Promise.all(['acct', 'cloudy'].map(async (name) => plans.set(name, await offlinePlan(join(outdir, 'stacks', name)))));
  }, 600_000);

  it.each(['acct', 'cloudy'])('%s validates and plans only creates', (name) => {
    const result = plans.get(name)!;
    expect(result.validate.valid, JSON.stringify(result.validate.diagnostics)).toBe(true);
    const managed = result.plan.resource_changes.filter((c) => c.mode === 'managed');
    expect(managed.length).toBeGreaterThan(50);
    expect([...new Set(managed.flatMap((c) => c.change.actions))]).toEqual(['create']);
  });

  it('acct plans every region with the free-form tags, through all three providers', () => {
    const plan = plans.get('acct')!.plan;
    const keys = Object.keys(plan.configuration.provider_config);
    expect(keys.sort()).toEqual(['aws', 'aws.standby', 'aws.us_east_1']);
    // One VPC per region: the primary's and the standby's, each through its own provider.
    const vpcs = plan.resource_changes.filter((c) => c.type === 'aws_vpc');
    const providerOf = (address: string) => plan.configuration.root_module.resources?.find((r) => r.address === address)?.provider_config_key;
    expect(vpcs.map((c) => providerOf(c.address)).sort()).toEqual(['aws', 'aws.standby']);
    for (const vpc of vpcs) expect(vpc.change.after?.tags_all).toMatchObject({ DataClassification: 'internal', 'owner:email': 'platform@example.com', Environment: 'acct' });
  });
});
