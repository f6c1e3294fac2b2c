import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiSource, averageSpotDiscount, isoDay, mergeIntoTable, parseOnDemandProducts } from '../../../tools/cost/price-list';
import type { SpotPriceRecord } from '../../../tools/cost/price-list';
import { DEFAULT_PRICE_FILE, loadPriceTable } from '../../../tools/synth-model/price-table';
import { run } from '../../../tools/cost/prices-update';
import { ROOT } from '../../support/paths';

const FIXTURES = join(ROOT, 'tests', 'fixtures', 'pricing');

interface ProductsFixture {
  FormatVersion: string;
  NextToken: string;
  PriceList: string[];
}
interface SpotFixture {
  SpotPriceHistory: { AvailabilityZone: string; InstanceType: string; SpotPrice: string; Timestamp: string }[];
}

const products = JSON.parse(readFileSync(join(FIXTURES, 'get-products-ap-northeast-2.json'), 'utf8')) as ProductsFixture;
// The SDK hands back Timestamp as a Date; the JSON fixture stores the ISO string.
const spotHistory: SpotPriceRecord[] = (
  JSON.parse(readFileSync(join(FIXTURES, 'spot-price-history-ap-northeast-2.json'), 'utf8')) as SpotFixture
).SpotPriceHistory.map((record) => ({ ...record, Timestamp: new Date(record.Timestamp) }));

/** The fixture entry with this SKU, parsed, for building variants. */
function entryWithSku(sku: string): { product: { sku: string; attributes: Record<string, string> }; terms: unknown } {
  const raw = products.PriceList.find((entry) => entry.includes(`"sku":"${sku}"`));
  if (!raw) throw new Error(`fixture has no SKU ${sku}`);
  return JSON.parse(raw) as { product: { sku: string; attributes: Record<string, string> }; terms: unknown };
}

/** A copy of the entry with this SKU, renamed and re-priced (every USD price in its terms replaced). */
function variant(sku: string, newSku: string, usd: string, attributes: Record<string, string> = {}): string {
  const entry = entryWithSku(sku);
  entry.product.sku = newSku;
  Object.assign(entry.product.attributes, attributes);
  return JSON.stringify(entry).replace(/"USD":"[0-9.]+"/g, `"USD":"${usd}"`);
}

describe('parseOnDemandProducts', () => {
  it('reads the hourly Linux on-demand price of each type from a GetProducts page', () => {
    expect(products.FormatVersion).toBe('aws_v1');
    expect(parseOnDemandProducts(products.PriceList)).toEqual(
      new Map([
        ['t3.medium', 0.052],
        ['t3a.medium', 0.0468],
        ['m5.large', 0.118],
        ['m5a.large', 0.106],
        ['m5.xlarge', 0.236],
      ]),
    );
  });

  it('skips Windows, capacity-reservation, dedicated and pre-installed-software SKUs', () => {
    const others = ['FXAPN2T3MEDWIN01', 'FXAPN2M5LGRESV01', 'FXAPN2M5LGDEDI01', 'FXAPN2M5XLSQLW01'];
    const entries = products.PriceList.filter((entry) => others.some((sku) => entry.includes(`"sku":"${sku}"`)));
    expect(entries).toHaveLength(4);
    expect(parseOnDemandProducts(entries).size).toBe(0);
    // A reservation SKU priced apart from the Used one must not collide with it.
    const pricier = variant('FXAPN2M5LGRESV01', 'FXAPN2M5LGRESV02', '0.5000000000');
    expect(parseOnDemandProducts([...products.PriceList, pricier]).get('m5.large')).toBe(0.118);
  });

  it('ignores Reserved terms next to the on-demand one', () => {
    const t3 = products.PriceList.find((entry) => entry.includes('"sku":"FXAPN2T3MEDIUM01"')) as string;
    expect(t3).toContain('"Reserved"');
    expect(parseOnDemandProducts([t3])).toEqual(new Map([['t3.medium', 0.052]]));
  });

  it('accepts the same type twice at the same price', () => {
    const twin = variant('FXAPN2M5LARGE001', 'FXAPN2M5LARGE002', '0.1180000000');
    expect(parseOnDemandProducts([...products.PriceList, twin]).get('m5.large')).toBe(0.118);
  });

  it('fails clearly when one type appears at two different prices', () => {
    const other = variant('FXAPN2M5LARGE001', 'FXAPN1M5LARGE001', '0.1240000000', { regionCode: 'ap-northeast-1' });
    expect(() => parseOnDemandProducts([...products.PriceList, other])).toThrow(
      'conflicting on-demand prices for m5.large: 0.118 (SKU FXAPN2M5LARGE001) and 0.124 (SKU FXAPN1M5LARGE001, ap-northeast-1)',
    );
  });

  it('fails on entries that are not JSON or lack on-demand terms', () => {
    expect(() => parseOnDemandProducts(['{not json'])).toThrow('PriceList[0] is not JSON');
    const entry = entryWithSku('FXAPN2M5LARGE001');
    entry.terms = { Reserved: {} };
    expect(() => parseOnDemandProducts([JSON.stringify(entry)])).toThrow('expected an object at "OnDemand"');
  });
});

