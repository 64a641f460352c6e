// Containers: Sequential (children named 0, 1, 2, ... as nn.Sequential) and Identity.
import { alias, type Tensor, tidy } from "../../engine/index.js";
import { Module } from "../module.js";

export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    for (const [i, m] of layers.entries()) this.registerModule(String(i), m);
  }
  forward(x: Tensor): Tensor {
    // Intermediates are freed as soon as the next layer has consumed them (autograd keeps what it needs).
    return tidy(() => {
      let y = x;
      for (const m of this.layers) y = m.forward(y);
      return y === x ? alias(x) : y;
    });
  }
}

/** Named children in insertion order, for MONAI blocks that subclass nn.Sequential with names. */
export class NamedSequential extends Module {
  private readonly order: Module[] = [];
  add<M extends Module>(name: string, m: M): M {
    this.order.push(m);
    return this.registerModule(name, m);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      let y = x;
      for (const m of this.order) y = m.forward(y);
      return y === x ? alias(x) : y;
    });
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return alias(x);
  }
}
