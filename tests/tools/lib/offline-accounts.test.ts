/**
 * What the offline plan takes out of a stack, and why: the deploy role needs
 * STS and the account guard needs the account lookup the mock credentials
 * skip. Real Terraform refuses both offline (shown here), and plans the copy
 * without them; the stack in cdktf.out keeps them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offlineEnv, offlineOverride, offlinePlan, offlineStack, ONLINE_ONLY_PROVIDER_SETTINGS, OVERRIDE_FILE } from '../../../tools/lib/terraform';
import type { TfJson } from '../../../tools/synth-model/tf-json';

const GUARDED: TfJson = {
  terraform: { backend: { s3: { bucket: 'b', assume_role: { role_arn: 'arn:aws:iam::123456789012:role/state' } } } },
  provider: {
    aws: [
      { region: 'ap-northeast-2', allowed_account_ids: ['123456789012'], assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/deploy', session_name: 's' }] },
      { region: 'us-east-1', alias: 'us_east_1', allowed_account_ids: ['123456789012'] },
    ],
  },
};

describe('offlineStack', () => {
  it('drops the role and the account guard from every aws provider, and nothing else', () => {
    expect(ONLINE_ONLY_PROVIDER_SETTINGS).toEqual(['assume_role', 'allowed_account_ids']);
    expect(offlineStack(GUARDED)).toEqual({
      terraform: GUARDED.terraform,
      provider: { aws: [{ region: 'ap-northeast-2' }, { region: 'us-east-1', alias: 'us_east_1' }] },
    });
    // The input is not modified: cdktf.out keeps what was synthesized.
    expect(GUARDED.provider?.aws?.[0]).toHaveProperty('assume_role');
  });

  it('leaves a stack without aws providers alone', () => {
    const bare: TfJson = { terraform: {} };
    expect(offlineStack(bare)).toBe(bare);
  });
});

/** A one-resource stack with the given provider block, planned offline. */
function stackDir(provider: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'offline-accounts-'));
  const stack = {
    terraform: {
      required_providers: { aws: { source: 'aws', version: '5.100.0' } },
      cloud: { organization: 'example-org', hostname: 'app.terraform.io', workspaces: { name: 'offline-test' } },
    },
    provider: { aws: [{ region: 'ap-northeast-2', ...provider }] },
    resource: { aws_sns_topic: { topic: { name: 'offline-accounts' } } },
  };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(stack));
  return dir;
}

/** stderr of `terraform plan` on `dir` with the offline override alone (no offlineStack). */
function planWithOverrideOnly(dir: string): { status: number | null; stderr: string } {
  const stack = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as TfJson;
  writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(offlineOverride(stack, join(dir, 'offline.tfstate'))));
  const options = { cwd: dir, env: offlineEnv(dir), encoding: 'utf8' as const };
  expect(spawnSync('terraform', ['init', '-input=false', '-no-color'], options).status).toBe(0);
  const plan = spawnSync('terraform', ['plan', '-input=false', '-no-color', '-lock=false'], options);
  return { status: plan.status, stderr: plan.stderr };
}

describe('why: the override alone cannot plan them (real Terraform)', () => {
  it('the account guard, with the account lookup skipped, allows no account at all', () => {
    const result = planWithOverrideOnly(stackDir({ allowed_account_ids: ['123456789012'] }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('AWS account ID not allowed');
  }, 120_000);

  it('the role is assumed through STS, which mock credentials (and no network) cannot do', () => {
    const result = planWithOverrideOnly(stackDir({ assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/deploy' }] }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot assume IAM Role');
  }, 120_000);
});

describe('offlinePlan of a guarded stack whose state is in HCP Terraform (real Terraform)', () => {
  it('plans: the cloud block gives way to the local backend, the role and the guard to the mock credentials', async () => {
    const dir = stackDir({ allowed_account_ids: ['123456789012'], assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/deploy' }] });
    const { validate, plan } = await offlinePlan(dir);
    expect(validate.valid, JSON.stringify(validate.diagnostics)).toBe(true);
    expect(plan.resource_changes.map((c) => `${c.address} ${c.change.actions.join()}`)).toEqual(['aws_sns_topic.topic create']);
    // Planned without them; the synthesized file still has them.
    expect(plan.configuration.provider_config.aws?.expressions).not.toHaveProperty('assume_role');
    expect(plan.configuration.provider_config.aws?.expressions).not.toHaveProperty('allowed_account_ids');
    expect(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).toContain('allowed_account_ids');
  }, 180_000);
});
