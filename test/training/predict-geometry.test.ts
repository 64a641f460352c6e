// Prediction geometry: a label map predicted for the real CT has exactly the input's shape and
// affine, and an LPS copy of the CT comes back in LPS, voxel for voxel the flip of the RAS result.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { orientationCodes, readNifti, writeNifti } from "../../src/data/nifti/index.js";
import { flipToLps } from "../../src/data/phantom/index.js";
import { manualSeed, setNumThreads } from "../../src/engine/index.js";
import { MultiHeadUNet } from "../../src/nn/monai/multi-head-unet.js";
import { loadPredictor } from "../../src/training/predict/load-predictor.js";
import { predictFile } from "../../src/training/predict/predict-file.js";
import { Trainer } from "../../src/training/trainer/trainer.js";
import { TOTALSEG_EXAMPLE } from "../fixtures/index.js";

const CT = TOTALSEG_EXAMPLE.ct;
const dir = mkdtempSync(join(tmpdir(), "segviz-predict-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("predictions keep the input's grid, in RAS and in LPS", async () => {
  setNumThreads(2);
  manualSeed(3);
  const heads = [{ task: "liver", organs: ["liver"] }];
  const config = {
    inChannels: 1,
    outChannels: 2,
    channels: [4, 8, 16],
    strides: [2, 2],
    numResUnits: 1,
    norm: "batch" as const,
  };
  const model = new MultiHeadUNet(config, [{ name: "liver", outChannels: 2 }]);
  const trainer = new Trainer(model, {
    organs: ["liver", "spleen", "pancreas", "kidney"],
    heads,
    loss: "dice",
    lr: 1e-3,
    seed: 0,
    checkpointInfo: {
      model: config,
      // Coarse spacing keeps the test fast; geometry handling is the same at any spacing.
      preprocess: {
        axcodes: "RAS",
        pixdim: [6, 6, 6],
        window: { aMin: -175, aMax: 250 },
        cropForeground: { threshold: 0, margin: 0 },
        minSize: null,
      },
      roi: [32, 32, 32],
      overlap: 0.25,
    },
  });
  const ckpt = join(dir, "ckpt");
  await trainer.saveCheckpoint(ckpt);
  const predictor = await loadPredictor(ckpt);

  const ras = await readNifti(CT);
  const predRas = await predictFile(predictor, CT);
  assert.deepEqual(predRas.shape, ras.shape.slice(0, 3));
  assert.deepEqual(predRas.affine, ras.affine);
  const values = new Set(predRas.data as Uint8Array);
  assert.ok(
    values.has(0) && values.has(1),
    `an untrained head should still mark some voxels: ${[...values]}`,
  );

  const lpsPath = join(dir, "ct-lps.nii.gz");
  const lps = flipToLps(ras);
  assert.equal(orientationCodes(lps.affine), "LPS");
  await writeNifti(lpsPath, lps);
  const predLps = await predictFile(predictor, lpsPath);
  const written = join(dir, "pred-lps.nii.gz");
  await writeNifti(written, predLps);
  const back = await readNifti(written);
  assert.equal(orientationCodes(back.affine), "LPS");
  assert.deepEqual(back.shape, lps.shape.slice(0, 3));
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) assert.ok(Math.abs(back.affine[r]![c]! - lps.affine[r]![c]!) < 1e-4);
  const expected = flipToLps(predRas).data as Uint8Array;
  const got = back.data as Uint8Array;
  let differ = 0;
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++;
  assert.equal(
    differ,
    0,
    `${differ} voxels differ between the LPS prediction and the flipped RAS prediction`,
  );
  model.dispose();
  trainer.dispose();
});
