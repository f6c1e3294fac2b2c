/**
 * Finds the environment files, validates them all, and either returns typed
 * specs or throws one error listing every problem. Nothing is synthesized
 * until this has passed, so a bad environment never writes a partial stack.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve } from 'node:path';
import { crossEnvironmentProblems, type CheckedEnvironment } from './cross-environment';
import { crossFieldRules, environmentSchema, type EnvironmentSpec } from './schema';
import { stateBackendSchema, type StateBackendSettings } from './state-backend';
import { environmentWarningRules } from './warnings';

/** Files in `environments/` that are not environments. */
const SUPPORT_FILES = new Set(['schema', 'load', 'state-backend', 'index', 'aws-limits', 'cross-environment', 'warnings']);

export interface EnvironmentSource {
  /** File name, for messages. */
  readonly file: string;
  /** The file's default export, not yet trusted. */
  readonly data: unknown;
  /** Why the file could not be loaded, as one line naming it; `data` is then undefined. */
  readonly loadError?: string;
}

export class EnvironmentValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentValidationError';
  }
}

/** Absolute paths: `require` and `import()` would read a relative one as a package name. */
export function environmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !SUPPORT_FILES.has(basename(f, extname(f))))
    .sort()
    .map((f) => resolve(dir, f));
}

/**
 * Imports each environment file; works under `node --require tsx/cjs`, tsx,
 * vitest and compiled JS. A file that cannot be loaded is returned with its
 * `loadError`, so validation reports it alongside every other problem.
 */
export async function readEnvironmentSources(dir: string = __dirname): Promise<EnvironmentSource[]> {
  return Promise.all(environmentFiles(dir).map(readSource));
}

async function readSource(path: string): Promise<EnvironmentSource> {
  const file = basename(path);
  const failed = (why: string): EnvironmentSource => ({ file, data: undefined, loadError: `${shownPath(path)}: ${why}` });
  let mod: unknown;
  try {
    mod = await loadModule(path);
  } catch (error) {
    return failed(loadFailure(error, path));
  }
  const exported = defaultExport(mod);
  return exported.found ? { file, data: exported.value } : failed('has no default export (export default defineEnvironment({...}))');
}

/**
 * `require` when it can load the file: under the in-process tsx/cjs hook it
 * is the only loader that reads .ts (the ESM loader is not hooked there),
 * while vitest hooks only `import()`. The other loader is tried only when the
 * first cannot handle the file at all, and then the error reported is the
 * file's own, never a loader's "Unknown file extension".
 */
async function loadModule(path: string): Promise<unknown> {
  if (!requireCanLoad(path)) return import(path);
  try {
    return require(path) as unknown;
  } catch (first) {
    if (!isLoaderMismatch(first)) throw first;
    try {
      return (await import(path)) as unknown;
    } catch (second) {
      throw isLoaderMismatch(second) ? first : second;
    }
  }
}

function requireCanLoad(path: string): boolean {
  return typeof require === 'function' && extname(path) in (require.extensions ?? {});
}

/** Errors that say "this loader cannot read this kind of file", not "this file is broken". */
const LOADER_MISMATCH = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_REQUIRE_ESM', 'ERR_REQUIRE_ASYNC_MODULE']);

function isLoaderMismatch(error: unknown): boolean {
  return LOADER_MISMATCH.has(String((error as { code?: unknown } | null)?.code));
}

/** What went wrong, in one line and without the loader's stack. */
function loadFailure(error: unknown, path: string): string {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  if (typeof message !== 'string') return `throws while loading: ${String(error)}`;
  const text = stripAnsi(message);
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || /^Cannot find (module|package)/.test(text)) {
    return `cannot load: ${firstLine(text)}`;
  }
  if (name === 'SyntaxError' || name === 'TransformError' || text.startsWith('Transform failed')) return `syntax error: ${syntaxProblem(text, path)}`;
  if (isLoaderMismatch(error)) return `cannot load: ${firstLine(text)} (run the app with node --require tsx/cjs)`;
  return `throws while loading: ${String(name ?? 'Error')}: ${firstLine(text)}`;
}

/**
 * The parser's message and where, from esbuild under tsx (`file:1:28: ERROR:
 * text`, columns from 0) or Vite under vitest (`[PARSE_ERROR] text` above
 * `╭─[ file:1:29 ]`, columns from 1); plain SyntaxErrors carry no position.
 */
function syntaxProblem(text: string, path: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^Transform failed with \d+ errors?:?$/.test(line));
  const first = lines[0] ?? text;
  const esbuild = /:(\d+):(\d+): ERROR: (.*)$/.exec(first);
  if (esbuild) return `${esbuild[3]} (line ${esbuild[1]}, column ${Number(esbuild[2]) + 1})`;
  const at = new RegExp(`${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`).exec(text);
  const problem = first.replace(/^\[[A-Z_]+\]\s*/, '');
  return at ? `${problem} (line ${at[1]}, column ${at[2]})` : problem;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** Relative to the working directory when inside it, as users typed it. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function defaultExport(mod: unknown): { found: true; value: unknown } | { found: false } {
  if (!mod || typeof mod !== 'object' || !('default' in mod)) return { found: false };
  let value = mod.default;
  // Compiled CommonJS seen through import(): the real default sits one level down.
  if (value && typeof value === 'object' && '__esModule' in value) {
    if (!('default' in value)) return { found: false };
    value = value.default;
  }
  return { found: true, value };
}

