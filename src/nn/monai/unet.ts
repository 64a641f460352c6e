// MONAI's UNet (monai.networks.nets.UNet) for 3D volumes, built the same recursive way so that
// parameter and buffer names and shapes equal MONAI's state_dict (e.g. model.0.conv.unit0.conv.weight).
import type { Tensor } from "../../engine/index.js";
import { Sequential } from "../layers/containers.js";
import { Module } from "../module.js";
import { Convolution } from "./convolution.js";
import { type BlockOptions, DEFAULT_BLOCK_OPTIONS } from "./options.js";
import { ResidualUnit } from "./residual-unit.js";
import { SkipConnection } from "./skip-connection.js";

export interface UNetConfig extends Partial<BlockOptions> {
  inChannels: number;
  outChannels: number;
  channels: number[];
  strides: number[];
  kernelSize?: number;
  upKernelSize?: number;
  numResUnits?: number;
}

/** The SegViz study's network (docs/study.md): 4,808,917 parameters. */
export const SEGVIZ_UNET: UNetConfig = {
  inChannels: 1,
  outChannels: 2,
  channels: [16, 32, 64, 128, 256],
  strides: [2, 2, 2, 2],
  numResUnits: 2,
  norm: "batch",
  act: "prelu",
};

export class UNet extends Module {
  readonly model: Module;
  readonly config: Required<UNetConfig>;

  constructor(config: UNetConfig) {
    super();
    const c: Required<UNetConfig> = {
      ...DEFAULT_BLOCK_OPTIONS,
      kernelSize: 3,
      upKernelSize: 3,
      numResUnits: 0,
      ...config,
    };
    if (c.channels.length < 2) throw new Error("UNet: channels needs at least 2 entries");
    if (c.strides.length !== c.channels.length - 1) {
      throw new Error(
        `UNet: strides needs ${c.channels.length - 1} entries (one less than channels), got ${c.strides.length}`,
      );
    }
    this.config = c;
    this.model = this.registerModule(
      "model",
      this.block(c.inChannels, c.outChannels, c.channels, c.strides, true),
    );
  }

  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }

  /**
   * A new top up-block (MONAI's `model.2`: transposed conv from the first level's features to
   * outChannels, then its residual unit): SegViz's per-task head, built like the original.
   */
  createTopUpBlock(outChannels: number): Module {
    const ch = this.config.channels;
    const upC = ch.length > 2 ? ch[0]! * 2 : ch[0]! + ch[1]!;
    return this.up(upC, outChannels, this.config.strides[0]!, true);
  }

  private block(inC: number, outC: number, channels: number[], strides: number[], isTop: boolean): Module {
    const c = channels[0]!;
    const s = strides[0]!;
    let sub: Module;
    let upC: number;
    if (channels.length > 2) {
      sub = this.block(c, c, channels.slice(1), strides.slice(1), false);
      upC = c * 2;
    } else {
      sub = this.down(c, channels[1]!, 1, false);
      upC = c + channels[1]!;
    }
    return new Sequential(this.down(inC, c, s, isTop), new SkipConnection(sub), this.up(upC, outC, s, isTop));
  }

  private blockOptions(): BlockOptions {
    const { act, norm, dropout, bias, adnOrdering } = this.config;
    return { act, norm, dropout, bias, adnOrdering };
  }

  private down(inC: number, outC: number, strides: number, _isTop: boolean): Module {
    const o = this.blockOptions();
    if (this.config.numResUnits > 0) {
      return new ResidualUnit(inC, outC, {
        ...o,
        strides,
        kernelSize: this.config.kernelSize,
        subunits: this.config.numResUnits,
        lastConvOnly: false,
      });
    }
    return new Convolution(inC, outC, {
      ...o,
      strides,
      kernelSize: this.config.kernelSize,
      convOnly: false,
      isTransposed: false,
    });
  }

  private up(inC: number, outC: number, strides: number, isTop: boolean): Module {
    const o = this.blockOptions();
    const conv = new Convolution(inC, outC, {
      ...o,
      strides,
      kernelSize: this.config.upKernelSize,
      convOnly: isTop && this.config.numResUnits === 0,
      isTransposed: true,
    });
    if (this.config.numResUnits === 0) return conv;
    const ru = new ResidualUnit(outC, outC, {
      ...o,
      strides: 1,
      kernelSize: this.config.kernelSize,
      subunits: 1,
      lastConvOnly: isTop,
    });
    return new Sequential(conv, ru);
  }
}
