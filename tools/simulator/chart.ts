/**
 * Draws simulated timelines as a two-panel chart (load vs capacity, cost) and
 * renders it to SVG and PNG without a browser.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { Loader, ViewOptions } from 'vega' with { 'resolution-mode': 'import' };
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import type { ChartSeries, TimelinePoint } from './timeline';

export type { ChartSeries } from './timeline';

/** Options for {@link chartSpec}. */
export interface ChartOptions {
  title: string;
  subtitle?: string;
  /** Minutes per plotted point; by default enough to keep each series under ~1500 points. */
  bucketMinutes?: number;
}

const MAX_BUCKETS = 1500;
const WIDTH = 900;
const DEMAND_LABEL = 'Demand (units at CPU target)';
const ON_DEMAND = 'On-demand';
const SPOT = 'Spot';
// Vega's default category palette, fixed so both panels give a variant the same colour; demand is
// near-black so it reads over the stacked areas.
const SERIES_COLOURS = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756', '#72b7b2'];
const DEMAND_COLOUR = '#222222';
const DEMAND_DASH = [6, 3];

interface Bucket {
  time: string;
  demand: number;
  onDemand: number;
  spot: number;
  cost: number;
}

/**
 * One row per bucket. Capacity keeps the minute with the largest fleet (and its
 * on-demand/Spot split) so the stacked area tops out at the real peak; demand
 * keeps its own maximum so a short spike is never averaged away.
 */
function downsample(points: TimelinePoint[], bucketMinutes: number): Bucket[] {
  const buckets: Bucket[] = [];
  let key = Number.NaN;
  let current: Bucket | undefined;
  for (const p of points) {
    const k = Math.floor(p.minute / bucketMinutes);
    if (!current || k !== key) {
      key = k;
      current = { time: p.time, demand: p.demandUnits, onDemand: p.onDemandUnits, spot: p.spotUnits, cost: p.cumulativeCost };
      buckets.push(current);
      continue;
    }
    current.demand = Math.max(current.demand, p.demandUnits);
    if (p.onDemandUnits + p.spotUnits > current.onDemand + current.spot) {
      current.onDemand = p.onDemandUnits;
      current.spot = p.spotUnits;
    }
    current.cost = p.cumulativeCost;
  }
  return buckets;
}

function defaultBucketMinutes(series: ChartSeries[]): number {
  const span = Math.max(0, ...series.flatMap((s) => (s.points.length ? [s.points[s.points.length - 1].minute - s.points[0].minute + 1] : [])));
  return Math.max(1, Math.ceil(span / MAX_BUCKETS));
}

/**
 * Builds the Vega-Lite spec: "Load vs capacity" above "Cost". One series draws
 * stacked on-demand and Spot capacity under the demand line; several series
 * (compare mode) draw one total-capacity line each, with the first series' demand.
 * Data is downsampled to `bucketMinutes` and inlined, so the spec is self-contained.
 */
