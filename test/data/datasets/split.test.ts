// Seeded train/validation splits: reproducible, independent of listing order, saved and reused.

import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { type Case, splitCases, splitIds } from "../../../src/data/datasets/index.js";
import { tempRoot } from "./fixture-tree.js";

const root = tempRoot("split");
after(() => rmSync(root, { recursive: true, force: true }));

const cases = (n: number): Case[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `case_${String(i).padStart(3, "0")}`,
    imagePath: `/x/${i}.nii.gz`,
  }));

test("same seed, same split, whatever the listing order; another seed differs", () => {
  const ids = cases(40).map((c) => c.id);
  const a = splitIds(ids, 42, 0.2);
  const b = splitIds([...ids].reverse(), 42, 0.2);
  assert.deepEqual(a, b);
  assert.equal(a.validation.length, 8);
  assert.equal(a.train.length, 32);
  assert.deepEqual([...a.train, ...a.validation].sort(), ids);
  assert.notDeepEqual(splitIds(ids, 43, 0.2).validation, a.validation);
});

test("small data sets keep at least one case on each side", () => {
  assert.deepEqual(
    [splitIds(["a", "b"], 1, 0.01).validation.length, splitIds(["a", "b"], 1, 0.99).train.length],
    [1, 1],
  );
  assert.deepEqual(splitIds(["a", "b", "c"], 1, 0).validation, []);
  assert.throws(() => splitIds(["a"], 1, 1.5), /validationFraction 1\.5/);
});

test("the split is saved as JSON, then reused from the file (even with other options)", async () => {
  const file = join(root, "nested/split.json");
  const first = await splitCases(cases(10), { file, seed: 7, validationFraction: 0.3 });
  assert.equal(first.reused, false);
  const saved = JSON.parse(readFileSync(file, "utf8"));
  assert.deepEqual(
    saved.validation,
    first.validation.map((c) => c.id),
  );
  assert.deepEqual([saved.seed, saved.validationFraction], [7, 0.3]);

  // A hand-edited file wins over the options: that is what makes a split reproducible.
  saved.validation = ["case_000"];
  saved.train = cases(10)
    .map((c) => c.id)
    .filter((id) => id !== "case_000");
  writeFileSync(file, JSON.stringify(saved));
  const again = await splitCases(cases(10), { file, seed: 99, validationFraction: 0.5 });
  assert.equal(again.reused, true);
  assert.deepEqual(
    again.validation.map((c) => c.id),
    ["case_000"],
  );
  assert.equal(again.train.length, 9);
  assert.equal(again.train[0].imagePath, "/x/1.nii.gz", "cases come back whole");
});

test("ids in the file that are gone are reported; new cases not in the file are an error naming it", async () => {
  const file = join(root, "split2.json");
  await splitCases(cases(6), { file, seed: 3, validationFraction: 0.5 });
  const fewer = await splitCases(cases(5), { file, seed: 3, validationFraction: 0.5 });
  assert.deepEqual(fewer.missing, ["case_005"]);
  assert.equal(fewer.train.length + fewer.validation.length, 5);
  await assert.rejects(splitCases(cases(8), { file, seed: 3, validationFraction: 0.5 }), (err: Error) => {
    assert.ok(
      err.message.startsWith(`${file}: 2 case(s) are not in this split (first: case_006)`),
      err.message,
    );
    return true;
  });
  writeFileSync(file, "{ broken");
  await assert.rejects(
    splitCases(cases(2), { file, seed: 3, validationFraction: 0.5 }),
    /split2\.json: invalid JSON/,
  );
});
