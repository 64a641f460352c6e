// A data set's fingerprint is the sha256 of each file's bytes (checked against coreutils'
// sha256sum), and it changes when one byte of one input changes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fingerprintCases } from "../../../src/data/datasets/fingerprint.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-fingerprint-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const sha256sum = (path: string) => spawnSync("sha256sum", [path], { encoding: "utf8" }).stdout.split(" ")[0];

test("per-file hashes are sha256sum's, and one changed byte changes that file's hash and the whole", async () => {
  const files = ["a-img", "a-lab", "b-img", "b-lab"].map((n, i) => {
    const p = join(dir, n);
    writeFileSync(p, Buffer.from(Array.from({ length: 1000 + i }, (_, k) => (k * (i + 3)) % 251)));
    return p;
  });
  const list = {
    cases: [
      { id: "a", imagePath: files[0]!, labelPath: files[1]! },
      { id: "b", imagePath: files[2]!, labelPath: files[3]! },
    ],
    bad: [{ id: "c", file: "c.nii.gz", reason: "truncated" }],
  };
  const before = await fingerprintCases(list);
  assert.equal(before.cases, 2);
  assert.equal(before.skipped, 1);
  assert.deepEqual(before.files, [
    { image: sha256sum(files[0]!), label: sha256sum(files[1]!) },
    { image: sha256sum(files[2]!), label: sha256sum(files[3]!) },
  ]);
  assert.doesNotMatch(JSON.stringify(before), /a-img|segviz-fingerprint/, "no path in the fingerprint");

  const bytes = Buffer.from(Array.from({ length: 1002 }, (_, k) => (k * 5) % 251));
  bytes[500] ^= 1;
  writeFileSync(files[2]!, bytes);
  const after = await fingerprintCases(list);
  assert.notEqual(after.sha256, before.sha256);
  assert.equal(after.files[1]!.image, sha256sum(files[2]!));
  assert.notEqual(after.files[1]!.image, before.files[1]!.image);
  assert.deepEqual(after.files[0], before.files[0]);
  assert.equal(after.files[1]!.label, before.files[1]!.label);
  // The same inputs listed in another order are other inputs to a study (splits follow the order).
  const swapped = await fingerprintCases({ cases: [...list.cases].reverse(), bad: [] });
  assert.notEqual(swapped.sha256, after.sha256);
});
