// Percentiles as numpy.percentile's default ("linear") method: the q-th percentile of n sorted
// values sits at fractional index (n - 1) q / 100 and is linearly interpolated between the two
// neighbouring values.

/** The q-th percentile (0..100) of `values`, interpolated linearly; NaN when there are none. */
export function percentileLinear(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new Error(`q: expected a percentile in 0..100, got ${q}`);
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const at = (n - 1) * (q / 100);
  const below = Math.floor(at);
  const above = Math.min(below + 1, n - 1);
  const t = at - below;
  const a = sorted[below];
  const b = sorted[above];
  // Interpolate from the nearer end, so t = 0 or 1 returns a data value exactly.
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}
