// Per-window blending weights for sliding-window inference, as MONAI's compute_importance_map:
// "constant" weighs every voxel 1; "gaussian" is a separable Gaussian centred on the window with
// sigma = sigmaScale * window size per axis, floored so no weight is 0 (avoids 0/0 at borders).
import { Tensor } from "../../engine/index.js";

export type BlendMode = "constant" | "gaussian";

export function importanceMap(
  roi: readonly [number, number, number],
  mode: BlendMode,
  sigmaScale = 0.125,
): Tensor {
  const [a, b, c] = roi;
  const out = new Float32Array(a * b * c);
  if (mode === "constant") {
    out.fill(1);
    return Tensor.fromArray(out, roi);
  }
  const axes = roi.map((n) => {
    const sigma = n * sigmaScale;
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = i - (n - 1) / 2;
      w[i] = Math.exp((x * x) / (-2 * sigma * sigma));
    }
    return w;
  }) as [Float64Array, Float64Array, Float64Array];
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const wij = axes[0][i]! * axes[1][j]!;
      const base = (i * b + j) * c;
      for (let k = 0; k < c; k++) {
        // Rounded to float32 before the floor, as MONAI computes the map in float32.
        const v = Math.fround(wij * axes[2][k]!);
        out[base + k] = v;
        if (v < min) min = v;
      }
    }
  }
  const floor = Math.max(min, 1e-3);
  for (let i = 0; i < out.length; i++) if (out[i]! < floor) out[i] = floor;
  return Tensor.fromArray(out, roi);
}
