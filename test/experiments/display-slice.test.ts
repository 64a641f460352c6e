// Axial slices for the report, checked against anatomy: in the radiological convention the
// patient's right (the liver) is on the left of the image, whatever the file's voxel order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyLabelMap } from "../../src/data/datasets/label-map.js";
import { TOTALSEGMENTATOR } from "../../src/data/datasets/label-maps.js";
import { readNifti } from "../../src/data/nifti/index.js";
import { axialSlice, axisMap, mostInformativeSlice } from "../../src/experiments/evaluation/display-slice.js";
import { TOTALSEG_EXAMPLE } from "../fixtures/index.js";

const SEG = TOTALSEG_EXAMPLE.segSmall;

function columnCentroid(pixels: number[], cols: number, value: number): number {
  let sum = 0;
  let n = 0;
  pixels.forEach((v, p) => {
    if (v === value) {
      sum += p % cols;
      n++;
    }
  });
  return sum / n;
}

test("on the real CT the liver is on the image's left and the spleen on its right", async () => {
  const seg = await readNifti(SEG);
  const labels = applyLabelMap(seg.data, TOTALSEGMENTATOR, SEG); // 1 liver, 2 spleen
  const shape = seg.shape.slice(0, 3);
  const map = axisMap(seg.affine);
  const k = mostInformativeSlice(labels, shape, map);
  const s = axialSlice(labels, shape, map, k);
  assert.ok(s.pixels.includes(1) && s.pixels.includes(2), `slice ${k} shows liver and spleen`);
  const liver = columnCentroid(s.pixels, s.cols, 1);
  const spleen = columnCentroid(s.pixels, s.cols, 2);
  assert.ok(
    liver < s.cols / 2 && spleen > s.cols / 2,
    `liver column ${liver}, spleen column ${spleen} of ${s.cols}`,
  );
});

test("an LPS-ordered copy gives the same picture", () => {
  // A 4 x 3 x 2 volume with distinct values, RAS-ordered, and the same voxels stored LPS-ordered.
  const shape = [4, 3, 2];
  const ras = Array.from({ length: 24 }, (_, v) => v + 1);
  const lps = new Array<number>(24);
  for (let k = 0; k < 2; k++)
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 4; i++) lps[4 - 1 - i + 4 * (2 - j + 3 * k)] = ras[i + 4 * (j + 3 * k)]!;
  const rasAffine = [
    [2, 0, 0, -3],
    [0, 3, 0, -3],
    [0, 0, 5, 0],
    [0, 0, 0, 1],
  ];
  const lpsAffine = [
    [-2, 0, 0, 3],
    [0, -3, 0, 3],
    [0, 0, 5, 0],
    [0, 0, 0, 1],
  ];
  const a = axialSlice(ras, shape, axisMap(rasAffine), 1);
  const b = axialSlice(lps, shape, axisMap(lpsAffine), 1);
  assert.deepEqual(a, b);
  // Top-left pixel: most anterior (j = 2) and most rightward (i = 3) voxel of slice 1.
  assert.equal(a.pixels[0], ras[3 + 4 * (2 + 3 * 1)]);
  assert.deepEqual(axisMap(lpsAffine).mm, [2, 3, 5]);
});
