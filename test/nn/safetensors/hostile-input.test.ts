// The decoder sees bytes from the network: every malformed payload must be refused with an
// error that names the source and the field, without allocating what the header claims.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeSafetensors, SafetensorsError } from "../../../src/nn/safetensors/index.js";

function payload(
  header: string | Uint8Array,
  data: Uint8Array = new Uint8Array(0),
  claim?: bigint,
): Uint8Array {
  const h = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, claim ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function refuses(bytes: Uint8Array, pattern: RegExp) {
  assert.throws(
    () => decodeSafetensors(bytes, "peer site-3"),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, String(e));
      assert.match(e.message, /^safetensors peer site-3: /);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

const f32 = (name: string, shape: number[], begin: number, end: number) =>
  `${JSON.stringify(name)}:{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

describe("safetensors decoder on hostile input", () => {
  test("too short for the length field", () =>
    refuses(new Uint8Array(5), /header length: payload has 5 bytes/));

  test("header length past the end of the payload", () =>
    refuses(payload("{}", new Uint8Array(0), 1000n), /header length: 1000 bytes but only 2 follow/));

  test("huge header length is refused before any allocation", () => {
    refuses(payload("{}", new Uint8Array(0), 2n ** 63n), /header length: .* exceeds the cap/);
    refuses(payload("{}", new Uint8Array(0), 200_000_000n), /exceeds the cap of 104857600/);
  });

  test("header that is not JSON, not UTF-8, or not an object", () => {
    refuses(payload("{nope"), /header: not valid JSON/);
    refuses(payload(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])), /header: not valid UTF-8/);
    refuses(payload("[1, 2]   "), /header: does not start with '\{'/);
    refuses(payload(`{"a":1} x`), /trailing characters/);
  });

  test("duplicate keys are refused (JSON.parse would keep the last silently)", () => {
    refuses(
      payload(`{${f32("w", [1], 0, 4)},${f32("w", [1], 4, 8)}}`, new Uint8Array(8)),
      /duplicate key "w"/,
    );
  });

  test("unknown or missing dtype", () => {
    refuses(
      payload(`{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, new Uint8Array(16)),
      /tensor "w".dtype: unknown or unsupported dtype "F128"/,
    );
    refuses(
      payload(`{"w":{"shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4)),
      /tensor "w".dtype: missing/,
    );
  });

  test("bad shapes", () => {
    refuses(payload(`{${f32("w", [-1], 0, 4)}}`, new Uint8Array(4)), /tensor "w".shape: dimension -1/);
    refuses(
      payload(`{${f32("w", [1.5] as number[], 0, 4)}}`, new Uint8Array(4)),
      /tensor "w".shape: dimension 1.5/,
    );
    // A shape whose product overflows is caught against the payload size, never multiplied out.
    refuses(
      payload(`{${f32("w", [2 ** 40, 2 ** 40, 2 ** 40], 0, 4)}}`, new Uint8Array(4)),
      /tensor "w".shape: .* needs more bytes/,
    );
    refuses(
      payload(`{"w":{"dtype":"F32","shape":"4","data_offsets":[0,16]}}`, new Uint8Array(16)),
      /tensor "w".shape: missing or not an array/,
    );
  });

  test("offsets out of range, reversed, or not matching shape x itemsize", () => {
    refuses(payload(`{${f32("w", [1], 0, 4)}}`, new Uint8Array(2)), /tensor "w".(shape|data_offsets)/);
    refuses(
      payload(`{${f32("w", [2], 8, 0)}}`, new Uint8Array(8)),
      /tensor "w".data_offsets: begin 8 is after end 0/,
    );
    refuses(
      payload(`{${f32("w", [1], 0, 8)}}`, new Uint8Array(8)),
      /tensor "w".data_offsets: span 8 bytes does not match shape \[1\]/,
    );
    refuses(
      payload(`{${f32("w", [1], 0, 4)}}`, new Uint8Array(4), undefined).subarray(0, 10),
      /header length/,
    );
    refuses(
      payload(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, new Uint8Array(4)),
      /data_offsets: not a pair/,
    );
    refuses(
      payload(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,1e300]}}`, new Uint8Array(4)),
      /data_offsets: 1e\+300 is not a non-negative integer/,
    );
  });

  test("overlapping tensors, holes and undescribed trailing bytes", () => {
    refuses(
      payload(`{${f32("a", [2], 0, 8)},${f32("b", [1], 4, 8)}}`, new Uint8Array(8)),
      /overlaps the previous tensor/,
    );
    refuses(
      payload(`{${f32("a", [1], 0, 4)},${f32("b", [1], 8, 12)}}`, new Uint8Array(12)),
      /tensor "b".data_offsets: hole of 4 bytes/,
    );
    refuses(payload(`{${f32("a", [1], 0, 4)}}`, new Uint8Array(12)), /data: 8 bytes after the last tensor/);
  });

  test("metadata must be an object of strings", () => {
    refuses(payload(`{"__metadata__":["x"]}`), /__metadata__: not an object of strings/);
    refuses(payload(`{"__metadata__":{"epoch":3}}`), /__metadata__."epoch": value is not a string/);
  });

  test("unknown tensor fields and non-object entries", () => {
    refuses(
      payload(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"exec":"rm -rf"}}`, new Uint8Array(4)),
      /tensor "w".exec: unknown field/,
    );
    refuses(payload(`{"w":7}`), /tensor "w": not an object/);
    refuses(payload(`{${f32("", [1], 0, 4)}}`, new Uint8Array(4)), /empty tensor name/);
  });

  test("bool tensors must hold 0 or 1", () => {
    refuses(
      payload(`{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}`, Uint8Array.from([1, 7])),
      /tensor "m": bool element 1/,
    );
  });

  test("names like __proto__ and constructor stay ordinary keys and pollute nothing", () => {
    const header = `{${f32("__proto__", [1], 0, 4)},${f32("constructor", [1], 4, 8)},"__metadata__":{"__proto__":"x","toString":"y"}}`;
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    const d = decodeSafetensors(payload(header, data), "peer");
    assert.equal(Object.getPrototypeOf(d.tensors), null);
    assert.deepEqual(Object.keys(d.tensors).sort(), ["__proto__", "constructor"]);
    assert.equal(d.tensors.__proto__.data[0], 1);
    assert.equal(d.metadata.__proto__, "x" as never);
    assert.equal(d.metadata.toString, "y" as never);
    assert.equal(({} as { dtype?: unknown }).dtype, undefined);
  });

  test("deeply nested JSON is refused, not a stack overflow", () => {
    refuses(payload(`{"__metadata__":${"[".repeat(100_000)}}`), /header: not valid JSON: nesting too deep/);
  });

  test("random corruption of a valid payload never throws anything but SafetensorsError", () => {
    const header = `{${f32("a", [2], 0, 8)},${f32("b", [1], 8, 12)}}`;
    const good = payload(header, new Uint8Array(12));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const bad = good.slice(0, Math.max(1, Math.floor(rand() * (good.length + 4))));
      for (let k = 0; k < 3; k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        decodeSafetensors(bad, "fuzz");
      } catch (e) {
        assert.ok(e instanceof SafetensorsError, `iteration ${i}: ${String(e)}`);
      }
    }
  });
});
