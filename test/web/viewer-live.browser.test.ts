// segviz demo --serve / experiment --serve before the results exist: the viewer page shows the
// running study's progress as it happens (server-sent events from the progress lines).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startStudyViewer } from "../../src/experiments/viewer/study-viewer-server.js";
import { progress } from "../../src/util/progress.js";
import { launchBrowser } from "./browser.js";

test("the viewer shows a running study's progress live, before report.json exists", async () => {
  const dir = mkdtempSync(join(tmpdir(), "segviz-live-"));
  const viewer = await startStudyViewer(dir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(viewer.url);
    await page.waitForSelector("#progress-lines", { timeout: 30_000 });
    // Quiet: the line goes to the page's stream, not this test's stderr.
    const bar = progress("site-liver epoch 3", 10, { intervalMs: 0, stream: { write: () => true } });
    bar.update(4, { loss: 0.5 });
    await page.waitForFunction(
      `document.querySelector("#progress-lines")?.textContent.includes("site-liver epoch 3 4/10")`,
      {
        timeout: 30_000,
      },
    );
    bar.update(7);
    await page.waitForFunction(
      `document.querySelector("#progress-lines")?.textContent.includes("site-liver epoch 3 7/10")`,
      {
        timeout: 30_000,
      },
    );
    const study = (await (await fetch(`${viewer.url}api/study`)).json()) as { ready: boolean };
    assert.equal(study.ready, false);
  } finally {
    await browser.close();
    await viewer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
