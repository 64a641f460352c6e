// 3D convolution and transposed convolution layers (parameter names weight, bias as PyTorch).
import { conv3d, convTranspose3d, empty, type Size3d, type Tensor } from "../../engine/index.js";
import { initConvBias, initConvWeight } from "../init.js";
import { Module } from "../module.js";

interface Conv3dOptions {
  stride?: Size3d;
  padding?: Size3d;
  dilation?: Size3d;
  groups?: number;
  bias?: boolean;
}

function triple(v: Size3d): readonly [number, number, number] {
  return typeof v === "number" ? [v, v, v] : v;
}

export class Conv3d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: Size3d;
  readonly padding: Size3d;
  readonly dilation: Size3d;
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Size3d, o: Conv3dOptions = {}) {
    super();
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.groups = o.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new Error(
        `Conv3d: channels ${inChannels}->${outChannels} not divisible by groups ${this.groups}`,
      );
    }
    const shape = [outChannels, inChannels / this.groups, ...triple(kernelSize)];
    this.weight = this.registerParameter("weight", empty(shape))!;
    initConvWeight(this.weight);
    this.bias = o.bias === false ? null : this.registerParameter("bias", empty([outChannels]));
    if (this.bias) initConvBias(this.bias, shape);
  }

  forward(x: Tensor): Tensor {
    return conv3d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

interface ConvTranspose3dOptions extends Conv3dOptions {
  outputPadding?: Size3d;
}

export class ConvTranspose3d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly o: Required<Omit<ConvTranspose3dOptions, "bias">>;

  constructor(inChannels: number, outChannels: number, kernelSize: Size3d, o: ConvTranspose3dOptions = {}) {
    super();
    this.o = {
      stride: o.stride ?? 1,
      padding: o.padding ?? 0,
      outputPadding: o.outputPadding ?? 0,
      dilation: o.dilation ?? 1,
      groups: o.groups ?? 1,
    };
    const shape = [inChannels, outChannels / this.o.groups, ...triple(kernelSize)];
    this.weight = this.registerParameter("weight", empty(shape))!;
    initConvWeight(this.weight);
    this.bias = o.bias === false ? null : this.registerParameter("bias", empty([outChannels]));
    if (this.bias) initConvBias(this.bias, shape);
  }

  forward(x: Tensor): Tensor {
    return convTranspose3d(x, this.weight, this.bias, this.o);
  }
}
