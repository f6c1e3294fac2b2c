/**
 * Refreshes the EC2 figures of the bundled price table from AWS:
 * on-demand Linux prices from the Price List API (GetProducts) and average
 * Spot discounts from EC2 DescribeSpotPriceHistory. Non-EC2 figures (EBS,
 * NAT, ALB, ...) are left as they are.
 *
 *   npm run prices:update -- [--regions a,b] [--instance-types x,y] [--days 30] [--out data/prices.json]
 *
 * Defaults: the regions and instance types already in the table, 30 days, and
 * the table file itself. Exit 0 on success, 1 on any error, 2 when no AWS
 * credentials can be found; nothing is written unless every figure was fetched.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EC2Client, paginateDescribeSpotPriceHistory } from '@aws-sdk/client-ec2';
import type { _InstanceType } from '@aws-sdk/client-ec2';
import { PricingClient, paginateGetProducts } from '@aws-sdk/client-pricing';
import type { Filter } from '@aws-sdk/client-pricing';
import { defineCommand, parseCommand, runCommand } from '../lib/cli';
import { apiSource, averageSpotDiscount, isoDay, mergeIntoTable, parseOnDemandProducts } from './price-list';
import type { RegionUpdate, SpotPriceRecord } from './price-list';
import { DEFAULT_PRICE_FILE, loadPriceTable } from '../synth-model/price-table';
import type { PriceTable } from '../synth-model/price-table';

// The pinned SDK supports Node 20; its notice about releases after January 2027 is noise here (as in lib/aws-clients.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The Price List API answers only from a few regions; us-east-1 serves every region's prices. */
const PRICING_ENDPOINT_REGION = 'us-east-1';
const EXIT_NO_CREDENTIALS = 2;

interface Options {
  regions: string[];
  instanceTypes: string[];
  days: number;
  out: string;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  if (items.length === 0) throw new Error('an empty list was given');
  return items;
}

/** Options from argv, with defaults taken from the table being updated. */
const PRICES_UPDATE_COMMAND = defineCommand({
  usage: 'npm run prices:update -- [options]',
  summary:
    'Refreshes the EC2 figures of the price table from AWS: on-demand Linux prices from the Price List API and average Spot discounts ' +
    'from DescribeSpotPriceHistory. Needs AWS credentials (exit 2 without); writes nothing unless every figure was fetched.',
  options: {
    regions: { type: 'string', valueName: '<a,b>', description: 'Regions to refresh; default: those in the table.' },
    'instance-types': { type: 'string', valueName: '<x,y>', description: 'Instance types to refresh; default: those in the table.' },
    days: { type: 'string', default: '30', valueName: '<n>', description: 'Days of Spot price history to average.' },
    out: { type: 'string', default: DEFAULT_PRICE_FILE, valueName: '<file>', description: 'The table to update in place.' },
  },
});

function parseOptions(argv: string[]): { options: Options; table: PriceTable } {
  const { values } = parseCommand(PRICES_UPDATE_COMMAND, argv);
  const out = values.out as string;
  // Update the file in place when it exists, so a custom table keeps its own regions and fields.
  const table = loadPriceTable(existsSync(out) ? out : DEFAULT_PRICE_FILE);
  const days = Number(values.days);
  // DescribeSpotPriceHistory goes back at most 90 days.
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new Error(`--days must be a whole number from 1 to 90, not ${values.days}`);
  const regions = list(values.regions) ?? Object.keys(table.regions);
  for (const region of regions) {
    if (!table.regions[region]) throw new Error(`region ${region} is not in ${out}; add it with its non-EC2 prices first`);
  }
  const instanceTypes =
    list(values['instance-types']) ?? [...new Set(regions.flatMap((region) => Object.keys(table.regions[region].onDemand)))].sort();
  return { options: { regions, instanceTypes, days, out }, table };
}

