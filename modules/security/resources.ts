/**
 * A stack's resources as Terraform will see them (tokens resolved to
 * `${aws_x.name.attr}` references), with their construct paths, for rules
 * that check one resource or follow references between several — the way
 * Checkov reads Terraform.
 */
import type { TerraformStack } from 'cdktf';

export type Config = Record<string, unknown>;

export interface ResourceView {
  /** `aws_s3_bucket`, or `data.aws_iam_policy_document` for data sources. */
  readonly type: string;
  /** Terraform address: `aws_s3_bucket.state_bucket_803B4E61`. */
  readonly address: string;
  /** Construct path below the stack: `state/bucket`. */
  readonly path: string;
  readonly config: Config;
}

export interface StackView {
  readonly stack: string;
  readonly resources: readonly ResourceView[];
  ofType(type: string): ResourceView[];
  byAddress(address: string): ResourceView | undefined;
  /** Resources of `type` whose `attribute` refers to `target`. */
  referring(type: string, attribute: string, target: ResourceView): ResourceView[];
}

interface StackJson {
  resource?: Record<string, Record<string, Config>>;
  data?: Record<string, Record<string, Config>>;
}

export function viewOf(stack: TerraformStack): StackView {
  const json = stack.toTerraform() as StackJson;
  const stackName = stack.node.id;
  const resources: ResourceView[] = [];
  const add = (kind: 'resource' | 'data', byType: StackJson['resource']) => {
    for (const [type, byId] of Object.entries(byType ?? {})) {
      for (const [id, config] of Object.entries(byId)) {
        const fullPath = ((config['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? id).split('/');
        resources.push({
          type: kind === 'data' ? `data.${type}` : type,
          address: `${kind === 'data' ? 'data.' : ''}${type}.${id}`,
          path: fullPath.slice(1).join('/') || id,
          config,
        });
      }
    }
  };
  add('resource', json.resource);
  add('data', json.data);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  return {
    stack: stackName,
    resources,
    ofType: (type) => resources.filter((r) => r.type === type),
    byAddress: (address) => byAddress.get(address),
    referring: (type, attribute, target) => resources.filter((r) => r.type === type && references(r.config[attribute]).has(target.address)),
  };
}

/** Addresses a value refers to: `${aws_s3_bucket.x.id}` → `aws_s3_bucket.x`. */
export function references(value: unknown): Set<string> {
  const found = new Set<string>();
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  for (const match of text.matchAll(/\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)/g)) found.add(match[1] as string);
  return found;
}

/** Terraform JSON blocks come as an object or a one-element list; this reads either. */
export function block(value: unknown): Config | undefined {
  if (Array.isArray(value)) return value[0] as Config | undefined;
  return value && typeof value === 'object' ? (value as Config) : undefined;
}

export function blocks(value: unknown): Config[] {
  if (Array.isArray(value)) return value as Config[];
  return value && typeof value === 'object' ? [value as Config] : [];
}

/** `true` and `"true"` both mean true in Terraform JSON. */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