export function chartSpec(series: ChartSeries[], options: ChartOptions): TopLevelSpec {
  if (series.length === 0) throw new Error('chartSpec needs at least one series');
  const bucketMinutes = options.bucketMinutes ?? defaultBucketMinutes(series);
  if (!(bucketMinutes >= 1)) throw new Error(`bucketMinutes must be >= 1, got ${bucketMinutes}`);
  const sampled = series.map((s) => ({ label: s.label, buckets: downsample(s.points, bucketMinutes) }));
  const compare = series.length > 1;
  const times = series.flatMap((s) => (s.points.length ? [Date.parse(s.points[0].time), Date.parse(s.points[s.points.length - 1].time)] : []));
  const days = (Math.max(...times) - Math.min(...times)) / 86_400_000;
  // Over days the hour of a midnight tick is noise, so tick on whole days (about ten of them);
  // over hours the hour is the point.
  const timeAxis =
    days >= 2
      ? ({ format: '%b %d', tickCount: { interval: 'day', step: Math.ceil(days / 10) } } as const)
      : ({ format: '%b %d %H:%M' } as const);
  // Times are UTC: a utc scale keeps the axis from shifting with the renderer's time zone.
  const x = { field: 'time', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { ...timeAxis, labelAngle: 0 } } as const;

  const demandRows = sampled[0].buckets.map((b) => ({ time: b.time, line: DEMAND_LABEL, units: b.demand }));
  const capacityRows = compare
    ? []
    : sampled[0].buckets.flatMap((b) => [
        { time: b.time, kind: ON_DEMAND, order: 0, units: b.onDemand },
        { time: b.time, kind: SPOT, order: 1, units: b.spot },
      ]);
  const lineRows = compare ? sampled.flatMap((s) => s.buckets.map((b) => ({ time: b.time, line: s.label, units: b.onDemand + b.spot }))) : [];
  const costRows = sampled.flatMap((s) => s.buckets.map((b) => ({ time: b.time, series: s.label, cost: b.cost })));

  const labels = sampled.map((s) => s.label);
  const seriesColours = labels.map((_, i) => SERIES_COLOURS[i % SERIES_COLOURS.length]);
  // One colour scale per panel, spelled out so the legend lists areas and lines together in a fixed order.
  const loadColour = compare
    ? { domain: [...labels, DEMAND_LABEL], range: [...seriesColours, DEMAND_COLOUR] }
    : { domain: [ON_DEMAND, SPOT, DEMAND_LABEL], range: [SERIES_COLOURS[0], SERIES_COLOURS[1], DEMAND_COLOUR] };
  // One merged legend per panel can only have one symbol type, so per-entry signals make
  // capacity areas read as swatches and demand as the dashed line it is on the plot.
  const isDemand = `datum.value === ${JSON.stringify(DEMAND_LABEL)}`;
  const demandDash = { signal: `${isDemand} ? [${DEMAND_DASH.join(', ')}] : []` };
  const loadLegend = {
    title: null,
    orient: 'top',
    direction: 'horizontal',
    symbolStrokeWidth: 3,
    encode: {
      symbols: {
        update: compare
          ? { shape: { value: 'stroke' }, strokeDash: demandDash }
          : {
              shape: { signal: `${isDemand} ? 'stroke' : 'square'` },
              stroke: { signal: `${isDemand} ? ${JSON.stringify(DEMAND_COLOUR)} : 'transparent'` },
              strokeDash: demandDash,
            },
      },
    },
  } as const;
  const legend = { title: null, orient: 'top', direction: 'horizontal', symbolType: 'stroke', symbolStrokeWidth: 3 } as const;
  const units = { type: 'quantitative', title: 'Capacity units', axis: { tickMinStep: 1 } } as const;

  const capacityLayers = compare
    ? []
    : [
        {
          data: { name: 'capacity' },
          mark: { type: 'area', opacity: 0.75, interpolate: 'step-after' },
          encoding: {
            x,
            y: { ...units, field: 'units', stack: 'zero' },
            color: { field: 'kind', type: 'nominal', scale: loadColour, legend: loadLegend },
            order: { field: 'order', type: 'quantitative' },
          },
        } as const,
      ];
  const lineLayers = compare
    ? [
        {
          data: { name: 'lines' },
          mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
          encoding: { x, y: { ...units, field: 'units' }, color: { field: 'line', type: 'nominal', scale: loadColour, legend: loadLegend } },
        } as const,
      ]
    : [];

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: options.title, ...(options.subtitle ? { subtitle: options.subtitle } : {}), anchor: 'start', fontSize: 16, offset: 12 },
    config: { view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, labelLimit: 400 } },
    datasets: { capacity: capacityRows, lines: lineRows, demand: demandRows, cost: costRows },
    // Each panel explains its own colours: load mixes capacity kinds with demand, cost only has variants.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    spacing: 30,
    vconcat: [
      {
        title: { text: 'Load vs capacity', anchor: 'start', frame: 'group' },
        width: WIDTH,
        height: 300,
        layer: [
          ...capacityLayers,
          ...lineLayers,
          {
            data: { name: 'demand' },
            mark: { type: 'line', strokeWidth: 1.5, strokeDash: DEMAND_DASH, interpolate: 'step-after' },
            encoding: { x, y: { ...units, field: 'units' }, color: { field: 'line', type: 'nominal', scale: loadColour, legend: loadLegend } },
          },
        ],
      },
      {
        title: { text: 'Cost', anchor: 'start', frame: 'group' },
        width: WIDTH,
        height: 200,
        data: { name: 'cost' },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'cost', type: 'quantitative', title: 'Cumulative cost (USD)', axis: { format: '$,.0f' } },
          color: { field: 'series', type: 'nominal', scale: { domain: labels, range: seriesColours }, legend },
        },
      },
    ],
  };
}

