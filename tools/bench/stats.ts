/** Pure statistics for the benchmark: median, spread, and a least-squares line. */
import { median } from '../lib/stats';

export { median };

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly samples: readonly number[];
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summary of no samples');
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, samples: [...samples] };
}

export interface LinearFit {
  /** Intercept: time at N = 0. */
  readonly a: number;
  /** Slope: time per unit of N. */
  readonly b: number;
  /** Coefficient of determination, 1 for a perfect line. */
  readonly r2: number;
  /** Observed minus fitted, in input order. */
  readonly residuals: readonly number[];
}

/** Ordinary least squares y = a + b·x. Needs at least two distinct x. */
export function fitLinear(points: readonly (readonly [number, number])[]): LinearFit {
  const n = points.length;
  if (n < 2) throw new Error('a line needs at least two points');
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  if (sxx === 0) throw new Error('a line needs at least two distinct x values');
  const b = sxy / sxx;
  const a = my - b * mx;
  const residuals = points.map(([x, y]) => y - (a + b * x));
  const sse = residuals.reduce((s, r) => s + r * r, 0);
  const r2 = syy === 0 ? 1 : 1 - sse / syy;
  return { a, b, r2, residuals };
}

/** Slopes between consecutive points (sorted by x): equal slopes mean a straight line. */
export function segmentSlopes(points: readonly (readonly [number, number])[]): { from: number; to: number; slope: number }[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0]);
  return sorted.slice(1).map(([x, y], i) => {
    const [x0, y0] = sorted[i]!;
    return { from: x0, to: x, slope: (y - y0) / (x - x0) };
  });
}
