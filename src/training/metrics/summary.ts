// Summary statistics of one metric over cases. NaN values are "not applicable" cases (see the
// empty rules in dice.ts and surface-distance.ts): they are left out of every statistic and
// counted as nEmpty. The standard deviation is the sample one (n - 1 denominator, numpy ddof=1),
// because the cases are a sample of the population the model is meant for.

export const SUMMARY_RULE =
  "Summaries skip NaN (not applicable) values and count them as n_empty; std is the sample standard " +
  "deviation (ddof=1, n-1 denominator), NaN when n < 2; median interpolates the two middle values for even n; " +
  "an Infinity (MONAI's distance rule for one empty mask) makes the mean Infinity and the std NaN.";

export interface MetricSummary {
  /** Values summarised (not NaN). */
  n: number;
  /** NaN values left out: cases where the metric is not applicable. */
  nEmpty: number;
  mean: number;
  /** Sample standard deviation (ddof=1); NaN when n < 2. */
  std: number;
  median: number;
}

/** Mean, sample std, median, n and nEmpty of `values`, skipping NaN. */
export function summarise(values: readonly number[], field = "values"): MetricSummary {
  const kept: number[] = [];
  let nEmpty = 0;
  values.forEach((x, index) => {
    if (Number.isNaN(x)) nEmpty++;
    else if (x === Number.NEGATIVE_INFINITY || typeof x !== "number")
      throw new Error(`${field}[${index}]: expected a finite number, NaN or +Infinity, got ${x}`);
    else kept.push(x);
  });
  const n = kept.length;
  let mean = Number.NaN;
  let std = Number.NaN;
  let median = Number.NaN;
  if (n > 0) {
    mean = kept.reduce((s, x) => s + x, 0) / n;
    const sorted = Float64Array.from(kept).sort();
    const mid = n >> 1;
    median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
  if (n > 1 && Number.isFinite(mean))
    std = Math.sqrt(kept.reduce((s, x) => s + (x - mean) * (x - mean), 0) / (n - 1));
  return { n, nEmpty, mean, std, median };
}
