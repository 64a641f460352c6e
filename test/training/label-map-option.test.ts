// --truth-label-map (and any label-map option) takes a preset's name or a JSON label-map file.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { applyLabelMap, BTCV } from "../../src/data/datasets/index.js";
import { loadLabelMapOption } from "../../src/training/config/label-map-presets.js";

const dir = mkdtempSync(join(tmpdir(), "segviz-labelmap-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a preset's name gives the preset", async () => {
  assert.equal(await loadLabelMapOption("BTCV", "--truth-label-map"), BTCV);
});

test("a JSON file with BTCV's ids maps a label volume exactly as the BTCV preset does", async () => {
  const file = join(dir, "btcv.json");
  // BTCV's ids (spleen 1, right kidney 2, left kidney 3, liver 6, pancreas 11), written by hand.
  writeFileSync(
    file,
    JSON.stringify({
      name: "my-btcv",
      labels: { "1": "spleen", "2": "kidney", "3": "kidney", "6": "liver", "11": "pancreas" },
      background: [
        [4, 5],
        [7, 10],
        [12, 13],
      ],
    }),
  );
  const map = await loadLabelMapOption(file, "--truth-label-map");
  assert.equal(map.name, "my-btcv");
  const volume = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.deepEqual([...applyLabelMap(volume, map, file)], [...applyLabelMap(volume, BTCV, "btcv")]);
});

test("a bad label-map file is refused naming the option, the file and the field", async () => {
  const file = join(dir, "bad.json");
  writeFileSync(file, JSON.stringify({ name: "x", labels: { one: "liver" } }));
  await assert.rejects(loadLabelMapOption(file, "--truth-label-map"), (e: Error) => {
    assert.ok(e.message.startsWith(`--truth-label-map ${file}`), e.message);
    assert.match(e.message, /\/labels/);
    return true;
  });
  await assert.rejects(
    loadLabelMapOption("NOT_A_PRESET", "--truth-label-map"),
    /neither a preset .* nor a JSON label-map file/,
  );
  await assert.rejects(loadLabelMapOption(join(dir, "missing.json"), "--truth-label-map"), /cannot read/);
});
