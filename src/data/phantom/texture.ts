// Random fields on the voxel grid: smooth value noise (organ texture at a chosen grain), Gaussian
// blurs along one axis (slice thickness, reconstruction kernel, noise correlation) and white
// noise. All work in place on Float32Arrays, with at most one scratch line per call.

import type { VoxelGrid } from "./grid.js";
import type { SeededRandom } from "./prng.js";

/** Per-axis lattice cell index and smoothstep weight for every voxel along that axis. */
function latticeCoordinates(
  n: number,
  spacing: number,
  cellMm: number,
): { cell: Int32Array; weight: Float32Array } {
  const cell = new Int32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = (i * spacing) / cellMm;
    const c = Math.floor(u);
    const f = u - c;
    cell[i] = c;
    // Smoothstep hides the lattice's grid lines that plain linear interpolation leaves.
    weight[i] = f * f * (3 - 2 * f);
  }
  return { cell, weight };
}

/**
 * Smooth random field with features about `cellMm` across: random values on a coarse lattice,
 * interpolated to every voxel (separably: along i, then j, then k, so the full-size pass is a
 * single blend of two planes), then scaled to zero mean and unit standard deviation.
 */
export function smoothNoiseField(grid: VoxelGrid, cellMm: number, rng: SeededRandom): Float32Array {
  const [ni, nj, nk] = grid.shape;
  const [sx, sy, sz] = grid.spacing;
  const ci = latticeCoordinates(ni, sx, cellMm);
  const cj = latticeCoordinates(nj, sy, cellMm);
  const ck = latticeCoordinates(nk, sz, cellMm);
  const li = ci.cell[ni - 1] + 2;
  const lj = cj.cell[nj - 1] + 2;
  const lk = ck.cell[nk - 1] + 2;
  const lattice = new Float32Array(li * lj * lk);
  rng.fillNormal(lattice);
  // Along i: every lattice row (jl, kl) resampled to ni voxels.
  const alongI = new Float32Array(lk * lj * ni);
  for (let r = 0; r < lk * lj; r++) {
    const src = r * li;
    const dst = r * ni;
    for (let i = 0; i < ni; i++) {
      const a = lattice[src + ci.cell[i]];
      alongI[dst + i] = a + ci.weight[i] * (lattice[src + ci.cell[i] + 1] - a);
    }
  }
  // Along j: every lattice plane kl resampled to nj rows.
  const alongJ = new Float32Array(lk * nj * ni);
  for (let kl = 0; kl < lk; kl++) {
    for (let j = 0; j < nj; j++) {
      const r0 = (kl * lj + cj.cell[j]) * ni;
      const r1 = r0 + ni;
      const w = cj.weight[j];
      const dst = (kl * nj + j) * ni;
      for (let i = 0; i < ni; i++) alongJ[dst + i] = alongI[r0 + i] + w * (alongI[r1 + i] - alongI[r0 + i]);
    }
  }
  // Along k: blend the two neighbouring resampled planes.
  const plane = ni * nj;
  const out = new Float32Array(plane * nk);
  for (let k = 0; k < nk; k++) {
    const p0 = ck.cell[k] * plane;
    const p1 = p0 + plane;
    const w = ck.weight[k];
    const dst = k * plane;
    for (let p = 0; p < plane; p++) out[dst + p] = alongJ[p0 + p] + w * (alongJ[p1 + p] - alongJ[p0 + p]);
  }
  standardize(out);
  return out;
}

/** Shifts and scales in place to zero mean and unit standard deviation. */
function standardize(data: Float32Array): void {
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    sum2 += data[i] * data[i];
  }
  const mean = sum / data.length;
  const std = Math.sqrt(Math.max(sum2 / data.length - mean * mean, 1e-12));
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - mean) / std;
}

