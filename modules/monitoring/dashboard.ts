/**
 * CloudWatch dashboard bodies from typed widgets, laid out on the
 * dashboard's 24-column grid. The body is JSON built from these types, never
 * a hand-written string, so a misspelt property is a compile error.
 */

export type Statistic = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount' | `p${number}`;

/** One line of a metric widget: which metric, and how to draw it. */
export interface MetricLine {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Overrides the widget's statistic for this line. */
  readonly stat?: Statistic;
  readonly label?: string;
  /** Draw on the right axis. */
  readonly right?: boolean;
}

export interface MetricWidgetSpec {
  readonly title: string;
  readonly lines: readonly MetricLine[];
  /** @default 'Average' */
  readonly stat?: Statistic;
  /** Seconds per point. @default 60 */
  readonly period?: number;
  /** @default false */
  readonly stacked?: boolean;
  /** Horizontal lines, e.g. an alarm threshold. */
  readonly annotations?: readonly { readonly label: string; readonly value: number }[];
  /** Columns out of 24. @default 12 */
  readonly width?: number;
  /** @default 6 */
  readonly height?: number;
}

/** CloudWatch's JSON for a metric widget (the subset used here). */
export interface MetricWidgetJson {
  readonly type: 'metric';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: 'timeSeries';
    readonly stacked: boolean;
    readonly stat: Statistic;
    readonly period: number;
    readonly metrics: readonly (readonly (string | { stat?: string; label?: string; yAxis?: 'left' | 'right' })[])[];
    readonly annotations?: { readonly horizontal: readonly { label: string; value: number }[] };
  };
}

export interface DashboardJson {
  readonly widgets: readonly MetricWidgetJson[];
}

const GRID = 24;

/** Places widgets left to right, wrapping at 24 columns, and renders their JSON. */
export function dashboardBody(region: string, widgets: readonly MetricWidgetSpec[]): DashboardJson {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const placed = widgets.map((spec): MetricWidgetJson => {
    const width = spec.width ?? 12;
    const height = spec.height ?? 6;
    if (x + width > GRID) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const widget: MetricWidgetJson = {
      type: 'metric',
      x,
      y,
      width,
      height,
      properties: {
        title: spec.title,
        region,
        view: 'timeSeries',
        stacked: spec.stacked ?? false,
        stat: spec.stat ?? 'Average',
        period: spec.period ?? 60,
        metrics: spec.lines.map(metricRow),
        ...(spec.annotations?.length ? { annotations: { horizontal: spec.annotations.map((a) => ({ label: a.label, value: a.value })) } } : {}),
      },
    };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return widget;
  });
  return { widgets: placed };
}

/** `[namespace, metric, dim1, value1, …, {options}]`, CloudWatch's row format. */
function metricRow(line: MetricLine): readonly (string | { stat?: string; label?: string; yAxis?: 'left' | 'right' })[] {
  const options = {
    ...(line.stat ? { stat: line.stat } : {}),
    ...(line.label ? { label: line.label } : {}),
    ...(line.right ? { yAxis: 'right' as const } : {}),
  };
  const dims = Object.entries(line.dimensions).flat();
  return Object.keys(options).length ? [line.namespace, line.metricName, ...dims, options] : [line.namespace, line.metricName, ...dims];
}
