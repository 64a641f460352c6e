// Applying the coordinator's weights at a site: only names the site shares may be replaced, and
// only by tensors of the same dtype and shape with finite values. A coordinator can never
// overwrite a site's local head or BatchNorm statistics.

import type { NameFilter } from "../weights/name-filter.js";
import { isFloatDtype, numericView, sameShape, type WeightSet } from "../weights/weight-set.js";

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

export function mergeGlobal(base: WeightSet, global: WeightSet, sharing: NameFilter): WeightSet {
  const merged: WeightSet = new Map(base);
  for (const [name, t] of global) {
    const own = base.get(name);
    const field = `coordinator tensor ${JSON.stringify(name)}`;
    if (!sharing.shares(name)) throw new Error(`${field} is local to this site and must not be sent`);
    // A tensor this site's model does not have (another site's extra layer) is not ours to use.
    if (own === undefined) continue;
    if (own.dtype !== t.dtype || !sameShape(own.shape, t.shape)) {
      throw new Error(
        `${field}: ${t.dtype}[${t.shape}] does not match the site's ${own.dtype}[${own.shape}]`,
      );
    }
    if (isFloatDtype(t.dtype) && !allFinite(numericView(t))) {
      throw new Error(`${field} has non-finite values`);
    }
    merged.set(name, t);
  }
  return merged;
}

/**
 * A site's whole model after a federation: its local tensors (what it never sent) together with
 * the final shared ones (the site client keeps exactly what it did not upload). The two sets must
 * not overlap, every shared name must be one the federation shares, and floating-point values
 * must be finite.
 */
export function mergeLocalWithShared(
  local: WeightSet,
  shared: WeightSet,
  sharing: NameFilter,
  source: string,
): WeightSet {
  const merged: WeightSet = new Map();
  for (const [name, t] of shared) {
    const field = `${source}: shared tensor ${JSON.stringify(name)}`;
    if (!sharing.shares(name)) throw new Error(`${field} is not one the federation shares`);
    if (isFloatDtype(t.dtype) && !allFinite(numericView(t)))
      throw new Error(`${field} has non-finite values`);
    merged.set(name, t);
  }
  for (const [name, t] of local) {
    const field = `${source}: local tensor ${JSON.stringify(name)}`;
    if (merged.has(name)) throw new Error(`${field} is also in the shared weights`);
    if (isFloatDtype(t.dtype) && !allFinite(numericView(t)))
      throw new Error(`${field} has non-finite values`);
    merged.set(name, t);
  }
  return merged;
}
