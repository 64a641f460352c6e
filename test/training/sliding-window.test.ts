// Sliding-window inference: equals a direct forward pass when the ROI covers the volume, and
// matches a PyTorch implementation of MONAI's Gaussian blending on a volume larger than the ROI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import { conv3d, manualSeed, randn, sigmoid, type Tensor, tidy } from "../../src/engine/index.js";
import { loadStateDictFile, tensorToData } from "../../src/nn/checkpoint.js";
import { writeSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { importanceMap } from "../../src/training/inference/importance-map.js";
import { type RoiSize, slidingWindowInference } from "../../src/training/inference/sliding-window.js";
import { scanInterval, windowStarts } from "../../src/training/inference/window-grid.js";
import { assertClose, toNumbers } from "../helpers/compare.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-sw-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function flat(t: Tensor): number[] {
  return toNumbers(t.toArray() as Float32Array);
}

test("window starts follow MONAI's scan rule (hand-computed)", () => {
  // 10 voxels, roi 4, overlap 0.5 -> step 2: starts 0, 2, 4, 6 (6 + 4 = 10 reaches the end).
  assert.deepEqual(scanInterval([10], [4], 0.5), [2]);
  assert.deepEqual(windowStarts([10], [4], [2]), [[0], [2], [4], [6]]);
  // 11 voxels, roi 4, step 3: 0, 3, 6, then 9 moved back to 7.
  assert.deepEqual(windowStarts([11], [4], [3]), [[0], [3], [6], [7]]);
  // roi equal to the axis: one window, interval = roi.
  assert.deepEqual(scanInterval([8, 10], [8, 4], 0.25), [8, 3]);
  assert.deepEqual(windowStarts([8, 6], [8, 4], [8, 3]), [
    [0, 0],
    [0, 2],
  ]);
});

test("the Gaussian importance map peaks at the centre and is floored at 1e-3", () => {
  const m = importanceMap([5, 5, 5], "gaussian");
  const v = flat(m);
  assert.equal(v[2 * 25 + 2 * 5 + 2], 1);
  const sigma = 5 * 0.125;
  const corner = Math.max(Math.exp((3 * 4) / (-2 * sigma * sigma)), 1e-3);
  assert.ok(Math.abs(v[0]! - corner) < 1e-9, `corner ${v[0]} vs ${corner}`);
  m.dispose();
});

test("an ROI covering the volume equals a direct forward pass", () => {
  manualSeed(3);
  tidy(() => {
    const w = randn([3, 2, 3, 3, 3]);
    const x = randn([1, 2, 12, 10, 8]);
    const predictor = (b: Tensor) => sigmoid(conv3d(b, w, null, { padding: 1 }));
    const direct = predictor(x);
    const sw = slidingWindowInference(x, predictor, { roiSize: [12, 10, 8], mode: "gaussian" });
    assert.deepEqual(sw.shape, [1, 3, 12, 10, 8]);
    assertClose(flat(sw), flat(direct), 1e-6, "sliding window vs direct");
  });
});

test("a volume smaller than the ROI is padded and cropped back", () => {
  tidy(() => {
    const x = randn([1, 1, 5, 6, 7]);
    const sw = slidingWindowInference(x, (b) => b.mul(2), { roiSize: [8, 8, 8] });
    assert.deepEqual(sw.shape, [1, 1, 5, 6, 7]);
    assertClose(flat(sw), flat(x.mul(2)), 1e-6, "padded identity");
  });
});

for (const [mode, overlap, swBatch, roi] of [
  ["gaussian", 0.25, 4, [16, 16, 8]],
  ["gaussian", 0.5, 3, [12, 10, 8]],
  ["constant", 0.5, 2, [16, 12, 12]],
] as const) {
  test(`matches PyTorch's MONAI-style blending (${mode}, overlap ${overlap}, roi ${roi.join("x")})`, async () => {
    manualSeed(11);
    const w = randn([2, 1, 3, 3, 3]).mul(0.5);
    const bias = randn([2]);
    const x = randn([2, 1, 30, 27, 21]);
    const src = join(dir, `${mode}-${overlap}.in.safetensors`);
    const dst = src.replace(".in.", ".out.");
    await writeSafetensorsFile(
      src,
      { x: tensorToData(x), weight: tensorToData(w), bias: tensorToData(bias) },
      { roi: JSON.stringify(roi), overlap: String(overlap), mode, sw_batch: String(swBatch) },
    );
    runReference("torch_sliding_window.py", [src, dst]);
    const ref = (await loadStateDictFile(dst)).tensors.get("y")!;
    const ours = slidingWindowInference(x, (b) => sigmoid(conv3d(b, w, bias, { padding: 1 })), {
      roiSize: [...roi] as RoiSize,
      overlap,
      mode,
      swBatchSize: swBatch,
    });
    assert.deepEqual(ours.shape, ref.shape);
    assertClose(flat(ours), flat(ref), 1e-5, "blended prediction");
    for (const t of [w, bias, x, ref, ours]) t.dispose();
  });
}
