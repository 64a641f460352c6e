#!/usr/bin/env node
// Regenerates the pages' screenshots in docs/figures/: the federation dashboard during a small
// live federation (two test-site processes) and the study viewer on a study folder.
//   npm run screenshots -- [--study DIR]   (without --study, runs segviz demo --tiny first, ~2 min)
// Needs the build (npm run build) and Debian's chromium (scripts/setup.sh --dev).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const dist = (p) => join(root, "dist", p);
const { startCoordinator } = await import(dist("src/federation/coordinator/coordinator.js"));
const { silentLogger } = await import(dist("src/federation/logging/json-logger.js"));
const { forkSite } = await import(dist("src/federation/simulation/processes.js"));
const { QUADRATIC_INITIAL_MODEL, QUADRATIC_TRAINER_MODULE } = await import(
  dist("src/federation/simulation/messages.js")
);
const { startStudyViewer } = await import(dist("src/experiments/viewer/study-viewer-server.js"));

const { values } = parseArgs({ options: { study: { type: "string" } } });
process.on("unhandledRejection", (e) => {
  console.error(e);
  process.exit(1);
});
// The page tests' browser: Debian's chromium, headless, WebGL by SwiftShader.
const { launchBrowser: launch } = await import(dist("test/web/browser.js"));

let browser = await launch();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The dashboard: three sites, one of them killed mid-way, evaluation every round.
const ids = ["site-liver", "site-spleen", "site-kidney"];
const handle = await startCoordinator(
  {
    host: "127.0.0.1",
    port: 0,
    rounds: 12,
    strategy: { name: "segviz" },
    sites: ids.map((id) => ({ id, token: `token-${id}` })),
    initialModel: QUADRATIC_INITIAL_MODEL,
    // Rounds go on with two sites once the third is killed.
    minSitesToStart: 2,
    minSitesToClose: 2,
    evaluateEvery: 1,
    status: { port: 0 },
  },
  silentLogger,
);
const sites = ids.map((id, k) =>
  forkSite(
    { siteId: id, coordinator: `127.0.0.1:${handle.port}`, token: `token-${id}` },
    { module: QUADRATIC_TRAINER_MODULE, options: { siteSeed: k + 1, stepDelayMs: 40 } },
    { stdio: "ignore" },
  ),
);
const page = await browser.newPage();
await page.setViewport({ width: 1280, height: 900 });
// All three connected before the first round, so the page shows them training together.
while (handle.status().sites.length < 3) await sleep(100);
await page.goto(`http://127.0.0.1:${handle.statusPort}/`);
await page.waitForFunction(`Number(document.querySelector("#round-counter")?.dataset.completed) >= 5`, {
  timeout: 120_000,
});
sites[2].child.kill("SIGKILL");
await page.waitForFunction(`Number(document.querySelector("#round-counter")?.dataset.completed) >= 8`, {
  timeout: 120_000,
});
await sleep(300);
await page.screenshot({ path: join(root, "docs/figures/dashboard.png"), fullPage: true });
for (const s of sites) s.child.kill("SIGKILL");
await handle.stop();
await browser.close();
console.log("docs/figures/dashboard.png");
browser = await launch();

// The viewer: a study's first test case with its ground truth (a tiny study's predictions are
// noise; the arms' overlays are one click away).
let study = values.study;
let made;
if (study === undefined) {
  made = mkdtempSync(join(tmpdir(), "segviz-shots-"));
  study = made;
  const r = spawnSync(process.execPath, [dist("src/cli/main.js"), "demo", "--tiny", "--out", study], {
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("segviz demo --tiny failed");
}
const viewer = await startStudyViewer(study);
const view = await browser.newPage();
await view.setViewport({ width: 1280, height: 1240 });
await view.goto(viewer.url);
await view.waitForFunction("document.getElementById('app')?.dataset.loadedCase !== undefined", {
  timeout: 120_000,
});
await sleep(800);
await view.screenshot({ path: join(root, "docs/figures/viewer.png"), fullPage: true });
await viewer.close();
await browser.close();
if (made !== undefined) rmSync(made, { recursive: true, force: true });
console.log("docs/figures/viewer.png");
process.exit(0);
