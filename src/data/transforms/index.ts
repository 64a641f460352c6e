// Transforms for 3D volumes: MONAI-style small callables over a dict of named spatial tensors.
export * from "./affine-math.js";
export { type AxisMap, applyAxisMap, axisMapMatrix } from "./axis-map.js";
export { type Box, cropToBox } from "./crop.js";
export { type CropForegroundOptions, cropForeground, foregroundBox } from "./crop-foreground.js";
export { type OrientationOptions, orientation, orientationMap, reorient } from "./orientation.js";
export { cropStartFor } from "./pos-neg-centers.js";
export { type RandAffineOptions, randAffine, rotateScaleMatrix, warpAboutCentre } from "./rand-affine.js";
export { type RandCropByPosNegOptions, randCropByPosNeg } from "./rand-crop-pos-neg.js";
export { flipMap, type RandFlipOptions, randFlip } from "./rand-flip.js";
export {
  type RandScaleIntensityOptions,
  type RandShiftIntensityOptions,
  randScaleIntensity,
  randShiftIntensity,
} from "./rand-intensity.js";
export { type RandRotate90Options, randRotate90, rot90Map } from "./rand-rotate90.js";
export { deriveSeed, Rng } from "./rng.js";
export {
  type ScaleIntensityRangeOptions,
  scaleIntensityRange,
  type WindowOptions,
  windowIntensity,
} from "./scale-intensity-range.js";
export {
  planSpacing,
  type ResampleMode,
  resampleToPlan,
  resampleToSpacing,
  type SpacingOptions,
  type SpacingPlan,
  spacing,
} from "./spacing.js";
export { padToSize, type SpatialPadOptions, spatialPad } from "./spatial-pad.js";
export { dimOfAxis, fromVolume, type SpatialTensor, spatialShape, toVolume } from "./spatial-tensor.js";
export {
  applyTransform,
  compose,
  disposeSamples,
  itemOf,
  mapKeys,
  type Sample,
  type Transform,
  type TransformContext,
  withItem,
} from "./transform.js";
