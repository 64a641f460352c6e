// The numbers a box plot draws: quartiles by linear interpolation between order statistics (numpy's
// default percentile method, "linear"), whiskers at the most extreme data within 1.5 IQR of the box
// (Tukey, as matplotlib draws them), everything beyond as outliers. Percentiles are the metrics' own
// (training/metrics/percentile.ts), so a box and a reported HD95 interpolate the same way.
import { percentileLinear } from "../../training/metrics/index.js";

export interface BoxStats {
  n: number;
  q1: number;
  median: number;
  q3: number;
  /** Lowest and highest data points within [q1 - 1.5 IQR, q3 + 1.5 IQR]. */
  whiskerLow: number;
  whiskerHigh: number;
  /** Data points outside the whiskers, ascending. */
  outliers: number[];
}

/** Box-plot statistics of the finite values (NaN and infinities are ignored); null when none. */
export function boxStats(values: readonly number[]): BoxStats | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const q1 = percentileLinear(sorted, 25);
  const median = percentileLinear(sorted, 50);
  const q3 = percentileLinear(sorted, 75);
  const reach = 1.5 * (q3 - q1);
  const inside = sorted.filter((v) => v >= q1 - reach && v <= q3 + reach);
  return {
    n: sorted.length,
    q1,
    median,
    q3,
    // The box always holds data, so `inside` is never empty.
    whiskerLow: inside[0],
    whiskerHigh: inside[inside.length - 1],
    outliers: sorted.filter((v) => v < q1 - reach || v > q3 + reach),
  };
}
