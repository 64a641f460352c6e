// Adam and AdamW, the update PyTorch 1.13's single-tensor path applies.
import { type Tensor, tidy, zerosLike } from "../../engine/index.js";
import { type NamedParam, Optimizer } from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** AdamW: decoupled weight decay (param *= 1 - lr * wd) instead of L2 added to the gradient. */
  decoupled?: boolean;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;

  constructor(params: Iterable<[string, Tensor]>, o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (o.decoupled ? 1e-2 : 0);
    this.decoupled = o.decoupled ?? false;
  }

  protected update(p: NamedParam, grad: Tensor): void {
    const [b1, b2] = this.betas;
    const expAvg = this.slot(p, "exp_avg", () => zerosLike(p.param));
    const expAvgSq = this.slot(p, "exp_avg_sq", () => zerosLike(p.param));
    const t = this.stepCount;
    tidy(() => {
      let g = grad;
      if (this.weightDecay !== 0) {
        if (this.decoupled) p.param.mul_(1 - this.lr * this.weightDecay);
        else g = g.add(p.param, this.weightDecay);
      }
      expAvg.mul_(b1).add_(g, 1 - b1);
      expAvgSq.mul_(b2).addcmul_(g, g, 1 - b2);
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      const denom = expAvgSq.sqrt().div(Math.sqrt(bc2)).add_(this.eps);
      p.param.addcdiv_(expAvg, denom, -this.lr / bc1);
    });
  }
}

export class AdamW extends Adam {
  constructor(params: Iterable<[string, Tensor]>, o: Omit<AdamOptions, "decoupled"> = {}) {
    super(params, { ...o, decoupled: true });
  }
}
