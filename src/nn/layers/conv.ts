// 3D convolution and transposed convolution layers (parameter names weight, bias as PyTorch).
import { conv3d, convTranspose3d, empty, type Tensor } from "../../engine/index.js";
import { initConvBias, initConvWeight } from "../init.js";
import { Module } from "../module.js";

export type Triple = number | [number, number, number];

export interface Conv3dOptions {
  stride?: Triple;
  padding?: Triple;
  dilation?: Triple;
  groups?: number;
  bias?: boolean;
}

function triple(v: Triple): [number, number, number] {
  return typeof v === "number" ? [v, v, v] : v;
}

export class Conv3d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: Triple;
  readonly padding: Triple;
  readonly dilation: Triple;
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Triple, o: Conv3dOptions = {}) {
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

export interface ConvTranspose3dOptions extends Conv3dOptions {
  outputPadding?: Triple;
}

export class ConvTranspose3d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly o: Required<Omit<ConvTranspose3dOptions, "bias">>;

  constructor(inChannels: number, outChannels: number, kernelSize: Triple, o: ConvTranspose3dOptions = {}) {
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
