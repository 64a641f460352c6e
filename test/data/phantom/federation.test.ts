import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readNifti } from "../../../src/data/nifti/index.js";
import {
  BTCV_LABELS,
  caseSeed,
  FEDERATION_SITES,
  type FederationResult,
  generatePhantom,
  PHANTOM_ORGAN_LABELS,
  planFederation,
  writePhantomFederation,
} from "../../../src/data/phantom/index.js";
import type { Volume } from "../../../src/data/volume.js";
import { worldCentroid } from "./measure.js";

const OPTIONS = { seed: 2024, casesPerSite: 2, testCases: 2, size: "tiny" as const };

let root = "";
let result: FederationResult;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "segviz-phantom-"));
  result = await writePhantomFederation(root, OPTIONS);
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function valueCounts(v: Volume): Map<number, number> {
  const counts = new Map<number, number>();
  for (const x of v.data as Uint8Array) counts.set(x, (counts.get(x) ?? 0) + 1);
  return counts;
}

function assertAffineClose(actual: number[][], expected: number[][], tol = 1e-3): void {
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++)
      assert.ok(Math.abs(actual[r][c] - expected[r][c]) < tol, `affine[${r}][${c}]`);
}

/** A Python 3 with nibabel (Debian's python3-nibabel lives under /usr/bin), or null. */
function pythonWithNibabel(): string | null {
  return findPythonWith("nibabel");
}

const NIBABEL_SCRIPT = `
import sys, json
import numpy as np, nibabel as nib
out = []
for path in sys.argv[1:]:
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    entry = {"shape": list(img.shape), "affine": img.affine.tolist(), "dtype": str(data.dtype),
             "axcodes": "".join(nib.aff2axcodes(img.affine)), "sum": int(data.astype(np.int64).sum())}
    if data.dtype == np.uint8:
        values, counts = np.unique(data, return_counts=True)
        entry["counts"] = {str(int(v)): int(c) for v, c in zip(values, counts)}
    out.append(entry)
print(json.dumps(out))
`;

import { findPythonWith } from "../../../bench/reference-python.js";

