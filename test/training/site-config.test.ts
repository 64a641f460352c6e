// Site configs: defaults are the study's, and every malformed field is named in the error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSiteConfig } from "../../src/training/config/site-config.js";

const minimal = {
  site: "liver",
  data: { layout: "msd", root: "/data/Task03" },
  labelMap: "MSD_TASK03_LIVER",
  outDir: "runs/liver",
};

test("a minimal config gets the SegViz defaults", () => {
  const c = parseSiteConfig(minimal, "site.json");
  assert.deepEqual(c.heads, [{ task: "liver", organs: ["liver"] }]);
  assert.deepEqual(c.model.channels, [16, 32, 64, 128, 256]);
  assert.equal(c.model.norm, "batch");
  assert.deepEqual(c.preprocess.pixdim, [1.5, 1.5, 2]);
  assert.deepEqual(c.augment.patchSize, [128, 128, 32]);
  assert.equal(c.training.lr, 1e-4);
  assert.equal(c.cacheDir, "runs/liver/cache");
});

test("errors name the file and each bad field", () => {
  const bad = {
    ...minimal,
    training: { lr: -1, epochs: 0, roi: [96, 96] },
    model: { norm: "group" },
    extra: 1,
  };
  assert.throws(
    () => parseSiteConfig(bad, "site.json"),
    (e: Error) =>
      e.message.startsWith("site.json: invalid config") &&
      e.message.includes("/training/lr") &&
      e.message.includes("/training/epochs") &&
      e.message.includes("/training/roi") &&
      e.message.includes("/model/norm") &&
      e.message.includes("unknown field 'extra'"),
  );
  assert.throws(
    () => parseSiteConfig({ ...minimal, labelMap: "NOPE" }, "s.json"),
    /\/labelMap: unknown label map 'NOPE'/,
  );
  assert.throws(
    () => parseSiteConfig({ ...minimal, heads: [{ task: "a", organs: ["heart"] }] }, "s.json"),
    /\/heads\/0\/organs: 'heart' is not in the label map/,
  );
  assert.throws(
    () => parseSiteConfig({ ...minimal, model: { channels: [8, 16], strides: [2, 2] } }, "s.json"),
    /\/model\/strides/,
  );
  assert.throws(() => parseSiteConfig({ site: "x" }, "s.json"), /missing field 'data'/);
});

test("training.precision: fp32 by default, bf16 accepted, fp16 refused on a CPU with the field named", () => {
  assert.equal(parseSiteConfig(minimal, "site.json").training.precision, "fp32");
  assert.equal(
    parseSiteConfig({ ...minimal, training: { precision: "bf16" } }, "site.json").training.precision,
    "bf16",
  );
  assert.equal(
    parseSiteConfig({ ...minimal, training: { precision: "fp16", device: "cuda" } }, "site.json").training
      .precision,
    "fp16",
  );
  assert.throws(
    () => parseSiteConfig({ ...minimal, training: { precision: "fp16" } }, "site.json"),
    /site\.json: invalid config:\n {2}\/training\/precision: "fp16" needs a CUDA device \(\/training\/device is "cpu"\)/,
  );
  assert.throws(
    () => parseSiteConfig({ ...minimal, training: { precision: "half" } }, "site.json"),
    /\/training\/precision/,
  );
});
