/**
 * Finds the environment files, validates them all, and either returns typed
 * specs or throws one error listing every problem. Nothing is synthesized
 * until this has passed, so a bad environment never writes a partial stack.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { crossFieldRules, environmentSchema, type EnvironmentSpec } from './schema';

/** Files in `environments/` that are not environments. */
const SUPPORT_FILES = new Set(['schema', 'load', 'state-backend', 'index']);

export interface EnvironmentSource {
  /** File name, for messages. */
  readonly file: string;
  /** The file's default export, not yet trusted. */
  readonly data: unknown;
}

export class EnvironmentValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentValidationError';
  }
}

export function environmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !SUPPORT_FILES.has(basename(f, extname(f))))
    .sort()
    .map((f) => join(dir, f));
}

/** Imports each environment file; works under `node --require tsx/cjs`, tsx, vitest and compiled JS. */
export async function readEnvironmentSources(dir: string = __dirname): Promise<EnvironmentSource[]> {
  return Promise.all(
    environmentFiles(dir).map(async (path) => ({ file: basename(path), data: defaultExport(await loadModule(path)) })),
  );
}

/**
 * `require` first: under the in-process tsx/cjs hook it is the fast path (the
 * ESM loader is not hooked there). Test runners that only hook `import()` get
 * the fallback; a genuinely broken file fails the same way on both paths.
 */
async function loadModule(path: string): Promise<unknown> {
  if (typeof require === 'function') {
    try {
      return require(path) as unknown;
    } catch {
      // fall through to import()
    }
  }
  return import(path);
}

function defaultExport(mod: unknown): unknown {
  let value = (mod as { default?: unknown }).default ?? mod;
  // Compiled CommonJS seen through import(): the real default sits one level down.
  if (value && typeof value === 'object' && '__esModule' in value && 'default' in value) {
    value = (value as { default: unknown }).default;
  }
  return value;
}

/** Validates every source; returns specs in file order or throws with every problem found. */
export function validateEnvironments(sources: readonly EnvironmentSource[]): EnvironmentSpec[] {
  const problems: string[] = [];
  const specs: EnvironmentSpec[] = [];
  const owners = new Map<string, string>();
  for (const source of sources) {
    const result = validateEnvironment(source);
    problems.push(...result.problems);
    const name = result.name;
    if (name !== undefined) {
      const owner = owners.get(name);
      if (owner) problems.push(`environments: duplicate environment name "${name}" in ${owner} and ${source.file}`);
      else owners.set(name, source.file);
    }
    if (result.spec) specs.push(result.spec);
  }
  if (problems.length > 0) throw new EnvironmentValidationError(problems);
  return specs;
}

interface ValidationResult {
  readonly name?: string;
  readonly spec?: EnvironmentSpec;
  readonly problems: string[];
}

function validateEnvironment(source: EnvironmentSource): ValidationResult {
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
  crossFieldRules(partial as Partial<EnvironmentSpec>, report);

  if (problems.length > 0) return { name, problems };
  const spec = environmentSchema.parse(data);
  return { name, spec, problems };
}

function formatPath(label: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`), label);
}
