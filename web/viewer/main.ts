// The study viewer: the study's Dice table, and per test case the CT in three planes and 3D with
// the ground truth and every arm's prediction as toggleable label overlays (niivue, bundled).
// While the study runs, its progress streams in; the results appear when report.json exists.

import { Niivue, SHOW_RENDER } from "@niivue/niivue";
import type { StudyViewModel } from "../../src/experiments/viewer/study-view-model.js";
import { h, STYLE } from "../shared/dom.js";

type Study = StudyViewModel;

interface Layer {
  key: string;
  label: string;
  url: string;
}

const OVERLAY_OPACITY = 0.7;
let study: Study = { ready: false, organs: [], arms: [], cases: [], progress: [] };
let nv: Niivue | undefined;
let layers: Layer[] = [];
const visible = new Map<string, boolean>();

function progressLine(p: Record<string, unknown>): string {
  const task = p.task ?? p.event ?? "";
  const count = p.total !== undefined ? ` ${p.done}/${p.total}` : "";
  const arm = p.arm !== undefined ? ` (${p.arm})` : "";
  return `${task}${count}${arm}`;
}

function diceTable(): HTMLElement {
  const cell = (v: number | null) => h("td", { class: "num" }, v === null ? "–" : v.toFixed(3));
  return h(
    "table",
    { id: "dice-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "Arm"), ...study.organs.map((o) => h("th", { class: "num" }, `${o.name} Dice`)))),
    h("tbody", {}, ...study.arms.map((a) => h("tr", {}, h("td", {}, a.label), ...study.organs.map((o) => cell(a.meanDice[o.name]))))),
  );
}

function legend(): HTMLElement {
  return h(
    "div",
    { class: "muted" },
    ...study.organs.map((o) => h("span", { style: `margin-right:12px; color: rgb(${o.colour.join(",")})` }, `■ ${o.name}`)),
  );
}

/** niivue's label colour table: organ index -> colour, background transparent. */
function labelColormap() {
  const entries = [{ i: 0, c: [0, 0, 0], a: 0, name: "" }, ...study.organs.map((o) => ({ i: o.index, c: o.colour, a: 255, name: o.name }))];
  return {
    R: entries.map((e) => e.c[0]),
    G: entries.map((e) => e.c[1]),
    B: entries.map((e) => e.c[2]),
    A: entries.map((e) => e.a),
    I: entries.map((e) => e.i),
    labels: entries.map((e) => e.name),
  };
}

function applyVisibility(): void {
  if (nv === undefined) return;
  layers.forEach((l, k) => nv!.setOpacity(k + 1, visible.get(l.key) ? OVERLAY_OPACITY : 0));
}

async function showCase(id: string): Promise<void> {
  layers = [
    { key: "truth", label: "Ground truth", url: `/case/${id}/truth.nii.gz` },
    ...study.arms.map((a) => ({ key: a.name, label: a.label, url: `/case/${id}/${a.name}.nii.gz` })),
  ];
  if (!visible.has("truth")) visible.set("truth", true);
  const toggles = document.getElementById("layers")!;
  toggles.replaceChildren(
    ...layers.map((l) => {
      const box = h("input", { type: "checkbox", "data-layer": l.key }) as HTMLInputElement;
      box.checked = visible.get(l.key) === true;
      box.addEventListener("change", () => {
        visible.set(l.key, box.checked);
        applyVisibility();
      });
      return h("label", { style: "margin-right:14px; white-space:nowrap" }, box, ` ${l.label}`);
    }),
  );
  nv ??= await createViewer();
  await nv.loadVolumes([
    { url: `/case/${id}/image.nii.gz`, name: `${id}-ct.nii.gz`, colormap: "gray", cal_min: -200, cal_max: 300 },
    ...layers.map((l) => ({ url: l.url, name: `${id}-${l.key}.nii.gz`, opacity: 0 })),
  ]);
  const cmap = labelColormap();
  for (let k = 1; k < nv.volumes.length; k++) nv.volumes[k].setColormapLabel(cmap);
  nv.updateGLVolume();
  applyVisibility();
  document.getElementById("app")!.dataset.loadedCase = id;
}

async function createViewer(): Promise<Niivue> {
  const viewer = new Niivue({
    backColor: [0, 0, 0, 1],
    crosshairColor: [1, 1, 1, 0.35],
    crosshairWidth: 1,
    show3Dcrosshair: false,
    isColorbar: false,
    dragAndDropEnabled: false,
  });
  await viewer.attachToCanvas(document.getElementById("volume") as HTMLCanvasElement);
  viewer.setCrosshairWidth(1);
  viewer.setSliceType(viewer.sliceTypeMultiplanar);
  viewer.opts.multiplanarShowRender = SHOW_RENDER.ALWAYS;
  return viewer;
}

function render(): void {
  const app = document.getElementById("app")!;
  if (!study.ready) {
    app.replaceChildren(
      h("header", {}, h("h1", {}, "SegViz study viewer"), h("span", {}, "the study is running")),
      h("main", {}, h("section", { id: "progress" }, h("h2", {}, "Progress"), h("ul", { id: "progress-lines" }, ...study.progress.slice(-12).map((p) => h("li", {}, progressLine(p)))))),
    );
    return;
  }
  const select = h("select", { id: "case" }, ...study.cases.map((c) => h("option", { value: c }, c))) as HTMLSelectElement;
  select.addEventListener("change", () => void showCase(select.value));
  const views = h("select", { id: "view" }, ...["multiplanar + 3D", "axial", "coronal", "sagittal", "3D"].map((v) => h("option", {}, v))) as HTMLSelectElement;
  views.addEventListener("change", () => {
    if (nv === undefined) return;
    const types = [nv.sliceTypeMultiplanar, nv.sliceTypeAxial, nv.sliceTypeCoronal, nv.sliceTypeSagittal, nv.sliceTypeRender];
    nv.setSliceType(types[views.selectedIndex]);
  });
  app.replaceChildren(
    h("header", {}, h("h1", {}, study.title ?? "SegViz study"), h("a", { href: "/report.html", style: "color:#9cf" }, "full report")),
    h(
      "main",
      {},
      h("section", {}, h("h2", {}, "Dice on the external test set (mean over cases)"), diceTable()),
      h(
        "section",
        {},
        h("h2", {}, "Test cases"),
        h("div", { style: "display:flex; gap:16px; flex-wrap:wrap; margin-bottom:8px" }, h("label", {}, "Case ", select), h("label", {}, "View ", views)),
        h("div", { id: "layers", style: "margin-bottom:6px" }),
        legend(),
        // niivue sizes the canvas to its parent: the parent fixes the size.
        h("div", { style: "width:100%; max-width:1200px; height:640px" }, h("canvas", { id: "volume", style: "width:100%; height:100%" })),
      ),
    ),
  );
  if (study.cases.length > 0) void showCase(study.cases[0]);
}

async function load(): Promise<void> {
  study = (await (await fetch("/api/study")).json()) as Study;
  render();
}

const style = document.createElement("style");
style.textContent = STYLE;
document.head.append(style);
// Test and scripting hook: the viewer's state and a way to wait for a case.
Object.assign(window, {
  segvizViewer: {
    get nv() {
      return nv;
    },
    get layers() {
      return layers;
    },
    visible,
    showCase,
    applyVisibility,
    /** Overlay `key` at this opacity (0 hides it), regardless of its checkbox. */
    setOverlayOpacity(key: string, opacity: number) {
      const k = layers.findIndex((l) => l.key === key);
      if (k >= 0) nv?.setOpacity(k + 1, opacity);
    },
  },
});
await load();
if (!study.ready) {
  const events = new EventSource("/events");
  events.addEventListener("progress", (e) => {
    study.progress.push(JSON.parse((e as MessageEvent).data));
    render();
  });
  // The results appear once the study has written them.
  const timer = setInterval(async () => {
    const next = (await (await fetch("/api/study")).json()) as Study;
    if (next.ready) {
      clearInterval(timer);
      events.close();
      study = next;
      render();
    }
  }, 3000);
}
