// Listing cases in each supported layout (MSD, KiTS19, BTCV, folder pairs, CSV), with broken cases
// reported one by one and empty or missing data sets refused, naming the folder.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { type DatasetSpec, listCases, parseCsv } from "../../../src/data/datasets/index.js";
import { makeTree, tempRoot } from "./fixture-tree.js";

const root = tempRoot("layouts");
after(() => rmSync(root, { recursive: true, force: true }));

// Listing looks at names and existence only, so the files need no content.
const F = "";

test("MSD: dataset.json training pairs, paths relative to the task folder", async () => {
  const dir = join(root, "Task03_Liver");
  makeTree(dir, {
    "dataset.json": JSON.stringify({
      name: "Liver",
      training: [
        { image: "./imagesTr/liver_1.nii.gz", label: "./labelsTr/liver_1.nii.gz" },
        { image: "./imagesTr/liver_0.nii.gz", label: "./labelsTr/liver_0.nii.gz" },
        { image: "./imagesTr/liver_2.nii.gz", label: "./labelsTr/liver_2.nii.gz" },
        { label: "./labelsTr/liver_9.nii.gz" },
      ],
      test: ["./imagesTs/liver_100.nii.gz"],
    }),
    "imagesTr/liver_0.nii.gz": F,
    "imagesTr/liver_1.nii.gz": F,
    "imagesTr/liver_2.nii.gz": F,
    "imagesTr/._liver_0.nii.gz": F,
    "labelsTr/liver_0.nii.gz": F,
    "labelsTr/liver_1.nii.gz": F,
  });
  const { cases, bad } = await listCases({ layout: "msd", root: dir });
  assert.deepEqual(cases, [
    {
      id: "liver_1",
      imagePath: join(dir, "imagesTr/liver_1.nii.gz"),
      labelPath: join(dir, "labelsTr/liver_1.nii.gz"),
    },
    {
      id: "liver_0",
      imagePath: join(dir, "imagesTr/liver_0.nii.gz"),
      labelPath: join(dir, "labelsTr/liver_0.nii.gz"),
    },
  ]);
  assert.deepEqual(bad, [
    { id: "training[3]", file: join(dir, "dataset.json"), reason: 'training[3] needs an "image" path' },
    { id: "liver_2", file: join(dir, "labelsTr/liver_2.nii.gz"), reason: "label file not found" },
  ]);
  await assert.rejects(listCases({ layout: "msd", root: dir }, { onBadCase: "stop" }), (err: Error) => {
    assert.ok(err.message.startsWith(`${join(dir, "dataset.json")}: case training[3]`), err.message);
    return true;
  });
});

test("MSD: a folder without dataset.json, or with broken JSON, is refused naming the file", async () => {
  const dir = join(root, "NotMsd");
  makeTree(dir, { "imagesTr/a.nii.gz": F });
  await assert.rejects(listCases({ layout: "msd", root: dir }), /NotMsd\/dataset\.json: file not found/);
  makeTree(dir, { "dataset.json": "{ not json" });
  await assert.rejects(listCases({ layout: "msd", root: dir }), /NotMsd\/dataset\.json: invalid JSON/);
});

test("KiTS19: case folders, the unlabelled ones only when labels are not required", async () => {
  const dir = join(root, "kits19");
  makeTree(dir, {
    "data/case_00000/imaging.nii.gz": F,
    "data/case_00000/segmentation.nii.gz": F,
    "data/case_00001/imaging.nii.gz": F,
    "data/case_00001/segmentation.nii.gz": F,
    "data/case_00210/imaging.nii.gz": F,
    "data/case_00002/segmentation.nii.gz": F,
    "data/readme.txt": F,
  });
  const d = join(dir, "data");
  const training = await listCases({ layout: "kits19", root: dir });
  assert.deepEqual(
    training.cases.map((c) => [c.id, c.imagePath, c.labelPath]),
    [
      ["case_00000", join(d, "case_00000/imaging.nii.gz"), join(d, "case_00000/segmentation.nii.gz")],
      ["case_00001", join(d, "case_00001/imaging.nii.gz"), join(d, "case_00001/segmentation.nii.gz")],
    ],
  );
  assert.deepEqual(training.bad, [
    { id: "case_00002", file: join(d, "case_00002/imaging.nii.gz"), reason: "image file not found" },
    { id: "case_00210", file: join(d, "case_00210/imaging.nii.gz"), reason: "no label file" },
  ]);
  const all = await listCases({ layout: "kits19", root: d }, { requireLabels: false });
  assert.deepEqual(
    all.cases.map((c) => [c.id, c.labelPath !== undefined]),
    [
      ["case_00000", true],
      ["case_00001", true],
      ["case_00210", false],
    ],
  );
});

