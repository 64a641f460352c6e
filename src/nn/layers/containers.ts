// Containers: Sequential (children named 0, 1, 2, ... as nn.Sequential) and Identity.
import { alias, type Tensor } from "../../engine/index.js";
import { Module } from "../module.js";

/**
 * Runs layers in order, freeing each intermediate as soon as the next layer has consumed it (as
 * Python's refcounting does), so inference holds one activation at a time, not the whole chain.
 * Autograd keeps its own references to what backward needs.
 */
function runChain(layers: readonly Module[], x: Tensor): Tensor {
  let y = x;
  for (const m of layers) {
    const next = m.forward(y);
    if (y !== x && next !== y) y.dispose();
    y = next;
  }
  return y === x ? alias(x) : y;
}

export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    for (const [i, m] of layers.entries()) this.registerModule(String(i), m);
  }
  forward(x: Tensor): Tensor {
    return runChain(this.layers, x);
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
    return runChain(this.order, x);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return alias(x);
  }
}
