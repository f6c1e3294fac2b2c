/**
 * The simulator chart: downsampling keeps peaks, and the spec renders to SVG
 * and PNG headlessly with the legend labels a reader needs.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { describe, expect, it } from 'vitest';
import { chartSpec, renderSvg, svgToPng } from '../../../tools/simulator/chart';
import type { ChartSeries, TimelinePoint } from '../../../tools/simulator/timeline';

const START = Date.UTC(2025, 0, 6);
const PEAK_MINUTE = 2 * 1440 + 19 * 60 + 7; // day 3, 19:07 — deliberately not on a bucket boundary
const PEAK_DEMAND = 57.3;

/** Minute-resolution days with an evening hump each day and one sharp spike at PEAK_MINUTE. */
function synthetic(label: string, minutes: number, spotShare = 0.6): ChartSeries {
  const points: TimelinePoint[] = [];
  let cumulativeCost = 0;
  for (let minute = 0; minute < minutes; minute++) {
    const hour = (minute % 1440) / 60;
    const evening = Math.exp(-((hour - 19) ** 2) / 4);
    const demandUnits = minute === PEAK_MINUTE ? PEAK_DEMAND : 4 + 20 * evening;
    const total = Math.ceil(4 + 22 * evening);
    const spotUnits = Math.floor(total * spotShare);
    const onDemandUnits = total - spotUnits;
    const costPerHour = onDemandUnits * 0.1 + spotUnits * 0.03;
    cumulativeCost += costPerHour / 60;
    points.push({
      minute,
      time: new Date(START + minute * 60_000).toISOString(),
      load: demandUnits * 1000,
      demandUnits,
      onDemandUnits,
      spotUnits,
      cpu: (demandUnits / total) * 50,
      costPerHour,
      cumulativeCost,
    });
  }
  return { label, points };
}

type Row = Record<string, unknown>;
function dataset(spec: object, name: string): Row[] {
  const rows = (spec as { datasets?: Record<string, Row[]> }).datasets?.[name];
  if (!rows) throw new Error(`spec has no dataset ${name}`);
  return rows;
}
const maxOf = (rows: Row[], field: string): number => Math.max(...rows.map((r) => Number(r[field])));

const threeDays = synthetic('as configured', 3 * 1440);

describe('chartSpec', () => {
  it('downsamples to bucketMinutes while keeping the demand and capacity peaks', () => {
    const spec = chartSpec([threeDays], { title: 't', bucketMinutes: 15 });
    const demand = dataset(spec, 'demand');
    expect(demand).toHaveLength((3 * 1440) / 15);
    expect(maxOf(demand, 'units')).toBe(PEAK_DEMAND);

    // Stacked on-demand + Spot must top out at the true fleet maximum, not above or below it.
    const byTime = new Map<string, number>();
    for (const r of dataset(spec, 'capacity')) byTime.set(String(r.time), (byTime.get(String(r.time)) ?? 0) + Number(r.units));
    const trueMax = Math.max(...threeDays.points.map((p) => p.onDemandUnits + p.spotUnits));
    expect(Math.max(...byTime.values())).toBe(trueMax);
  });

  it('keeps the last cumulative cost of each bucket', () => {
    const cost = dataset(chartSpec([threeDays], { title: 't', bucketMinutes: 60 }), 'cost');
    expect(cost).toHaveLength(72);
    expect(cost[cost.length - 1].cost).toBe(threeDays.points[threeDays.points.length - 1].cumulativeCost);
    expect(cost[0].cost).toBe(threeDays.points[59].cumulativeCost);
  });

  it('picks a default bucket that keeps a 28-day series under ~1500 points', () => {
    const long = synthetic('long', 28 * 1440);
    const demand = dataset(chartSpec([long], { title: 't' }), 'demand');
    expect(demand.length).toBeLessThanOrEqual(1500);
    expect(demand.length).toBeGreaterThan(1000);
    expect(maxOf(demand, 'units')).toBe(PEAK_DEMAND);
  });

  it('draws one total-capacity line per series in compare mode', () => {
    const spec = chartSpec([threeDays, synthetic('target-tracking-only', 3 * 1440, 0)], { title: 't', bucketMinutes: 30 });
    const lines = dataset(spec, 'lines');
    expect(new Set(lines.map((r) => r.line))).toEqual(new Set(['as configured', 'target-tracking-only']));
    expect(dataset(spec, 'capacity')).toHaveLength(0);
    expect(new Set(dataset(spec, 'cost').map((r) => r.series)).size).toBe(2);
  });

  it('only inlines data: nothing in the spec points at a URL', () => {
    const json = JSON.stringify(chartSpec([threeDays], { title: 't' }));
    expect(json).not.toMatch(/"url"\s*:/);
  });
});

describe('renderSvg / svgToPng', () => {
  it('renders a single series with the capacity and demand legend', async () => {
    const svg = await renderSvg(chartSpec([threeDays], { title: 'Three days', subtitle: 'synthetic' }));
    expect(svg.trimStart()).toMatch(/^<svg[\s>]/);
    for (const label of ['On-demand', 'Spot', 'Demand (units at CPU target)', 'Load vs capacity', 'Cost', 'Three days']) {
      expect(svg).toContain(`>${label}<`);
    }
    // Dollar-formatted cost axis.
    expect(svg).toMatch(/>\$\d/);
  });

  it('renders both series labels in compare mode', async () => {
    const svg = await renderSvg(chartSpec([threeDays, synthetic('target-tracking-only', 3 * 1440, 0)], { title: 'Compare' }));
    expect(svg).toContain('>as configured<');
    expect(svg).toContain('>target-tracking-only<');
    expect(svg).toContain('>Demand (units at CPU target)<');
    expect(svg).not.toContain('>On-demand<');
  });

  it('fails instead of returning a half-drawn chart when vega hits a runtime error', async () => {
    const broken: TopLevelSpec = {
      data: { values: [{ a: 1 }] },
      transform: [{ calculate: 'datum.missing.deeper', as: 'b' }],
      mark: 'point',
      encoding: { x: { field: 'b', type: 'quantitative' } },
    };
    await expect(renderSvg(broken)).rejects.toThrow(/vega failed to render.*deeper/);
  });

  it('refuses to fetch data from anywhere', async () => {
    const remote: TopLevelSpec = { data: { url: 'https://example.invalid/data.json' }, mark: 'point', encoding: { x: { field: 'b', type: 'quantitative' } } };
    await expect(renderSvg(remote)).rejects.toThrow(/offline; refused to load https:\/\/example\.invalid/);
  });

  it('rasterizes to PNG at the requested width', async () => {
    const svg = await renderSvg(chartSpec([threeDays], { title: 'png' }));
    const png = svgToPng(svg, 1200);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(1200); // IHDR width
  });

  it('renders a 20k-point series in reasonable time', async () => {
    const big = synthetic('big', 20_000);
    const started = performance.now();
    const svg = await renderSvg(chartSpec([big], { title: 'big' }));
    svgToPng(svg);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(svg).toContain('>Spot<');
  });
});
