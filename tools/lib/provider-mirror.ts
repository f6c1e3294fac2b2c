/**
 * Finds a filesystem mirror holding hashicorp/aws at the version the
 * bindings were generated from, so `terraform init` works with no network.
 * Nothing here names a machine path: the mirror comes from
 * TF_PROVIDER_MIRROR, Terraform's own implied mirror directories, or a
 * shallow scan.
 *
 * Terraform executes what it finds there, so a mirror is used only when no
 * one else could have put it there — no directory on its path, from `/` down
 * to the provider's files, is writable by others or owned by anyone but root
 * or this user (the scan does not even enter such a directory) — and when its
 * hash is one of the known ones (./provider-hashes.ts).
 */
import { existsSync, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { dirHash, zipHash } from './dirhash';
import { type KnownHashes, knownAwsProviderHashes } from './provider-hashes';

export const AWS_PROVIDER_VERSION = '5.100.0';
const PROVIDER_DIR = join('registry.terraform.io', 'hashicorp', 'aws');
const SKIP = new Set(['proc', 'sys', 'dev', 'run', 'tmp', 'node_modules', '.git', 'lost+found', 'snap']);

/** Terraform's platform name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

function unpackedDir(root: string, version: string, platform: string): string {
  return join(root, PROVIDER_DIR, version, platform);
}

function packedZip(root: string, version: string, platform: string): string {
  return join(root, PROVIDER_DIR, `terraform-provider-aws_${version}_${platform}.zip`);
}

/** True when `root` is a mirror holding the provider, unpacked or packed. */
export function mirrorHasProvider(root: string, version = AWS_PROVIDER_VERSION, platform = terraformPlatform()): boolean {
  return existsSync(unpackedDir(root, version, platform)) || existsSync(packedZip(root, version, platform));
}

/** Why nobody but root and this user may be trusted with `path`, or undefined when they may. */
export function untrustedBecause(path: string, stat: Stats = statSync(path)): string | undefined {
  if (stat.mode & 0o002) return `${path} is writable by others`;
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== 0 && stat.uid !== uid) return `${path} is owned by uid ${stat.uid}, neither root nor this user`;
  return undefined;
}

/** Every directory from `/` down to `path` (resolved), then `path` and, if a directory, everything in it. */
function pathsToTrust(path: string): string[] {
  const real = realpathSync(path);
  const ancestors: string[] = [];
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    ancestors.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  const below = (p: string): string[] => {
    const stat = lstatSync(p);
    // A link inside leads somewhere else: that place and its own ancestors must be trusted too.
    if (stat.isSymbolicLink()) return pathsToTrust(p);
    return stat.isDirectory() ? [p, ...readdirSync(p).flatMap((name) => below(join(p, name)))] : [p];
  };
  return [...ancestors, ...below(real)];
}

