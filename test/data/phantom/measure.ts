// Measurements the phantom tests make on generated volumes, computed independently of the
// generator: volumes from the affine, world-space centroids, erosion, connected components and
// the body outline found from image intensities alone.

import { voxelToWorld, voxelVolumeMl } from "../../../src/data/phantom/index.js";
import type { Volume } from "../../../src/data/volume.js";

export type Vec3 = [number, number, number];

export function countWhere(data: ArrayLike<number>, pred: (v: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (pred(data[i])) n++;
  return n;
}

/** Volume in ml of the voxels where `mask` holds. */
export function volumeMl(labels: Volume, value: number): number {
  return countWhere(labels.data as Uint8Array, (v) => v === value) * voxelVolumeMl(labels.affine);
}

/** World (RAS mm) centroid of the voxels labelled `value`. */
export function worldCentroid(labels: Volume, value: number | ((v: number) => boolean)): Vec3 {
  const pred = typeof value === "number" ? (v: number) => v === value : value;
  const [ni, nj, nk] = labels.shape;
  const d = labels.data as Uint8Array;
  let n = 0;
  let si = 0;
  let sj = 0;
  let sk = 0;
  for (let k = 0, p = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++, p++)
        if (pred(d[p])) {
          n++;
          si += i;
          sj += j;
          sk += k;
        }
  if (n === 0) throw new Error("empty mask has no centroid");
  return voxelToWorld(labels.affine, si / n, sj / n, sk / n);
}

/** Binary mask of voxels equal to value. */
export function maskOf(labels: Volume, value: number): Uint8Array {
  const d = labels.data as Uint8Array;
  const m = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) m[i] = d[i] === value ? 1 : 0;
  return m;
}

/** 6-neighbour erosion (voxels on the volume's faces are removed too). */
export function erode(mask: Uint8Array, shape: number[]): Uint8Array {
  const [ni, nj, nk] = shape;
  const out = new Uint8Array(mask.length);
  for (let k = 1; k < nk - 1; k++)
    for (let j = 1; j < nj - 1; j++)
      for (let i = 1; i < ni - 1; i++) {
        const p = (k * nj + j) * ni + i;
        if (
          mask[p] &&
          mask[p - 1] &&
          mask[p + 1] &&
          mask[p - ni] &&
          mask[p + ni] &&
          mask[p - ni * nj] &&
          mask[p + ni * nj]
        )
          out[p] = 1;
      }
  return out;
}

/** Mean and standard deviation of `values` where `mask` is set. */
export function statsIn(
  values: ArrayLike<number>,
  mask: Uint8Array,
): { mean: number; std: number; n: number } {
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i]) {
      n++;
      s += values[i];
      s2 += values[i] * values[i];
    }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)), n };
}

/** Sizes of the 6-connected components of a mask, largest first. */
export function componentSizes(mask: Uint8Array, shape: number[]): number[] {
  const [ni, nj, nk] = shape;
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const sizes: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    let top = 0;
    let size = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const i = p % ni;
      const j = Math.floor(p / ni) % nj;
      const k = Math.floor(p / (ni * nj));
      const visit = (q: number) => {
        if (mask[q] && !seen[q]) {
          seen[q] = 1;
          stack[top++] = q;
        }
      };
      if (i > 0) visit(p - 1);
      if (i < ni - 1) visit(p + 1);
      if (j > 0) visit(p - ni);
      if (j < nj - 1) visit(p + ni);
      if (k > 0) visit(p - ni * nj);
      if (k < nk - 1) visit(p + ni * nj);
    }
    sizes.push(size);
  }
  return sizes.sort((a, b) => b - a);
}

/**
 * Voxels outside the body, found from the image only: per axial slice, everything darker than
 * `thresholdHu` that is connected to the slice's border (air around the patient; bowel gas inside
 * the body is enclosed and so not reached).
 */
export function outsideBody(image: Volume, thresholdHu = -500): Uint8Array {
  const [ni, nj, nk] = image.shape;
  const d = image.data as Int16Array;
  const outside = new Uint8Array(d.length);
  const stack = new Int32Array(ni * nj);
  for (let k = 0; k < nk; k++) {
    const base = k * ni * nj;
    let top = 0;
    const push = (q: number) => {
      if (!outside[base + q] && d[base + q] < thresholdHu) {
        outside[base + q] = 1;
        stack[top++] = q;
      }
    };
    for (let i = 0; i < ni; i++) {
      push(i);
      push((nj - 1) * ni + i);
    }
    for (let j = 0; j < nj; j++) {
      push(j * ni);
      push(j * ni + ni - 1);
    }
    while (top > 0) {
      const q = stack[--top];
      const i = q % ni;
      const j = (q - i) / ni;
      if (i > 0) push(q - 1);
      if (i < ni - 1) push(q + 1);
      if (j > 0) push(q - ni);
      if (j < nj - 1) push(q + ni);
    }
  }
  return outside;
}

/** High-pass residual: value minus the mean of its 4 in-plane neighbours (noise estimate). */
export function inPlaneResidual(image: Volume): Float32Array {
  const [ni, nj, nk] = image.shape;
  const d = image.data as Int16Array;
  const out = new Float32Array(d.length);
  for (let k = 0; k < nk; k++)
    for (let j = 1; j < nj - 1; j++)
      for (let i = 1; i < ni - 1; i++) {
        const p = (k * nj + j) * ni + i;
        out[p] = d[p] - (d[p - 1] + d[p + 1] + d[p - ni] + d[p + ni]) / 4;
      }
  return out;
}
