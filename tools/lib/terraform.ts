/**
 * Runs the real Terraform CLI against a synthesized stack, offline: the
 * provider comes from a filesystem mirror, the backend (S3 or an HCP Terraform
 * `cloud` block) is swapped for a local one by an override file, and the AWS
 * provider gets mock credentials and skips every account lookup. The two
 * provider settings that need AWS itself (the role to assume: STS; the
 * account allowed: the lookup skipped here) are taken out of the working
 * copy, since an override can null an argument but not delete a block.
 * Nothing in cdktf.out is modified.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runCommand } from './processes';
import { findProviderMirror } from './provider-mirror';
import type { Block, TfJson } from '../synth-model/tf-json';

export const MIN_TERRAFORM = [1, 10] as const;
export const OVERRIDE_FILE = 'zz_offline_override.tf.json';

export interface ValidateJson {
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: { severity: string; summary: string; detail?: string }[];
}

export interface PlannedChange {
  address: string;
  /** `data` for data sources read during apply (their inputs are unknown at plan). */
  mode: 'managed' | 'data';
  type: string;
  name: string;
  provider_name: string;
  change: { actions: string[]; after?: Record<string, unknown>; after_unknown?: Record<string, unknown> };
}

export interface PlanJson {
  format_version: string;
  terraform_version: string;
  resource_changes: PlannedChange[];
  planned_values: { outputs?: Record<string, { value?: unknown; sensitive: boolean }> };
  configuration: {
    provider_config: Record<
      string,
      { name: string; full_name: string; alias?: string; version_constraint?: string; expressions?: Record<string, { constant_value?: unknown }> }
    >;
    root_module: { resources?: { address: string; type: string; provider_config_key: string }[] };
  };
}

export interface OfflinePlanResult {
  readonly validate: ValidateJson;
  readonly plan: PlanJson;
  readonly timingsMs: { init: number; validate: number; plan: number; show: number };
}

/** Version of the terraform on PATH; throws with an install hint when missing or too old. */
export function assertTerraformInstalled(): string {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: quietEnv() });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `terraform not found on PATH: install Terraform >= ${MIN_TERRAFORM.join('.')} ` +
        '(https://developer.hashicorp.com/terraform/install, or your package manager).',
    );
  }
  const version = (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MIN_TERRAFORM[0] || (major === MIN_TERRAFORM[0] && minor < MIN_TERRAFORM[1])) {
    throw new Error(`terraform ${version} is too old: install Terraform >= ${MIN_TERRAFORM.join('.')}.`);
  }
  return version;
}

/** The process environment without a CLI config that may not exist, plus automation flags. */
export function quietEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0', ...extra };
  if (!extra.TF_CLI_CONFIG_FILE) delete env.TF_CLI_CONFIG_FILE;
  return env;
}

/** CLI config that installs providers only from `mirror` (there is no network to fall back to). */
export function cliConfig(mirror: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["registry.terraform.io/hashicorp/*"]',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Environment for offline runs: the mirror-only CLI config and mock AWS credentials. */
export function offlineEnv(workDir: string): NodeJS.ProcessEnv {
  const configPath = join(workDir, 'terraform.tfrc');
  writeFileSync(configPath, cliConfig(findProviderMirror()));
  return quietEnv({
    TF_CLI_CONFIG_FILE: configPath,
    AWS_ACCESS_KEY_ID: 'mock-access-key',
    AWS_SECRET_ACCESS_KEY: 'mock-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
}

/**
 * Override file for offline plans: a local backend in place of S3, and every
 * `aws` provider block (matched by alias: an override for a block that does
 * not exist is an error) told to skip credential and account checks.
 */
export function offlineOverride(stack: TfJson, statePath: string): Block {
  const providers = stack.provider?.aws ?? [];
  return {
    terraform: { backend: { local: { path: statePath } } },
    provider: {
      aws: providers.map((block) => ({
        ...(typeof block.alias === 'string' ? { alias: block.alias } : {}),
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        access_key: 'mock-access-key',
        secret_key: 'mock-secret-key',
      })),
    },
  };
}

/**
 * Provider settings an offline plan cannot honour, and what needs them:
 * `assume_role` calls STS, and `allowed_account_ids` compares the account the
 * credentials belong to, which the mock credentials cannot have (with the
 * lookup skipped the provider sees no account and refuses every one).
 */
export const ONLINE_ONLY_PROVIDER_SETTINGS = ['assume_role', 'allowed_account_ids'] as const;

/** `stack` with ONLINE_ONLY_PROVIDER_SETTINGS removed from every `aws` provider block; everything else as synthesized. */
export function offlineStack(stack: TfJson): TfJson {
  const providers = stack.provider?.aws;
  if (!providers) return stack;
  const offline = providers.map((block) => Object.fromEntries(Object.entries(block).filter(([key]) => !(ONLINE_ONLY_PROVIDER_SETTINGS as readonly string[]).includes(key))));
  return { ...stack, provider: { ...stack.provider, aws: offline } };
}

async function step(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }, okCodes = [0]) {
  const started = Date.now();
  const run = await runCommand('terraform', args, options);
  if (!okCodes.includes(run.code)) {
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    throw new Error(
      `terraform ${args.join(' ')} failed in ${options.cwd} (exit ${run.code})\n--- stderr ---\n${tail(run.stderr)}\n--- stdout ---\n${tail(run.stdout)}`,
    );
  }
  return { run, ms: Date.now() - started };
}

/** init → validate → plan → show -json on a copy of `stackDir`. */
export async function offlinePlan(stackDir: string): Promise<OfflinePlanResult> {
  assertTerraformInstalled();
  const workDir = mkdtempSync(join(tmpdir(), 'tf-offline-'));
  try {
    cpSync(stackDir, workDir, { recursive: true, filter: (src) => !src.includes('.terraform') });
    const stack = offlineStack(JSON.parse(readFileSync(join(workDir, 'cdk.tf.json'), 'utf8')) as TfJson);
    writeFileSync(join(workDir, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
    writeFileSync(join(workDir, OVERRIDE_FILE), JSON.stringify(offlineOverride(stack, join(workDir, 'offline.tfstate')), null, 2));
    const options = { cwd: workDir, env: offlineEnv(workDir) };

    const init = await step(['init', '-input=false', '-no-color'], options);
    // validate -json reports problems in its JSON and exits 1; the caller asserts on it.
    const validate = await step(['validate', '-json', '-no-color'], options, [0, 1]);
    const plan = await step(['plan', '-input=false', '-no-color', '-lock=false', '-out=tfplan'], options);
    const show = await step(['show', '-json', 'tfplan'], options);
    return {
      validate: JSON.parse(validate.run.stdout) as ValidateJson,
      plan: JSON.parse(show.run.stdout) as PlanJson,
      timingsMs: { init: init.ms, validate: validate.ms, plan: plan.ms, show: show.ms },
    };
  } finally {
    if (process.env.KEEP_TF_WORKDIR !== '1') rmSync(workDir, { recursive: true, force: true });
  }
}
