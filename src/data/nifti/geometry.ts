// Checks that an image and its label map cover the same voxels in the same place.

import { DataError } from "../errors.js";
import type { Affine, Volume } from "../volume.js";

/** World position of voxel (i, j, k). */
function toWorld(affine: Affine, i: number, j: number, k: number): number[] {
  return [0, 1, 2].map((r) => affine[r][0] * i + affine[r][1] * j + affine[r][2] * k + affine[r][3]);
}

/**
 * Throws unless both volumes have the same spatial shape (first three dims) and their affines put
 * every corner voxel within `tolMm` millimetres of each other. Corners bound the disagreement of two
 * affines over the whole grid, so the tolerance means what it says anywhere in the volume.
 */
export function assertSameGeometry(
  imagePath: string,
  image: Volume,
  labelPath: string,
  label: Volume,
  tolMm: number,
): void {
  const a = image.shape.slice(0, 3);
  const b = label.shape.slice(0, 3);
  if (a.length !== b.length || a.some((n, i) => n !== b[i])) {
    throw new DataError(
      labelPath,
      `label shape ${b.join("x")} differs from image shape ${a.join("x")} of ${imagePath}`,
    );
  }
  let worst = 0;
  let where: number[] = [0, 0, 0];
  for (const i of [0, a[0] - 1]) {
    for (const j of [0, a[1] - 1]) {
      for (const k of [0, (a[2] ?? 1) - 1]) {
        const p = toWorld(image.affine, i, j, k);
        const q = toWorld(label.affine, i, j, k);
        const d = Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
        if (!(d <= worst)) {
          worst = d;
          where = [i, j, k];
        }
      }
    }
  }
  if (!(worst <= tolMm)) {
    throw new DataError(
      labelPath,
      `label affine differs from the affine of ${imagePath} by ${worst.toPrecision(4)} mm at voxel ` +
        `(${where.join(", ")}) (tolerance ${tolMm} mm)`,
    );
  }
}
