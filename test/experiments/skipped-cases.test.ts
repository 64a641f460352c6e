// The report's skipped cases come from every arm's site folders: one entry per case and stage
// across the arms, the file by name only, sites with nothing skipped listed empty.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { skippedCasesBySite } from "../../src/experiments/arms/skipped-cases.js";
import type { ExperimentConfig } from "../../src/experiments/config/experiment-config.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-skipped-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function skippedFile(arm: string, site: string, skipped: unknown[]): void {
  const folder = join(dir, "arms", arm, "sites", site);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "skipped.json"), JSON.stringify({ site, listed: 5, skipped }));
}

test("skipped cases per site: the union over the arms, files by name", async () => {
  const truncated = {
    id: "liver_1",
    file: "/data/hospital-a/imagesTr/liver_1.nii.gz",
    reason: "unexpected end of file",
    stage: "preprocessing",
    from: "train",
  };
  const unlabelled = {
    id: "liver_3",
    file: "/data/a/labelsTr/liver_3.nii.gz",
    reason: "label file not found",
    stage: "listing",
  };
  skippedFile("individual", "site-liver", [truncated, unlabelled]);
  skippedFile("central", "site-liver", [truncated]);
  skippedFile("individual", "site-spleen", []);
  const exp = {
    outDir: dir,
    sites: [{ name: "site-liver" }, { name: "site-spleen" }],
    arms: [{ name: "individual" }, { name: "central" }, { name: "segviz-fedavg" }],
  } as unknown as ExperimentConfig;
  assert.deepEqual(await skippedCasesBySite(exp), {
    "site-liver": [
      { id: "liver_1", stage: "preprocessing", file: "liver_1.nii.gz", reason: "unexpected end of file" },
      { id: "liver_3", stage: "listing", file: "liver_3.nii.gz", reason: "label file not found" },
    ],
    "site-spleen": [],
  });
  writeFileSync(join(dir, "arms", "central", "sites", "site-liver", "skipped.json"), "{ not json");
  await assert.rejects(skippedCasesBySite(exp), /central\/sites\/site-liver\/skipped\.json: not valid JSON/);
});