describe('averageSpotDiscount', () => {
  const onDemand = parseOnDemandProducts(products.PriceList);

  it('is 1 − simple mean Spot price ÷ on-demand, rounded to 3 decimals', () => {
    // Worked by hand from the fixture:
    //   t3.medium  (0.0156 + 0.0160 + 0.0164) / 3 = 0.0160;  1 − 0.0160 / 0.052  = 0.69231 → 0.692
    //   t3a.medium (0.0140 + 0.0142) / 2 = 0.0141;           1 − 0.0141 / 0.0468 = 0.69872 → 0.699
    //   m5.large   (0.035 + 0.036 + 0.037) / 3 = 0.036;      1 − 0.036 / 0.118   = 0.69492 → 0.695
    //   m5a.large  (0.033 + 0.034) / 2 = 0.0335;             1 − 0.0335 / 0.106  = 0.68396 → 0.684
    //   m5.xlarge  (0.070 + 0.072 + 0.074 + 0.076) / 4 = 0.073; 1 − 0.073 / 0.236 = 0.69068 → 0.691
    // c5.large has a Spot record but no on-demand price, so it is left out.
    expect(averageSpotDiscount(spotHistory, onDemand)).toEqual(
      new Map([
        ['t3.medium', 0.692],
        ['t3a.medium', 0.699],
        ['m5.large', 0.695],
        ['m5a.large', 0.684],
        ['m5.xlarge', 0.691],
      ]),
    );
  });

  it('weights every record equally, whatever its zone or time', () => {
    const history: SpotPriceRecord[] = [
      { InstanceType: 'm5.large', SpotPrice: '0.020000', AvailabilityZone: 'ap-northeast-2a' },
      { InstanceType: 'm5.large', SpotPrice: '0.020000', AvailabilityZone: 'ap-northeast-2a' },
      { InstanceType: 'm5.large', SpotPrice: '0.050000', AvailabilityZone: 'ap-northeast-2b' },
    ];
    // (0.02 + 0.02 + 0.05) / 3 = 0.03;  1 − 0.03 / 0.1 = 0.7
    expect(averageSpotDiscount(history, new Map([['m5.large', 0.1]]))).toEqual(new Map([['m5.large', 0.7]]));
  });

  it('leaves out types without records and skips records without a type or price', () => {
    const discounts = averageSpotDiscount([{ SpotPrice: '0.01' }, { InstanceType: 't3.medium' }], onDemand);
    expect(discounts.size).toBe(0);
  });

  it('fails on a Spot price that is not a positive number', () => {
    expect(() => averageSpotDiscount([{ InstanceType: 't3.medium', SpotPrice: 'n/a', AvailabilityZone: 'ap-northeast-2a' }], onDemand)).toThrow(
      'Spot price "n/a" for t3.medium in ap-northeast-2a is not a positive number',
    );
  });
});

describe('mergeIntoTable', () => {
  const table = loadPriceTable(DEFAULT_PRICE_FILE);
  const before = structuredClone(table);
  const update = {
    region: 'ap-northeast-2',
    onDemand: new Map([['m5.large', 0.12]]),
    spotDiscount: new Map([['m5.large', 0.65]]),
  };
  const stamp = { date: '2026-11-25', source: apiSource(['ap-northeast-2'], 30, table.date) };
  const merged = mergeIntoTable(table, [update], stamp);

  it('updates only the given types of the given region, and stamps date and source', () => {
    const seoul = merged.regions['ap-northeast-2'];
    expect(seoul.onDemand).toEqual({ ...before.regions['ap-northeast-2'].onDemand, 'm5.large': 0.12 });
    expect(seoul.spotDiscount).toEqual({ ...before.regions['ap-northeast-2'].spotDiscount, 'm5.large': 0.65 });
    expect({ ...seoul, onDemand: {}, spotDiscount: {} }).toEqual({ ...before.regions['ap-northeast-2'], onDemand: {}, spotDiscount: {} });
    expect(merged.date).toBe('2026-11-25');
    expect(merged.source).toContain('GetProducts');
    expect(merged.source).toContain('DescribeSpotPriceHistory');
    expect(merged.source).toContain(`unchanged from the table dated ${before.date}`);
  });

  it('keeps the other regions and the global prices untouched, and does not mutate its input', () => {
    for (const region of Object.keys(before.regions).filter((name) => name !== 'ap-northeast-2')) {
      expect(merged.regions[region]).toEqual(before.regions[region]);
    }
    expect(merged.global).toEqual(before.global);
    expect(merged.hoursPerMonth).toBe(before.hoursPerMonth);
    expect(table).toEqual(before);
  });

  it('refuses a region the table does not have', () => {
    expect(() => mergeIntoTable(table, [{ ...update, region: 'eu-west-1' }], stamp)).toThrow('region eu-west-1 is not in the price table');
  });

  it('dates in UTC', () => {
    expect(isoDay(new Date('2026-11-24T23:30:00-05:00'))).toBe('2026-11-25');
  });
});

