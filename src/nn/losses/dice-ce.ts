// Dice + cross-entropy, as MONAI's DiceCELoss: lambda_dice * Dice + lambda_ce * CE.
import { type Tensor, tidy } from "../../engine/index.js";
import { crossEntropy } from "./cross-entropy.js";
import { DiceLoss, type DiceLossOptions } from "./dice.js";

interface DiceCELossOptions extends DiceLossOptions {
  lambdaDice?: number;
  lambdaCe?: number;
}

export class DiceCELoss {
  private readonly dice: DiceLoss;
  private readonly lambdaDice: number;
  private readonly lambdaCe: number;
  constructor(o: DiceCELossOptions = {}) {
    this.dice = new DiceLoss(o);
    this.lambdaDice = o.lambdaDice ?? 1;
    this.lambdaCe = o.lambdaCe ?? 1;
  }
  /** target: class indices [B, 1, ...] (toOnehotY=true) for the CE term. */
  forward(input: Tensor, target: Tensor): Tensor {
    return tidy(() =>
      this.dice
        .forward(input, target)
        .mul(this.lambdaDice)
        .add(crossEntropy(input, target).mul(this.lambdaCe)),
    );
  }
}
