// Patch sampling and augmentation as plain data, so workers can build the same transforms.

import { randAffine } from "../transforms/rand-affine.js";
import { randCropByPosNeg } from "../transforms/rand-crop-pos-neg.js";
import { randFlip } from "../transforms/rand-flip.js";
import { randScaleIntensity, randShiftIntensity } from "../transforms/rand-intensity.js";
import { randRotate90 } from "../transforms/rand-rotate90.js";
import { spatialPad } from "../transforms/spatial-pad.js";
import { compose, type Transform } from "../transforms/transform.js";

export interface AugmentSettings {
  /** Patch size in voxels (i, j, k). */
  patchSize: [number, number, number];
  /** Patches per case visit (MONAI's num_samples). */
  numSamples: number;
  pos: number;
  neg: number;
  /** Centres must have image > this (null: any voxel). */
  imageThreshold: number | null;
  /** Probability of flipping, per voxel axis. */
  flipProb: number;
  /** Probability of 1-3 quarter turns in the i-j plane. */
  rot90Prob: number;
  affine: {
    prob: number;
    rotateRange: [number, number, number];
    scaleRange: [number, number, number];
  } | null;
  intensity: { prob: number; scale: number; shift: number } | null;
  /**
   * Where patches are cut and augmented: "workers" (CPU worker threads, from the cache each
   * visit), "device" (cases kept on the training device, cut there: device-patch-loader.ts), or
   * "auto" (the default): the device when training on CUDA, workers otherwise.
   */
  placement: "auto" | "workers" | "device";
}

/** Where a site's patches are cut for a training device. */
export function patchPlacement(a: AugmentSettings, trainingDevice: string): "workers" | "device" {
  if (a.placement !== "auto") return a.placement;
  return trainingDevice.startsWith("cuda") ? "device" : "workers";
}

/** The SegViz study's training patches: 4 crops of 128x128x32 at pos:neg 1:1, affine and intensity jitter. */
export const SEGVIZ_AUGMENT: AugmentSettings = {
  patchSize: [128, 128, 32],
  numSamples: 4,
  pos: 1,
  neg: 1,
  imageThreshold: 0,
  flipProb: 0,
  rot90Prob: 0,
  affine: { prob: 1, rotateRange: [0, 0, Math.PI / 15], scaleRange: [0.1, 0.1, 0.1] },
  intensity: { prob: 0.5, scale: 0.1, shift: 0.1 },
  placement: "auto",
};

/** Padding up to the patch size: the first step of augmentTransform, which draws nothing. */
export function patchPad(a: AugmentSettings): Transform {
  return spatialPad({ keys: ["image", "label"], spatialSize: a.patchSize });
}

/**
 * Padding, crops and augmentation of one case visit. `pad: false` leaves out the padding, for
 * volumes padded once when they were loaded (patchPad); the random draws are the same.
 */
export function augmentTransform(a: AugmentSettings, o: { pad?: boolean } = {}): Transform {
  const keys = ["image", "label"];
  const steps: Transform[] = [
    ...(o.pad === false ? [] : [patchPad(a)]),
    randCropByPosNeg({
      keys,
      labelKey: "label",
      spatialSize: a.patchSize,
      pos: a.pos,
      neg: a.neg,
      numSamples: a.numSamples,
      imageKey: a.imageThreshold === null ? undefined : "image",
      imageThreshold: a.imageThreshold ?? undefined,
    }),
  ];
  if (a.flipProb > 0) steps.push(randFlip({ keys, prob: a.flipProb }));
  if (a.rot90Prob > 0) steps.push(randRotate90({ keys, prob: a.rot90Prob }));
  if (a.affine !== null) {
    steps.push(randAffine({ keys, ...a.affine, mode: ["bilinear", "nearest"], paddingMode: "zeros" }));
  }
  if (a.intensity !== null) {
    steps.push(randScaleIntensity({ keys: ["image"], factors: a.intensity.scale, prob: a.intensity.prob }));
    steps.push(randShiftIntensity({ keys: ["image"], offsets: a.intensity.shift, prob: a.intensity.prob }));
  }
  return compose(steps);
}
