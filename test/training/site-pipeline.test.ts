// The whole single-site path a user runs: a phantom site on disk -> `segviz train` (cache,
// worker patch loader, validation, checkpoints, MONAI export) -> `segviz predict` on the external
// test set -> `segviz evaluate` against its BTCV labels.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BTCV } from "../../src/data/datasets/label-maps.js";
import { readNifti, writeNifti } from "../../src/data/nifti/index.js";
import { writePhantomFederation } from "../../src/data/phantom/index.js";
import { readSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { parseSiteConfig } from "../../src/training/config/site-config.js";
import { evaluateFiles } from "../../src/training/evaluate/evaluate-files.js";
import { niftiFiles } from "../../src/training/evaluate/pair-files.js";
import { loadPredictor } from "../../src/training/predict/load-predictor.js";
import { predictFile } from "../../src/training/predict/predict-file.js";
import { runSiteTraining } from "../../src/training/site/run-site-training.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-site-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("train, resume, predict and evaluate a phantom site end to end", async () => {
  await writePhantomFederation(join(dir, "fed"), { seed: 3, casesPerSite: 3, testCases: 2, size: "tiny" });
  const cfg = parseSiteConfig(
    {
      site: "spleen",
      data: { layout: "msd", root: join(dir, "fed", "site-spleen") },
      labelMap: "MSD_TASK09_SPLEEN",
      model: { channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 },
      preprocess: { pixdim: [5, 5, 5] },
      augment: { patchSize: [24, 24, 16], numSamples: 2 },
      training: {
        epochs: 2,
        batchSize: 1,
        lr: 0.01,
        validationFraction: 0.34,
        validateEvery: 1,
        roi: [24, 24, 16],
      },
      outDir: join(dir, "run"),
    },
    "site.json",
  );
  const first = await runSiteTraining(cfg);
  assert.equal(first.epochs, 2);
  assert.deepEqual(first.skipped, []);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "run", "skipped.json"), "utf8")).skipped, []);
  for (const f of ["best/model.safetensors", "last/optimizer.safetensors", "split.json", "metrics.jsonl"]) {
    assert.ok(existsSync(join(dir, "run", f)), `${f} missing`);
  }
  const log = readFileSync(join(dir, "run", "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(log.filter((e) => e.event === "epoch").length, 2);
  assert.equal(log.filter((e) => e.event === "validation").length, 2);
  // The MONAI export has MONAI's names only.
  const monai = await readSafetensorsFile(join(dir, "run", "monai-unet-spleen.safetensors"));
  assert.ok(Object.keys(monai.tensors).every((k) => /^model\.[012]\./.test(k)));
  assert.ok("model.2.0.conv.weight" in monai.tensors);

  // Resume continues from epoch 2 to 3, reusing the saved split and the cache.
  const resumed = await runSiteTraining(
    { ...cfg, training: { ...cfg.training, epochs: 3 } },
    { resume: true },
  );
  assert.equal(resumed.epochs, 3);

  const predictor = await loadPredictor(join(dir, "run", "best"));
  const images = await niftiFiles(join(dir, "fed", "test-btcv", "img"));
  const predDir = join(dir, "pred");
  mkdirSync(predDir);
  for (const img of images) {
    const labels = await predictFile(predictor, img);
    const original = await readNifti(img);
    assert.deepEqual(labels.shape, original.shape.slice(0, 3));
    assert.deepEqual(labels.affine, original.affine);
    await writeNifti(join(predDir, img.split("/").pop()!), labels);
  }
  const r = await evaluateFiles(
    await niftiFiles(predDir),
    await niftiFiles(join(dir, "fed", "test-btcv", "label")),
    {
      truthLabelMap: BTCV,
      organs: ["spleen", "liver"],
      outDir: join(dir, "eval"),
    },
  );
  assert.equal(r.unpairedPredictions.length, 0);
  assert.equal(r.unpairedTruths.length, 0);
  assert.equal(r.evaluation.rows.length, 4);
  for (const row of r.evaluation.rows)
    assert.ok(row.dice >= 0 && row.dice <= 1, `${row.caseId} ${row.organ} ${row.dice}`);
  // This site only has a spleen head: it never predicts liver.
  assert.ok(r.evaluation.rows.filter((x) => x.organ === "liver").every((x) => x.dice === 0));
  assert.ok(existsSync(join(dir, "eval", "metrics.csv")));
  predictor.model.dispose();
});
