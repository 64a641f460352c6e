// The federation starts from the coordinator's weights, never a site's: a site whose id sorts
// first and whose model is a single tensor cannot shrink the federation to that tensor (issue 12:
// it used to); a coordinator without a starting point, or with a broken one, does not start; and
// the UNet the coordinator draws is bit for bit the body every site draws with the same seed.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { loadCheckpoint } from "../../src/federation/coordinator/checkpoint.js";
import { startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import { QUADRATIC_INITIAL_MODEL } from "../../src/federation/simulation/messages.js";
import { QuadraticTestTrainer } from "../../src/federation/testing/quadratic-trainer.js";
import { createInitialWeights } from "../../src/federation/unet-site/unet-initial-model.js";
import { tensorsEqual } from "../../src/federation/weights/weight-set.js";
import { SEGVIZ_UNET } from "../../src/nn/monai/unet.js";
import { jsonLines } from "../helpers/processes.js";
import { quadraticCoordinator, simulateQuadratic, tempDir } from "./helpers/federation.js";

describe("initial weights are the coordinator's", { timeout: 120_000 }, () => {
  test("a first-by-id site with a one-tensor model does not set the start; honest sites train the whole model", async () => {
    const dir = tempDir("initial-one-tensor");
    try {
      const ids = ["a-one-tensor", "b-honest", "c-honest"];
      const oneTensor = { "model.0.conv.unit0.conv.weight": { dtype: "float32", shape: [4, 3] } };
      const { result, checkpointDir, roundLogFile } = await simulateQuadratic(dir.path, ids, {
        minSitesToClose: 2,
        siteOptions: (_, k) => (k === 0 ? { layout: oneTensor } : {}),
      });
      assert.equal(result.completedRounds, 2);
      for (const s of result.sites.slice(1)) assert.deepEqual([s.exitCode, s.roundsTrained], [0, 2]);
      // The global model is the coordinator's whole shared set, not the first site's one tensor.
      const expected = new QuadraticTestTrainer({ siteSeed: 1 }).initialWeights();
      const global = loadCheckpoint(checkpointDir)!.global;
      const shared = [...(await expected).keys()].filter((n) => !n.startsWith("model.2."));
      assert.deepEqual([...global.keys()].sort(), shared.sort());
      // Its updates never counted: rejected by name, every round.
      const log = jsonLines(roundLogFile);
      const records = log.filter((r) => r.type === "site-round" && r.site === "a-one-tensor");
      assert.ok(records.length >= 1);
      for (const r of records) assert.notEqual(r.status, "accepted", JSON.stringify(r));
      const rounds = log.filter((r) => r.type === "round");
      for (const r of rounds) assert.deepEqual([...r.accepted].sort(), ["b-honest", "c-honest"]);
    } finally {
      dir.remove();
    }
  });

  test("without initialWeightsFile or initialModel the coordinator does not start", async () => {
    await assert.rejects(
      startCoordinator(quadraticCoordinator({ initialModel: undefined }), new MemoryLogger()),
      /coordinator: no initial weights: set initialWeightsFile \(safetensors\) or initialModel .*a site's weights are never taken as the start/,
    );
    await assert.rejects(
      startCoordinator(
        quadraticCoordinator({ initialModel: QUADRATIC_INITIAL_MODEL, initialWeightsFile: "w.safetensors" }),
        new MemoryLogger(),
      ),
      /give initialWeightsFile or initialModel, not both/,
    );
  });

  test("an initial model that is not finite, or a module without createInitialWeights, is refused by name", async () => {
    const dir = tempDir("initial-bad-module");
    try {
      const nan = join(dir.path, "nan-model.mjs");
      writeFileSync(
        nan,
        `export function createInitialWeights() {
          return new Map([["model.0.w", { dtype: "float32", shape: [2], data: new Float32Array([1, Number.NaN]) }]]);
        }`,
      );
      const empty = join(dir.path, "empty-model.mjs");
      writeFileSync(empty, "export const nothing = 1;\n");
      await assert.rejects(
        startCoordinator(
          quadraticCoordinator({ initialModel: { module: pathToFileURL(nan).href } }),
          new MemoryLogger(),
        ),
        /initial weights from initialModel .*nan-model\.mjs: tensor "model\.0\.w": element 1 is NaN/,
      );
      await assert.rejects(
        startCoordinator(
          quadraticCoordinator({ initialModel: { module: pathToFileURL(empty).href } }),
          new MemoryLogger(),
        ),
        /initialModel module .*empty-model\.mjs does not export createInitialWeights/,
      );
    } finally {
      dir.remove();
    }
  });

  test("the coordinator's UNet is the body each site draws with the same seed, whatever the heads", () => {
    const model = { ...SEGVIZ_UNET, channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 };
    const site = createInitialWeights({ model, heads: [{ task: "liver", organs: ["liver"] }], seed: 7 });
    const federation = createInitialWeights({
      model,
      heads: [
        { task: "abdomen", organs: ["liver", "spleen", "pancreas"] },
        { task: "liver", organs: ["liver"] },
      ],
      seed: 7,
    });
    const body = [...site.keys()].filter((n) => n.startsWith("model."));
    assert.ok(body.length > 10);
    for (const n of body) assert.ok(tensorsEqual(site.get(n)!, federation.get(n)!), n);
    // Another seed is another model.
    const reseeded = createInitialWeights({ model, heads: [{ task: "liver", organs: ["liver"] }], seed: 8 });
    assert.ok(body.some((n) => !tensorsEqual(site.get(n)!, reseeded.get(n)!)));
  });
});
