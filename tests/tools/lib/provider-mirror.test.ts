/**
 * Provider mirror discovery (security review finding 8): Terraform runs the
 * provider it finds, so discovery passes over directories others could have
 * written and refuses a provider whose hash is not a known one.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirHash, zipHash } from '../../../tools/lib/dirhash';
import { COMMITTED_LOCK_FILE, knownAwsProviderHashes, lockFileHashes, PINNED_AWS_PROVIDER_HASHES } from '../../../tools/lib/provider-hashes';
import { AWS_PROVIDER_VERSION, findProviderMirror, terraformPlatform, untrustedBecause, verifyMirrorProvider } from '../../../tools/lib/provider-mirror';
import { ROOT } from '../../support/paths';

/**
 * Not under the temp dir: /tmp is writable by everyone, so nothing below it is
 * trusted. The repository's node_modules/.cache when the clone itself sits
 * somewhere trusted, else the home directory's .cache (CI may clone into /tmp).
 */
function trustedScratch(): string {
  const trusted = (dir: string) => {
    for (let d = realpathSync(dir); ; d = dirname(d)) {
      if (untrustedBecause(d)) return false;
      if (dirname(d) === d) return true;
    }
  };
  for (const dir of [join(ROOT, 'node_modules', '.cache'), join(homedir(), '.cache')]) {
    mkdirSync(dir, { recursive: true });
    if (trusted(dir)) return mkdtempSync(join(dir, 'provider-mirror-test-'));
  }
  throw new Error('no trusted scratch directory: neither the repository nor the home directory is below trusted directories only');
}
const base = trustedScratch();
afterAll(() => rmSync(base, { recursive: true, force: true }));

const FAKE = '#!/bin/sh\necho "not hashicorp/aws"\n';
const PROVIDER = join('registry.terraform.io', 'hashicorp', 'aws');

