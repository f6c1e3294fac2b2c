/**
 * The environment reference is generated from the schema and committed:
 * docs/environments.md for readers, docs/environment.schema.json for editors.
 * These tests keep both current, complete and true to the shipped environments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import dev from '../../environments/dev';
import prod from '../../environments/prod';
import staging from '../../environments/staging';
import { environmentJsonSchema, environmentReference, fieldRows, REFERENCE_FILES } from '../../tools/lib/environment-reference';
import { ROOT } from '../support/paths';

const schema = environmentJsonSchema();
// zod emits format email; ajv knows no formats without ajv-formats, so a loose one stands in.
const validate = new Ajv({ strict: false, allErrors: true, formats: { email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/ } }).compile(schema);

describe('the environment reference', () => {
  it.each(Object.entries(environmentReference()))('%s is the one the schema generates', (file, text) => {
    const committed = readFileSync(join(ROOT, file), 'utf8');
    expect(committed === text, `${file} is stale: run npm run docs:environments`).toBe(true);
  });

  it('is deterministic and names no machine path', () => {
    const again = environmentReference();
    for (const [file, text] of Object.entries(environmentReference())) {
      expect(again[file]).toBe(text);
      expect(text).not.toContain(ROOT);
      expect(text).not.toMatch(/\/(home|Users|tmp|work)\//);
    }
  });

  it('describes every field', () => {
    const rows = fieldRows(schema);
    expect(rows.length).toBeGreaterThan(100);
    const undescribed = rows.filter((row) => !row.schema.description?.trim()).map((row) => row.path);
    expect(undescribed).toEqual([]);
    // Leaf paths reach every nesting: a few that sit deep or inside unions.
    expect(rows.map((row) => row.path)).toEqual(
      expect.arrayContaining([
        'capacity.minSize',
        'instancesDistribution.spotAllocationStrategy',
        'scaling.stepPolicies[].steps[].lower',
        'dns.healthCheck.regions',
        'dns.failover(standby-region).capacity.maxSize',
        'monitoring.alerts[].endpoint',
        'resilience.chaos.warning',
      ]),
    );
  });

  it('gives the Markdown a section per top-level field', () => {
    const markdown = environmentReference()[REFERENCE_FILES.markdown]!;
    for (const key of Object.keys(schema.properties ?? {})) expect(markdown).toContain(`\n## ${key}\n`);
  });

  it.each([
    ['dev', dev],
    ['staging', staging],
    ['prod', prod],
  ])('the JSON Schema accepts the shipped %s environment', (_, env) => {
    const valid = validate(env);
    expect(validate.errors ?? [], 'errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('the JSON Schema rejects a broken environment', () => {
    const broken = { ...dev, capacity: { minSize: 'x', maxSize: 4 } };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/capacity/minSize');
    expect(validate({ ...dev, unknownField: true })).toBe(false);
  });
});
