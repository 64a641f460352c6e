// Neural-network primitives: convolutions, normalisation, activations, dropout, softmax.
// Each is the ATen operator torch.nn.functional calls, so numerics match PyTorch.
import { atenOp } from "../dispatch.js";
import { callT, type Tensor } from "../tensor.js";

/** A size, stride, padding or dilation for 3D ops: one value for every axis, or one per axis (PyTorch's _size_3_t). */
export type Size3d = number | readonly [number, number, number];

const op = {
  conv3d: atenOp("aten::conv3d"),
  convTranspose3d: atenOp("aten::conv_transpose3d", "input"),
  conv2d: atenOp("aten::conv2d"),
  batchNorm: atenOp("aten::batch_norm"),
  instanceNorm: atenOp("aten::instance_norm"),
  layerNorm: atenOp("aten::layer_norm"),
  prelu: atenOp("aten::prelu"),
  relu: atenOp("aten::relu"),
  leakyRelu: atenOp("aten::leaky_relu"),
  elu: atenOp("aten::elu"),
  dropout: atenOp("aten::dropout"),
  featureDropout: atenOp("aten::feature_dropout"),
  softmax: atenOp("aten::softmax", "int"),
  logSoftmax: atenOp("aten::log_softmax", "int"),
  sigmoid: atenOp("aten::sigmoid"),
  linear: atenOp("aten::linear"),
  maxPool3d: atenOp("aten::max_pool3d"),
  avgPool3d: atenOp("aten::avg_pool3d"),
};

interface ConvOptions {
  stride?: Size3d;
  padding?: Size3d;
  dilation?: Size3d;
  groups?: number;
}

export function conv3d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvOptions = {}): Tensor {
  return callT(op.conv3d, [x, weight, bias, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1]);
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvOptions = {}): Tensor {
  const two = (v: Size3d | undefined, d: number) =>
    v === undefined ? d : typeof v === "number" ? v : [v[0], v[1]];
  return callT(op.conv2d, [
    x,
    weight,
    bias,
    two(o.stride, 1),
    two(o.padding, 0),
    two(o.dilation, 1),
    o.groups ?? 1,
  ]);
}

interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: Size3d;
}

/** Weight layout [in, out/groups, kd, kh, kw], as PyTorch. */
export function convTranspose3d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  o: ConvTransposeOptions = {},
): Tensor {
  return callT(op.convTranspose3d, [
    x,
    weight,
    bias,
    o.stride ?? 1,
    o.padding ?? 0,
    o.outputPadding ?? 0,
    o.groups ?? 1,
    o.dilation ?? 1,
  ]);
}

interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch norm; in training mode the running statistics (if given) are updated in place. */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  return callT(op.batchNorm, [
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    o.training,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    true,
  ]);
}

interface InstanceNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

export function instanceNorm(x: Tensor, o: InstanceNormOptions = {}): Tensor {
  return callT(op.instanceNorm, [
    x,
    o.weight ?? null,
    o.bias ?? null,
    o.runningMean ?? null,
    o.runningVar ?? null,
    o.useInputStats ?? true,
    o.momentum ?? 0.1,
    o.eps ?? 1e-5,
    true,
  ]);
}

export function layerNorm(
  x: Tensor,
  shape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  return callT(op.layerNorm, [x, shape, weight, bias, eps, true]);
}

export function prelu(x: Tensor, weight: Tensor): Tensor {
  return callT(op.prelu, [x, weight]);
}
export function relu(x: Tensor): Tensor {
  return callT(op.relu, [x]);
}
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return callT(op.leakyRelu, [x, negativeSlope]);
}
export function elu(x: Tensor, alpha = 1): Tensor {
  return callT(op.elu, [x, alpha]);
}
export function sigmoid(x: Tensor): Tensor {
  return callT(op.sigmoid, [x]);
}
/** Element dropout (p = drop probability); identity when not training. */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return callT(op.dropout, [x, p, training]);
}
/** Channel dropout (whole feature maps), as nn.Dropout3d. */
export function featureDropout(x: Tensor, p: number, training: boolean): Tensor {
  return callT(op.featureDropout, [x, p, training]);
}
export function softmax(x: Tensor, dim: number): Tensor {
  return callT(op.softmax, [x, dim]);
}
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return callT(op.logSoftmax, [x, dim]);
}
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return callT(op.linear, [x, weight, bias]);
}
export function maxPool3d(x: Tensor, kernel: Size3d, stride?: Size3d, padding: Size3d = 0): Tensor {
  return callT(op.maxPool3d, [x, kernel, stride ?? kernel, padding, 1, false]);
}
export function avgPool3d(x: Tensor, kernel: Size3d, stride?: Size3d, padding: Size3d = 0): Tensor {
  return callT(op.avgPool3d, [x, kernel, stride ?? kernel, padding, false, true, null]);
}
