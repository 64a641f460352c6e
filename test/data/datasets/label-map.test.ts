// Label maps: known id -> organ tables, the real TotalSegmentator segmentation against the voxel
// counts in its PROVENANCE.md, and values outside a map rejected naming the file.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyLabelMap,
  BTCV,
  countOrgans,
  KITS19,
  type LabelMap,
  MSD_TASK03_LIVER,
  MSD_TASK07_PANCREAS,
  MSD_TASK09_SPLEEN,
  ORGANS,
  TOTALSEGMENTATOR,
} from "../../../src/data/datasets/index.js";
import { readNifti } from "../../../src/data/nifti/index.js";
import { TOTALSEG_EXAMPLE } from "../../fixtures/index.js";

const SEG = TOTALSEG_EXAMPLE.segSmall;

// ORGANS order: liver 1, spleen 2, pancreas 3, kidney 4.
test("the organ vocabulary is liver, spleen, pancreas, kidney", () => {
  assert.deepEqual(ORGANS, ["liver", "spleen", "pancreas", "kidney"]);
});

test("BTCV: 1 spleen, 2 and 3 kidney, 6 liver, 11 pancreas, the other organs background", () => {
  const ids = Uint8Array.from({ length: 14 }, (_, i) => i);
  assert.deepEqual([...applyLabelMap(ids, BTCV, "btcv.nii.gz")], [0, 2, 4, 4, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0]);
});

test("tumour labels merge into their organ", () => {
  const ids = new Uint8Array([0, 1, 2]);
  assert.deepEqual([...applyLabelMap(ids, MSD_TASK03_LIVER, "f")], [0, 1, 1]);
  assert.deepEqual([...applyLabelMap(ids, MSD_TASK07_PANCREAS, "f")], [0, 3, 3]);
  assert.deepEqual([...applyLabelMap(ids, KITS19, "f")], [0, 4, 4]);
  assert.deepEqual([...applyLabelMap(ids.subarray(0, 2), MSD_TASK09_SPLEEN, "f")], [0, 2]);
});

test("every stored label dtype works, int64 and integral floats included", () => {
  const want = [0, 2, 4, 1, 3];
  const values = [0, 1, 3, 6, 11];
  for (const Type of [
    Uint8Array,
    Int8Array,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
  ]) {
    assert.deepEqual([...applyLabelMap(Type.from(values), BTCV, "f")], want, Type.name);
  }
  assert.deepEqual([...applyLabelMap(Float64Array.from(values), BTCV, "f")], want);
  assert.deepEqual([...applyLabelMap(BigInt64Array.from(values.map(BigInt)), BTCV, "f")], want);
});

test("a value outside the map is an error naming the file, the value and the allowed ids", () => {
  const cases: [ArrayLike<number> & object, RegExp][] = [
    [new Uint8Array([0, 1, 14, 14]), /label value 14 \(voxel 2; 2 voxel\(s\) outside the map\)/],
    [new Int16Array([0, -1]), /label value -1/],
    [new Float32Array([0, 1.5]), /label value 1\.5/],
    [new Float32Array([Number.NaN]), /label value NaN/],
  ];
  for (const [labels, problem] of cases) {
    assert.throws(
      () => applyLabelMap(labels as Uint8Array, BTCV, "/data/labelsTr/label0007.nii.gz"),
      (err: Error) => {
        assert.ok(err.message.startsWith("/data/labelsTr/label0007.nii.gz: "), err.message);
        assert.match(err.message, problem);
        assert.match(err.message, /not in label map "BTCV" \(allowed: 0-13\)/);
        return true;
      },
    );
  }
  assert.throws(() => applyLabelMap(new Uint8Array([3]), MSD_TASK03_LIVER, "liver_3.nii"), /allowed: 0-2\)/);
});

test("invalid label maps are refused", () => {
  const unknownOrgan: LabelMap = { name: "typo", labels: { 1: "livr" } };
  assert.throws(() => applyLabelMap(new Uint8Array(1), unknownOrgan, "f"), /id 1 maps to "livr"/);
  const clash: LabelMap = { name: "clash", labels: { 2: "liver" }, background: [[1, 3]] };
  assert.throws(
    () => applyLabelMap(new Uint8Array(1), clash, "f"),
    /id 2 is listed both as background and as liver/,
  );
  const badAnnotated: LabelMap = { name: "a", labels: { 1: "liver" }, annotated: ["heart"] };
  assert.throws(() => applyLabelMap(new Uint8Array(1), badAnnotated, "f"), /annotated organ "heart"/);
});

test("TotalSegmentator seg_small.nii.gz gives PROVENANCE.md's voxel counts", async () => {
  const seg = await readNifti(SEG);
  assert.equal(seg.dtype, "uint8", "labels keep their integer dtype");
  const organs = applyLabelMap(seg.data, TOTALSEGMENTATOR, SEG);
  assert.deepEqual(countOrgans(organs, TOTALSEGMENTATOR), {
    liver: 38634,
    spleen: 9452,
    pancreas: 644,
    kidney: 3947 + 3676,
  });
  const sided: LabelMap = {
    name: "TotalSegmentator, kidneys apart",
    organs: ["spleen", "kidney_right", "kidney_left", "liver", "pancreas"],
    labels: { 1: "spleen", 2: "kidney_right", 3: "kidney_left", 5: "liver", 7: "pancreas" },
    background: [4, 6, [8, 117]],
  };
  assert.deepEqual(countOrgans(applyLabelMap(seg.data, sided, SEG), sided), {
    spleen: 9452,
    kidney_right: 3947,
    kidney_left: 3676,
    liver: 38634,
    pancreas: 644,
  });
});

test("the BTCV map rejects the TotalSegmentator file (its ids go up to 117), naming it", async () => {
  const seg = await readNifti(SEG);
  assert.throws(
    () => applyLabelMap(seg.data, BTCV, SEG),
    (err: Error) => err.message.startsWith(`${SEG}: label value`),
  );
});
