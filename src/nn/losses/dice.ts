// Dice loss with MONAI's DiceLoss semantics (monai.losses.DiceLoss): per sample and channel
// 1 - (2 |X∩Y| + smooth_nr) / (|X| + |Y| + smooth_dr), then the mean.
import { oneHot, sigmoid, softmax, type Tensor, tidy } from "../../engine/index.js";

export interface DiceLossOptions {
  /** Keep channel 0 (background) in the mean. MONAI default true. */
  includeBackground?: boolean;
  /** Target holds class indices [B, 1, ...] to be one-hot encoded. */
  toOnehotY?: boolean;
  sigmoid?: boolean;
  softmax?: boolean;
  /** Use squared terms in the denominator. */
  squaredPred?: boolean;
  jaccard?: boolean;
  smoothNr?: number;
  smoothDr?: number;
  /** Sum over the batch before dividing (one Dice per channel for the whole batch). */
  batch?: boolean;
  reduction?: "mean" | "sum" | "none";
}

/** One-hot encode class indices [B, 1, ...] into [B, C, ...] float, as MONAI's one_hot. */
export function oneHotChannels(
  target: Tensor,
  numClasses: number,
  dtype: "float32" | "float64" = "float32",
): Tensor {
  return tidy(() => {
    if (target.shape[1] !== 1)
      throw new Error(`one-hot: target must have 1 channel, got shape [${target.shape}]`);
    const idx = target.squeeze(1).to({ dtype: "int64" });
    const oh = oneHot(idx, numClasses); // [B, ..., C]
    const nd = oh.ndim;
    const perm = [0, nd - 1, ...Array.from({ length: nd - 2 }, (_, i) => i + 1)];
    return oh.permute(perm).to({ dtype });
  });
}

export class DiceLoss {
  readonly o: Required<DiceLossOptions>;
  constructor(o: DiceLossOptions = {}) {
    this.o = {
      includeBackground: true,
      toOnehotY: false,
      sigmoid: false,
      softmax: false,
      squaredPred: false,
      jaccard: false,
      smoothNr: 1e-5,
      smoothDr: 1e-5,
      batch: false,
      reduction: "mean",
      ...o,
    };
    if (this.o.sigmoid && this.o.softmax) throw new Error("DiceLoss: choose sigmoid or softmax, not both");
  }

  /** input: logits or probabilities [B, C, ...]; target: [B, C, ...] one-hot or [B, 1, ...] indices. */
  forward(input: Tensor, target: Tensor): Tensor {
    return tidy(() => {
      let x = input;
      if (this.o.sigmoid) x = sigmoid(x);
      const channels = x.shape[1]!;
      if (this.o.softmax) {
        if (channels === 1) throw new Error("DiceLoss: softmax=true with a single channel");
        x = softmax(x, 1);
      }
      let y = target;
      if (this.o.toOnehotY) {
        if (channels === 1) throw new Error("DiceLoss: toOnehotY=true with a single channel");
        y = oneHotChannels(target, channels, x.dtype === "float64" ? "float64" : "float32");
      }
      if (!this.o.includeBackground) {
        if (channels === 1) throw new Error("DiceLoss: includeBackground=false with a single channel");
        x = x.slice(1, 1);
        y = y.slice(1, 1);
      }
      if (x.ndim !== y.ndim || x.shape.some((d, i) => d !== y.shape[i])) {
        throw new Error(`DiceLoss: input shape [${x.shape}] and target shape [${y.shape}] differ`);
      }
      const spatial = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
      const axes = this.o.batch ? [0, ...spatial] : spatial;
      const intersection = y.mul(x).sum(axes);
      const groundO = this.o.squaredPred ? y.pow(2).sum(axes) : y.sum(axes);
      const predO = this.o.squaredPred ? x.pow(2).sum(axes) : x.sum(axes);
      let denominator = groundO.add(predO);
      if (this.o.jaccard) denominator = denominator.sub(intersection).mul(2);
      const f = intersection.mul(2).add(this.o.smoothNr).div(denominator.add(this.o.smoothDr)).neg().add(1);
      if (this.o.reduction === "mean") return f.mean();
      if (this.o.reduction === "sum") return f.sum();
      return f;
    });
  }
}
