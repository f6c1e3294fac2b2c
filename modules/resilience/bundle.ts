/**
 * Lambda code, built at synth: esbuild bundles a TypeScript entry point into
 * one CommonJS file (the AWS SDK v3 is left to the Lambda runtime) and it is
 * zipped deterministically — fixed timestamp, fixed permissions, fixed
 * compression — so the same source always gives the same archive and hash,
 * and snapshots and plans stay stable.
 *
 * Nothing is ever read back from a cache: a zip found on disk (say, planted
 * in the shared temp dir under a predictable name) would be deployed while
 * the plan showed no change. Each process writes its zips into a directory of
 * its own (mkdtemp, 0700), atomically, and checks what it wrote — and, with
 * `lambdaBundleAsset`, what cdktf copied into the synth output — against the
 * SHA-256 of the bytes esbuild just produced.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
// Not re-exported from cdktf's root; cdktf is pinned exactly (package.json), and this is how TerraformAsset copies itself.
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { zipSync } from 'fflate';

const ROOT = resolve(__dirname, '..', '..');
// Built from local date parts: the zip format stores local time, so this reads back the same in every time zone.
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, in the upper 16 bits as unix zip tools write it.
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

export interface LambdaBundle {
  /** The zip, content-addressed, in this process's private build directory. */
  readonly path: string;
  /** base64 SHA-256 of the zip: Lambda's `source_code_hash`. */
  readonly sha256: string;
}

/** Thrown when a zip on disk is not the one esbuild produced in this process. */
export class BundleIntegrityError extends Error {
  constructor(what: string, file: string, expected: string, actual: string) {
    super(`${what} ${file} is not the bundle built in this process: SHA-256 ${actual}, expected ${expected}. Refusing to deploy it.`);
    this.name = 'BundleIntegrityError';
  }
}

const built = new Map<string, LambdaBundle>();
let buildDir: string | undefined;

/** This process's build directory: unpredictable name, mode 0700 (mkdtemp), removed at exit. */
export function bundleDirectory(): string {
  if (!buildDir) {
    const dir = mkdtempSync(join(tmpdir(), 'web-tier-lambda-'));
    // Synth copies the assets before the process ends; nothing needs the zips after it.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    buildDir = dir;
  }
  return buildDir;
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Throws unless `file` holds exactly the bytes whose base64 SHA-256 is `expected`. */
export function verifyBundleFile(file: string, expected: string, what = 'Lambda bundle'): void {
  const actual = sha256Of(readFileSync(file));
  if (actual !== expected) throw new BundleIntegrityError(what, file, expected, actual);
}

/** Bundles `entry` (relative to the project root) as `index.js` exporting `handler`. */
export function bundleLambda(entry: string): LambdaBundle {
  const cached = built.get(entry);
  if (cached) {
    // The zip has sat on disk since it was built: check it has not been swapped in the meantime.
    verifyBundleFile(cached.path, cached.sha256);
    return cached;
  }
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced nothing for ${entry}`);
  const zip = zipSync({ 'index.js': [code, { mtime: ZIP_EPOCH, os: 3, attrs: FILE_ATTRIBUTES, level: 9 }] });
  const digest = createHash('sha256').update(zip).digest();
  const dir = bundleDirectory();
  const path = join(dir, `${digest.toString('hex').slice(0, 16)}.zip`);
  // Written under a name of its own, then renamed: a reader never sees half a zip. 'wx': never into an existing file.
  const partial = join(dir, `.${digest.toString('hex').slice(0, 16)}.${process.pid}.partial`);
  writeFileSync(partial, zip, { flag: 'wx', mode: 0o600 });
  renameSync(partial, path);
  const bundle = { path, sha256: digest.toString('base64') };
  verifyBundleFile(path, bundle.sha256);
  built.set(entry, bundle);
  return bundle;
}

export interface LambdaBundleAsset {
  readonly bundle: LambdaBundle;
  /** Its `path` is what a function's `filename` takes. */
  readonly asset: TerraformAsset;
}

/**
 * `bundleLambda` and the TerraformAsset that packages it, as `scope`/`id`,
 * with a check after packaging: synth fails unless the zip cdktf copied into
 * the stack's output has the SHA-256 of the bytes built here (the function's
 * `source_code_hash`). The asset is the same as `new TerraformAsset(scope,
 * id, { path: bundle.path, type: AssetType.FILE })`, so the synthesized stack
 * does not change.
 */
export function lambdaBundleAsset(scope: Construct, id: string, entry: string): LambdaBundleAsset {
  const bundle = bundleLambda(entry);
  const asset = new TerraformAsset(scope, id, { path: bundle.path, type: AssetType.FILE });
  // A sibling created after the asset: synthesis visits it after the asset has copied itself.
  const check = new Construct(scope, `${id}-integrity`);
  const stack = TerraformStack.of(scope);
  addCustomSynthesis(check, {
    onSynthesize: (session) => {
      // TerraformAsset resolves its path against the directory of the stack's synthesized file, as here.
      const stackDir = join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath, '..');
      verifyBundleFile(join(stackDir, asset.path), bundle.sha256, 'Packaged Lambda asset');
    },
  });
  return { bundle, asset };
}
