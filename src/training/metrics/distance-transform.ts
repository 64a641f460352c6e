// Exact Euclidean distance transform with anisotropic spacing, in linear time.
//
// The squared distance to the nearest feature voxel separates over axes:
//   D(p) = min_q  sum_a (s_a (p_a - q_a))^2,
// so it is computed as one pass per axis, each pass reading only the previous pass's result:
// 1. along k: the distance to the nearest feature in the same (i, j) column, from a forward and a
//    backward sweep over whole slices (contiguous memory, one "last feature" slot per column);
// 2. along j, then 3. along i: the lower envelope of the parabolas w (x - q)^2 + f(q) of each line
//    (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled Functions", 2012), with
//    w = spacing^2 of the axis. Lines along j stay inside one slice, lines along i are contiguous.
// Float64 throughout; values are squared mm.

import type { Shape3, Spacing3 } from "./grid.js";

const INF = Number.POSITIVE_INFINITY;

/**
 * Squared distance in mm^2 from every voxel to the nearest voxel where `features` is set
 * (0 on features; Infinity everywhere when there is no feature).
 */
export function squaredDistanceToFeatures(
  features: Uint8Array,
  shape: Shape3,
  spacing: Spacing3,
): Float64Array {
  return transform(features, shape, spacing, null);
}

/**
 * Squared distance in mm^2 to the nearest feature, only at the voxels where `queries` is set, in
 * voxel order. Cheaper than the full transform: the last pass skips rows without a query.
 */
export function squaredDistancesAt(
  features: Uint8Array,
  queries: Uint8Array,
  shape: Shape3,
  spacing: Spacing3,
): Float64Array {
  const dist = transform(features, shape, spacing, queries);
  let count = 0;
  for (let v = 0; v < queries.length; v++) if (queries[v] !== 0) count++;
  const out = new Float64Array(count);
  for (let v = 0, o = 0; v < queries.length; v++) if (queries[v] !== 0) out[o++] = dist[v];
  return out;
}

/** The transform; with `queries`, the result is only valid where a query is set. */
function transform(
  features: Uint8Array,
  shape: Shape3,
  spacing: Spacing3,
  queries: Uint8Array | null,
): Float64Array {
  const [ni, nj, nk] = shape;
  const slice = ni * nj;
  const dist = new Float64Array(features.length);
  columnDistances(features, dist, slice, nk, spacing[2] * spacing[2]);
  // One call per line: small functions get optimised after a few calls, where one long loop
  // would wait for on-stack replacement and run cold through most of a first volume.
  const envelope = new LowerEnvelope(Math.max(ni, nj));
  const wj = spacing[1] * spacing[1];
  for (let k = 0; k < nk; k++) {
    for (let i = 0; i < ni; i++) envelope.transformLine(dist, k * slice + i, ni, nj, wj, null);
  }
  const wi = spacing[0] * spacing[0];
  for (let row = 0; row < nj * nk; row++) envelope.transformLine(dist, row * ni, 1, ni, wi, queries);
  return dist;
}

/** Squared distance along k to the nearest feature of the same column, sweeping whole slices. */
function columnDistances(
  features: Uint8Array,
  dist: Float64Array,
  slice: number,
  nk: number,
  weight: number,
): void {
  // squared[|k - k'|] in mm^2, and Infinity past nk - 1 for a column with no feature (yet): its
  // "nearest" k' starts at -nk (forward) or 2 nk - 1 (backward), more than nk - 1 away.
  const squared = new Float64Array(2 * nk + 1);
  for (let dk = 0; dk < squared.length; dk++) squared[dk] = dk < nk ? dk * dk * weight : INF;
  const nearest = new Int32Array(slice).fill(-nk);
  for (let k = 0; k < nk; k++) forwardSlice(features, dist, nearest, squared, k, slice);
  nearest.fill(2 * nk - 1);
  for (let k = nk - 1; k >= 0; k--) backwardSlice(features, dist, nearest, squared, k, slice);
}

function forwardSlice(
  features: Uint8Array,
  dist: Float64Array,
  nearest: Int32Array,
  squared: Float64Array,
  k: number,
  slice: number,
): void {
  for (let c = 0, v = k * slice; c < slice; c++, v++) {
    if (features[v] !== 0) nearest[c] = k;
    dist[v] = squared[k - nearest[c]];
  }
}

function backwardSlice(
  features: Uint8Array,
  dist: Float64Array,
  nearest: Int32Array,
  squared: Float64Array,
  k: number,
  slice: number,
): void {
  for (let c = 0, v = k * slice; c < slice; c++, v++) {
    if (features[v] !== 0) nearest[c] = k;
    const d = squared[nearest[c] - k];
    if (d < dist[v]) dist[v] = d;
  }
}

/** Scratch buffers for one line's lower envelope, reused across lines. */
class LowerEnvelope {
  private readonly values: Float64Array;
  private readonly sites: Int32Array;
  private readonly bounds: Float64Array;

  constructor(maxLength: number) {
    this.values = new Float64Array(maxLength);
    this.sites = new Int32Array(maxLength);
    this.bounds = new Float64Array(maxLength + 1);
  }

  /**
   * In place: d[x] = min_q weight (x - q)^2 + d[q] over the line start, start + stride, ...;
   * with `queries`, only where a query is set (and lines without one are skipped).
   */
  transformLine(
    d: Float64Array,
    start: number,
    stride: number,
    n: number,
    weight: number,
    queries: Uint8Array | null,
  ): void {
    if (queries !== null && !anySet(queries, start, stride, n)) return;
    const f = this.values;
    const v = this.sites;
    const z = this.bounds;
    let top = -1; // index of the rightmost parabola of the envelope
    for (let q = 0, at = start; q < n; q++, at += stride) {
      const fq = d[at];
      f[q] = fq;
      if (fq === INF) continue; // no parabola rooted here
      if (top < 0) {
        top = 0;
        v[0] = q;
        z[0] = -INF;
        z[1] = INF;
        continue;
      }
      const hq = fq + weight * q * q;
      let s: number;
      for (;;) {
        const p = v[top];
        // where the parabolas rooted at p and q cross
        s = (hq - (f[p] + weight * p * p)) / (2 * weight * (q - p));
        if (s > z[top]) break;
        top--;
      }
      top++;
      v[top] = q;
      z[top] = s;
      z[top + 1] = INF;
    }
    if (top < 0) return; // nothing reachable on this line: it stays Infinity
    let k = 0;
    for (let x = 0, at = start; x < n; x++, at += stride) {
      if (queries !== null && queries[at] === 0) continue;
      while (z[k + 1] < x) k++;
      const dx = x - v[k];
      d[at] = weight * dx * dx + f[v[k]];
    }
  }
}

function anySet(values: Uint8Array, start: number, stride: number, n: number): boolean {
  for (let x = 0, at = start; x < n; x++, at += stride) if (values[at] !== 0) return true;
  return false;
}
