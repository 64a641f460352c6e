// Activation and dropout layers.
import { alias, dropout, full, leakyRelu, prelu, relu, type Tensor } from "../../engine/index.js";
import { Module } from "../module.js";

export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(numParameters = 1, init = 0.25) {
    super();
    this.weight = this.registerParameter("weight", full([numParameters], init))!;
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}

/** Element-wise dropout (nn.Dropout); p = probability of zeroing. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.p === 0 || !this.training ? alias(x) : dropout(x, this.p, true);
  }
}
