/**
 * Where the Lambda bundle is built and what is deployed (security review
 * finding 7): no zip is ever taken from disk — not one planted at the old
 * predictable path in the shared temp dir — the build directory is private,
 * and a zip that is not the one esbuild produced is refused, at build and
 * after cdktf has packaged it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bundleLambda, lambdaBundleAsset } from '../../../modules/resilience/bundle';
import { ROOT } from '../../support/paths';

const ENTRY = 'modules/resilience/spot-interruption-handler/handler.ts';
const PLANTED = 'exports.handler = async () => "planted";';

/** Runs `script` (with `bundle` bound to modules/resilience/bundle.ts) in a fresh process whose temp dir is `tmp`. */
function inFreshProcess(tmp: string, script: string): { stdout: string; stderr: string; status: number | null } {
  const prelude = `const bundle = require(${JSON.stringify(join(ROOT, 'modules/resilience/bundle.ts'))});`;
  const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', `${prelude}${script}`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TMPDIR: tmp },
  });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

describe('the Lambda bundle on disk', () => {
  it('is never taken from a file planted where the old build cached it', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bundle-plant-'));
    const { path, sha256 } = bundleLambda(ENTRY);
    // The old code wrote <tmpdir>/web-tier-lambda/<first 16 hex of the SHA-256>.zip and reused any file found there.
    const oldPath = join(tmp, 'web-tier-lambda', path.split('/').at(-1) ?? '');
    mkdirSync(dirname(oldPath), { recursive: true });
    writeFileSync(oldPath, PLANTED);

    const run = inFreshProcess(
      tmp,
      `const b = bundle.bundleLambda(${JSON.stringify(ENTRY)});
       process.stdout.write(JSON.stringify({ ...b, bytes: require('node:fs').readFileSync(b.path).toString('base64') }));`,
    );
    expect(run.stderr).toBe('');
    const elsewhere = JSON.parse(run.stdout) as { path: string; sha256: string; bytes: string };
    expect(elsewhere.path).not.toBe(oldPath);
    expect(elsewhere.sha256).toBe(sha256);
    expect(Buffer.from(elsewhere.bytes, 'base64').equals(readFileSync(path))).toBe(true);
    expect(readFileSync(oldPath, 'utf8')).toBe(PLANTED);
  });

  it('is built in a directory of its own: a fresh name, mode 0700, owned by this user', () => {
    const { path } = bundleLambda(ENTRY);
    const dir = dirname(path);
    const stat = statSync(dir);
    expect(stat.mode & 0o777).toBe(0o700);
    expect(stat.uid).toBe(process.getuid?.());
    expect(dir).not.toBe(join(tmpdir(), 'web-tier-lambda'));
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  it('a zip swapped on disk after the build is refused, not returned again', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bundle-swap-'));
    const run = inFreshProcess(
      tmp,
      `const b = bundle.bundleLambda(${JSON.stringify(ENTRY)});
       require('node:fs').writeFileSync(b.path, ${JSON.stringify(PLANTED)});
       try { bundle.bundleLambda(${JSON.stringify(ENTRY)}); process.stdout.write('accepted'); } catch (e) { process.stdout.write(e.message); }`,
    );
    expect(run.stdout).toMatch(/^Lambda bundle \S+\.zip is not the bundle built in this process: SHA-256 .*Refusing to deploy it\.$/);
  });

  it('leaves no build directory behind when the process ends', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'bundle-exit-'));
    const run = inFreshProcess(tmp, `process.stdout.write(bundle.bundleLambda(${JSON.stringify(ENTRY)}).path);`);
    expect(run.stdout).toMatch(/\.zip$/);
    expect(existsSync(run.stdout)).toBe(false);
  });
});

describe('the packaged asset', () => {
  function stackWithAsset(outdir: string) {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'bundle-check');
    const { asset, bundle } = lambdaBundleAsset(stack, 'code', ENTRY);
    return { app, stack, asset, bundle };
  }

  it('is the zip esbuild produced, under the name plain TerraformAsset gives it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bundle-synth-'));
    const { app, asset, bundle } = stackWithAsset(outdir);
    app.synth();
    const packaged = readFileSync(join(outdir, 'stacks', 'bundle-check', asset.path));
    expect(packaged.equals(readFileSync(bundle.path))).toBe(true);
    expect(asset.path).toMatch(new RegExp(`^assets/code/[0-9A-F]{32}/${bundle.path.split('/').at(-1) ?? ''}$`));
    expect(Object.keys(unzipSync(packaged))).toEqual(['index.js']);
  });

  it('a tampered bundle fails synth instead of being packaged for deployment', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'bundle-tamper-'));
    const { app, bundle } = stackWithAsset(outdir);
    // What someone with access to the build file would do between the build and synth.
    const original = readFileSync(bundle.path);
    writeFileSync(bundle.path, PLANTED);
    try {
      expect(() => app.synth()).toThrow(/^Packaged Lambda asset .*assets\/code\/.*\.zip is not the bundle built in this process: SHA-256 .* expected .*Refusing to deploy it\.$/);
    } finally {
      writeFileSync(bundle.path, original);
    }
  });
});
