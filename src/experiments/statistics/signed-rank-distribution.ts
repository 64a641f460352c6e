// The exact null distribution of the Wilcoxon signed-rank statistic R+ for n untied, non-zero
// differences: under H0 each rank 1..n is positive with probability 1/2 independently, so
// P(R+ = r) = (number of subsets of {1..n} summing to r) / 2^n. It is built one rank at a time (a
// subset of {1..k} either leaves k out or adds k, each with probability 1/2). Every probability is
// a multiple of 2^-n no larger than 1, so for n <= 53 all of it, tail sums included, is exact in
// float64; beyond, it is accurate to rounding.

/** The largest n accepted: the distribution costs O(n^3) time. */
export const EXACT_MAX_N = 200;

/** pmf[r] = P(R+ = r) for n ranks, r = 0 .. n(n+1)/2. */
export function signedRankPmf(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0 || n > EXACT_MAX_N) {
    throw new Error(`n: expected an integer in 0..${EXACT_MAX_N}, got ${n}`);
  }
  const pmf = new Float64Array((n * (n + 1)) / 2 + 1);
  pmf[0] = 1;
  for (let k = 1, top = 0; k <= n; k++) {
    top += k;
    for (let r = top; r >= 0; r--) pmf[r] = 0.5 * (pmf[r] + (r >= k ? pmf[r - k] : 0));
  }
  return pmf;
}

/**
 * Two-sided exact p-value of R+ = rPlus among n ranks: twice the smaller tail, each tail including
 * rPlus itself, 1 at the centre floor(n(n+1)/4), capped at 1.
 */
export function exactSignedRankPValue(rPlus: number, n: number): number {
  const pmf = signedRankPmf(n);
  const top = pmf.length - 1;
  if (!Number.isInteger(rPlus) || rPlus < 0 || rPlus > top) {
    throw new Error(`rPlus: expected an integer in 0..${top}, got ${rPlus}`);
  }
  if (rPlus === Math.floor(top / 2)) return 1;
  let below = 0;
  for (let r = 0; r <= rPlus; r++) below += pmf[r];
  let above = 0;
  for (let r = rPlus; r <= top; r++) above += pmf[r];
  return Math.min(1, 2 * Math.min(below, above));
}
