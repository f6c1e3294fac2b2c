/**
 * What a batch tier is expected to do (`batch.expected`: jobs a day, minutes
 * a job, GiB stored) is a cost input, not infrastructure: nothing of it is in
 * the synthesized stack. It is read from the environment files, through the
 * product's own loader and schema, by environment name (= stack name).
 */
import { readEnvironmentSources, validateEnvironments } from '../../environments/load';
import { environmentSchema, type EnvironmentSpec } from '../../environments/schema';

export type BatchExpected = NonNullable<EnvironmentSpec['batch']>['expected'];

/** What the cost tools know of an environment's batch tier beyond its stack. */
export interface BatchInputs {
  expected: BatchExpected;
  /** Relaunches of an interrupted run (attempts = 1 + retries). */
  interruptionRetries: number;
  /** Where the figures came from, for the report. */
  source: string;
}

/** The schema's own defaults (a batch section that says nothing but its commands). */
export function defaultBatchInputs(): BatchInputs {
  const batch = environmentSchema.shape.batch.unwrap().parse({ commands: ['true'] });
  return { expected: batch.expected, interruptionRetries: batch.interruptionRetries, source: 'the schema\'s defaults (no environment file of this name)' };
}

export function batchInputsOf(spec: EnvironmentSpec, file: string): BatchInputs | undefined {
  if (!spec.batch) return undefined;
  return { expected: spec.batch.expected, interruptionRetries: spec.batch.interruptionRetries, source: `${file}: ${spec.name}.batch.expected` };
}

/**
 * The batch inputs of each environment in `dir` (environments/, or
 * ENVIRONMENTS_DIR as main.ts reads it), by name.
 */
export async function readBatchInputs(dir: string | undefined = process.env.ENVIRONMENTS_DIR || undefined): Promise<Map<string, BatchInputs>> {
  const sources = await readEnvironmentSources(dir);
  const specs = validateEnvironments(sources);
  const inputs = new Map<string, BatchInputs>();
  specs.forEach((spec, i) => {
    const found = batchInputsOf(spec, `environments/${sources[i]!.file}`);
    if (found) inputs.set(spec.name, found);
  });
  return inputs;
}
