// Transforms for 3D volumes: MONAI-style small callables over a dict of named spatial tensors.
export * from "./affine-math.js";
export { applyAxisMap } from "./axis-map.js";
export { cropForeground } from "./crop-foreground.js";
export { orientation, reorient } from "./orientation.js";
export { cropStartFor } from "./pos-neg-centers.js";
export { randAffine } from "./rand-affine.js";
export { randCropByPosNeg } from "./rand-crop-pos-neg.js";
export { flipMap, randFlip } from "./rand-flip.js";
export { randScaleIntensity, randShiftIntensity } from "./rand-intensity.js";
export { randRotate90, rot90Map } from "./rand-rotate90.js";
export { scaleIntensityRange } from "./scale-intensity-range.js";
export { planSpacing, resampleToSpacing, spacing } from "./spacing.js";
export { spatialPad } from "./spatial-pad.js";
export { fromVolume, type SpatialTensor, spatialShape, toVolume } from "./spatial-tensor.js";
export { applyTransform, compose, disposeSamples, type Sample } from "./transform.js";
