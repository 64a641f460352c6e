// The whole-array 16-bit float conversions against the number-by-number ones (half.ts, checked
// against PyTorch elsewhere): every float16 pattern, and float32 patterns covering every exponent,
// the rounding ties, subnormals, overflow, infinities and NaN.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  bfloat16BitsToNumber,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from "../../../src/nn/safetensors/half.js";
import {
  bfloat16ToFloat32Array,
  float16ToFloat32Array,
  float32ToBfloat16Array,
  float32ToFloat16Array,
} from "../../../src/nn/safetensors/half-arrays.js";
import { mulberry32 } from "../../../src/util/mulberry32.js";

function float32Patterns(): Float32Array {
  const bits: number[] = [];
  const random = mulberry32(11);
  // Every exponent, with fractions at and around float16's and bfloat16's rounding points.
  for (let e = 0; e < 256; e++)
    for (const m of [0, 1, 0xfff, 0x1000, 0x1001, 0x2000, 0x3000, 0x7fff, 0x8000, 0x8001, 0x18000, 0x7fffff])
      for (const sign of [0, 0x80000000]) bits.push((sign | (e << 23) | m) >>> 0);
  for (let i = 0; i < 200_000; i++) bits.push(Math.floor(random() * 2 ** 32) >>> 0);
  return new Float32Array(Uint32Array.from(bits).buffer);
}

const sameOrBothNaN = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

test("float32 -> float16 and bfloat16 arrays round as the scalar conversions do", () => {
  const values = float32Patterns();
  const half = float32ToFloat16Array(values);
  const brain = float32ToBfloat16Array(values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const expected = [numberToFloat16Bits(v), numberToBfloat16Bits(v)];
    const got = [half[i]!, brain[i]!];
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(float16BitsToNumber(got[0]!)), `float16 of NaN ${i}`);
      assert.ok(Number.isNaN(bfloat16BitsToNumber(got[1]!)), `bfloat16 of NaN ${i}`);
    } else
      assert.deepEqual(got, expected, `value ${v} (bits ${new Uint32Array(values.buffer)[i]!.toString(16)})`);
  }
});

test("float16 and bfloat16 arrays -> float32: every pattern as the scalar conversion", () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const half = float16ToFloat32Array(all);
  const brain = bfloat16ToFloat32Array(all);
  for (let b = 0; b < 65536; b++) {
    assert.ok(sameOrBothNaN(half[b]!, Math.fround(float16BitsToNumber(b))), `float16 ${b.toString(16)}`);
    assert.ok(sameOrBothNaN(brain[b]!, bfloat16BitsToNumber(b)), `bfloat16 ${b.toString(16)}`);
  }
});