/**
 * A loader that refuses everything: the data is inline, so any fetch is a bug or a
 * leak. vega only warns about failed loads, so the refusal is also recorded.
 */
function offlineLoader(errors: unknown[]): Loader {
  const refuse = (what: string): Promise<never> => {
    const error = new Error(`chart rendering is offline; refused to load ${what}`);
    errors.push(error);
    return Promise.reject(error);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

type Logger = NonNullable<ViewOptions['logger']>;

/**
 * vega reports dataflow failures to its logger and still resolves toSVG() with a
 * half-drawn chart; keeping the errors lets renderSvg fail loudly instead. Closures,
 * not methods: vega calls them detached from the logger.
 */
function collectingLogger(): { logger: Logger; errors: unknown[] } {
  const errors: unknown[] = [];
  let threshold = 2; // vega's Warn
  const logger: Logger = {
    level: (level?: number) => {
      if (level === undefined) return threshold;
      threshold = level;
      return logger;
    },
    error: (...args: unknown[]) => {
      errors.push(args.length === 1 ? args[0] : args);
      return logger;
    },
    warn: (...args: unknown[]) => {
      if (threshold >= 2) console.warn('[vega]', ...args);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return { logger, errors };
}

/**
 * Compiles and renders a spec to an SVG document, headless and offline.
 * vega and vega-lite are ESM-only with top-level await, so they are imported
 * dynamically rather than required.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec);
  const { logger, errors } = collectingLogger();
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', loader: offlineLoader(errors), logger });
  try {
    const svg = await view.toSVG();
    if (errors.length) {
      const first = errors[0];
      throw new Error(`vega failed to render the chart: ${first instanceof Error ? first.message : String(first)}`, { cause: first });
    }
    return svg;
  } finally {
    view.finalize();
  }
}

let sansSerif: string | null | undefined;
/**
 * The family fontconfig picks for sans-serif. resvg maps the generic family to
 * "Arial", which many Linux machines lack, and then falls back to whichever system
 * font it happens to list first, which need not be a sans-serif.
 */
function systemSansSerif(): string | undefined {
  if (sansSerif === undefined) {
    try {
      sansSerif = execFileSync('fc-match', ['-f', '%{family[0]}', 'sans-serif'], { encoding: 'utf8', timeout: 5000 }).trim() || null;
    } catch {
      sansSerif = null; // no fontconfig (e.g. macOS): resvg's own defaults exist there
    }
  }
  return sansSerif ?? undefined;
}

/** Rasterizes an SVG document to PNG, scaled to `width` pixels (default 1800, i.e. 2x the chart). */
export function svgToPng(svg: string, width = WIDTH * 2): Buffer {
  const family = systemSansSerif();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: { loadSystemFonts: true, ...(family ? { defaultFontFamily: family, sansSerifFamily: family } : {}) },
  });
  return resvg.render().asPng();
}

/** Renders the chart and writes `<outBase>.svg` and `<outBase>.png`; returns both paths. */
export async function writeChart(series: ChartSeries[], options: ChartOptions, outBase: string): Promise<{ svg: string; png: string }> {
  const svg = await renderSvg(chartSpec(series, options));
  const paths = { svg: `${outBase}.svg`, png: `${outBase}.png` };
  writeFileSync(paths.svg, svg);
  writeFileSync(paths.png, svgToPng(svg));
  return paths;
}
