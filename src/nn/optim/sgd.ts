// SGD with optional momentum, dampening, Nesterov and weight decay (PyTorch's update).
import { type Tensor, tidy } from "../../engine/index.js";
import { type NamedParam, Optimizer } from "./optimizer.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Iterable<[string, Tensor]>, o: SGDOptions) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
  }

  protected update(p: NamedParam, grad: Tensor): void {
    tidy(() => {
      let d = this.weightDecay !== 0 ? grad.add(p.param, this.weightDecay) : grad;
      if (this.momentum !== 0) {
        const key = `${p.name}.momentum_buffer`;
        const existing = this.state.has(key);
        const buf = this.slot(p, "momentum_buffer", () => d.detach().clone());
        if (existing) buf.mul_(this.momentum).add_(d, 1 - this.dampening);
        d = this.nesterov ? d.add(buf, this.momentum) : buf;
      }
      p.param.add_(d, -this.lr);
    });
  }
}
