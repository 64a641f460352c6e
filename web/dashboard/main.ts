// The federation dashboard: the coordinator's snapshot, then live updates over server-sent
// events (no polling). Sites, the round timeline and each site's curves.

import { formatBytes, h, STYLE } from "../shared/dom.js";
import type {
  ActivitySnapshot,
  RoundActivity,
  SiteActivity,
} from "../../src/federation/coordinator/dashboard/federation-activity.js";
import { curveChart } from "./curve-chart.js";

type Site = SiteActivity;
type Round = RoundActivity;
type Status = ActivitySnapshot["status"];
type Snapshot = ActivitySnapshot;

const state: Snapshot = { status: {} as Status, sites: [], rounds: [], curves: {} };

function header(): HTMLElement {
  const s = state.status;
  return h(
    "header",
    {},
    h("h1", {}, `SegViz federation ${s.federationId ?? ""}`),
    h("span", { id: "round-counter", "data-completed": String(s.completedRounds ?? 0) }, `round ${s.completedRounds ?? 0} of ${s.rounds ?? "?"} done`),
    h("span", { id: "phase" }, `phase: ${s.phase ?? "?"}`),
    h("span", {}, `strategy: ${s.strategy ?? "?"}`),
    s.secureAggregation ? h("span", {}, `secure aggregation (t = ${s.secureAggregation.threshold})`) : null,
    s.privacy ? h("span", { id: "epsilon" }, `ε = ${s.privacy.epsilon.toFixed(2)} (δ ${s.privacy.delta})`) : null,
  );
}

function sitesSection(): HTMLElement {
  const rows = state.sites.map((s) =>
    h(
      "tr",
      { class: "site-row", "data-site": s.id, "data-connected": String(s.connected) },
      h("td", {}, s.id),
      h("td", {}, h("span", { class: `pill ${s.connected ? "connected" : "disconnected"} site-status` }, s.connected ? "connected" : "disconnected")),
      h("td", {}, new Date(s.lastSeen).toLocaleTimeString()),
      h("td", { class: "num" }, String(s.roundsDone)),
      h("td", { class: "num" }, String(s.numTrainingCases)),
      h("td", {}, s.organs.join(", ")),
      h(
        "td",
        {},
        s.rejected.length === 0
          ? h("span", { class: "muted" }, "none")
          : h("span", { class: "bad" }, `${s.rejected.length}: round ${s.rejected.at(-1)!.round} ${s.rejected.at(-1)!.status}: ${s.rejected.at(-1)!.reason}`),
      ),
    ),
  );
  return h(
    "section",
    { id: "sites" },
    h("h2", {}, "Sites"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...["Site", "Connection", "Last seen", "Rounds done", "Cases", "Organs", "Rejected updates"].map((t) => h("th", {}, t)))),
      h("tbody", {}, ...rows),
    ),
  );
}

function roundsSection(): HTMLElement {
  const recent = state.rounds.slice(-30).reverse();
  return h(
    "section",
    { id: "rounds" },
    h("h2", {}, "Rounds"),
    h("div", { class: "timeline" }, ...state.rounds.map((r) => h("span", { class: `phase-${r.phase}`, title: `round ${r.round} attempt ${r.attempt}: ${r.phase}` }, String(r.round)))),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...["Round", "Attempt", "Phase", "Duration", "Received", "Sent", "Accepted", "All sites loaded what was sent", "ε"].map((t) => h("th", {}, t)))),
      h(
        "tbody",
        {},
        ...recent.map((r) =>
          h(
            "tr",
            { class: "round-row", "data-round": String(r.round) },
            h("td", { class: "num" }, String(r.round)),
            h("td", { class: "num" }, String(r.attempt)),
            h("td", {}, r.phase),
            h("td", { class: "num" }, r.durationMs === undefined ? "–" : `${(r.durationMs / 1000).toFixed(1)} s`),
            h("td", { class: "num" }, formatBytes(r.bytesIn)),
            h("td", { class: "num" }, formatBytes(r.bytesOut)),
            h("td", {}, (r.accepted ?? []).join(", ")),
            h("td", {}, r.allLoadedWhatWasSent === undefined ? "–" : r.allLoadedWhatWasSent ? h("span", { class: "ok" }, "yes") : h("span", { class: "bad" }, "no")),
            h("td", { class: "num" }, r.epsilon === undefined ? "–" : r.epsilon.toFixed(2)),
          ),
        ),
      ),
    ),
  );
}

function curvesSection(): HTMLElement {
  const series = (key: "loss" | "dice") =>
    Object.fromEntries(
      Object.entries(state.curves).map(([site, points]) => [
        site,
        points.filter((p) => p[key] !== undefined).map((p) => ({ x: p.round, y: p[key]! })),
      ]),
    );
  return h(
    "section",
    { id: "curves" },
    h("h2", {}, "Curves per site"),
    h("div", { class: "charts" }, curveChart("Training loss", series("loss")), curveChart("Validation Dice (mean over the site's organs)", series("dice"))),
  );
}

function render(): void {
  const app = document.getElementById("app")!;
  app.replaceChildren(header(), h("main", {}, sitesSection(), roundsSection(), curvesSection()));
}

function upsert<T>(list: T[], item: T, same: (a: T) => boolean): void {
  const i = list.findIndex(same);
  if (i >= 0) list[i] = item;
  else list.push(item);
}

function connect(): void {
  const events = new EventSource("/events");
  events.addEventListener("snapshot", (e) => {
    Object.assign(state, JSON.parse((e as MessageEvent).data) as Snapshot);
    render();
  });
  events.addEventListener("site", (e) => {
    const { site } = JSON.parse((e as MessageEvent).data) as { site: Site };
    upsert(state.sites, site, (s) => s.id === site.id);
    state.sites.sort((a, b) => (a.id < b.id ? -1 : 1));
    render();
  });
  events.addEventListener("round", (e) => {
    const { round, status } = JSON.parse((e as MessageEvent).data) as { round: Round; status: Status };
    upsert(state.rounds, round, (r) => r.round === round.round && r.attempt === round.attempt);
    state.status = status;
    render();
  });
  events.addEventListener("curve", (e) => {
    const { site, point } = JSON.parse((e as MessageEvent).data) as { site: string; point: { round: number } };
    upsert((state.curves[site] ??= []), point, (p) => p.round === point.round);
    render();
  });
  events.onerror = () => {
    document.getElementById("phase")?.replaceChildren("phase: connection lost, retrying…");
  };
}

const style = document.createElement("style");
style.textContent = STYLE;
document.head.append(style);
connect();
