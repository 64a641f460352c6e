// The voxel grid every metric works on: a flat array in NIfTI order (i fastest, then j, then k)
// with a shape [i, j, k] and a spacing in millimetres per axis. Checked once, at the boundary.

export type Shape3 = readonly [number, number, number];
export type Spacing3 = readonly [number, number, number];

/** Throws naming the field unless `shape` is three positive integers. */
export function checkShape(shape: Shape3, field = "shape"): void {
  if (!Array.isArray(shape) || shape.length !== 3) {
    throw new Error(`${field}: expected 3 dimensions [i, j, k], got ${JSON.stringify(shape)}`);
  }
  shape.forEach((n, axis) => {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${field}[${axis}]: expected a positive integer, got ${n}`);
  });
}

/** Throws naming the field unless `spacing` is three positive finite millimetre values. */
export function checkSpacing(spacing: Spacing3, field = "spacing"): void {
  if (!Array.isArray(spacing) || spacing.length !== 3) {
    throw new Error(`${field}: expected 3 values in mm [i, j, k], got ${JSON.stringify(spacing)}`);
  }
  spacing.forEach((s, axis) => {
    if (!(Number.isFinite(s) && s > 0))
      throw new Error(`${field}[${axis}]: expected a positive finite mm value, got ${s}`);
  });
}

/** Throws naming the field unless `values` holds exactly one element per voxel of `shape`. */
export function checkVoxelCount(values: ArrayLike<unknown>, shape: Shape3, field: string): void {
  const voxels = shape[0] * shape[1] * shape[2];
  if (values.length !== voxels) {
    throw new Error(`${field}: expected ${voxels} voxels for shape ${shape.join("x")}, got ${values.length}`);
  }
}
