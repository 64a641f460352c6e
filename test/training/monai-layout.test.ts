// Exports mean the same thing in MONAI (issue 16): a trained site's monai-unet-<task>.safetensors,
// loaded strictly into a plain-PyTorch MONAI UNet and run by MONAI-style sliding window on the
// NIfTI exactly as nibabel gives it, (i, j, k), gives the label map `segviz predict` writes for
// that file, voxel for voxel (a voxel may differ only at a probability tie). The same weights
// without the axis reversal (the old export) give a different map: the test can fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runReference } from "../../bench/reference-python.js";
import { readNifti, writeNifti } from "../../src/data/nifti/index.js";
import { FEDERATION_SITES, writePhantomFederation } from "../../src/data/phantom/index.js";
import { preprocessVolumes } from "../../src/data/pipeline/preprocess-case.js";
import { manualSeed, noGrad, randn, Tensor } from "../../src/engine/index.js";
import { startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import { initialModelFromFile } from "../../src/federation/unet-site/unet-weights-file.js";
import { tensorsEqual } from "../../src/federation/weights/weight-set.js";
import { tensorToData } from "../../src/nn/checkpoint.js";
import { fromMonaiLayout, reverseSpatialAxes } from "../../src/nn/monai/monai-layout.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { parseSiteConfig } from "../../src/training/config/site-config.js";
import { loadPredictor } from "../../src/training/predict/load-predictor.js";
import { predictFile } from "../../src/training/predict/predict-file.js";
import { createStartingSiteModel, runSiteTraining } from "../../src/training/site/run-site-training.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-monai-layout-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLI = new URL("../../src/cli/main.js", import.meta.url).pathname;
const WINDOW = { aMin: -160, aMax: 240 };
const ROI: [number, number, number] = [24, 24, 16];

/** MONAI's labels and channel-1 probability for the image, [K, J, I] like SegViz's arrays. */
async function monaiPrediction(model: string, image: string, out: string) {
  runReference("monai_layout_predict.py", [
    model,
    image,
    out,
    JSON.stringify(ROI),
    "0.25",
    String(WINDOW.aMin),
    String(WINDOW.aMax),
  ]);
  const { tensors } = await readSafetensorsFile(out);
  return { labels: tensors.labels.data as Uint8Array, probability: tensors.probability.data as Float32Array };
}

describe("exported weights in MONAI's layout", { timeout: 240_000 }, () => {
  const run = join(dir, "run");
  const image = join(dir, "ras-5mm.nii.gz");
  before(async () => {
    const fed = join(dir, "fed");
    await writePhantomFederation(fed, {
      seed: 3,
      casesPerSite: 3,
      testCases: 0,
      size: "tiny",
      sites: FEDERATION_SITES.filter((s) => s.organ === "spleen"),
    });
    const cfg = parseSiteConfig(
      {
        site: "spleen",
        data: { layout: "msd", root: join(fed, "site-spleen") },
        labelMap: "MSD_TASK09_SPLEEN",
        model: { channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 },
        preprocess: { pixdim: [5, 5, 5], window: WINDOW, cropForeground: null },
        augment: { patchSize: [24, 24, 16], numSamples: 2 },
        training: {
          epochs: 6,
          batchSize: 1,
          lr: 0.01,
          validationFraction: 0,
          validateEvery: 6,
          roi: ROI,
          overlap: 0.25,
        },
        outDir: run,
      },
      "site.json",
    );
    await runSiteTraining(cfg);
    // A spleen case already on the model's grid (RAS, 5 mm), in HU: SegViz's preprocessing of it
    // is the window alone, which MONAI's side applies too, so both see the same voxels.
    const source = join(fed, "site-spleen", "imagesTr", "spleen_0.nii.gz");
    const pre = preprocessVolumes(
      await readNifti(source, { scaled: true, floatDtype: "float32" }),
      undefined,
      cfg.preprocess,
      source,
    ).image!;
    const hu = Float32Array.from(
      pre.data as Float32Array,
      (v) => v * (WINDOW.aMax - WINDOW.aMin) + WINDOW.aMin,
    );
    await writeNifti(image, { ...pre, dtype: "float32", data: hu });
  });

  test("MONAI's UNet on nibabel's (i, j, k) array predicts segviz predict's labels", async () => {
    const predictor = await loadPredictor(join(run, "last"));
    const ours = await predictFile(predictor, image, { roi: ROI });
    // SegViz writes the organ's index in its label map's vocabulary; MONAI's side writes 1.
    const spleen = predictor.organs.indexOf("spleen") + 1;
    const model = join(run, "monai-unet-spleen.safetensors");
    const { metadata } = await readSafetensorsFile(model);
    assert.equal(metadata?.layout, "ijk");
    const theirs = await monaiPrediction(model, image, join(dir, "monai.safetensors"));
    const labels = ours.data as Uint8Array;
    assert.equal(labels.length, theirs.labels.length);
    let organ = 0;
    const differing: number[] = [];
    for (let v = 0; v < labels.length; v++) {
      assert.ok(labels[v] === 0 || labels[v] === spleen);
      if (labels[v] !== 0) organ++;
      if (Number(labels[v] !== 0) !== theirs.labels[v]) differing.push(v);
    }
    assert.ok(organ > 50, `the model segments something (${organ} voxels)`);
    console.log(
      `# ${organ} organ voxels; ${differing.length} of ${labels.length} differ from MONAI's labels`,
    );
    for (const v of differing)
      assert.ok(
        Math.abs(theirs.probability[v] - 0.5) < 1e-4,
        `voxel ${v}: MONAI's probability ${theirs.probability[v]}`,
      );

    // The old export (kernels in SegViz's own axis order) is another network on MONAI's arrays.
    const { tensors } = await readSafetensorsFile(model);
    const unreversed = join(dir, "unreversed.safetensors");
    await writeSafetensorsFile(unreversed, fromMonaiLayout(tensors), metadata);
    const wrong = await monaiPrediction(unreversed, image, join(dir, "wrong.safetensors"));
    let changed = 0;
    for (let v = 0; v < labels.length; v++) if (Number(labels[v] !== 0) !== wrong.labels[v]) changed++;
    console.log(`# without the axis reversal ${changed} voxels differ`);
    assert.ok(changed > 20, `only ${changed} voxels changed without the axis reversal`);
  });

  test("reversing the spatial axes moves element [a, b, x, y, z] to [a, b, z, y, x] and is its own inverse", () => {
    const shape = [2, 1, 2, 3, 4];
    const data = Float32Array.from({ length: 48 }, (_, n) => n);
    const t = { dtype: "float32" as const, shape, data };
    const r = reverseSpatialAxes(t);
    assert.deepEqual(r.shape, [2, 1, 4, 3, 2]);
    const at = (d: ArrayLike<number>, s: number[], idx: number[]) =>
      d[idx.reduce((acc, i, n) => acc * s[n] + i, 0)];
    for (const [a, x, y, z] of [
      [0, 0, 0, 0],
      [1, 1, 2, 3],
      [0, 1, 0, 2],
      [1, 0, 2, 1],
    ])
      assert.equal(at(r.data as Float32Array, r.shape, [a, 0, z, y, x]), at(data, shape, [a, 0, x, y, z]));
    assert.deepEqual(Array.from(reverseSpatialAxes(r).data as Float32Array), Array.from(data));
    const bias = { dtype: "float32" as const, shape: [4], data: new Float32Array(4) };
    assert.equal(reverseSpatialAxes(bias), bias, "other ranks are untouched");
  });

  test("segviz export: torch.load reads model.pt, MONAI's UNet from inference.json loads it strictly and gives our logits", async () => {
    const out = join(dir, "bundles");
    const r = spawnSync(process.execPath, [CLI, "export", "--model", join(run, "last"), "--out", out], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const bundle = join(out, "model-spleen");
    assert.equal(r.stdout.trim(), bundle);
    const inference = JSON.parse(readFileSync(join(bundle, "configs", "inference.json"), "utf8"));
    assert.deepEqual(inference.network_def, {
      _target_: "monai.networks.nets.UNet",
      spatial_dims: 3,
      in_channels: 1,
      out_channels: 2,
      channels: [4, 8, 16],
      strides: [2, 2],
      kernel_size: 3,
      up_kernel_size: 3,
      num_res_units: 1,
      act: "PRELU",
      norm: "BATCH",
      dropout: 0,
    });
    assert.deepEqual(inference.inferer.roi_size, ROI);
    const scale = inference.preprocessing.transforms.find(
      (t: { _target_: string }) => t._target_ === "ScaleIntensityRanged",
    );
    assert.deepEqual([scale.a_min, scale.a_max, scale.clip], [WINDOW.aMin, WINDOW.aMax, true]);
    const metadata = JSON.parse(readFileSync(join(bundle, "configs", "metadata.json"), "utf8"));
    assert.deepEqual(metadata.network_data_format.outputs.pred.channel_def, {
      "0": "background",
      "1": "spleen",
    });
    assert.equal(metadata.segviz.layout, "ijk");
    assert.deepEqual(metadata.segviz.trainingData, [{ name: "spleen", cases: 3, organs: ["spleen"] }]);
    const card = readFileSync(join(bundle, "README.md"), "utf8");
    assert.match(card, /1 is spleen/);
    assert.match(card, /\| spleen \| spleen \| 3 \|/);
    assert.match(card, /not for diagnosis or treatment/);

    // Our logits on a fixed input in our layout, MONAI's on the same input in its layout.
    manualSeed(11);
    const x = randn([1, 1, 16, 24, 24]);
    const predictor = await loadPredictor(join(run, "last"));
    predictor.model.eval();
    const ours = noGrad(() => predictor.model.forwardAll(x).get("spleen")!);
    const src = join(dir, "bundle-in.safetensors");
    await writeSafetensorsFile(src, { x: tensorToData(x.permute([0, 1, 4, 3, 2]).contiguous()) });
    runReference("bundle_check.py", [bundle, src, join(dir, "bundle-out.safetensors")]);
    const theirs = (await readSafetensorsFile(join(dir, "bundle-out.safetensors"))).tensors.logits;
    const back = Tensor.fromArray(theirs.data as Float32Array, theirs.shape)
      .permute([0, 1, 4, 3, 2])
      .contiguous();
    const a = ours.toArray() as Float32Array;
    const b = back.toArray() as Float32Array;
    let worst = 0;
    for (let v = 0; v < a.length; v++) worst = Math.max(worst, Math.abs(a[v]! - b[v]!));
    console.log(`# bundle logits: largest difference ${worst.toExponential(2)} over ${a.length} values`);
    assert.ok(worst < 1e-5, `largest logit difference ${worst}`);
  });
});

// Uses the run and the bundle the tests above made.
describe("importing starting weights", { timeout: 240_000 }, () => {
  const run = join(dir, "run");
  const bundle = join(dir, "bundles", "model-spleen");
  const image = join(dir, "ras-5mm.nii.gz");
  const siteConfig = (extra: Record<string, unknown> = {}) =>
    parseSiteConfig(
      {
        site: "spleen",
        data: { layout: "msd", root: join(dir, "fed", "site-spleen") },
        labelMap: "MSD_TASK09_SPLEEN",
        model: { channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 },
        outDir: join(dir, "import-run"),
        ...extra,
      },
      "site.json",
    );
  const trainedState = async () => {
    const p = await loadPredictor(join(run, "last"));
    const state = new Map([...p.model.stateDict()].map(([k, t]) => [k, tensorToData(t)]));
    p.model.dispose();
    return state;
  };

  test("export then import (bundle folder, model.pt, .pt files PyTorch wrote) gives the trained weights bit for bit", async () => {
    const original = await trainedState();
    const ptByTorch = join(dir, "by-torch.pt");
    runReference("torch_save_load.py", [
      "save",
      join(bundle, "models", "model.safetensors"),
      ptByTorch,
      "dict",
    ]);
    // What torch.save(model.state_dict()) writes, as the Model Zoo's bundles ship it.
    const ordered = join(dir, "by-torch-ordered.pt");
    runReference("torch_save_load.py", [
      "save",
      join(bundle, "models", "model.safetensors"),
      ordered,
      "ordered",
    ]);
    for (const source of [bundle, join(bundle, "models", "model.pt"), ptByTorch, ordered]) {
      const model = await createStartingSiteModel(siteConfig({ initialWeights: source }), 99);
      try {
        const state = model.stateDict();
        assert.deepEqual([...state.keys()].sort(), [...original.keys()].sort());
        for (const [name, t] of state)
          assert.ok(tensorsEqual(tensorToData(t), original.get(name)!), `${source}: ${name}`);
      } finally {
        model.dispose();
      }
    }
  });

  test("segviz predict --model BUNDLE gives segviz predict --checkpoint's label map", async () => {
    const out = (name: string) => join(dir, name);
    for (const [flag, source, folder] of [
      ["--checkpoint", join(run, "last"), "pred-checkpoint"],
      ["--model", bundle, "pred-bundle"],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        [CLI, "predict", flag, source, "--input", image, "--out", out(folder)],
        {
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
    }
    const a = (await readNifti(join(out("pred-checkpoint"), "ras-5mm.nii.gz"))).data as Uint8Array;
    const b = (await readNifti(join(out("pred-bundle"), "ras-5mm.nii.gz"))).data as Uint8Array;
    // The bundle's vocabulary is its own organs (spleen = 1); the checkpoint's is its label map's.
    let differ = 0;
    for (let v = 0; v < a.length; v++) if (Number(a[v] !== 0) !== b[v]) differ++;
    assert.equal(differ, 0);
    assert.deepEqual(JSON.parse(readFileSync(join(out("pred-bundle"), "labels.json"), "utf8")), {
      "0": "background",
      "1": "spleen",
    });
  });

  test("a model of another shape is refused, naming the first tensor that differs", async () => {
    await assert.rejects(
      createStartingSiteModel(
        siteConfig({
          initialWeights: bundle,
          model: { channels: [4, 8, 32], strides: [2, 2], numResUnits: 1 },
        }),
        1,
      ),
      /site spleen: initialWeights .*model\.safetensors: "model\.1\.submodule\.1\.submodule\.conv\.unit0\.conv\.weight" has shape \[16,8,3,3,3\], the model expects \[32,8,3,3,3\]/,
    );
    await assert.rejects(
      createStartingSiteModel(siteConfig({ initialWeights: join(dir, "nothing-here") }), 1),
      /site spleen: initialWeights .*nothing-here: no such file or folder/,
    );
  });

  test("a federation starts from a bundle when heads stay local; shared heads cannot take MONAI's one head", async () => {
    const config = (strategy: { name: "segviz" | "fedavg" }) => ({
      host: "127.0.0.1",
      port: 0,
      rounds: 1,
      strategy,
      sites: [{ id: "spleen", token: "t" }],
      initialModel: initialModelFromFile(bundle),
    });
    const log = new MemoryLogger();
    const handle = await startCoordinator(config({ name: "segviz" }), log);
    await handle.stop();
    const started = log.records.find((r) => r.event === "initialized")!;
    const original = await trainedState();
    const body = [...original.keys()].filter((n) => !n.startsWith("heads."));
    assert.equal(started.fields.tensors, body.length);
    await assert.rejects(
      startCoordinator(config({ name: "fedavg" }), new MemoryLogger()),
      /hold MONAI's single head \(model\.2\.\*\), which fedavg would share/,
    );
  });
});