describe('prices:update without credentials', () => {
  it('exits 2 with one line naming what it needs, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-update-'));
    const out = join(dir, 'prices.json');
    const original = readFileSync(DEFAULT_PRICE_FILE, 'utf8');
    writeFileSync(out, original);
    const mtime = statSync(out).mtimeMs;

    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
    Object.assign(env, {
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/cost/prices-update.ts', '--out', out], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });

    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('needs AWS credentials');
    expect(lines[0]).toContain('pricing:GetProducts');
    expect(lines[0]).toContain('ec2:DescribeSpotPriceHistory');
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(original);
    expect(statSync(out).mtimeMs).toBe(mtime);
  });
});

describe('prices:update with (mocked) AWS answers', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
    vi.restoreAllMocks();
  });

  it('queries one region with the Linux filters, follows NextToken, and writes only that region', async () => {
    // Static fake keys: the default chain resolves them from the environment and no request leaves the process.
    for (const name of Object.keys(process.env).filter((key) => key.startsWith('AWS_'))) delete process.env[name];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDFAKEFORTESTS',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    vi.spyOn(console, 'log').mockImplementation(() => undefined);

    const pricing = mockClient(PricingClient);
    pricing.on(GetProductsCommand).callsFake((input: { Filters?: { Field?: string; Value?: string }[]; NextToken?: string }) => {
      const type = input.Filters?.find((filter) => filter.Field === 'instanceType')?.Value;
      const entries = products.PriceList.filter((entry) => entry.includes(`"instanceType":"${type}"`));
      // Two pages per type, so the paginator has to follow NextToken to see the Linux entry or its neighbours.
      return input.NextToken === undefined
        ? { FormatVersion: 'aws_v1', PriceList: entries.slice(0, 1), NextToken: 'page-2' }
        : { FormatVersion: 'aws_v1', PriceList: entries.slice(1) };
    });
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeSpotPriceHistoryCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken === undefined
        ? { SpotPriceHistory: spotHistory.slice(0, 7), NextToken: 'more' }
        : { SpotPriceHistory: spotHistory.slice(7), NextToken: '' },
    );

    const out = join(mkdtempSync(join(tmpdir(), 'prices-update-')), 'prices.json');
    // The recorded answers hold the web fleet's five types: the copy keeps those only in the region updated.
    const shipped = loadPriceTable(DEFAULT_PRICE_FILE);
    const recorded = (prices: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(prices).filter(([type]) => /^(t3a?\.medium|m5a?\.large|m5\.xlarge)$/.test(type)));
    const seoul = shipped.regions['ap-northeast-2']!;
    const copy = { ...shipped, regions: { ...shipped.regions, 'ap-northeast-2': { ...seoul, onDemand: recorded(seoul.onDemand), spotDiscount: recorded(seoul.spotDiscount) } } };
    writeFileSync(out, JSON.stringify(copy, null, 2));
    const before = loadPriceTable(out);
    try {
      expect(await run(['--regions', 'ap-northeast-2', '--days', '30', '--out', out])).toBe(0);
    } finally {
      pricing.restore();
      ec2.restore();
    }

    // Five instance types, two pages each; Spot history in two pages.
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(10);
    expect(ec2.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(2);
    const filters = pricing.commandCalls(GetProductsCommand)[0].args[0].input;
    expect(filters.ServiceCode).toBe('AmazonEC2');
    expect(filters.Filters).toEqual(
      expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'ap-northeast-2' },
        { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
        { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
        { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
        { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
      ]),
    );
    const spotInput = ec2.commandCalls(DescribeSpotPriceHistoryCommand)[0].args[0].input;
    expect(spotInput.ProductDescriptions).toEqual(['Linux/UNIX']);
    const days = ((spotInput.EndTime as Date).getTime() - (spotInput.StartTime as Date).getTime()) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);

    const after = loadPriceTable(out);
    expect(after.regions['ap-northeast-2'].onDemand).toEqual({
      't3.medium': 0.052,
      't3a.medium': 0.0468,
      'm5.large': 0.118,
      'm5a.large': 0.106,
      'm5.xlarge': 0.236,
    });
    expect(after.regions['ap-northeast-2'].spotDiscount).toEqual({
      't3.medium': 0.692,
      't3a.medium': 0.699,
      'm5.large': 0.695,
      'm5a.large': 0.684,
      'm5.xlarge': 0.691,
    });
    expect(after.regions['us-east-1']).toEqual(before.regions['us-east-1']);
    expect(after.regions['ap-northeast-1']).toEqual(before.regions['ap-northeast-1']);
    expect(after.date).toBe(isoDay());
    expect(after.source).toContain('ap-northeast-2');
  });
});
