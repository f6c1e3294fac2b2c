/**
 * Finds a filesystem mirror holding hashicorp/aws at the version the
 * bindings were generated from, so `terraform init` works with no network.
 * Nothing here names a machine path: the mirror comes from
 * TF_PROVIDER_MIRROR, Terraform's own implied mirror directories, or a
 * shallow scan.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const AWS_PROVIDER_VERSION = '5.100.0';
const PROVIDER_DIR = join('registry.terraform.io', 'hashicorp', 'aws');
const SKIP = new Set(['proc', 'sys', 'dev', 'run', 'tmp', 'node_modules', '.git', 'lost+found', 'snap']);

/** Terraform's platform name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform}_${arch[process.arch] ?? process.arch}`;
}

/** True when `root` is a mirror holding the provider, unpacked or packed. */
export function mirrorHasProvider(root: string, version = AWS_PROVIDER_VERSION, platform = terraformPlatform()): boolean {
  const base = join(root, PROVIDER_DIR);
  return (
    existsSync(join(base, version, platform)) ||
    existsSync(join(base, `terraform-provider-aws_${version}_${platform}.zip`))
  );
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
}

let cached: string | undefined;

/** The mirror directory (the one containing `registry.terraform.io`), or a thrown install hint. */
export function findProviderMirror(search: MirrorSearch = {}): string {
  const useCache = Object.keys(search).length === 0;
  if (useCache && cached) return cached;
  const env = search.env ?? process.env;
  const explicit = env.TF_PROVIDER_MIRROR;
  if (explicit) {
    if (mirrorHasProvider(explicit)) return remember(explicit, useCache);
    throw new Error(
      `TF_PROVIDER_MIRROR=${explicit} has no ${PROVIDER_DIR}/${AWS_PROVIDER_VERSION}/${terraformPlatform()}/ (nor the packed zip).`,
    );
  }
  const candidates = search.candidates ?? impliedMirrorDirectories(env);
  const found =
    candidates.find((dir) => mirrorHasProvider(dir)) ??
    scan(search.scanRoots ?? ['/'], search.scanDepth ?? 2);
  if (found) return remember(found, useCache);
  throw new Error(
    `hashicorp/aws ${AWS_PROVIDER_VERSION} was not found in any Terraform filesystem mirror. ` +
      `Set TF_PROVIDER_MIRROR to a directory laid out as ${PROVIDER_DIR}/${AWS_PROVIDER_VERSION}/${terraformPlatform()}/ ` +
      '(create one on a connected machine with `terraform providers mirror <dir>`), ' +
      `or install the provider into ${join(homedir(), '.terraform.d', 'plugins')}.`,
  );
}

function remember(dir: string, useCache: boolean): string {
  if (useCache) cached = dir;
  return dir;
}

/** Breadth-first, bounded: a mirror is a directory with `registry.terraform.io` in it. */
function scan(roots: readonly string[], depth: number): string | undefined {
  let level = [...roots];
  for (let d = 0; d <= depth && level.length > 0; d++) {
    const hit = level.find((dir) => mirrorHasProvider(dir));
    if (hit) return hit;
    level = level.flatMap(subdirectories);
  }
  return undefined;
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !SKIP.has(name))
      .map((name) => join(dir, name))
      .filter((path) => {
        try {
          return statSync(path).isDirectory();
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}
