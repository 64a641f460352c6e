// Joining, padding and indexing tensors.
import { atenOp } from "../dispatch.js";
import { callT, type Tensor } from "../tensor.js";

const op = {
  cat: atenOp("aten::cat"),
  stack: atenOp("aten::stack"),
  pad: atenOp("aten::pad"),
  indexSelect: atenOp("aten::index_select"),
  index: atenOp("aten::index", "Tensor"),
  gather: atenOp("aten::gather"),
  maskedSelect: atenOp("aten::masked_select"),
  nonzero: atenOp("aten::nonzero"),
  oneHot: atenOp("aten::one_hot"),
  repeat: atenOp("aten::repeat"),
};

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return callT(op.cat, [tensors, dim]);
}
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return callT(op.stack, [tensors, dim]);
}
/**
 * Pads the last dims: `pad` lists (before, after) pairs starting from the LAST dim, as torch's F.pad.
 * mode constant | reflect | replicate | circular.
 */
export function pad(
  t: Tensor,
  padding: readonly number[],
  mode: "constant" | "reflect" | "replicate" | "circular" = "constant",
  value = 0,
): Tensor {
  return callT(op.pad, [t, padding, mode, mode === "constant" ? value : null]);
}
export function indexSelect(t: Tensor, dim: number, index: Tensor): Tensor {
  return callT(op.indexSelect, [t, dim, index]);
}
/** Advanced indexing t[i0, i1, ...] where null leaves a dim whole. */
export function index(t: Tensor, indices: readonly (Tensor | null)[]): Tensor {
  return callT(op.index, [t, indices]);
}
export function gather(t: Tensor, dim: number, index: Tensor): Tensor {
  return callT(op.gather, [t, dim, index]);
}
export function maskedSelect(t: Tensor, mask: Tensor): Tensor {
  return callT(op.maskedSelect, [t, mask]);
}
/** Indices of nonzero elements, shape [n, ndim] (int64). */
export function nonzero(t: Tensor): Tensor {
  return callT(op.nonzero, [t]);
}
/** One-hot along a new last dim (int64 input), as torch.nn.functional.one_hot. */
export function oneHot(labels: Tensor, numClasses: number): Tensor {
  return callT(op.oneHot, [labels, numClasses]);
}
export function repeat(t: Tensor, repeats: readonly number[]): Tensor {
  return callT(op.repeat, [t, repeats]);
}
/** Consecutive pieces of the given sizes along dim (views, no copy). */
export function split(t: Tensor, sizes: readonly number[], dim = 0): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(t.narrow(dim, start, s));
    start += s;
  }
  return out;
}

const aliasOp = atenOp("aten::alias");
/**
 * The same tensor under a new handle (autograd-transparent). Layers that pass their input
 * through return this, so a caller may dispose any layer output without freeing the input.
 */
export function alias(t: Tensor): Tensor {
  return callT(aliasOp, [t]);
}
