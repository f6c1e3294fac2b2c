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
