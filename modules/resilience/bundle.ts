/**
 * Lambda code, built at synth: esbuild bundles a TypeScript entry point into
 * one CommonJS file (the AWS SDK v3 is left to the Lambda runtime) and it is
 * zipped deterministically — fixed timestamp, fixed permissions, fixed
 * compression — so the same source always gives the same archive and hash,
 * and snapshots and plans stay stable.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { zipSync } from 'fflate';

const ROOT = resolve(__dirname, '..', '..');
// Built from local date parts: the zip format stores local time, so this reads back the same in every time zone.
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);
// Regular file, rw-r--r--, in the upper 16 bits as unix zip tools write it.
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

export interface LambdaBundle {
  /** The zip, content-addressed in the OS temp dir. */
  readonly path: string;
  /** base64 SHA-256 of the zip: Lambda's `source_code_hash`. */
  readonly sha256: string;
}

const built = new Map<string, LambdaBundle>();

/** Bundles `entry` (relative to the project root) as `index.js` exporting `handler`. */
export function bundleLambda(entry: string): LambdaBundle {
  const cached = built.get(entry);
  if (cached) return cached;
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
  const dir = join(tmpdir(), 'web-tier-lambda');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${digest.toString('hex').slice(0, 16)}.zip`);
  if (!existsSync(path)) writeFileSync(path, zip);
  const bundle = { path, sha256: digest.toString('base64') };
  built.set(entry, bundle);
  return bundle;
}