/** On-demand prices of `types` in `region`, one paginated GetProducts query per type. */
async function fetchOnDemand(pricing: PricingClient, region: string, types: string[]): Promise<Map<string, number>> {
  const prices = new Map<string, number>();
  for (const type of types) {
    const filters: Filter[] = [
      ['ServiceCode', 'AmazonEC2'],
      ['regionCode', region],
      ['instanceType', type],
      ['operatingSystem', 'Linux'],
      ['tenancy', 'Shared'],
      ['preInstalledSw', 'NA'],
      ['capacitystatus', 'Used'],
    ].map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value }));
    const entries: string[] = [];
    for await (const page of paginateGetProducts({ client: pricing }, { ServiceCode: 'AmazonEC2', Filters: filters, FormatVersion: 'aws_v1' })) {
      entries.push(...(page.PriceList ?? []));
    }
    for (const [found, usd] of parseOnDemandProducts(entries)) prices.set(found, usd);
  }
  return prices;
}

/** Linux/UNIX Spot price records of `types` in `region` since `start`. */
async function fetchSpotHistory(ec2: EC2Client, types: string[], start: Date): Promise<SpotPriceRecord[]> {
  const records: SpotPriceRecord[] = [];
  const input = {
    InstanceTypes: types as _InstanceType[],
    ProductDescriptions: ['Linux/UNIX'],
    StartTime: start,
    EndTime: new Date(),
  };
  for await (const page of paginateDescribeSpotPriceHistory({ client: ec2 }, input)) records.push(...(page.SpotPriceHistory ?? []));
  return records;
}

function missing(what: string, region: string, wanted: string[], got: Map<string, number>): void {
  const absent = wanted.filter((type) => !got.has(type));
  if (absent.length > 0) throw new Error(`no ${what} for ${absent.join(', ')} in ${region}; nothing was written`);
}

/**
 * Runs the update with command-line `argv` (without node and script) and
 * returns the exit code: 0 written, 2 no credentials. Throws on other errors.
 */
export async function run(argv: string[]): Promise<number> {
  const { options, table } = parseOptions(argv);
  const pricing = new PricingClient({ region: PRICING_ENDPOINT_REGION });
  try {
    // Resolve the default chain once up front, so a missing login fails before any partial work.
    await pricing.config.credentials();
  } catch (error) {
    console.error(
      'prices:update needs AWS credentials allowed pricing:GetProducts and ec2:DescribeSpotPriceHistory ' +
        `(environment variables, a profile, SSO or an instance role); none were found (${(error as Error).message}); nothing was written`,
    );
    return EXIT_NO_CREDENTIALS;
  }

  const start = new Date(Date.now() - options.days * 24 * 3600 * 1000);
  const updates: RegionUpdate[] = [];
  for (const region of options.regions) {
    const onDemand = await fetchOnDemand(pricing, region, options.instanceTypes);
    missing('on-demand Linux price', region, options.instanceTypes, onDemand);
    const ec2 = new EC2Client({ region });
    const history = await fetchSpotHistory(ec2, options.instanceTypes, start);
    ec2.destroy();
    const spotDiscount = averageSpotDiscount(history, onDemand);
    missing(`Spot price history (last ${options.days} days)`, region, options.instanceTypes, spotDiscount);
    updates.push({ region, onDemand, spotDiscount });
  }
  pricing.destroy();

  const merged = mergeIntoTable(table, updates, { date: isoDay(), source: apiSource(options.regions, options.days, table.date) });
  for (const { region, onDemand, spotDiscount } of updates) {
    const before = table.regions[region];
    for (const type of options.instanceTypes) {
      console.log(
        `${region} ${type}: on-demand ${before.onDemand[type] ?? '-'} → ${onDemand.get(type)}, ` +
          `Spot discount ${before.spotDiscount[type] ?? '-'} → ${spotDiscount.get(type)}`,
      );
    }
  }
  writeFileSync(options.out, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`wrote ${options.out}`);
  return 0;
}

// Run only as a script: tests import `run` and drive it with mocked clients.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  runCommand('prices:update', async () => {
    process.exitCode = await run(process.argv.slice(2));
  });
}
