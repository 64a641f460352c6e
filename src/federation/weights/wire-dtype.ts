// Compressed updates: the shared float32 tensors cross the network as float16 or bfloat16
// (transfer.dtype), half the bytes. The coordinator sends its weights rounded to the wire dtype
// and keeps its own float32 copy; a site sends the change of its weights from what it received,
// rounded to the wire dtype (a change is small, so its rounding error is small next to the
// weights), and the coordinator adds it back to the same rounded weights the site received.
// Tensors of other dtypes (int64 counters) travel as they are.

import {
  bfloat16ToFloat32Array,
  float16ToFloat32Array,
  float32ToBfloat16Array,
  float32ToFloat16Array,
} from "../../nn/safetensors/half-arrays.js";
import type { NamedTensorData } from "../../nn/safetensors/index.js";
import type { WeightSet } from "./weight-set.js";

export type WireDtype = "float32" | "float16" | "bfloat16";
export const WIRE_DTYPES: readonly WireDtype[] = ["float32", "float16", "bfloat16"];
/** The task option that tells a site the round's wire dtype. */
export const WIRE_DTYPE_OPTION = "transfer.dtype";

export function parseWireDtype(value: string | undefined, field: string): WireDtype {
  if (value === undefined) return "float32";
  if (!(WIRE_DTYPES as readonly string[]).includes(value))
    throw new Error(`${field}: ${JSON.stringify(value)} is not one of ${WIRE_DTYPES.join(", ")}`);
  return value as WireDtype;
}

type Tensor = NamedTensorData;

/** float32 values in the wire dtype's bit patterns. */
function encode(values: Float32Array, dtype: "float16" | "bfloat16"): Uint16Array {
  return dtype === "float16" ? float32ToFloat16Array(values) : float32ToBfloat16Array(values);
}

function decode(bits: Uint16Array, dtype: "float16" | "bfloat16"): Float32Array {
  return dtype === "float16" ? float16ToFloat32Array(bits) : bfloat16ToFloat32Array(bits);
}

/** The weights with every float32 tensor rounded to the wire dtype (round to nearest even). */
export function toWire(weights: WeightSet, dtype: WireDtype): WeightSet {
  if (dtype === "float32") return weights;
  return new Map(
    [...weights].map(([name, t]): [string, Tensor] =>
      t.dtype === "float32" ? [name, { dtype, shape: [...t.shape], data: encode(t.data, dtype) }] : [name, t],
    ),
  );
}

/** Wire tensors back in float32 where `like` (the receiver's own weights) holds float32. */
export function fromWire(weights: WeightSet, dtype: WireDtype, like: WeightSet): WeightSet {
  if (dtype === "float32") return weights;
  return new Map(
    [...weights].map(([name, t]): [string, Tensor] =>
      like.get(name)?.dtype === "float32" && t.dtype === dtype
        ? [name, { dtype: "float32", shape: [...t.shape], data: decode(t.data, dtype) }]
        : [name, t],
    ),
  );
}

/** The change of `trained` from `received` (float32 tensors), in float32, rounded to the wire dtype. */
export function deltaToWire(trained: WeightSet, received: WeightSet, dtype: WireDtype): WeightSet {
  if (dtype === "float32") return trained;
  return new Map(
    [...trained].map(([name, t]): [string, Tensor] => {
      const base = received.get(name);
      if (t.dtype !== "float32" || base === undefined || base.dtype !== "float32") return [name, t];
      const a = t.data;
      const b = base.data;
      const d = new Float32Array(a.length);
      for (let i = 0; i < d.length; i++) d[i] = a[i]! - b[i]!;
      return [name, { dtype, shape: [...t.shape], data: encode(d, dtype) }];
    }),
  );
}

/**
 * The weights a site's wire update stands for: `received` plus each change, in float32. A tensor
 * in another dtype than the wire's where `received` is float32 is refused by name.
 */
export function deltaFromWire(
  delta: WeightSet,
  received: WeightSet,
  dtype: WireDtype,
  source: string,
): WeightSet {
  if (dtype === "float32") return delta;
  return new Map(
    [...delta].map(([name, t]): [string, Tensor] => {
      const base = received.get(name);
      if (base === undefined || base.dtype !== "float32") return [name, t];
      if (t.dtype !== dtype)
        throw new Error(
          `${source}: tensor ${JSON.stringify(name)} is ${t.dtype}, the round's wire dtype is ${dtype}`,
        );
      if (t.data.length !== base.data.length)
        throw new Error(
          `${source}: tensor ${JSON.stringify(name)} has ${t.data.length} values, expected ${base.data.length}`,
        );
      const out = decode(t.data, dtype);
      const b = base.data;
      for (let i = 0; i < out.length; i++) out[i] = b[i]! + out[i]!;
      return [name, { dtype: "float32", shape: [...t.shape], data: out }];
    }),
  );
}
