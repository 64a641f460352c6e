// MONAI's ResidualUnit: `subunits` Convolution blocks (conv.unit0, conv.unit1, ...) plus a
// residual path that is the identity, or a conv when stride or channel count change.
import { type Tensor, tidy } from "../../engine/index.js";
import { Identity, NamedSequential } from "../layers/containers.js";
import { Conv3d } from "../layers/conv.js";
import { Module } from "../module.js";
import { Convolution } from "./convolution.js";
import type { BlockOptions } from "./options.js";

interface ResidualUnitOptions extends BlockOptions {
  strides: number;
  kernelSize: number;
  subunits: number;
  lastConvOnly: boolean;
}

export class ResidualUnit extends Module {
  readonly conv: NamedSequential;
  readonly residual: Module;

  constructor(inChannels: number, outChannels: number, o: ResidualUnitOptions) {
    super();
    const subunits = Math.max(1, o.subunits);
    this.conv = this.registerModule("conv", new NamedSequential());
    let channels = inChannels;
    let strides = o.strides;
    for (let su = 0; su < subunits; su++) {
      const convOnly = o.lastConvOnly && su === subunits - 1;
      this.conv.add(
        `unit${su}`,
        new Convolution(channels, outChannels, {
          ...o,
          strides,
          kernelSize: o.kernelSize,
          convOnly,
          isTransposed: false,
        }),
      );
      channels = outChannels;
      strides = 1;
    }
    if (o.strides !== 1 || inChannels !== outChannels) {
      // A 1x1x1 conv suffices when only the channel count changes.
      const k = o.strides === 1 ? 1 : o.kernelSize;
      const pad = o.strides === 1 ? 0 : (o.kernelSize - 1) / 2;
      this.residual = this.registerModule(
        "residual",
        new Conv3d(inChannels, outChannels, k, { stride: o.strides, padding: pad, bias: o.bias }),
      );
    } else {
      this.residual = this.registerModule("residual", new Identity());
    }
  }

  forward(x: Tensor): Tensor {
    return tidy(() => this.conv.forward(x).add(this.residual.forward(x)));
  }
}
