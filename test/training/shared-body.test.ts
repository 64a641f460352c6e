// Evaluation runs a byte-identical body once per window for all the members that share it (a
// federated arm whose sites hold the same body). Each head's probabilities must equal that
// member run alone: its own body and head through the sliding window, then softmax.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Volume } from "../../src/data/volume.js";
import { manualSeed, noGrad, softmax, Tensor, tidy } from "../../src/engine/index.js";
import { MultiHeadUNet } from "../../src/nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../src/nn/monai/unet.js";
import { slidingWindowInference } from "../../src/training/inference/sliding-window.js";
import { bodyDigest } from "../../src/training/predict/body-digest.js";
import type { Predictor } from "../../src/training/predict/load-predictor.js";
import { disposeOutputs, ensembleOutputs } from "../../src/training/predict/predict-ensemble.js";
import { assertClose, toNumbers } from "../helpers/compare.js";

const config: UNetConfig = {
  inChannels: 1,
  outChannels: 2,
  channels: [4, 8, 16],
  strides: [2, 2],
  numResUnits: 1,
  norm: "batch",
};
const roi: [number, number, number] = [16, 16, 16];

function predictor(task: string, organ: number, seed: number): Predictor {
  manualSeed(seed);
  const model = new MultiHeadUNet(config, [{ name: task, outChannels: 2 }]).eval();
  return {
    model,
    heads: [{ task, organIndices: [organ] }],
    organs: ["liver", "spleen", "kidney"],
    preprocess: {
      axcodes: "RAS",
      pixdim: [1, 1, 1],
      window: { aMin: -100, aMax: 200 },
      cropForeground: null,
      minSize: null,
    },
    roi: [16, 16, 16],
    overlap: 0.25,
  };
}

/** The member alone: its own body and head per window, blended, softmax. */
function alone(p: Predictor, input: Tensor): Float32Array {
  return noGrad(() =>
    tidy(() => {
      const logits = slidingWindowInference(input, (w) => p.model.forwardTask(p.heads[0]!.task, w), {
        roiSize: roi,
        overlap: 0.25,
        mode: "gaussian",
      });
      return softmax(logits, 1).toArray() as Float32Array;
    }),
  );
}

test("members with one body share its pass; a member with another body runs its own; all equal running alone", () => {
  const liver = predictor("liver", 1, 1);
  const spleen = predictor("spleen", 2, 2);
  const kidney = predictor("kidney", 3, 3);
  // The spleen site holds the liver site's body (a federated arm); the kidney site's differs.
  spleen.model.loadStateDict(
    new Map([...liver.model.stateDict()].filter(([n]) => !MultiHeadUNet.isHeadName(n))),
    { strict: false },
  );
  assert.equal(bodyDigest(spleen.model), bodyDigest(liver.model));
  assert.notEqual(bodyDigest(kidney.model), bodyDigest(liver.model));

  const shape = [26, 21, 19];
  const data = Float32Array.from(
    { length: shape[0]! * shape[1]! * shape[2]! },
    (_, i) => ((i * 37) % 300) - 100,
  );
  const affine = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  const image: Volume = { shape, dtype: "float32", data, affine };
  const members = [liver, spleen, kidney];
  const outputs = ensembleOutputs(
    members.map((predictor) => ({ predictor })),
    image,
    "synthetic.nii.gz",
    { slidingWindow: { roiSize: roi, overlap: 0.25, mode: "gaussian" }, threshold: 0.5, device: "cpu" },
  );
  try {
    const pre = outputs.grid;
    const [i, j, k] = pre.shape as [number, number, number];
    const input = Tensor.fromArray(pre.data as Float32Array, [1, 1, k, j, i]);
    members.forEach((m, mi) => {
      const head = outputs.heads[mi]!;
      assert.deepEqual(head.organIndices, m.heads[0]!.organIndices, "heads stay in member order");
      assertClose(
        toNumbers(head.probs.toArray() as Float32Array),
        toNumbers(alone(m, input)),
        1e-6,
        m.heads[0]!.task,
      );
    });
    input.dispose();
  } finally {
    disposeOutputs(outputs);
    for (const m of members) m.model.dispose();
  }
});
