// Rasterising structures into the tissue map. Only voxels inside a structure's bounding box are
// visited, and a structure may only overwrite the tissues it is allowed onto (organs go into the
// cavity's fat, liver vessels only into liver), which fixes the anatomy's painting priority.

import type { Box } from "./geometry.js";
import type { VoxelGrid } from "./grid.js";
import type { Shape } from "./shapes.js";

/** Returned by `tissueAt` where a structure is absent. */
export const NO_TISSUE = 255;

export interface Structure {
  readonly bounds: Box;
  /** Tissue id at this point, or NO_TISSUE. */
  tissueAt(x: number, y: number, z: number): number;
}

/** Picks a tissue from the level (mm inside the surface, negative) and the position. */
export type TissueChooser = (level: number, x: number, y: number, z: number) => number;

/** A shape filled with one tissue, or with a tissue chosen per voxel (cortex vs medulla, wall vs lumen). */
export function shapeStructure(shape: Shape, tissue: number | TissueChooser): Structure {
  if (typeof tissue === "number") {
    return { bounds: shape.bounds, tissueAt: (x, y, z) => (shape.level(x, y, z) < 0 ? tissue : NO_TISSUE) };
  }
  return {
    bounds: shape.bounds,
    tissueAt: (x, y, z) => {
      const level = shape.level(x, y, z);
      return level < 0 ? tissue(level, x, y, z) : NO_TISSUE;
    },
  };
}

/** Index range [lo, hi] of voxels whose centres fall within [min, max] mm along one axis. */
function voxelRange(min: number, max: number, origin: number, spacing: number, n: number): [number, number] {
  const lo = Math.max(0, Math.ceil((min - origin) / spacing));
  const hi = Math.min(n - 1, Math.floor((max - origin) / spacing));
  return [lo, hi];
}

/** A set of tissue ids as a 256-entry membership table. */
export function tissueSet(ids: readonly number[]): Uint8Array {
  const set = new Uint8Array(256);
  for (const id of ids) set[id] = 1;
  return set;
}

export interface PaintCount {
  /** Voxels the structure covers. */
  covered: number;
  /** Voxels actually written (the rest held tissue it may not overwrite). */
  painted: number;
}

/** Paints `structure` into `tissue` wherever the current tissue is in `onto`. */
export function paintStructure(
  grid: VoxelGrid,
  tissue: Uint8Array,
  structure: Structure,
  onto: Uint8Array,
): PaintCount {
  const [ni, nj, nk] = grid.shape;
  const [sx, sy, sz] = grid.spacing;
  const [ox, oy, oz] = grid.origin;
  const b = structure.bounds;
  const [i0, i1] = voxelRange(b.min[0], b.max[0], ox, sx, ni);
  const [j0, j1] = voxelRange(b.min[1], b.max[1], oy, sy, nj);
  const [k0, k1] = voxelRange(b.min[2], b.max[2], oz, sz, nk);
  let covered = 0;
  let painted = 0;
  for (let k = k0; k <= k1; k++) {
    const z = oz + k * sz;
    for (let j = j0; j <= j1; j++) {
      const y = oy + j * sy;
      const row = (k * nj + j) * ni;
      for (let i = i0; i <= i1; i++) {
        const t = structure.tissueAt(ox + i * sx, y, z);
        if (t === NO_TISSUE) continue;
        covered++;
        if (onto[tissue[row + i]]) {
          tissue[row + i] = t;
          painted++;
        }
      }
    }
  }
  return { covered, painted };
}

/** A binary mask (1 inside) of a shape on the grid, independent of any painting order. */
export function rasterizeShape(grid: VoxelGrid, shape: Shape): Uint8Array {
  const mask = new Uint8Array(grid.shape[0] * grid.shape[1] * grid.shape[2]);
  paintStructure(grid, mask, shapeStructure(shape, 1), tissueSet([0]));
  return mask;
}

/** A binary mask of where a structure is present on the grid. */
export function rasterizeStructure(grid: VoxelGrid, structure: Structure): Uint8Array {
  const mask = new Uint8Array(grid.shape[0] * grid.shape[1] * grid.shape[2]);
  const marked: Structure = {
    bounds: structure.bounds,
    tissueAt: (x, y, z) => (structure.tissueAt(x, y, z) === NO_TISSUE ? NO_TISSUE : 1),
  };
  paintStructure(grid, mask, marked, tissueSet([0]));
  return mask;
}
