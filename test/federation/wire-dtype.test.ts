// Compressed updates (transfer.dtype): float32 tensors rounded to float16 or bfloat16 on the wire,
// the sites' changes sent instead of their weights, and a federation whose rounds carry half the
// bytes and land within the rounding of the float32 federation.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoundRecord } from "../../src/federation/coordinator/round-log.js";
import { QUADRATIC_TRAINER_MODULE } from "../../src/federation/simulation/messages.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import type { WeightSet } from "../../src/federation/weights/weight-set.js";
import { deltaFromWire, deltaToWire, fromWire, toWire } from "../../src/federation/weights/wire-dtype.js";
import type { NamedTensorData } from "../../src/nn/safetensors/index.js";
import { runInProcess } from "./helpers/federation.js";

const f32 = (...v: number[]): NamedTensorData => ({
  dtype: "float32",
  shape: [v.length],
  data: Float32Array.from(v),
});
const count: NamedTensorData = { dtype: "int64", shape: [], data: BigInt64Array.of(7n) };
const values = (w: WeightSet, name: string) => [...(w.get(name)!.data as Float32Array)];

test("weights round to the wire dtype and back: known float16 and bfloat16 values; counters untouched", () => {
  const w: WeightSet = new Map([
    ["w", f32(1 / 3, 65504, 1e-8, -2.5, 70000)],
    ["n", count],
  ]);
  const half = toWire(w, "float16");
  assert.equal(half.get("w")!.dtype, "float16");
  assert.equal(half.get("n"), count);
  // 1/3 -> 0x3555 = 0.333251953125; 1e-8 is below half the smallest subnormal (2^-24): 0;
  // 70000 is beyond float16's largest finite value 65504: infinity (validation refuses it).
  assert.deepEqual(values(fromWire(half, "float16", w), "w"), [
    0.333251953125,
    65504,
    0,
    -2.5,
    Number.POSITIVE_INFINITY,
  ]);
  // bfloat16 keeps float32's range with 8 significant bits: 1/3 -> 0x3EAB = 0.333984375.
  const brain = fromWire(toWire(w, "bfloat16"), "bfloat16", w);
  assert.deepEqual(values(brain, "w").slice(0, 2), [0.333984375, 65536]);
  assert.equal(toWire(w, "float32"), w, "float32 sends the weights as they are");
});

test("a site's change travels rounded and is added back to what it received", () => {
  const received: WeightSet = new Map([["w", f32(1, -0.5, 100)]]);
  const trained: WeightSet = new Map([["w", f32(1.001, -0.5, 100.25)]]);
  const delta = deltaToWire(trained, received, "float16");
  assert.equal(delta.get("w")!.dtype, "float16");
  const rebuilt = values(deltaFromWire(delta, received, "float16", "test"), "w");
  // float16(0.0010000467...) = 0.0010004043579101562; 0 stays 0; 0.25 is exact.
  assert.deepEqual(rebuilt, [Math.fround(1 + 0.0010004043579101562), -0.5, 100.25]);
  assert.throws(
    () => deltaFromWire(trained, received, "float16", "site x round 3"),
    /site x round 3: tensor "w" is float32, the round's wire dtype is float16/,
  );
});

test(
  "a float16 federation moves half the bytes and lands within its rounding of the float32 one",
  { timeout: 60_000 },
  async () => {
    const layout = {
      "model.0.conv.weight": { dtype: "float32" as const, shape: [64, 200] },
      "model.1.conv.weight": { dtype: "float32" as const, shape: [3000] },
      "model.0.adn.N.num_batches_tracked": { dtype: "int64" as const, shape: [] },
    };
    const run = async (dtype?: "float16") => {
      const { handle, siteRuns } = await runInProcess(
        {
          rounds: 3,
          strategy: { name: "fedavg" },
          minSitesToStart: 3,
          initialModel: { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: 1, layout } },
          ...(dtype && { transfer: { dtype } }),
        },
        ["a", "b", "c"].map((id, k) => ({
          id,
          trainer: new QuadraticTestTrainer({ siteSeed: k + 1, layout }),
        })),
      );
      const result = await handle.done;
      await Promise.all(siteRuns);
      const rounds = result.roundLog.records.filter((r): r is RoundRecord => r.type === "round");
      for (const r of rounds) assert.deepEqual(r.accepted, ["a", "b", "c"], `${dtype} round ${r.round}`);
      return { global: result.global, bytes: rounds.reduce((s, r) => s + r.bytesIn + r.bytesOut, 0) };
    };
    const full = await run();
    const half = await run("float16");
    const ratio = half.bytes / full.bytes;
    assert.ok(ratio > 0.49 && ratio < 0.52, `bytes ratio ${ratio}`);
    for (const name of ["model.0.conv.weight", "model.1.conv.weight"]) {
      const a = values(full.global, name);
      const b = values(half.global, name);
      const scale = Math.max(...a.map(Math.abs));
      const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
      // Each round the sites start from weights rounded to 11 significant bits.
      assert.ok(worst < 2e-3 * scale, `${name}: ${worst} vs scale ${scale}`);
      assert.ok(worst > 0, `${name}: the float16 federation should differ from the float32 one`);
    }
    assert.equal(full.global.get("model.0.adn.N.num_batches_tracked")!.dtype, "int64");
  },
);
