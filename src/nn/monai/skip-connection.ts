// MONAI's SkipConnection (mode "cat", dim 1): concatenates the input with its submodule's output.
import { cat, type Tensor, tidy } from "../../engine/index.js";
import { Module } from "../module.js";

export class SkipConnection extends Module {
  constructor(readonly submodule: Module) {
    super();
    this.registerModule("submodule", submodule);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => cat([x, this.submodule.forward(x)], 1));
  }
}
