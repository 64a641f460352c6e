// Cross-entropy over channels for dense predictions (as torch.nn.functional.cross_entropy, mean).
import { atenOp, callT, type Tensor, tidy } from "../../engine/index.js";

const nllLoss = atenOp("aten::nll_loss_nd");
const logSoftmaxOp = atenOp("aten::log_softmax", "int");

/**
 * logits [B, C, ...]; target class indices [B, ...] or [B, 1, ...] (squeezed, as MONAI's DiceCELoss).
 * Optional class weights [C].
 */
export function crossEntropy(logits: Tensor, target: Tensor, weight: Tensor | null = null): Tensor {
  return tidy(() => {
    let t = target;
    if (t.ndim === logits.ndim) {
      if (t.shape[1] !== 1)
        throw new Error(`crossEntropy: target with a channel dim must have 1 channel, got [${t.shape}]`);
      t = t.squeeze(1);
    }
    const logp = callT(logSoftmaxOp, [logits, 1]);
    // reduction 1 = mean, ignore_index -100 (PyTorch's defaults).
    return callT(nllLoss, [logp, t.to({ dtype: "int64" }), weight, 1, -100]);
  });
}
