// Resampling along one voxel axis at a time. Spacing changes keep the axis directions, so the
// output-to-input voxel map is a per-axis scale and shift and trilinear interpolation factors into
// three 1-D linear ones: two row gathers and a lerp per axis, far less work than a full sampling grid.

import { indexSelect, Tensor, tensor, tidy } from "../../engine/index.js";
import { lerp } from "./engine-ops.js";

/** Where output voxel o samples the input along one axis: at input index start + o * step. */
export interface AxisSampling {
  start: number;
  step: number;
  size: number;
}

function int64(values: number[]): Tensor {
  return tensor(values, [values.length], { dtype: "int64" });
}

/**
 * Linear interpolation along engine dim `dim`; positions outside [0, n-1] take the edge value
 * (border padding, as MONAI's Spacing default).
 */
export function linearAlong(x: Tensor, dim: number, s: AxisSampling): Tensor {
  const n = x.shape[dim];
  const lo: number[] = [];
  const hi: number[] = [];
  const w = new Float32Array(s.size);
  for (let o = 0; o < s.size; o++) {
    const p = Math.min(Math.max(s.start + o * s.step, 0), n - 1);
    const i0 = Math.min(Math.floor(p), Math.max(n - 2, 0));
    lo.push(i0);
    hi.push(Math.min(i0 + 1, n - 1));
    w[o] = p - i0;
  }
  const wShape = [1, 1, 1];
  wShape[dim] = s.size;
  return tidy(() => {
    const a = indexSelect(x, dim, int64(lo));
    const b = indexSelect(x, dim, int64(hi));
    return lerp(a, b, Tensor.fromArray(w, wShape).to({ dtype: x.dtype }));
  });
}

/** Round half to even, as C's nearbyint (what grid_sample's nearest mode uses). */
export function roundHalfEven(p: number): number {
  const r = Math.round(p);
  return Math.abs(p % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Nearest-neighbour sampling along engine dim `dim` (labels: copies values, never mixes them). */
export function nearestAlong(x: Tensor, dim: number, s: AxisSampling): Tensor {
  const n = x.shape[dim];
  const idx: number[] = [];
  for (let o = 0; o < s.size; o++)
    idx.push(Math.min(Math.max(roundHalfEven(s.start + o * s.step), 0), n - 1));
  return tidy(() => indexSelect(x, dim, int64(idx)));
}
