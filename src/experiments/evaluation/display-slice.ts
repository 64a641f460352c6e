// An axial slice of volumes on one voxel grid, oriented for viewing in the radiological
// convention whatever the file's voxel order: rows from anterior (top) to posterior, columns from
// the patient's right (image left) to the patient's left. NIfTI world space is RAS+ (x grows to
// the patient's right, y to anterior, z to superior).
import type { Affine } from "../../data/volume.js";

interface DisplayAxes {
  /** Voxel axis that runs along world x, y, z. */
  axis: [number, number, number];
  /** +1 when the voxel index grows with the world coordinate. */
  sign: [number, number, number];
  /** Voxel size along each world axis, mm. */
  mm: [number, number, number];
}

/** The voxel axis closest to each world axis (oblique grids snap to the nearest). */
export function axisMap(affine: Affine): DisplayAxes {
  const axis: number[] = [];
  const sign: number[] = [];
  const mm: number[] = [];
  const used = new Set<number>();
  for (let w = 0; w < 3; w++) {
    let best = -1;
    for (let v = 0; v < 3; v++) {
      if (used.has(v)) continue;
      if (best < 0 || Math.abs(affine[w]![v]!) > Math.abs(affine[w]![best]!)) best = v;
    }
    used.add(best);
    axis.push(best);
    sign.push(affine[w]![best]! >= 0 ? 1 : -1);
    mm.push(Math.hypot(affine[0]![best]!, affine[1]![best]!, affine[2]![best]!));
  }
  return {
    axis: axis as DisplayAxes["axis"],
    sign: sign as DisplayAxes["sign"],
    mm: mm as DisplayAxes["mm"],
  };
}

/** Extracts slice `index` along the superior axis from `data` (i fastest) as display rows x cols. */
export function axialSlice(
  data: ArrayLike<number>,
  shape: readonly number[],
  map: DisplayAxes,
  index: number,
): { rows: number; cols: number; pixels: number[] } {
  const [ax, ay, az] = map.axis;
  const strides = [1, shape[0]!, shape[0]! * shape[1]!];
  const cols = shape[ax]!;
  const rows = shape[ay]!;
  const pixels = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) {
    // Top row is the most anterior (largest y).
    const vy = map.sign[1] > 0 ? rows - 1 - r : r;
    for (let c = 0; c < cols; c++) {
      // Left column is the patient's right (largest x).
      const vx = map.sign[0] > 0 ? cols - 1 - c : c;
      pixels[r * cols + c] = data[vx * strides[ax]! + vy * strides[ay]! + index * strides[az]!]!;
    }
  }
  return { rows, cols, pixels };
}

/** The superior-axis slice showing the most organs, ties broken by the most organ voxels. */
export function mostInformativeSlice(
  labels: ArrayLike<number>,
  shape: readonly number[],
  map: DisplayAxes,
): number {
  const az = map.axis[2];
  const n = shape[az]!;
  const strides = [1, shape[0]!, shape[0]! * shape[1]!];
  const present = Array.from({ length: n }, () => new Set<number>());
  const counts = new Array<number>(n).fill(0);
  for (let k = 0; k < shape[2]!; k++)
    for (let j = 0; j < shape[1]!; j++)
      for (let i = 0; i < shape[0]!; i++) {
        const v = labels[i + j * strides[1]! + k * strides[2]!]!;
        if (v === 0) continue;
        const s = az === 0 ? i : az === 1 ? j : k;
        present[s]!.add(v);
        counts[s]!++;
      }
  let best = 0;
  for (let s = 1; s < n; s++) {
    const better =
      present[s]!.size > present[best]!.size ||
      (present[s]!.size === present[best]!.size && counts[s]! > counts[best]!);
    if (better) best = s;
  }
  return best;
}
