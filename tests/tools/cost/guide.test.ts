/**
 * `npm run cost -- --guide`: the guide's section 7 table from the two
 * synthesized guide examples. Each row is the estimate of what the stacks
 * build (change an input, the row follows), set beside the guide's figure;
 * the command itself runs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EnvironmentSource } from '../../../environments/load';
import { guideTable, readGuideSources, renderGuideTable, type GuideTable, type RowKey } from '../../../tools/cost/guide';
import { loadPriceTable, onDemandHourly, spotHourly } from '../../../tools/synth-model/price-table';
import { SEED_COST_CASE } from '../../../tools/synth-model/seed-figures';
import { ROOT } from '../../support/paths';

const table = loadPriceTable();
let sources: { before: EnvironmentSource; after: EnvironmentSource };
let guide: GuideTable;

const row = (t: GuideTable, key: RowKey) => t.rows.find((r) => r.key === key)!;
/** An environment source with some top-level fields replaced. */
const changed = (source: EnvironmentSource, fields: Record<string, unknown>): EnvironmentSource => ({ ...source, data: { ...(source.data as object), ...fields } });

beforeAll(async () => {
  sources = await readGuideSources();
  guide = guideTable(sources.before, sources.after, table);
}, 120_000);

describe('the guide table from the guide examples', () => {
  it('before: ten m5.xlarge and five m5.2xlarge on demand all month, what the guide prints but for the cents', () => {
    expect(row(guide, 'web').stacks.before).toBeCloseTo(10 * onDemandHourly(table, 'us-east-1', 'm5.xlarge') * 730, 2);
    expect(row(guide, 'web').stacks.before).toBe(1401.6);
    expect(row(guide, 'batch').stacks.before).toBe(1401.6);
    expect(Math.floor(row(guide, 'web').stacks.before)).toBe(SEED_COST_CASE.rows.web.before);
  });

  it('after: the batch workflow\'s expected Spot hours, one NAT of two, the database at the commitment rate', () => {
    const expected = (sources.after.data as { batch: { expected: { jobsPerDay: number; minutesPerJob: number } } }).batch.expected;
    const hours = (expected.jobsPerDay * expected.minutesPerJob * 730) / 24 / 60;
    expect(row(guide, 'batch').stacks.after).toBeCloseTo(hours * spotHourly(table, 'us-east-1', 'm5.2xlarge'), 1);
    expect(row(guide, 'nat').stacks.after).toBeCloseTo(row(guide, 'nat').stacks.before / 2, 2);
    expect(guide.databaseCommitment).toBe(0.35);
    expect(row(guide, 'database').stacks.after).toBeLessThan(row(guide, 'database').stacks.before * 0.7);
    expect(row(guide, 'web').stacks.after).toBeLessThan(row(guide, 'web').stacks.before / 3);
  });

  it('the rest is the guide\'s stated figure, the totals the sums of the rows, and the schedule line only explains', () => {
    expect(row(guide, 'rest').stacks).toMatchObject({ before: 500, after: 500 });
    const rows = guide.rows.filter((r) => r.key !== 'total' && r.key !== 'schedule');
    expect(row(guide, 'total').stacks.before).toBeCloseTo(rows.reduce((s, r) => s + r.stacks.before, 0), 2);
    expect(row(guide, 'total').stacks.after).toBeCloseTo(rows.reduce((s, r) => s + r.stacks.after, 0), 2);
    expect(row(guide, 'schedule').stacks.after).toBeLessThan(0);
  });

  it('every row carries the guide\'s figure and a reason for the difference', () => {
    expect(guide.rows.map((r) => r.key)).toEqual(['web', 'batch', 'database', 'nat', 'alb', 'rest', 'schedule', 'total']);
    expect(row(guide, 'total').guide).toMatchObject({ before: 4502, after: 1288 });
    for (const r of guide.rows) expect(r.why.length, r.key).toBeGreaterThan(0);
    expect(row(guide, 'total').why.join(' ')).toContain('four changed rows only');
  });
});

describe('the rows come from the synthesized stacks', () => {
  it('eight web servers instead of ten: the web row before is eight servers\' worth', () => {
    const eight = changed(sources.before, { capacity: { minSize: 8, maxSize: 8, desiredCapacity: 8 }, instancesDistribution: { onDemandBaseCapacity: 8, onDemandPercentageAboveBaseCapacity: 100 } });
    const t = guideTable(eight, sources.after, table);
    expect(row(t, 'web').stacks.before).toBeCloseTo(8 * 0.192 * 730, 2);
    expect(row(t, 'batch').stacks.before).toBe(row(guide, 'batch').stacks.before);
  }, 120_000);

  it('twice the expected jobs: twice the batch row after', () => {
    const batch = (sources.after.data as { batch: { expected: { jobsPerDay: number } } }).batch;
    const busier = changed(sources.after, { batch: { ...batch, expected: { ...batch.expected, jobsPerDay: batch.expected.jobsPerDay * 2 } } });
    const t = guideTable(sources.before, busier, table);
    expect(row(t, 'batch').stacks.after).toBeCloseTo(2 * row(guide, 'batch').stacks.after, 1);
  }, 120_000);

  it('two NAT gateways after as well: the NAT row no longer halves', () => {
    const network = (sources.after.data as { network: object }).network;
    const t = guideTable(sources.before, changed(sources.after, { network: { ...network, natMode: 'per-az' } }), table);
    expect(row(t, 'nat').stacks.after).toBe(row(t, 'nat').stacks.before);
  }, 120_000);
});

describe('npm run cost -- --guide', () => {
  it('prints the table, each row beside the guide\'s figure', () => {
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['tools/cost/main.ts', '--guide'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${renderGuideTable(guide)}\n`);
    expect(result.stdout).toMatch(/Web servers +\$1,401 +\$1,401\.60 +\$420 +\$[\d,.]+/);
    expect(result.stdout).toMatch(/Total +\$4,502 +\$[\d,.]+ +\$1,288 +\$[\d,.]+/);
    expect(result.stdout).toContain('Why each row differs:');
  }, 120_000);
});