test("BTCV: img/imgXXXX with label/labelXXXX, also under Training/", async () => {
  const dir = join(root, "btcv");
  makeTree(dir, {
    "Training/img/img0001.nii.gz": F,
    "Training/img/img0002.nii.gz": F,
    "Training/label/label0001.nii.gz": F,
    "Training/label/label0002.nii.gz": F,
    "Training/img/notes.txt": F,
  });
  const t = join(dir, "Training");
  const { cases, bad } = await listCases({ layout: "btcv", root: dir });
  assert.deepEqual(cases, [
    { id: "0001", imagePath: join(t, "img/img0001.nii.gz"), labelPath: join(t, "label/label0001.nii.gz") },
    { id: "0002", imagePath: join(t, "img/img0002.nii.gz"), labelPath: join(t, "label/label0002.nii.gz") },
  ]);
  assert.deepEqual(bad, []);
});

test("folder pairs: matched by name, nnU-Net _0000 suffix ignored, orphans reported", async () => {
  const dir = join(root, "pairs");
  makeTree(dir, {
    "images/a_0000.nii.gz": F,
    "images/b.nii": F,
    "images/c.nii.gz": F,
    "labels/a.nii.gz": F,
    "labels/b.nii": F,
    "labels/z.nii.gz": F,
  });
  const images = join(dir, "images");
  const labels = join(dir, "labels");
  const { cases, bad } = await listCases({ layout: "folders", images, labels });
  assert.deepEqual(cases, [
    { id: "a", imagePath: join(images, "a_0000.nii.gz"), labelPath: join(labels, "a.nii.gz") },
    { id: "b", imagePath: join(images, "b.nii"), labelPath: join(labels, "b.nii") },
  ]);
  assert.deepEqual(bad, [
    { id: "z", file: join(labels, "z.nii.gz"), reason: `label has no image of the same name in ${images}` },
    { id: "c", file: join(images, "c.nii.gz"), reason: "no label file" },
  ]);
  const unlabelled = await listCases({ layout: "folders", images }, { requireLabels: false });
  assert.deepEqual(
    unlabelled.cases.map((c) => c.id),
    ["a", "b", "c"],
  );
});

test("CSV: header or not, quoted paths, relative to the CSV, comments and blank lines skipped", async () => {
  const dir = join(root, "csv");
  makeTree(dir, {
    "scans/one.nii.gz": F,
    "scans/two, with comma.nii.gz": F,
    "masks/one.nii.gz": F,
    "masks/two.nii.gz": F,
    "with_header.csv":
      'id,label,image\r\nfirst,masks/one.nii.gz,scans/one.nii.gz\r\n\r\n# skipped\r\n,masks/two.nii.gz,"scans/two, with comma.nii.gz"\r\n',
    "bare.csv": "scans/one.nii.gz,masks/one.nii.gz\nmissing.nii.gz,masks/two.nii.gz\n",
  });
  const withHeader = await listCases({ layout: "csv", file: join(dir, "with_header.csv") });
  assert.deepEqual(withHeader.cases, [
    { id: "first", imagePath: join(dir, "scans/one.nii.gz"), labelPath: join(dir, "masks/one.nii.gz") },
    {
      id: "two, with comma",
      imagePath: join(dir, "scans/two, with comma.nii.gz"),
      labelPath: join(dir, "masks/two.nii.gz"),
    },
  ]);
  const bare = await listCases({ layout: "csv", file: join(dir, "bare.csv") });
  assert.deepEqual(
    bare.cases.map((c) => c.id),
    ["one"],
  );
  assert.deepEqual(bare.bad, [
    { id: "missing", file: join(dir, "missing.nii.gz"), reason: "image file not found" },
  ]);
});

test("parseCsv handles quotes, doubled quotes and line breaks inside quotes", () => {
  assert.deepEqual(parseCsv('a,"b ""x"", c","d\ne"\n1,2,3'), [
    ["a", 'b "x", c', "d\ne"],
    ["1", "2", "3"],
  ]);
});

test("an empty data set is an error naming the folder; a missing folder too", async () => {
  const empty = join(root, "empty");
  makeTree(empty, { "img/readme.txt": F, "label/.keep": F, "images/notes.txt": F });
  const specs: DatasetSpec[] = [
    { layout: "btcv", root: empty },
    { layout: "kits19", root: empty },
    { layout: "folders", images: join(empty, "images") },
  ];
  for (const spec of specs) {
    await assert.rejects(listCases(spec), (err: Error) => {
      assert.match(err.message, /: empty data set: no usable cases/);
      assert.ok(err.message.startsWith(empty), err.message);
      return true;
    });
  }
  makeTree(empty, { "dataset.json": JSON.stringify({ training: [] }), "empty.csv": "image,label\n" });
  await assert.rejects(listCases({ layout: "msd", root: empty }), /empty: empty data set/);
  await assert.rejects(
    listCases({ layout: "csv", file: join(empty, "empty.csv") }),
    /empty\.csv: empty data set/,
  );
  const gone = join(root, "does-not-exist");
  await assert.rejects(
    listCases({ layout: "kits19", root: gone }),
    new RegExp(`^DataError: ${gone}: folder not found`),
  );
});

test("a data set whose every case is bad is empty too, and says why", async () => {
  const dir = join(root, "allbad");
  makeTree(dir, { "img/img0001.nii.gz": F });
  await assert.rejects(
    listCases({ layout: "btcv", root: dir }),
    /empty data set: .*1 bad: .*img0001\.nii\.gz: no label file/,
  );
});
