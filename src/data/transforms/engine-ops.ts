// ATen operators the transforms need beyond the engine's Tensor methods, called through the
// engine's public dispatcher (kept here so the engine's own op files stay untouched).

import { atenOp, callInPlace, callT, type Tensor } from "../../engine/index.js";

const op = {
  lerpT: atenOp("aten::lerp", "Tensor"),
  clampS_: atenOp("aten::clamp_"),
};

/** a + w * (b - a), elementwise with a broadcast weight tensor. */
export function lerp(a: Tensor, b: Tensor, w: Tensor): Tensor {
  return callT(op.lerpT, [a, b, w]);
}

export function clampInPlace(t: Tensor, min: number, max: number): void {
  callInPlace(op.clampS_, [t, min, max]);
}
