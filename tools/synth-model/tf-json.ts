/** The parts of a synthesized `cdk.tf.json` that scripts and tests read. */
export type Block = Record<string, unknown>;

export interface TfJson {
  terraform: Block & { backend?: Record<string, Block>; required_providers?: Record<string, Block> };
  provider?: Record<string, Block[]>;
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  output?: Record<string, Block>;
}

/** Every resource of `type`. */
export function resourceList(stack: TfJson, type: string): Block[] {
  return Object.values(stack.resource?.[type] ?? {});
}

export function countResources(stack: TfJson): number {
  return Object.values(stack.resource ?? {}).reduce((n, byId) => n + Object.keys(byId).length, 0);
}

export function countDataSources(stack: TfJson): number {
  return Object.values(stack.data ?? {}).reduce((n, byId) => n + Object.keys(byId).length, 0);
}

/** A nested block as Terraform JSON writes it: an object, or a one-element list of one. */
export function block(value: unknown): Block | undefined {
  if (Array.isArray(value)) return block(value[0]);
  return value !== null && typeof value === 'object' ? (value as Block) : undefined;
}
