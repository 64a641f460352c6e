// The engine: tensors over libtorch with autograd, memory scopes and the ops the layers above need.
export { atenOp } from "./dispatch.js";
export { type Dtype, FLOAT_DTYPES } from "./dtype.js";
export * from "./ops/creation.js";
export * from "./ops/layout.js";
export * from "./ops/neural.js";
export * from "./ops/sampling.js";
export * from "./runtime.js";
export { disposeAll, keep, tidy } from "./scope.js";
export { callInPlace, callT, callTs, Tensor } from "./tensor.js";
export { torchSaveStateDict } from "./torch-pickle.js";