/** Normalised discrete Gaussian kernel of standard deviation `sigma` voxels. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let t = -radius; t <= radius; t++) {
    const w = Math.exp(-(t * t) / (2 * sigma * sigma));
    kernel[t + radius] = w;
    sum += w;
  }
  for (let t = 0; t < kernel.length; t++) kernel[t] /= sum;
  return kernel;
}

/**
 * Blurs along one axis (0 = i, 1 = j, 2 = k) with a Gaussian of `sigma` voxels, edges clamped.
 * Along j and k whole rows/planes are accumulated at once, so memory is read contiguously.
 * `scratch` (same length as `data`) avoids an allocation when given. Sigmas below 0.2 voxel would
 * change almost nothing, so they are skipped.
 */
export function gaussianBlurAxis(
  data: Float32Array,
  shape: readonly [number, number, number],
  axis: 0 | 1 | 2,
  sigma: number,
  scratch?: Float32Array,
): void {
  if (!(sigma >= 0.2)) return;
  const [ni, nj, nk] = shape;
  const n = shape[axis];
  if (n < 2) return;
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const clamp = (t: number) => (t < 0 ? 0 : t >= n ? n - 1 : t);
  if (axis === 0) {
    const line = new Float32Array(ni + 2 * radius);
    for (let row = 0; row < nj * nk; row++) {
      const start = row * ni;
      line.set(data.subarray(start, start + ni), radius);
      line.fill(line[radius], 0, radius);
      line.fill(line[radius + ni - 1], radius + ni);
      for (let t = 0; t < ni; t++) {
        let acc = 0;
        for (let q = 0; q < kernel.length; q++) acc += kernel[q] * line[t + q];
        data[start + t] = acc;
      }
    }
    return;
  }
  const src = scratch && scratch.length === data.length ? scratch : new Float32Array(data.length);
  src.set(data);
  // A "row" is the contiguous run sharing one coordinate along `axis`: ni voxels for j, a plane for k.
  const rowLength = axis === 1 ? ni : ni * nj;
  const blocks = axis === 1 ? nk : 1;
  const blockSize = ni * nj;
  for (let b = 0; b < blocks; b++) {
    const base = b * blockSize;
    for (let t = 0; t < n; t++) {
      const dst = base + t * rowLength;
      data.fill(0, dst, dst + rowLength);
      for (let q = 0; q < kernel.length; q++) {
        const w = kernel[q];
        const from = base + clamp(t + q - radius) * rowLength;
        for (let p = 0; p < rowLength; p++) data[dst + p] += w * src[from + p];
      }
    }
  }
}

/** Factor by which blurring white noise with this kernel (in 2D, separably) shrinks its std. */
export function blurredNoiseStdFactor2d(sigma: number): number {
  if (!(sigma >= 0.2)) return 1;
  const k = gaussianKernel(sigma);
  let energy = 0;
  for (let t = 0; t < k.length; t++) energy += k[t] * k[t];
  return energy; // sqrt(energy) per axis, two axes
}

/** Pseudo-random value in [0, 1) for an integer lattice point (integer hash, no state). */
function latticeHash(i: number, j: number, k: number, seed: number): number {
  let h = Math.imul(i, 0x27d4eb2d) ^ Math.imul(j, 0x165667b1) ^ Math.imul(k, 0x9e3779b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Smooth value noise in [0, 1) at any point, without a grid (for per-voxel tissue choices such as
 * gas bubbles in stool): hashed lattice values every `cellMm`, smoothly interpolated.
 */
export function valueNoiseAt(x: number, y: number, z: number, cellMm: number, seed: number): number {
  const u = x / cellMm;
  const v = y / cellMm;
  const w = z / cellMm;
  const i = Math.floor(u);
  const j = Math.floor(v);
  const k = Math.floor(w);
  const smooth = (f: number) => f * f * (3 - 2 * f);
  const fu = smooth(u - i);
  const fv = smooth(v - j);
  const fw = smooth(w - k);
  const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
  const plane = (kk: number) =>
    lerp(
      lerp(latticeHash(i, j, kk, seed), latticeHash(i + 1, j, kk, seed), fu),
      lerp(latticeHash(i, j + 1, kk, seed), latticeHash(i + 1, j + 1, kk, seed), fu),
      fv,
    );
  return lerp(plane(k), plane(k + 1), fw);
}
