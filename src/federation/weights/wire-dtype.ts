// Compressed updates: the shared float32 tensors cross the network as float16 or bfloat16
// (transfer.dtype), half the bytes. The coordinator sends its weights rounded to the wire dtype
// and keeps its own float32 copy; a site sends the change of its weights from what it received,
// rounded to the wire dtype (a change is small, so its rounding error is small next to the
// weights), and the coordinator adds it back to the same rounded weights the site received.
// Tensors of other dtypes (int64 counters) travel as they are.

import { fromFloat64, numericView, toFloat64, type WeightSet } from "./weight-set.js";

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

/** The weights with every float32 tensor rounded to the wire dtype (round to nearest even). */
export function toWire(weights: WeightSet, dtype: WireDtype): WeightSet {
  if (dtype === "float32") return weights;
  return new Map(
    [...weights].map(([name, t]) => [
      name,
      t.dtype === "float32" ? fromFloat64(dtype, t.shape, toFloat64(t)) : t,
    ]),
  );
}

/** Wire tensors back in float32 where `like` (the receiver's own weights) holds float32. */
export function fromWire(weights: WeightSet, dtype: WireDtype, like: WeightSet): WeightSet {
  if (dtype === "float32") return weights;
  return new Map(
    [...weights].map(([name, t]) =>
      like.get(name)?.dtype === "float32" && t.dtype === dtype
        ? [name, fromFloat64("float32", t.shape, toFloat64(t))]
        : [name, t],
    ),
  );
}

/** The change of `trained` from `received` (float32 tensors), rounded to the wire dtype. */
export function deltaToWire(trained: WeightSet, received: WeightSet, dtype: WireDtype): WeightSet {
  return new Map(
    [...trained].map(([name, t]) => {
      const base = received.get(name);
      if (t.dtype !== "float32" || base === undefined || base.dtype !== "float32") return [name, t];
      const a = numericView(t);
      const b = numericView(base);
      return [
        name,
        fromFloat64(
          dtype,
          t.shape,
          Float64Array.from({ length: a.length }, (_, i) => a[i] - b[i]),
        ),
      ];
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
  return new Map(
    [...delta].map(([name, t]) => {
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
      const d = toFloat64(t);
      const b = numericView(base);
      const out = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = b[i] + d[i];
      return [name, { dtype: "float32", shape: [...t.shape], data: out }];
    }),
  );
}
