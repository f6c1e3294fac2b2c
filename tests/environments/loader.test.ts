/**
 * Loading environment files, and what a failed run leaves behind: a file
 * that cannot be loaded is named with its real cause in one line (not the
 * fallback loader's "Unknown file extension"), every such file is reported at
 * once, and a run stopped by a load error, the security pack or a waiver
 * writes nothing: cdktf.out stays absent, or byte for byte as it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import dev from '../../environments/dev';
import { readEnvironmentSources, validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';
import { UNDER_MUTATION } from '../support/mutation';
import { ROOT } from '../support/paths';
import { problemsOf } from '../support/problems';

/** Broken in every way a file can be before validation sees it. */
const BROKEN: Record<string, string> = {
  'imports-missing.ts': "import nope from 'nope-no-such-package';\nexport default { nope };\n",
  'no-default.ts': "export const environment = { name: 'x' };\n",
  'syntax.ts': "export default { name: 'x', ;\n",
  'throws.ts': "throw new Error('boom');\nexport default {};\n",
};

function environmentsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'envs-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function dataFile(env: EnvironmentInput): string {
  return `export default ${JSON.stringify(env)};\n`;
}

/** The app as cdktf.json runs it (`node --require tsx/cjs main.ts`), from `cwd`. */
function synth(cwd: string, environments: string, outdir?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENTS_DIR: environments };
  delete env.CDKTF_OUTDIR;
  if (outdir) env.CDKTF_OUTDIR = outdir;
  return spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), join(ROOT, 'main.ts')], { cwd, env, encoding: 'utf8' });
}

/** Every file under `dir` with its SHA-256, to compare a tree before and after. */
function treeHash(dir: string): Record<string, string> {
  const walk = (path: string): [string, string][] =>
    statSync(path).isDirectory()
      ? readdirSync(path).flatMap((entry) => walk(join(path, entry)))
      : [[path.slice(dir.length), createHash('sha256').update(readFileSync(path)).digest('hex')]];
  return Object.fromEntries(walk(dir));
}

const LOAD_PROBLEMS = [
  /^(.*\/)?imports-missing\.ts: cannot load: Cannot find (module|package) 'nope-no-such-package'/,
  /^(.*\/)?no-default\.ts: has no default export \(export default defineEnvironment\(\{\.\.\.\}\)\)$/,
  /^(.*\/)?syntax\.ts: syntax error: .+ \(line 1, column 29\)$/,
  /^(.*\/)?throws\.ts: throws while loading: Error: boom$/,
];

describe('an environment file that cannot be loaded', () => {
  it('is reported with its own cause, all of them at once, in process (import() under vitest)', async () => {
    const dir = environmentsDir({ ...BROKEN, 'good.ts': dataFile(dev) });
    const sources = await readEnvironmentSources(dir);
    expect(sources.find((s) => s.file === 'good.ts')).toMatchObject({ data: { name: 'dev' } });
    const problems = problemsOf(() => validateEnvironments(sources));
    expect(problems).toHaveLength(LOAD_PROBLEMS.length);
    problems.forEach((problem, i) => expect(problem).toMatch(LOAD_PROBLEMS[i]!));
    expect(problems.join('\n')).not.toMatch(/Unknown file extension|\n\s+at /);
  });

  it.skipIf(UNDER_MUTATION)('is reported the same way by the real command (require under tsx/cjs), with no stack and nothing written', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cwd-'));
    const dir = join(cwd, 'envs');
    mkdirSync(dir);
    for (const [name, text] of Object.entries({ ...BROKEN, 'good.ts': dataFile(dev) })) writeFileSync(join(dir, name), text);

    // Relative, as a user types it: it once reached require() as a package name.
    const result = synth(cwd, 'envs');

    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('Invalid environment configuration (4 problems):');
    lines.slice(1).forEach((line, i) => expect(line.replace(/^ {2}- /, '')).toMatch(LOAD_PROBLEMS[i]!));
    // Named as typed, relative to the working directory; the loader's own error never shows.
    expect(lines[1]).toMatch(/^ {2}- envs\/imports-missing\.ts: /);
    expect(result.stderr).not.toMatch(/Unknown file extension|^\s+at /m);
    expect(readdirSync(cwd)).toEqual(['envs']);
  });
});

