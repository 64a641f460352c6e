// The "this must be a 3D volume" rule shared by readers and loaders.

import { DataError } from "../errors.js";

/** The 3D shape of `shape`, dropping trailing dimensions of size 1; throws naming `file` otherwise. */
export function requireSpatial3D(shape: readonly number[], file: string): number[] {
  const extra = shape.slice(3);
  if (shape.length < 3 || extra.some((n) => n !== 1)) {
    throw new DataError(file, `expected a 3D image, got shape ${shape.join("x")} (${shape.length}D)`);
  }
  return shape.slice(0, 3);
}
