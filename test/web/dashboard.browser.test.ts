// The federation dashboard in a real headless browser, during a real two-site federation (site
// processes over gRPC): the round counter goes up live and both sites show as connected; a killed
// site shows as disconnected. Without the token every route answers 401; /metrics parses with
// Prometheus' own parser; nothing secret is on the page.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import { runReference } from "../../bench/reference-python.js";
import { type CoordinatorHandle, startCoordinator } from "../../src/federation/coordinator/coordinator.js";
import { MemoryLogger } from "../../src/federation/logging/json-logger.js";
import { QUADRATIC_INITIAL_MODEL } from "../../src/federation/simulation/messages.js";
import { forkQuadraticSite, LOOPBACK, tokens } from "../federation/helpers/federation.js";
import { launchBrowser } from "./browser.js";

const TOKEN = "dashboard-secret-5f1c";

describe("federation dashboard", { concurrency: false }, () => {
  let handle: CoordinatorHandle;
  let sites: ReturnType<typeof forkQuadraticSite>[];
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    handle = await startCoordinator(
      {
        host: LOOPBACK,
        port: 0,
        rounds: 40,
        strategy: { name: "segviz" },
        sites: tokens(["site-a", "site-b"]),
        initialModel: QUADRATIC_INITIAL_MODEL,
        minSitesToStart: 2,
        minSitesToClose: 1,
        evaluateEvery: 1,
        status: { port: 0, token: TOKEN },
      },
      new MemoryLogger(),
    );
    base = `http://${LOOPBACK}:${handle.statusPort}`;
    // Slow enough rounds (5 steps x 60 ms) that the page sees them go by.
    sites = ["site-a", "site-b"].map((id, k) => forkQuadraticSite(handle.port, id, k, { stepDelayMs: 60 }));
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    for (const s of sites ?? []) s.child.kill("SIGKILL");
    await handle?.stop();
  });

  test("without the token every route answers 401; with it /metrics is Prometheus text", async () => {
    for (const path of ["/", "/status", "/events", "/metrics", "/api/activity", "/dashboard.js"]) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, 401, path);
      await r.body?.cancel();
    }
    assert.equal(
      (await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong" } })).status,
      401,
    );
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    const families = JSON.parse(runReference("prometheus_parse.py", [], {}, await metrics.text())) as {
      name: string;
      type: string;
      samples: { name: string; value: number }[];
    }[];
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const name of [
      "segviz_rounds_completed",
      "segviz_sites_connected",
      "segviz_received_bytes",
      "segviz_sent_bytes",
      "segviz_updates_rejected",
      "segviz_last_round_duration_seconds",
    ])
      assert.ok(byName.has(name), `${name} in ${[...byName.keys()].join(", ")}`);
    assert.equal(byName.get("segviz_rounds_completed")!.type, "counter");
    assert.equal(byName.get("segviz_rounds_planned")!.samples[0].value, 40);
  });

  test("the page counts rounds live and shows both sites connected; a killed site shows disconnected", async () => {
    // Opened once with ?token=, the page moves it into a cookie and drops it from the address.
    await page.goto(`${base}/?token=${TOKEN}`, { waitUntil: "domcontentloaded" });
    assert.equal(new URL(page.url()).search, "");
    const completed = async () =>
      Number(await page.$eval("#round-counter", (el) => el.getAttribute("data-completed")));
    await page.waitForFunction(`document.querySelectorAll('.site-row[data-connected="true"]').length === 2`, {
      timeout: 60_000,
    });
    const counterAbove = (n: number) =>
      page.waitForFunction(`Number(document.querySelector("#round-counter")?.dataset.completed) > ${n}`, {
        timeout: 60_000,
      });
    await counterAbove(0);
    const first = await completed();
    // Live: the counter moves without a reload.
    await counterAbove(first);
    assert.ok((await completed()) > first);
    // Curves and the sharing check arrive with the rounds.
    await page.waitForSelector('#curves polyline[data-site="site-a"]', { timeout: 30_000 });
    const rows = await page.$$eval(".round-row", (rs) => rs.map((r) => r.textContent ?? ""));
    assert.ok(
      rows.some((t) => t.includes("yes")),
      "a round where all sites loaded what was sent",
    );
    sites[1].child.kill("SIGKILL");
    await page.waitForSelector('.site-row[data-site="site-b"][data-connected="false"]', { timeout: 60_000 });
    assert.equal(
      await page.$eval('.site-row[data-site="site-b"] .site-status', (e) => e.textContent),
      "disconnected",
    );
    assert.equal(
      await page.$eval('.site-row[data-site="site-a"] .site-status', (e) => e.textContent),
      "connected",
    );
    const text = (await page.evaluate("document.body.innerText")) as string;
    assert.ok(!text.includes(TOKEN) && !text.includes("token-site"), "no token on the page");
    const snapshot = await (
      await fetch(`${base}/api/activity`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    assert.ok(!snapshot.includes(TOKEN) && !snapshot.includes("token-site"), "no token in the feed");
  });

  test("the coordinator stops promptly while a dashboard holds its event stream open", async () => {
    const stopped = await Promise.race([
      handle.stop().then(() => "stopped"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting after 10 s"), 10_000)),
    ]);
    assert.equal(stopped, "stopped");
  });
});
