/**
 * The guide's own inputs (../shared/seed: "AWS 동적 인프라 완전 가이드"),
 * quoted so the tests and the simulator's comparison can recompute its
 * tables. Only inputs live here; every total is computed.
 */

/** §3 "가격 비교 (m5.xlarge 기준, us-east-1)": hourly prices per purchase option. */
export const SEED_M5_XLARGE_US_EAST_1 = [
  { option: 'On-demand', hourly: 0.192 },
  { option: 'Reserved (1 year, all upfront)', hourly: 0.12 },
  { option: 'Savings Plan (1 year)', hourly: 0.125 },
  { option: 'Spot (average)', hourly: 0.058 },
  { option: 'Spot (lowest)', hourly: 0.019 },
] as const;

/** §7 case study, web-tier line: "웹 서버 10대 → ASG (2 온디맨드 + 스팟) $1,401 → $420, 70%". */
export const SEED_WEB_TIER = {
  instanceType: 'm5.xlarge',
  region: 'us-east-1',
  staticInstances: 10,
  /** The guide's figures as printed. */
  before: 1401,
  after: 420,
  savedPercent: 70,
  onDemandBase: 2,
} as const;

export interface PurchaseOptionRow {
  option: string;
  hourly: number;
  monthly: number;
  /** Whole percent below on-demand; the on-demand row has none. */
  discountPercent?: number;
}

/**
 * Monthly cost and discount per purchase option. The guide prints 37 % for
 * 0.120 vs 0.192 (exactly 37.5 %): it rounds halves down, and so does this,
 * so that its column comes out the same.
 */
export function purchaseOptionRows(options: ReadonlyArray<{ option: string; hourly: number }>, hoursPerMonth: number): PurchaseOptionRow[] {
  const onDemand = options[0]!.hourly;
  return options.map((o, i) => {
    // Work in hundredths of a cent so 0.058 × 730 is 42.34, not 42.339999….
    const monthly = Math.round(o.hourly * 1e5 * hoursPerMonth) / 1e5;
    const row: PurchaseOptionRow = { option: o.option, hourly: o.hourly, monthly: Math.round(monthly * 100) / 100 };
    if (i > 0) row.discountPercent = Math.ceil(Math.round((1 - o.hourly / onDemand) * 1e6) / 1e4 - 0.5);
    return row;
  });
}

/**
 * §7 case study ("실전 사례"), the whole before/after table as printed, in
 * USD a month. `undefined` where the guide prints no figure. The guide's
 * before total is the sum of its rows; its after total (≈ $1,288) is the sum
 * of the four changed rows only.
 */
export const SEED_COST_CASE = {
  region: 'us-east-1',
  rows: {
    web: { before: 1401, after: 420, savedPercent: 70 },
    batch: { before: 1401, after: 140, savedPercent: 90 },
    database: { before: 1020, after: 663, savedPercent: 35 },
    nat: { before: 130, after: 65, savedPercent: 50 },
    alb: { before: 50, after: undefined, savedPercent: undefined },
    /** "기타 (EBS, S3, CloudWatch) = $500/월": stated, not itemized; an input of the table, not derived. */
    rest: { before: 500, after: undefined, savedPercent: undefined },
  },
  /** "Schedule Scaling (야간/주말 축소): 추가 -30%". */
  scheduleScalingPercent: 30,
  total: { before: 4502, after: 1288, savedPercent: 71 },
  /** The batch line's "Spot Fleet (필요시만)": five m5.2xlarge before. */
  batchBefore: { instanceType: 'm5.2xlarge', instances: 5 },
} as const;
