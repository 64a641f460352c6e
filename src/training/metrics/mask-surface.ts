// The surface of a binary mask as MONAI's surface metrics define it: the mask minus its binary
// erosion. The erosion uses the 6-connected cross (face neighbours only) and treats everything
// outside the volume as background, so a mask voxel is on the surface when any face neighbour is
// background or lies outside the volume.

import type { Shape3 } from "./grid.js";

/** 1 where `mask` is set and at least one of its 6 face neighbours is unset or out of the volume. */
export function maskSurface(mask: Uint8Array, shape: Shape3): Uint8Array {
  const [ni, nj, nk] = shape;
  const surface = new Uint8Array(mask.length);
  // One call per row, so the hot loop is optimised early (see distance-transform.ts).
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const inner = j > 0 && j < nj - 1 && k > 0 && k < nk - 1;
      rowSurface(mask, surface, ni * (j + nj * k), ni, ni * nj, inner);
    }
  }
  return surface;
}

/** The surface along one row starting at `start`; `inner` when the row has all four row neighbours. */
function rowSurface(
  mask: Uint8Array,
  surface: Uint8Array,
  start: number,
  ni: number,
  slice: number,
  inner: boolean,
): void {
  for (let i = 0, v = start; i < ni; i++, v++) {
    if (mask[v] === 0) continue;
    const interior =
      inner &&
      i > 0 &&
      i < ni - 1 &&
      mask[v - 1] !== 0 &&
      mask[v + 1] !== 0 &&
      mask[v - ni] !== 0 &&
      mask[v + ni] !== 0 &&
      mask[v - slice] !== 0 &&
      mask[v + slice] !== 0;
    if (!interior) surface[v] = 1;
  }
}