/** Validates every source; returns specs in file order or throws with every problem found. */
export function validateEnvironments(sources: readonly EnvironmentSource[]): EnvironmentSpec[] {
  return specsOrThrow(checkEnvironments(sources));
}

export interface ValidatedConfiguration {
  readonly environments: EnvironmentSpec[];
  /** Soft risks, as `<env>.<field>: message` lines, for the synth summary. */
  readonly warnings: string[];
}

/**
 * The whole configuration in one pass: every environment, what relates them,
 * and the state-backend settings (labelled `state-backend.<field>`).
 */
export function validateConfiguration(sources: readonly EnvironmentSource[], stateBackend: unknown): ValidatedConfiguration {
  const checked = checkEnvironments(sources);
  const parsed = stateBackendSchema.safeParse(stateBackend);
  if (!parsed.success) checked.problems.push(...parsed.error.issues.map((issue) => `${formatPath('state-backend', issue.path)}: ${issue.message}`));
  else checked.problems.push(...stateBackendProblems(checked.specs, parsed.data));
  const environments = specsOrThrow(checked);
  return { environments, warnings: environmentWarnings(environments) };
}

/**
 * What relates the environments to the shared state backend: a state role
 * must be the state account's (its bucket and key policies admit no other),
 * and GitHub Actions' roles (`ci.environments`) read and lock S3 state, which
 * an HCP Terraform environment does not keep there.
 */
function stateBackendProblems(specs: readonly EnvironmentSpec[], settings: StateBackendSettings): string[] {
  const problems: string[] = [];
  for (const spec of specs) {
    const owner = spec.state.kind === 's3' ? spec.state.roleArn?.split(':')[4] : undefined;
    if (owner && owner !== settings.account) problems.push(`${spec.name}.state.roleArn: role belongs to account ${owner}, not the state backend's ${settings.account}`);
  }
  settings.ci?.environments.forEach((name, i) => {
    const spec = specs.find((s) => s.name === name);
    if (spec?.state.kind === 'cloud') problems.push(`state-backend.ci.environments[${i}]: ${name} keeps its state in HCP Terraform, which these S3 plan and deploy roles cannot reach`);
  });
  return problems;
}

/** Soft risks of valid environments: one `<env>.<field>: message` line each. */
export function environmentWarnings(specs: readonly EnvironmentSpec[]): string[] {
  return specs.flatMap((spec) => {
    const warnings: string[] = [];
    environmentWarningRules(spec, (path, message) => warnings.push(`${formatPath(spec.name, path)}: ${message}`));
    return warnings;
  });
}

interface CheckedSources {
  readonly specs: EnvironmentSpec[];
  readonly problems: string[];
}

function checkEnvironments(sources: readonly EnvironmentSource[]): CheckedSources {
  const results = sources.map(validateEnvironment);
  const problems = [...results.flatMap((r) => r.problems), ...crossEnvironmentProblems(results.flatMap((r) => (r.checked ? [r.checked] : [])))];
  return { specs: results.flatMap((r) => (r.spec ? [r.spec] : [])), problems };
}

function specsOrThrow({ specs, problems }: CheckedSources): EnvironmentSpec[] {
  if (problems.length > 0) throw new EnvironmentValidationError(problems);
  return specs;
}

interface ValidationResult {
  /** What the cross-environment rules need, when the file held an object. */
  readonly checked?: CheckedEnvironment;
  readonly spec?: EnvironmentSpec;
  readonly problems: string[];
}

function validateEnvironment(source: EnvironmentSource): ValidationResult {
  if (source.loadError) return { problems: [source.loadError] };
  const fallbackLabel = basename(source.file, extname(source.file));
  if (!source.data || typeof source.data !== 'object' || Array.isArray(source.data)) {
    return { problems: [`${fallbackLabel}: the file must default-export an environment object (use defineEnvironment)`] };
  }
  const data = source.data as Record<string, unknown>;
  const name = typeof data.name === 'string' ? data.name : undefined;
  const label = name ?? fallbackLabel;
  const problems: string[] = [];
  const report = (path: readonly PropertyKey[], message: string) => problems.push(`${formatPath(label, path)}: ${message}`);

  // Each top-level section is parsed on its own so the cross-field rules can
  // still run on the sections that are valid.
  const shape = environmentSchema.shape;
  const partial: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    if (!(key in shape)) report([key], 'unknown field');
  }
  for (const [key, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(data[key]);
    if (parsed.success) partial[key] = parsed.data;
    else for (const issue of parsed.error.issues) report([key, ...issue.path], issue.message);
  }
  const env = partial as Partial<EnvironmentSpec>;
  crossFieldRules(env, report);

  const checked = { file: source.file, name, label, env };
  if (problems.length > 0) return { checked, problems };
  return { checked, spec: environmentSchema.parse(data), problems };
}

function formatPath(label: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`), label);
}
