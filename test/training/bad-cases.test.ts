// Skipped data is data (issue 12): `segviz train` on a site with a truncated image and a missing
// label file stops by default, naming both and writing no split; with onBadCase "skip" it trains
// without them and records each, by file and reason, in its log line, split.json (moved to
// `skipped`, with the side it was split to) and skipped.json; a fixed file returns to its side.
import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FEDERATION_SITES, writePhantomFederation } from "../../src/data/phantom/index.js";
import { segviz } from "../helpers/processes.js";
import { tinySiteConfig } from "./federation/phantom-sites.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-bad-cases-"));
const fed = join(dir, "fed");
const site = join(fed, "site-liver");
after(() => rmSync(dir, { recursive: true, force: true }));

function siteJson(name: string, outDir: string, extra: Record<string, unknown> = {}): string {
  const cfg = tinySiteConfig(fed, "liver", outDir);
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      ...cfg,
      training: { ...(cfg.training as object), epochs: 1, validateEvery: 1 },
      ...extra,
    }),
  );
  return path;
}

const truncated = join(site, "imagesTr", "liver_1.nii.gz");
const missingLabel = join(site, "labelsTr", "liver_3.nii.gz");

describe("bad training cases", { timeout: 120_000 }, () => {
  before(async () => {
    await writePhantomFederation(fed, {
      seed: 5,
      casesPerSite: 5,
      testCases: 0,
      size: "tiny",
      sites: FEDERATION_SITES.filter((s) => s.organ === "liver"),
    });
    copyFileSync(truncated, join(dir, "liver_1.backup.nii.gz"));
    truncateSync(truncated, 300);
    unlinkSync(missingLabel);
  });

  test('by default ("fail") training stops, naming every bad case, and writes no split', async () => {
    const out = join(dir, "fail");
    const r = await segviz(["train", "--config", siteJson("fail.json", out)]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /site liver: 2 bad case\(s\); onBadCase is "fail" \(set "skip" in the site config/,
    );
    assert.ok(r.stderr.includes(`${missingLabel}: label file not found`), r.stderr);
    assert.ok(r.stderr.includes(truncated), r.stderr);
    assert.ok(!existsSync(join(out, "split.json")), "no split before the data is usable");
    assert.ok(!existsSync(join(out, "last")), "nothing trained");
  });

  test('with "skip" it trains without them and records each: log line, split.json, skipped.json, stdout', async () => {
    const out = join(dir, "skip");
    const config = siteJson("skip.json", out, { onBadCase: "skip" });
    const r = await segviz(["train", "--config", config]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 case\(s\) skipped \(onBadCase "skip"; listed in .*skipped\.json\):/);
    assert.ok(r.stdout.includes(`liver_3: ${missingLabel}: label file not found`), r.stdout);

    const line = `${r.stdout}\n${r.stderr}`
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l))
      .find((e) => e.event === "site.cases");
    assert.deepEqual(
      [line.listed, line.train + line.validation, line.skipped],
      [5, 3, 2],
      JSON.stringify(line),
    );

    const split = JSON.parse(readFileSync(join(out, "split.json"), "utf8"));
    const skippedIds = split.skipped.map((s: { id: string }) => s.id).sort();
    assert.deepEqual(skippedIds, ["liver_1", "liver_3"]);
    for (const id of skippedIds) assert.ok(![...split.train, ...split.validation].includes(id), id);
    const byId = Object.fromEntries(split.skipped.map((s: { id: string }) => [s.id, s]));
    assert.equal(byId.liver_3.stage, "listing");
    assert.equal(byId.liver_3.from, undefined, "never split: it was bad when listed");
    assert.equal(byId.liver_1.stage, "preprocessing");
    assert.equal(byId.liver_1.file, truncated);
    assert.ok(["train", "validation"].includes(byId.liver_1.from));

    const file = JSON.parse(readFileSync(join(out, "skipped.json"), "utf8"));
    assert.equal(file.site, "liver");
    assert.equal(file.listed, 5);
    assert.deepEqual(file.skipped.map((s: { id: string }) => s.id).sort(), ["liver_1", "liver_3"]);

    // The truncated image repaired: the case returns to the side it was split to.
    copyFileSync(join(dir, "liver_1.backup.nii.gz"), truncated);
    const again = await segviz(["train", "--config", config, "--resume"]);
    assert.equal(again.code, 0, again.stderr);
    const after = JSON.parse(readFileSync(join(out, "split.json"), "utf8"));
    assert.ok(after[byId.liver_1.from].includes("liver_1"), JSON.stringify(after));
    assert.deepEqual(
      after.skipped.map((s: { id: string }) => s.id),
      ["liver_3"],
    );
  });
});
