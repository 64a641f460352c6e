// Ranks with ties sharing their average rank (1-based), as the signed-rank test needs them.

export interface Ranking {
  /** The rank of each value, in input order; tied values share the mean of their positions. */
  ranks: Float64Array;
  /** The size of every group of tied values with more than one member. */
  tieSizes: number[];
}

/** Average ranks of `values` (which must not hold NaN). */
export function averageRanks(values: ArrayLike<number>): Ranking {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const tieSizes: number[] = [];
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2; // mean of positions start + 1 .. end
    for (let p = start; p < end; p++) ranks[order[p]] = rank;
    if (end - start > 1) tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}