/** A mirror at `root` whose "provider" is a shell script, unpacked; returns the platform dir. */
function fakeMirror(root: string): string {
  const dir = join(root, PROVIDER, AWS_PROVIDER_VERSION, terraformPlatform());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5`), FAKE, { mode: 0o755 });
  return dir;
}

let count = 0;
function fresh(): string {
  const dir = join(base, `case-${++count}`);
  mkdirSync(dir, { mode: 0o755 });
  return dir;
}

/** Known hashes that accept `dir`'s fake, so a test exercises one rule at a time. */
const accepting = (platformDir: string) => ({ hashes: new Set([dirHash(platformDir)]), source: 'the test' });

describe('where discovery looks', () => {
  it('takes TF_PROVIDER_MIRROR first', () => {
    const mirror = join(fresh(), 'nested');
    const known = accepting(fakeMirror(mirror));
    expect(findProviderMirror({ env: { TF_PROVIDER_MIRROR: mirror }, candidates: [], scanRoots: [], knownHashes: known })).toBe(mirror);
  });

  it('finds a mirror by a shallow scan', () => {
    const root = fresh();
    const known = accepting(fakeMirror(join(root, 'nested')));
    expect(findProviderMirror({ env: {}, candidates: [], scanRoots: [root], knownHashes: known })).toBe(join(root, 'nested'));
  });

  it('never enters a directory writable by others, nor anything below it', () => {
    const root = fresh();
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const known = accepting(fakeMirror(join(open, 'deeper')));
    expect(() => findProviderMirror({ env: {}, candidates: [], scanRoots: [root], scanDepth: 3, knownHashes: known })).toThrow(/was not found/);
    // Named as a candidate it is passed over too, and the message says why.
    expect(() => findProviderMirror({ env: {}, candidates: [join(open, 'deeper')], scanRoots: [], knownHashes: known })).toThrow(
      new RegExp(`Passed over, as others could have written them: ${join(open, 'deeper')} \\(${open} is writable by others\\)`),
    );
  });

  it('passes over a mirror below a world-writable directory, sticky or not (the temp dir)', () => {
    const inTmp = mkdtempSync(join(tmpdir(), 'mirror-'));
    const known = accepting(fakeMirror(inTmp));
    expect(() => findProviderMirror({ env: {}, candidates: [inTmp], scanRoots: [], knownHashes: known })).toThrow(/Passed over.*is writable by others/);
    expect(() => findProviderMirror({ env: { TF_PROVIDER_MIRROR: inTmp }, knownHashes: known })).toThrow(
      new RegExp(`TF_PROVIDER_MIRROR=${inTmp} is not safe to run a provider from: .* is writable by others`),
    );
  });

  it.skipIf(process.getuid?.() !== 0)('passes over a directory owned by another user', () => {
    const root = fresh();
    const theirs = join(root, 'theirs');
    const known = accepting(fakeMirror(theirs));
    chownSync(theirs, 65534, 65534);
    expect(() => findProviderMirror({ env: {}, candidates: [], scanRoots: [root], knownHashes: known })).toThrow(/was not found/);
    expect(() => findProviderMirror({ env: {}, candidates: [theirs], scanRoots: [], knownHashes: known })).toThrow(/owned by uid 65534, neither root nor this user/);
  });
});

describe('what discovery accepts', () => {
  it('refuses a provider whose hash is not a known one, naming the directory', () => {
    const mirror = fresh();
    const platformDir = fakeMirror(mirror);
    // The committed lock file (terraform/.terraform.lock.hcl) when there is one, else the pinned list.
    const source = knownAwsProviderHashes(AWS_PROVIDER_VERSION).source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const message = new RegExp(`hashicorp/aws 5\\.100\\.0 in ${platformDir} has hash h1:\\S+, which is not one of ${source}: refusing to run it`);
    expect(() => findProviderMirror({ env: { TF_PROVIDER_MIRROR: mirror } })).toThrow(message);
    // Found by the search it stops the search: a fake in a trusted place is an error, not a miss.
    expect(() => findProviderMirror({ env: {}, candidates: [mirror], scanRoots: [] })).toThrow(message);
  });

  it('refuses a packed zip whose zh: is not a known one', () => {
    const mirror = fresh();
    const zip = join(mirror, PROVIDER, `terraform-provider-aws_${AWS_PROVIDER_VERSION}_${terraformPlatform()}.zip`);
    mkdirSync(join(mirror, PROVIDER), { recursive: true });
    writeFileSync(zip, 'PK not a release');
    expect(() => findProviderMirror({ env: { TF_PROVIDER_MIRROR: mirror } })).toThrow(new RegExp(`in ${zip} has hash zh:[0-9a-f]{64}, which is not one of`));
    expect(zipHash(zip)).toMatch(/^zh:[0-9a-f]{64}$/);
  });

  it('accepts the real mirror on this machine: its h1: is the pinned one and the committed lock file\'s', () => {
    const mirror = findProviderMirror();
    expect(() => verifyMirrorProvider(mirror, knownAwsProviderHashes(AWS_PROVIDER_VERSION))).not.toThrow();
    const h1 = dirHash(join(mirror, PROVIDER, AWS_PROVIDER_VERSION, terraformPlatform()));
    expect(PINNED_AWS_PROVIDER_HASHES).toContain(h1);
    if (existsSync(COMMITTED_LOCK_FILE)) expect(lockFileHashes(readFileSync(COMMITTED_LOCK_FILE, 'utf8'), AWS_PROVIDER_VERSION)).toContain(h1);
  });
});

describe('known hashes', () => {
  const lock = [
    '# This file is maintained automatically by "terraform init".',
    'provider "registry.terraform.io/hashicorp/random" {',
    '  version = "3.7.2"',
    '  hashes = ["h1:random="]',
    '}',
    '',
    'provider "registry.terraform.io/hashicorp/aws" {',
    '  version     = "5.100.0"',
    '  constraints = "5.100.0"',
    '  hashes = [',
    '    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",',
    '    "zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644",',
    '  ]',
    '}',
    '',
  ].join('\n');

  it('reads the aws block of a lock file, and no other', () => {
    expect(lockFileHashes(lock, '5.100.0')).toEqual([
      'h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=',
      'zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644',
    ]);
    expect(lockFileHashes('provider "registry.terraform.io/hashicorp/random" {\n}\n', '5.100.0')).toBeUndefined();
    expect(() => lockFileHashes(lock, '5.99.0')).toThrow('the lock file pins hashicorp/aws 5.100.0, not 5.99.0');
  });

  it('take a committed lock file over the pinned list when there is one', () => {
    const dir = fresh();
    const file = join(dir, '.terraform.lock.hcl');
    expect(knownAwsProviderHashes('5.100.0', file).source).toMatch(/pinned in tools\/lib\/provider-hashes\.ts/);
    writeFileSync(file, lock);
    expect(knownAwsProviderHashes('5.100.0', file)).toEqual({
      hashes: new Set(['h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=', 'zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644']),
      source: file,
    });
    expect(() => knownAwsProviderHashes('6.0.0', join(dir, 'absent.hcl'))).toThrow(/no known hashes for hashicorp\/aws 6\.0\.0/);
  });
});
