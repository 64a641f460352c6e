// The spatial axis order of exported weights. SegViz's volumes are row-major [k, j, i] (the NIfTI
// bytes as they lie on disk, i fastest), so its tensors are [B, C, k, j, i] and its convolution
// kernels [out, in, k, j, i]. MONAI's LoadImage (nibabel) gives (i, j, k) arrays, tensors
// [B, C, i, j, k]. The same weights on MONAI's layout would be a different network (liver Dice
// 0.33 instead of 0.88), so every file meant for MONAI or PyTorch holds its kernels with the
// spatial axes reversed: then MONAI's UNet on its own arrays computes exactly what SegViz computes
// on its own (convolution commutes with a permutation of the axes when its kernel is permuted
// alike; SegViz's strides, kernel sizes and paddings are the same along every axis).
import type { NamedTensorData } from "../safetensors/index.js";

/** What exported files say in their metadata `layout` field. */
export const MONAI_LAYOUT = "ijk";

/** A 5-D tensor [a, b, x, y, z] as [a, b, z, y, x]; other ranks unchanged (the same object). */
export function reverseSpatialAxes(t: NamedTensorData): NamedTensorData {
  if (t.shape.length !== 5) return t;
  const [a, b, x, y, z] = t.shape as [number, number, number, number, number];
  const src = t.data;
  const out = new (src.constructor as new (n: number) => typeof src)(src.length);
  const plane = x * y * z;
  for (let ab = 0; ab < a * b; ab++) {
    const base = ab * plane;
    for (let p = 0; p < x; p++)
      for (let q = 0; q < y; q++)
        for (let r = 0; r < z; r++) out[base + (r * y + q) * x + p] = src[base + (p * y + q) * z + r];
  }
  return { dtype: t.dtype, shape: [a, b, z, y, x], data: out } as NamedTensorData;
}

/** A state dict from SegViz's [k, j, i] layout into MONAI's [i, j, k] (and back: its own inverse). */
export function toMonaiLayout(state: Record<string, NamedTensorData>): Record<string, NamedTensorData> {
  const out: Record<string, NamedTensorData> = Object.create(null);
  for (const [name, t] of Object.entries(state)) out[name] = reverseSpatialAxes(t);
  return out;
}

export const fromMonaiLayout = toMonaiLayout;
