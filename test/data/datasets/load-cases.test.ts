// Loading cases: scaled float32 images, labels through the label map, and each kind of bad case
// reported with its file and reason while the good cases still load (or the first one stops all).

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  type BadCase,
  countOrgans,
  listCases,
  loadCases,
  MSD_TASK03_LIVER,
  TOTALSEGMENTATOR,
} from "../../../src/data/datasets/index.js";
import { TOTALSEG_EXAMPLE } from "../../fixtures/index.js";
import { EYE, imageVolume, labelVolume, makeTree, niftiGz, tempRoot } from "./fixture-tree.js";

const root = tempRoot("load");
after(() => rmSync(root, { recursive: true, force: true }));

const task = join(root, "Task03_Liver");
const IMAGE = imageVolume([0, 1, 2, 3, 4, 5, 6, 7]);
const GOOD_LABEL = [0, 1, 2, 0, 0, 1, 1, 2];
const shifted = EYE.map((row, i) => (i === 2 ? [0, 0, 1, 1] : row.slice()));
const ids = ["liver_0", "liver_1", "liver_2", "liver_3", "liver_4", "liver_5"];
const truncated = niftiGz(IMAGE).subarray(0, 30);

makeTree(task, {
  "dataset.json": JSON.stringify({
    training: ids.map((id) => ({ image: `./imagesTr/${id}.nii.gz`, label: `./labelsTr/${id}.nii.gz` })),
  }),
  // Stored int16 with scale factors: the loader must hand out raw * 2 - 1024 as float32.
  "imagesTr/liver_0.nii.gz": niftiGz(IMAGE, { sclSlope: 2, sclInter: -1024 }),
  "labelsTr/liver_0.nii.gz": niftiGz(labelVolume(GOOD_LABEL)),
  "imagesTr/liver_1.nii.gz": niftiGz(IMAGE),
  "labelsTr/liver_1.nii.gz": niftiGz(labelVolume([0, 1, 3, 0, 0, 0, 0, 0])),
  "imagesTr/liver_2.nii.gz": niftiGz(IMAGE),
  "labelsTr/liver_2.nii.gz": niftiGz(labelVolume(Array(12).fill(0), [2, 2, 3])),
  "imagesTr/liver_3.nii.gz": niftiGz(IMAGE),
  "labelsTr/liver_3.nii.gz": niftiGz(labelVolume(GOOD_LABEL, [2, 2, 2], shifted)),
  "imagesTr/liver_4.nii.gz": truncated,
  "labelsTr/liver_4.nii.gz": niftiGz(labelVolume(GOOD_LABEL)),
  "imagesTr/liver_5.nii.gz": niftiGz(imageVolume(Array(16).fill(0), [2, 2, 2, 2])),
  "labelsTr/liver_5.nii.gz": niftiGz(labelVolume(GOOD_LABEL)),
});

const image = (id: string) => join(task, "imagesTr", `${id}.nii.gz`);
const label = (id: string) => join(task, "labelsTr", `${id}.nii.gz`);

test("one good case loads while five bad ones are reported with their file and reason", async () => {
  const { cases } = await listCases({ layout: "msd", root: task });
  const reported: BadCase[] = [];
  const { loaded, bad } = await loadCases(cases, {
    labelMap: MSD_TASK03_LIVER,
    onBadCase: "skip",
    onReport: (b) => reported.push(b),
  });
  assert.deepEqual(
    loaded.map((c) => c.id),
    ["liver_0"],
  );
  const expected: [string, string, RegExp][] = [
    ["liver_1", label("liver_1"), /^label value 3 .*not in label map "MSD Task03 Liver" \(allowed: 0-2\)$/],
    ["liver_2", label("liver_2"), /^label shape 2x2x3 differs from image shape 2x2x2 of .*liver_2\.nii\.gz$/],
    ["liver_3", label("liver_3"), /^label affine differs from the affine of .*liver_3\.nii\.gz by 1\.000 mm/],
    ["liver_4", image("liver_4"), /^truncated gzip stream/],
    ["liver_5", image("liver_5"), /^expected a 3D image, got shape 2x2x2x2 \(4D\)$/],
  ];
  assert.equal(bad.length, expected.length, JSON.stringify(bad, null, 1));
  expected.forEach(([id, file, reason], i) => {
    assert.equal(bad[i].id, id);
    assert.equal(bad[i].file, file);
    assert.match(bad[i].reason, reason);
  });
  assert.deepEqual(reported, bad);
});

test("the good case: float32 scaled image, uint8 organ labels on the image grid, annotated organs", async () => {
  const { cases } = await listCases({ layout: "msd", root: task });
  const { loaded } = await loadCases(
    cases.filter((c) => c.id === "liver_0"),
    { labelMap: MSD_TASK03_LIVER },
  );
  const [c] = loaded;
  assert.equal(c.image.dtype, "float32");
  assert.deepEqual([...c.image.data], [-1024, -1022, -1020, -1018, -1016, -1014, -1012, -1010]);
  assert.ok(c.label);
  assert.equal(c.label.dtype, "uint8");
  assert.deepEqual([...c.label.data], [0, 1, 1, 0, 0, 1, 1, 1], "tumour (2) merges into liver (1)");
  assert.deepEqual(c.label.shape, [2, 2, 2]);
  assert.deepEqual(c.label.affine, EYE);
  assert.deepEqual(c.annotated, ["liver"]);
});

test('onBadCase "stop" throws on the first bad case, naming its file', async () => {
  const { cases } = await listCases({ layout: "msd", root: task });
  await assert.rejects(loadCases(cases, { labelMap: MSD_TASK03_LIVER, onBadCase: "stop" }), (err: Error) => {
    assert.ok(err.message.startsWith(`${label("liver_1")}: case liver_1: label value 3`), err.message);
    return true;
  });
});

test("a labelled case without a label map is a bad case; an unlabelled case loads without labels", async () => {
  const { loaded, bad } = await loadCases([
    { id: "liver_0", imagePath: image("liver_0"), labelPath: label("liver_0") },
  ]);
  assert.deepEqual(loaded, []);
  assert.match(bad[0].reason, /no label map was given/);
  const unlabelled = await loadCases([{ id: "u", imagePath: image("liver_0") }]);
  assert.equal(unlabelled.loaded[0].label, undefined);
  assert.deepEqual(unlabelled.loaded[0].annotated, []);
});

test("the real CT and its TotalSegmentator labels load through a CSV list", async () => {
  const csv = join(root, "real.csv");
  writeFileSync(csv, `image,label,id\n${TOTALSEG_EXAMPLE.ctSmall},${TOTALSEG_EXAMPLE.segSmall},totalseg\n`);
  const { cases } = await listCases({ layout: "csv", file: csv });
  const { loaded, bad } = await loadCases(cases, { labelMap: TOTALSEGMENTATOR });
  assert.deepEqual(bad, []);
  const [c] = loaded;
  assert.deepEqual(c.image.shape, [122, 101, 30]);
  assert.ok(c.label);
  assert.deepEqual(countOrgans(c.label.data as Uint8Array, TOTALSEGMENTATOR), {
    liver: 38634,
    spleen: 9452,
    pancreas: 644,
    kidney: 7623,
  });
  assert.deepEqual(c.annotated.sort(), ["kidney", "liver", "pancreas", "spleen"]);
});