/** The first reason not to trust the provider `root` holds, or undefined. */
function untrustedMirror(root: string, version: string, platform: string): string | undefined {
  const held = [unpackedDir(root, version, platform), packedZip(root, version, platform)].filter((p) => existsSync(p));
  for (const path of held.flatMap(pathsToTrust)) {
    const reason = untrustedBecause(path);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * Throws unless every copy of the provider in `root` (the unpacked
 * directory's `h1:`, the packed zip's `zh:`) has one of the known hashes.
 */
export function verifyMirrorProvider(root: string, known: KnownHashes, version = AWS_PROVIDER_VERSION, platform = terraformPlatform()): void {
  const copies: [string, () => string][] = [
    [unpackedDir(root, version, platform), () => dirHash(unpackedDir(root, version, platform))],
    [packedZip(root, version, platform), () => zipHash(packedZip(root, version, platform))],
  ];
  for (const [path, hash] of copies.filter(([p]) => existsSync(p))) {
    const actual = hash();
    if (!known.hashes.has(actual)) {
      throw new Error(
        `hashicorp/aws ${version} in ${path} has hash ${actual}, which is not one of ${known.source}: refusing to run it. ` +
          'Replace it with the release from registry.terraform.io (`npm run ci:mirror-provider`), or, if this release is genuine, record its hash there.',
      );
    }
  }
}

/** Terraform's implied local mirror directories (CLI configuration docs, "Implied Local Mirror Directories"). */
export function impliedMirrorDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const dataHome = env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return [
    join(homedir(), '.terraform.d', 'plugins'),
    join(dataHome, 'terraform', 'plugins'),
    ...dataDirs.map((dir) => join(dir, 'terraform', 'plugins')),
  ];
}

export interface MirrorSearch {
  /** Defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Directories checked as mirrors before scanning. @default impliedMirrorDirectories() */
  readonly candidates?: readonly string[];
  /** Where the shallow scan starts. @default ['/'] */
  readonly scanRoots?: readonly string[];
  /** How many levels below a scan root a mirror may sit. @default 2 */
  readonly scanDepth?: number;
  /** The hashes the provider may have. @default knownAwsProviderHashes(AWS_PROVIDER_VERSION) */
  readonly knownHashes?: KnownHashes;
}

let cached: string | undefined;

/** The mirror directory (the one containing `registry.terraform.io`), or a thrown install hint. */
export function findProviderMirror(search: MirrorSearch = {}): string {
  const useCache = Object.keys(search).length === 0;
  if (useCache && cached) return cached;
  const env = search.env ?? process.env;
  const known = search.knownHashes ?? knownAwsProviderHashes(AWS_PROVIDER_VERSION);
  const platform = terraformPlatform();
  const explicit = env.TF_PROVIDER_MIRROR;
  if (explicit) {
    if (!mirrorHasProvider(explicit)) {
      throw new Error(`TF_PROVIDER_MIRROR=${explicit} has no ${PROVIDER_DIR}/${AWS_PROVIDER_VERSION}/${platform}/ (nor the packed zip).`);
    }
    const reason = untrustedMirror(explicit, AWS_PROVIDER_VERSION, platform);
    if (reason) throw new Error(`TF_PROVIDER_MIRROR=${explicit} is not safe to run a provider from: ${reason}.`);
    verifyMirrorProvider(explicit, known);
    return remember(explicit, useCache);
  }
  const skipped: string[] = [];
  // A mirror someone else could have written is passed over, as if absent; one that is ours but holds the wrong provider stops the search.
  const usable = (dir: string): boolean => {
    if (!mirrorHasProvider(dir)) return false;
    const reason = untrustedMirror(dir, AWS_PROVIDER_VERSION, platform);
    if (reason) skipped.push(`${dir} (${reason})`);
    return !reason;
  };
  const candidates = search.candidates ?? impliedMirrorDirectories(env);
  const found = candidates.find(usable) ?? scan(search.scanRoots ?? ['/'], search.scanDepth ?? 2, usable);
  if (found) {
    verifyMirrorProvider(found, known);
    return remember(found, useCache);
  }
  throw new Error(
    `hashicorp/aws ${AWS_PROVIDER_VERSION} was not found in any Terraform filesystem mirror. ` +
      `Set TF_PROVIDER_MIRROR to a directory laid out as ${PROVIDER_DIR}/${AWS_PROVIDER_VERSION}/${platform}/ ` +
      '(create one on a connected machine with `terraform providers mirror <dir>`), ' +
      `or install the provider into ${join(homedir(), '.terraform.d', 'plugins')}.` +
      (skipped.length > 0 ? ` Passed over, as others could have written them: ${skipped.join('; ')}.` : ''),
  );
}

function remember(dir: string, useCache: boolean): string {
  if (useCache) cached = dir;
  return dir;
}

/** Breadth-first, bounded: a mirror is a directory with `registry.terraform.io` in it. */
function scan(roots: readonly string[], depth: number, usable: (dir: string) => boolean): string | undefined {
  let level = roots.filter(trusted);
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const hit = level.find(usable);
    if (hit) return hit;
    level = level.flatMap(subdirectories);
  }
  return undefined;
}

/** Whether `dir` can be trusted; unreadable counts as not. */
function trusted(dir: string): boolean {
  try {
    return untrustedBecause(dir) === undefined;
  } catch {
    return false;
  }
}

/** Subdirectories the scan may enter: never one writable by others (/tmp, /var/tmp, /run/lock …) or owned by another user. */
function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !SKIP.has(name))
      .map((name) => join(dir, name))
      .filter((path) => {
        try {
          const stat = statSync(path);
          return stat.isDirectory() && untrustedBecause(path, stat) === undefined;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}
