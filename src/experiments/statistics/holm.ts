// Holm-Bonferroni step-down adjustment of a family of p-values, as statsmodels' multipletests
// method "holm": with the m p-values sorted ascending, the i-th smallest (0-based) becomes
// (m - i) p_(i), then running maxima make the adjusted values monotone, and values above 1 become 1.
// A NaN p-value (a test that could not be run) is not part of the family: it stays NaN and does
// not count in m.

/** Holm-adjusted p-values, in input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => {
    if (!Number.isNaN(p) && !(p >= 0 && p <= 1))
      throw new Error(`pValues[${i}]: expected a p-value in [0, 1], got ${p}`);
  });
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !Number.isNaN(p))
    .sort((a, b) => a.p - b.p);
  const m = order.length;
  const adjusted = pValues.map(() => Number.NaN);
  let runningMax = 0;
  order.forEach(({ p, i }, rank) => {
    runningMax = Math.max(runningMax, (m - rank) * p);
    adjusted[i] = Math.min(1, runningMax);
  });
  return adjusted;
}
