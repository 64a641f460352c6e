// Tensor factories, deterministic and seeded random ones included (seed with runtime.manualSeed).
import { atenOp } from "../dispatch.js";
import type { Dtype } from "../dtype.js";
import { callInPlace, callT, Tensor } from "../tensor.js";

interface CreateOptions {
  dtype?: Dtype;
  device?: string;
  requiresGrad?: boolean;
}

const op = {
  zeros: atenOp("aten::zeros"),
  ones: atenOp("aten::ones"),
  full: atenOp("aten::full"),
  empty: atenOp("aten::empty", "memory_format"),
  arange: atenOp("aten::arange", "start_step"),
  linspace: atenOp("aten::linspace"),
  eye: atenOp("aten::eye"),
  randn: atenOp("aten::randn"),
  rand: atenOp("aten::rand"),
  randint: atenOp("aten::randint", "low"),
  randperm: atenOp("aten::randperm"),
  scalarTensor: atenOp("aten::scalar_tensor"),
  zerosLike: atenOp("aten::zeros_like"),
  normal_: atenOp("aten::normal_"),
  uniform_: atenOp("aten::uniform_"),
};

function kw(o: CreateOptions, fallback: Dtype = "float32"): Record<string, unknown> {
  return { dtype: o.dtype ?? fallback, device: o.device };
}

function finish(t: Tensor, o: CreateOptions): Tensor {
  if (o.requiresGrad) t.requiresGrad = true;
  return t;
}

export function zeros(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(op.zeros, [shape], kw(o)), o);
}
export function ones(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(op.ones, [shape], kw(o)), o);
}
export function full(shape: readonly number[], value: number, o: CreateOptions = {}): Tensor {
  return finish(callT(op.full, [shape, value], kw(o)), o);
}
export function empty(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(op.empty, [shape], kw(o)), o);
}
export function zerosLike(t: Tensor): Tensor {
  return callT(op.zerosLike, [t]);
}
export function scalar(value: number, o: CreateOptions = {}): Tensor {
  return finish(callT(op.scalarTensor, [value], kw(o)), o);
}
/** start, start+step, ... below end (as torch.arange). */
export function arange(start: number, end: number, step = 1, o: CreateOptions = {}): Tensor {
  return finish(callT(op.arange, [start, end, step], kw(o)), o);
}
export function linspace(start: number, end: number, steps: number, o: CreateOptions = {}): Tensor {
  return finish(callT(op.linspace, [start, end, steps], kw(o)), o);
}
export function eye(n: number, o: CreateOptions = {}): Tensor {
  return finish(callT(op.eye, [n], kw(o)), o);
}
/** A tensor from nested number arrays or a flat list plus shape (copied). */
export function tensor(values: number[], shape?: readonly number[], o: CreateOptions = {}): Tensor {
  const dtype = o.dtype ?? "float32";
  let t: Tensor;
  switch (dtype) {
    case "float64":
      t = Tensor.fromArray(Float64Array.from(values), shape ?? [values.length]);
      break;
    case "int64":
      t = Tensor.fromArray(
        BigInt64Array.from(values, (v) => BigInt(v)),
        shape ?? [values.length],
      );
      break;
    case "int32":
      t = Tensor.fromArray(Int32Array.from(values), shape ?? [values.length]);
      break;
    case "uint8":
    case "bool":
      t = Tensor.fromArray(Uint8Array.from(values), shape ?? [values.length], { dtype });
      break;
    default: {
      const f = Tensor.fromArray(Float32Array.from(values), shape ?? [values.length]);
      if (dtype === "float32") t = f;
      else {
        t = f.to({ dtype });
        f.dispose();
      }
    }
  }
  if (o.device !== undefined && o.device !== "cpu") {
    const moved = t.to({ device: o.device });
    t.dispose();
    t = moved;
  }
  return finish(t, o);
}

/** Standard normal samples from the global (seeded) generator. */
export function randn(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(op.randn, [shape], kw(o)), o);
}
/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], o: CreateOptions = {}): Tensor {
  return finish(callT(op.rand, [shape], kw(o)), o);
}
/** Integers uniform in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], o: CreateOptions = {}): Tensor {
  return callT(op.randint, [low, high, shape], kw(o, "int64"));
}
export function randperm(n: number, o: CreateOptions = {}): Tensor {
  return callT(op.randperm, [n], kw(o, "int64"));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  callInPlace(op.normal_, [t, mean, std]);
  return t;
}
export function uniform_(t: Tensor, from = 0, to = 1): Tensor {
  callInPlace(op.uniform_, [t, from, to]);
  return t;
}
