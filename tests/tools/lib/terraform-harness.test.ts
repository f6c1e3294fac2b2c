/** The offline Terraform harness itself: discovery, override, and the failure messages users see. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProviderMirror } from '../../../tools/lib/provider-mirror';
import { assertTerraformInstalled, cliConfig, offlineOverride } from '../../../tools/lib/terraform';

// Where discovery looks and what it accepts: provider-mirror.test.ts.
describe('provider mirror discovery', () => {
  it('fails with what to install when there is no mirror', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-mirror-'));
    expect(() => findProviderMirror({ env: {}, candidates: [empty], scanRoots: [empty] })).toThrow(
      /hashicorp\/aws 5\.100\.0 was not found.*Set TF_PROVIDER_MIRROR.*terraform providers mirror/,
    );
  });

  it('fails when TF_PROVIDER_MIRROR points at the wrong place', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-mirror-'));
    expect(() => findProviderMirror({ env: { TF_PROVIDER_MIRROR: empty } })).toThrow(/TF_PROVIDER_MIRROR=.* has no registry\.terraform\.io/);
  });

  it('finds the real mirror on this machine', () => {
    expect(findProviderMirror()).toBeTruthy();
  });
});

describe('terraform on PATH', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('missing terraform is an error that says what to install', () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-path-'));
    expect(() => assertTerraformInstalled()).toThrow(/terraform not found on PATH: install Terraform >= 1\.10/);
  });

  it('the installed terraform is new enough', () => {
    expect(assertTerraformInstalled()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('offline configuration', () => {
  it('installs only from the mirror', () => {
    const config = cliConfig('/some/mirror');
    expect(config).toContain('filesystem_mirror');
    expect(config).toContain('path    = "/some/mirror"');
    expect(config).not.toContain('direct');
  });

  it('overrides the backend and every aws provider block, aliases included', () => {
    const override = offlineOverride(
      {
        terraform: { backend: { s3: { bucket: 'b' } } },
        provider: { aws: [{ region: 'ap-northeast-2' }, { region: 'us-east-1', alias: 'use1' }] },
      },
      '/work/state.tfstate',
    );
    expect(override).toEqual({
      terraform: { backend: { local: { path: '/work/state.tfstate' } } },
      provider: {
        aws: [
          expect.objectContaining({ skip_credentials_validation: true, skip_requesting_account_id: true, access_key: 'mock-access-key' }),
          expect.objectContaining({ alias: 'use1', skip_credentials_validation: true, skip_metadata_api_check: true }),
        ],
      },
    });
    expect((override.provider as { aws: Record<string, unknown>[] }).aws[0]).not.toHaveProperty('alias');
  });
});
