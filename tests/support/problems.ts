import { EnvironmentValidationError, type EnvironmentSource, validateEnvironments } from '../../environments/load';
import prod from '../../environments/prod';
import type { EnvironmentInput } from '../../environments/schema';

/** The problems a validation run reports, one line each; none when it passes. Other errors are rethrown. */
export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof EnvironmentValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

/** Problems of a modified copy of `base` (prod unless given), validated with `others`. */
export function problemsFor(mutate: (env: EnvironmentInput) => void, others: EnvironmentSource[] = [], base: EnvironmentInput = prod): string[] {
  const env = structuredClone(base);
  mutate(env);
  return problemsOf(() => validateEnvironments([{ file: `${base.name}.ts`, data: env }, ...others]));
}