describe('a run stopped after validation writes nothing', () => {
  /** A waiver of a rule nothing violates: prod has flow logs, so CKV2_AWS_11 waives nothing and the pack fails. */
  const staleWaiver: EnvironmentInput = {
    ...structuredClone(prod),
    securityExceptions: [{ rule: 'CKV2_AWS_11', resource: 'primary/network/vpc', reason: 'Flow logs are shipped by another account, which keeps them.' }],
  };
  /** A waiver for a construct the stack does not have. */
  const missingConstruct: EnvironmentInput = {
    ...structuredClone(dev),
    securityExceptions: [{ rule: 'CKV2_AWS_11', resource: 'primary/network/nope', reason: 'a reason that is long enough here' }],
  };

  it.skipIf(UNDER_MUTATION).each([
    ['the security pack', staleWaiver, /CKV2_AWS_11 prod\/primary\/network\/vpc: waived \(.*\) but nothing there violates it/],
    ['a waiver of a construct that does not exist', missingConstruct, /dev\.securityExceptions\[0\]\.resource: no construct primary\/network\/nope in the dev stack/],
  ])('stopped by %s: no cdktf.out is created', (_, env, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'cwd-'));
    const result = synth(cwd, environmentsDir({ 'env.ts': dataFile(env) }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m); // the problem, not a stack trace
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.skipIf(UNDER_MUTATION)('stopped by the security pack: an existing cdktf.out keeps every byte', () => {
    const parent = mkdtempSync(join(tmpdir(), 'out-'));
    const outdir = join(parent, 'cdktf.out');
    mkdirSync(join(outdir, 'stacks', 'prod', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'manifest.json'), '{"version":"earlier"}\n');
    writeFileSync(join(outdir, 'stacks', 'prod', 'cdk.tf.json'), '{"earlier":true}\n');
    writeFileSync(join(outdir, 'stacks', 'prod', '.terraform', 'terraform.tfstate'), 'init state\n');
    const before = treeHash(outdir);

    const result = synth(parent, environmentsDir({ 'prod.ts': dataFile(staleWaiver) }), outdir);

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Security rule pack: 1 problem');
    expect(treeHash(outdir)).toEqual(before);
    // No scratch directory is left beside it.
    expect(readdirSync(parent)).toEqual(['cdktf.out']);
  });

  it.skipIf(UNDER_MUTATION)('a successful run replaces what it writes, keeps what terraform init left, and prints its warnings', () => {
    const parent = mkdtempSync(join(tmpdir(), 'out-'));
    const outdir = join(parent, 'cdktf.out');
    mkdirSync(join(outdir, 'stacks', 'dev', '.terraform'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), '{"earlier":true}\n');
    writeFileSync(join(outdir, 'stacks', 'dev', '.terraform', 'terraform.tfstate'), 'init state\n');
    const oneType: EnvironmentInput = { ...structuredClone(dev), instanceTypes: [{ type: 't3.medium', weight: 1 }] };

    const result = synth(parent, environmentsDir({ 'dev.ts': dataFile(oneType) }), outdir);

    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), 'utf8'))).toHaveProperty('resource');
    expect(readFileSync(join(outdir, 'stacks', 'dev', '.terraform', 'terraform.tfstate'), 'utf8')).toBe('init state\n');
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
    // No scratch directory is left beside it.
    expect(readdirSync(parent)).toEqual(['cdktf.out']);
    expect(result.stdout).toContain('Security rule pack\n');
    expect(result.stdout).toContain('Warnings\n  - dev.instanceTypes: only one instance type: Spot has one pool per AZ to draw from\n');
  });
});
