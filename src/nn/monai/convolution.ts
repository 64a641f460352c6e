// MONAI's Convolution block: a conv (or transposed conv) named "conv", then an "adn" block whose
// children are named N, D, A in the ordering given. Same names, so MONAI state dicts load 1:1.
import type { Tensor } from "../../engine/index.js";
import { Dropout, LeakyReLU, PReLU, ReLU } from "../layers/activation.js";
import { NamedSequential } from "../layers/containers.js";
import { Conv3d, ConvTranspose3d } from "../layers/conv.js";
import { BatchNorm3d, InstanceNorm3d } from "../layers/norm.js";
import type { Module } from "../module.js";
import type { BlockOptions } from "./options.js";

interface ConvolutionOptions extends BlockOptions {
  strides: number;
  kernelSize: number;
  convOnly: boolean;
  isTransposed: boolean;
  /** Defaults to (kernel - 1) / 2, MONAI's same_padding. */
  padding?: number;
}

function sameKernelPadding(kernel: number): number {
  if ((kernel - 1) % 2 !== 0)
    throw new Error(`Convolution: same padding needs an odd kernel size, got ${kernel}`);
  return (kernel - 1) / 2;
}

function adnBlock(channels: number, o: BlockOptions): NamedSequential {
  const adn = new NamedSequential();
  for (const item of o.adnOrdering.toUpperCase()) {
    if (item === "N") {
      if (o.norm === "batch") adn.add("N", new BatchNorm3d(channels));
      else if (o.norm === "instance") adn.add("N", new InstanceNorm3d(channels));
    } else if (item === "D") {
      adn.add("D", new Dropout(o.dropout));
    } else if (item === "A") {
      const act = activation(o.act);
      if (act) adn.add("A", act);
    } else {
      throw new Error(`Convolution: unknown ADN ordering letter '${item}' in '${o.adnOrdering}'`);
    }
  }
  return adn;
}

function activation(kind: BlockOptions["act"]): Module | null {
  switch (kind) {
    case "prelu":
      return new PReLU();
    case "relu":
      return new ReLU();
    case "leakyrelu":
      return new LeakyReLU();
    case "none":
      return null;
  }
}

export class Convolution extends NamedSequential {
  constructor(inChannels: number, outChannels: number, o: ConvolutionOptions) {
    super();
    const padding = o.padding ?? sameKernelPadding(o.kernelSize);
    if (o.isTransposed) {
      // MONAI: output_padding = stride - 1, so a stride-s transposed conv exactly undoes a stride-s conv.
      this.add(
        "conv",
        new ConvTranspose3d(inChannels, outChannels, o.kernelSize, {
          stride: o.strides,
          padding,
          outputPadding: o.strides - 1,
          bias: o.bias,
        }),
      );
    } else {
      this.add(
        "conv",
        new Conv3d(inChannels, outChannels, o.kernelSize, { stride: o.strides, padding, bias: o.bias }),
      );
    }
    if (!o.convOnly) this.add("adn", adnBlock(outChannels, o));
  }

  override forward(x: Tensor): Tensor {
    return super.forward(x);
  }
}
