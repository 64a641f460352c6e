// Random patches around labels (MONAI's RandCropByPosNegLabeld): numSamples crops of spatialSize per
// sample, each centred on a foreground voxel with probability pos / (pos + neg), else on background
// (see pos-neg-centers.ts). Every key is cropped with the same box. Volumes smaller than the patch
// are an error: pad them first (spatialPad).

import { tidy } from "../../engine/index.js";
import { cropToBox } from "./crop.js";
import { cropStartFor, drawCenter, unravel, VoxelClasses } from "./pos-neg-centers.js";
import { spatialShape } from "./spatial-tensor.js";
import { itemOf, mapKeys, type Sample, type Transform } from "./transform.js";

interface RandCropByPosNegOptions {
  keys: readonly string[];
  labelKey: string;
  spatialSize: readonly [number, number, number];
  pos?: number;
  neg?: number;
  numSamples?: number;
  /** When set, centres must also have imageKey > imageThreshold. */
  imageKey?: string;
  imageThreshold?: number;
}

/** Classes of every voxel, computed once per label tensor and reused for the following draws. */
const classCache = new WeakMap<object, VoxelClasses>();

function voxelClasses(sample: Sample, o: RandCropByPosNegOptions): VoxelClasses {
  const label = itemOf(sample, o.labelKey, "randCropByPosNeg").data;
  const cached = classCache.get(label);
  if (cached) return cached;
  const classes = tidy(() => {
    let ok = label.eq(label); // all true, same shape
    if (o.imageKey !== undefined)
      ok = itemOf(sample, o.imageKey, "randCropByPosNeg").data.gt(o.imageThreshold ?? 0);
    const fg = label.gt(0).logicalAnd(ok).to({ dtype: "uint8" });
    return fg
      .add(ok.to({ dtype: "uint8" }))
      .contiguous()
      .toArray() as Uint8Array;
  });
  const v = new VoxelClasses(classes);
  classCache.set(label, v);
  return v;
}

export function randCropByPosNeg(o: RandCropByPosNegOptions): Transform {
  const pos = o.pos ?? 1;
  const neg = o.neg ?? 1;
  if (!(pos >= 0 && neg >= 0 && pos + neg > 0))
    throw new Error(`randCropByPosNeg: bad pos/neg ${pos}/${neg}`);
  const numSamples = o.numSamples ?? 1;
  return (sample, ctx) => {
    const shape = spatialShape(itemOf(sample, o.labelKey, "randCropByPosNeg"));
    for (const key of o.keys) {
      const s = spatialShape(itemOf(sample, key, "randCropByPosNeg"));
      if (s.some((n, a) => n !== shape[a])) {
        throw new Error(`randCropByPosNeg: "${key}" has shape ${s.join("x")}, label has ${shape.join("x")}`);
      }
    }
    if (shape.some((n, a) => n < o.spatialSize[a])) {
      throw new Error(
        `randCropByPosNeg: volume ${shape.join("x")} is smaller than the patch ${o.spatialSize.join("x")}; pad it first (spatialPad)`,
      );
    }
    const classes = voxelClasses(sample, o);
    const out: Sample[] = [];
    for (let n = 0; n < numSamples; n++) {
      const draw = drawCenter(classes, pos, neg, ctx.rng);
      const start = cropStartFor(unravel(draw.index, shape), o.spatialSize, shape) as [
        number,
        number,
        number,
      ];
      const end = start.map((s, a) => s + o.spatialSize[a]) as [number, number, number];
      out.push(mapKeys(sample, o.keys, "randCropByPosNeg", (item) => cropToBox(item, { start, end })));
    }
    return out;
  };
}