describe("phantom federation on disk", () => {
  test("each training site is an MSD folder whose dataset.json lists its cases", () => {
    for (const site of FEDERATION_SITES) {
      const dir = join(root, site.name);
      const dataset = JSON.parse(readFileSync(join(dir, "dataset.json"), "utf8"));
      assert.deepEqual(dataset.labels, { "0": "background", "1": site.organ });
      assert.deepEqual(dataset.modality, { "0": "CT" });
      assert.equal(dataset.numTraining, OPTIONS.casesPerSite);
      assert.equal(dataset.training.length, OPTIONS.casesPerSite);
      for (const entry of dataset.training) {
        assert.match(entry.image, /^\.\/imagesTr\/[a-z]+_\d+\.nii\.gz$/);
        assert.equal(entry.label, entry.image.replace("imagesTr", "labelsTr"));
        assert.ok(existsSync(join(dir, entry.image)) && existsSync(join(dir, entry.label)));
      }
    }
  });

  test("site files round-trip and label only the site's own organ", async () => {
    for (const site of result.manifest.sites) {
      const spec = FEDERATION_SITES.find((s) => s.name === site.name)!;
      const c = site.cases[0];
      const image = await readNifti(join(root, c.image));
      const label = await readNifti(join(root, c.label));
      // Regenerate the same case in memory: the files must hold exactly it.
      const phantom = generatePhantom({ seed: c.seed, style: spec.style, size: OPTIONS.size });
      assert.equal(image.dtype, "int16");
      assert.equal(label.dtype, "uint8");
      assert.deepEqual(image.shape, phantom.image.shape);
      assert.deepEqual(image.data, phantom.image.data);
      assertAffineClose(image.affine, phantom.image.affine);
      assertAffineClose(label.affine, phantom.image.affine);
      const own = PHANTOM_ORGAN_LABELS[site.organ];
      const truth = phantom.labels.data as Uint8Array;
      const written = label.data as Uint8Array;
      let ones = 0;
      for (let q = 0; q < truth.length; q++) {
        assert.equal(written[q], truth[q] === own ? 1 : 0, `${site.name} voxel ${q}`);
        ones += written[q];
      }
      assert.ok(ones > 0, `${site.name} labels its organ`);
      // The other organs are in the image (and in the phantom's full labels) but are background here.
      const others = new Set(truth);
      for (const id of [1, 2, 3, 4]) assert.ok(others.has(id), `${site.name}: organ ${id} is in the image`);
      assert.deepEqual([...valueCounts(label).keys()].sort(), [0, 1]);
    }
  });

  test("the external test set is in BTCV layout with BTCV organ ids", async () => {
    for (let n = 1; n <= OPTIONS.testCases; n++) {
      const id = String(n).padStart(4, "0");
      const image = await readNifti(join(root, "test-btcv", "img", `img${id}.nii.gz`));
      const label = await readNifti(join(root, "test-btcv", "label", `label${id}.nii.gz`));
      assert.deepEqual(label.shape, image.shape);
      const ids = [...valueCounts(label).keys()].sort((a, b) => a - b);
      assert.deepEqual(ids, [0, 1, 2, 3, 6, 11]);
      assert.equal(BTCV_LABELS.spleen, 1);
      // RAS+: the patient's right is +x.
      assert.ok(worldCentroid(label, BTCV_LABELS.rightKidney)[0] > 30, "right kidney at +x");
      assert.ok(worldCentroid(label, BTCV_LABELS.leftKidney)[0] < -30, "left kidney at -x");
      assert.ok(worldCentroid(label, BTCV_LABELS.liver)[0] > 0, "liver at +x");
      assert.ok(worldCentroid(label, BTCV_LABELS.spleen)[0] < 0, "spleen at -x");
      const pancreas = worldCentroid(label, BTCV_LABELS.pancreas);
      assert.ok(worldCentroid(label, BTCV_LABELS.rightKidney)[1] < pancreas[1], "kidneys behind pancreas");
    }
  });

  test("phantom.json records seeds, sizes and styles", () => {
    const manifest = JSON.parse(readFileSync(join(root, "phantom.json"), "utf8"));
    assert.deepEqual(manifest, JSON.parse(JSON.stringify(result.manifest)));
    assert.equal(manifest.seed, OPTIONS.seed);
    assert.equal(manifest.size, "tiny");
    const plan = planFederation(OPTIONS);
    assert.deepEqual(
      manifest.sites.map((s: { name: string }) => s.name),
      FEDERATION_SITES.map((s) => s.name),
    );
    manifest.sites.forEach((site: { style: { name: string }; cases: { seed: number }[] }, n: number) => {
      assert.equal(site.style.name, FEDERATION_SITES[n].style.name);
      assert.deepEqual(
        site.cases.map((c) => c.seed),
        plan.sites[n].cases.map((c) => c.seed),
      );
    });
    assert.equal(manifest.test.cases[0].seed, caseSeed(OPTIONS.seed, "test-btcv", 1));
    assert.deepEqual(manifest.test.labels, { ...BTCV_LABELS });
    const seeds = [
      ...manifest.sites.flatMap((s: { cases: { seed: number }[] }) => s.cases),
      ...manifest.test.cases,
    ].map((c: { seed: number }) => c.seed);
    assert.equal(new Set(seeds).size, seeds.length, "every case has its own seed");
  });

  test("nibabel reads the files with the same shape, affine, orientation and labels", async (t) => {
    const python = pythonWithNibabel();
    if (!python) {
      t.skip("python3 with nibabel not available");
      return;
    }
    const liverSite = result.manifest.sites.find((s) => s.organ === "liver")!;
    const spleenSite = result.manifest.sites.find((s) => s.organ === "spleen")!;
    const files = [
      liverSite.cases[0].image,
      liverSite.cases[0].label,
      spleenSite.cases[0].label,
      result.manifest.test.cases[0].label,
    ];
    const info = JSON.parse(
      execFileSync(python, ["-c", NIBABEL_SCRIPT, ...files.map((f) => join(root, f))], { encoding: "utf8" }),
    );
    const ours = await Promise.all(files.map((f) => readNifti(join(root, f))));
    info.forEach(
      (
        entry: { shape: number[]; affine: number[][]; sum: number; counts?: Record<string, number> },
        n: number,
      ) => {
        assert.deepEqual(entry.shape, ours[n].shape);
        assertAffineClose(entry.affine, ours[n].affine);
        let sum = 0;
        for (const v of ours[n].data as Int16Array | Uint8Array) sum += v;
        assert.equal(entry.sum, sum);
        if (entry.counts) {
          const counts = Object.fromEntries([...valueCounts(ours[n])].map(([v, c]) => [String(v), c]));
          assert.deepEqual(entry.counts, counts);
        }
      },
    );
    assert.equal(info[0].axcodes, "LPS", "the liver site is written in LPS voxel order");
    assert.equal(info[2].axcodes, "RAS");
    assert.deepEqual(
      Object.keys(info[3].counts)
        .map(Number)
        .sort((a: number, b: number) => a - b),
      [0, 1, 2, 3, 6, 11],
    );
  });
});

test("unequal sites: siteCases overrides casesPerSite per organ, the n-th case is the same phantom", () => {
  const equal = planFederation({ seed: 3, casesPerSite: 4, testCases: 2, size: "tiny" });
  const unequal = planFederation({
    seed: 3,
    casesPerSite: 4,
    siteCases: { liver: 2, pancreas: 7 },
    testCases: 2,
    size: "tiny",
  });
  const counts = Object.fromEntries(unequal.sites.map((s) => [s.organ, s.cases.length]));
  assert.deepEqual(counts, { liver: 2, spleen: 4, pancreas: 7, kidney: 4 });
  for (const [i, site] of unequal.sites.entries()) {
    const shared = Math.min(site.cases.length, equal.sites[i].cases.length);
    assert.deepEqual(site.cases.slice(0, shared), equal.sites[i].cases.slice(0, shared));
  }
  assert.deepEqual(unequal.test, equal.test);
  assert.throws(
    () =>
      planFederation({
        seed: 3,
        casesPerSite: 4,
        siteCases: { heart: 2 } as never,
        testCases: 1,
        size: "tiny",
      }),
    /siteCases: no site labels 'heart'/,
  );
  assert.throws(
    () => planFederation({ seed: 3, casesPerSite: 4, siteCases: { liver: 0 }, testCases: 1, size: "tiny" }),
    /siteCases.liver must be an integer >= 1/,
  );
});
