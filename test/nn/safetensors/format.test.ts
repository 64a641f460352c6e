import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  bfloat16BitsToNumber,
  decodeSafetensors,
  encodeSafetensors,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  readSafetensorsFile,
  writeSafetensorsFile,
} from "../../../src/nn/safetensors/index.js";
import { sameValues, toExpected } from "./expected-values.js";
import { sampleTensors } from "./sample-tensors.js";

describe("safetensors format", () => {
  test("round trip keeps every dtype, shape and value bit for bit", () => {
    const tensors = sampleTensors();
    const bytes = encodeSafetensors(tensors, { format: "pt", note: "ünïcode" });
    const decoded = decodeSafetensors(bytes, "roundtrip");
    assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
    for (const name of Object.keys(tensors)) {
      assert.equal(sameValues(decoded.tensors[name], toExpected(tensors[name])), null, name);
      assert.equal(decoded.tensors[name].data.constructor, tensors[name].data.constructor, name);
    }
    assert.deepEqual({ ...decoded.metadata }, { format: "pt", note: "ünïcode" });
    assert.equal(Object.getPrototypeOf(decoded.tensors), null);
    assert.equal(({} as Record<string, unknown>).dtype, undefined, "no prototype was polluted");
  });

  test("into a supplied buffer: every byte is written, so a dirty buffer gives the same file", () => {
    const tensors = sampleTensors();
    const expected = encodeSafetensors(tensors, { format: "pt" });
    let supplied: Uint8Array | undefined;
    const bytes = encodeSafetensors(tensors, { format: "pt" }, "dirty", (n) => {
      supplied = new Uint8Array(n).fill(0xa5);
      return supplied;
    });
    assert.equal(bytes, supplied);
    assert.deepEqual(bytes, expected);
    assert.throws(
      () => encodeSafetensors(tensors, undefined, "short", (n) => new Uint8Array(n - 1)),
      /short: output: allocated \d+ bytes, needs \d+/,
    );
  });

  test("layout: 8-byte aligned header padded with spaces, tensors contiguous in sorted name order", () => {
    const bytes = encodeSafetensors({
      b: { dtype: "int8", shape: [3], data: Int8Array.from([1, 2, 3]) },
      a: { dtype: "float32", shape: [1], data: Float32Array.from([1]) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    assert.match(
      header,
      /^\{"a":\{"dtype":"F32","shape":\[1\],"data_offsets":\[0,4\]\},"b":.*\[4,7\]\}\} *$/,
    );
    assert.equal(bytes.length, 8 + n + 7);
  });

  test("file helpers write atomically and read back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "segviz-st-"));
    try {
      const path = join(dir, "w.safetensors");
      await writeSafetensorsFile(path, sampleTensors(), { k: "v" });
      const back = await readSafetensorsFile(path);
      assert.equal(back.metadata.k, "v");
      assert.equal(back.tensors["i64.values"].data[2], 9223372036854775807n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("encode refuses inconsistent tensors", () => {
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "float32", shape: [2, 2], data: new Float32Array(3) } }),
      /tensor "w".data: 3 elements but shape \[2,2\] needs 4/,
    );
    assert.throws(
      () => encodeSafetensors({ w: { dtype: "float32", shape: [2], data: new Float64Array(2) as never } }),
      /Float64Array does not hold float32/,
    );
    assert.throws(() =>
      encodeSafetensors({ w: { dtype: "complex64" as never, shape: [1], data: new Float32Array(1) } }),
    );
  });

  test("half precision conversions round to nearest even", () => {
    assert.equal(numberToFloat16Bits(1), 0x3c00);
    assert.equal(numberToFloat16Bits(-2), 0xc000);
    assert.equal(numberToFloat16Bits(65504), 0x7bff);
    assert.equal(numberToFloat16Bits(65520), 0x7c00);
    assert.equal(numberToFloat16Bits(2 ** -24), 0x0001);
    assert.equal(numberToFloat16Bits(1 / 3), 0x3555);
    assert.equal(numberToFloat16Bits(1 + 2 ** -11), 0x3c00, "tie rounds to even");
    assert.equal(float16BitsToNumber(0x3555), 0.333251953125);
    assert.ok(Number.isNaN(float16BitsToNumber(0x7e00)));
    assert.equal(numberToBfloat16Bits(1), 0x3f80);
    assert.equal(numberToBfloat16Bits(1 / 3), 0x3eab);
    assert.equal(bfloat16BitsToNumber(0x3f80), 1);
    for (let bits = 0; bits < 0x10000; bits += 7) {
      const v = float16BitsToNumber(bits);
      if (!Number.isNaN(v)) assert.equal(numberToFloat16Bits(v), bits, `f16 bits ${bits}`);
    }
  });
});
