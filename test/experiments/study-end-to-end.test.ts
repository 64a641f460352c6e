// The whole study, tiny: `segviz demo --tiny` trains all nine arms on a small phantom federation
// (the federated ones over gRPC, one process per site), evaluates them on the external test set
// and writes the report. Checked against the weights themselves: what the federated arms claim to
// share is identical at every site, what they keep local is not, and the individual models share
// nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { PNG } from "pngjs";
import { readNifti } from "../../src/data/nifti/index.js";
import { runDemo } from "../../src/experiments/demo/run-demo.js";
import type { StudyReport } from "../../src/experiments/report/report-types.js";
import { startStudyViewer } from "../../src/experiments/viewer/study-viewer-server.js";
import { privacySpent } from "../../src/federation/privacy/differential-privacy/rdp-accountant.js";
import { readSafetensorsFile } from "../../src/nn/safetensors/index.js";
import { REPO_ROOT } from "../fixtures/index.js";
import { launchBrowser } from "../web/browser.js";

const CLI = new URL("../../src/cli/main.js", import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), "segviz-study-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SITES = ["site-liver", "site-spleen", "site-pancreas", "site-kidney"];
const ORGANS = ["liver", "spleen", "pancreas", "kidney"];
const ARMS = [
  "individual",
  "central",
  "central-marginal",
  "segviz-fedavg",
  "segviz-fedbn",
  "segviz-fedprox",
  "segviz-fedadam",
  "condistfl",
  "segviz-fedavg-dp",
];
let report: StudyReport;
let printed = "";

before(async () => {
  report = await runDemo("tiny", dir, { threads: 2, print: (s) => (printed += s) });
});

async function siteModel(
  arm: string,
  site: string,
  checkpoint: string,
): Promise<Record<string, Float32Array>> {
  const file = join(dir, "arms", arm, "sites", site, checkpoint, "model.safetensors");
  const { tensors } = await readSafetensorsFile(file);
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.data as Float32Array]));
}

function equal(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const isHead = (name: string) => name.startsWith("heads.");
const isBatchNorm = (name: string) =>
  /\.adn\.N\./.test(name) || /running_(mean|var)$|num_batches_tracked$/.test(name);

test("the report files, the table and every arm's numbers are there", () => {
  for (const f of ["report.json", "report.html", "experiment.json"]) assert.ok(existsSync(join(dir, f)), f);
  const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as StudyReport;
  assert.deepEqual(
    json.arms.map((a) => a.name),
    ARMS,
  );
  assert.deepEqual(json.organs, ORGANS);
  assert.equal(json.testSet.cases.length, 3);
  // Every arm's every site wrote what it skipped (nothing, on the phantom), and the report says so.
  assert.deepEqual(json.skipped, Object.fromEntries(SITES.map((s) => [s, []])));
  for (const arm of ARMS)
    for (const site of SITES)
      assert.deepEqual(
        JSON.parse(readFileSync(join(dir, "arms", arm, "sites", site, "skipped.json"), "utf8")).skipped,
        [],
        `${arm}/${site}`,
      );
  assert.match(readFileSync(join(dir, "report.html"), "utf8"), /No training case was skipped\./);
  for (const a of json.arms) {
    assert.equal(a.perCase.length, 3, a.name);
    for (const c of a.perCase) {
      for (const o of ORGANS) {
        const d = c.dice[o];
        assert.ok(d === null || (d >= 0 && d <= 1), `${a.name} ${c.caseId} ${o}: ${d}`);
      }
    }
    // The summary is the mean of the per-case values.
    for (const o of ORGANS) {
      const values = a.perCase.map((c) => c.dice[o]).filter((v): v is number => v !== null);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      assert.ok(Math.abs(a.summary[o]!.dice.mean! - mean) < 1e-12, `${a.name} ${o}`);
      assert.equal(a.summary[o]!.dice.n, values.length);
    }
    assert.ok(a.curves.length > 0 && a.curves.every((c) => c.points.length > 0), `${a.name} curves`);
    for (const f of a.checkpoints) assert.ok(existsSync(join(dir, f)), f);
  }
  // Every arm against the individual baseline, per organ.
  // Per Dice kind (fused map, own head).
  assert.equal(json.comparisons.length, 2 * (ARMS.length - 1) * ORGANS.length);
  assert.ok(json.comparisons.every((c) => c.baseline === "individual" && c.pHolm >= c.pValue - 1e-15));
  assert.equal(json.overlays.length, 2);
  assert.deepEqual(Object.keys(json.overlays[0]!.predictions), ARMS);
  // The terminal table: a row per arm, a column per organ.
  for (const a of json.arms) assert.ok(printed.includes(a.label), a.label);
  for (const o of ORGANS) assert.ok(printed.includes(o), o);
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(!/https?:\/\//.test(html), "the report loads nothing from the network");
  assert.ok((html.match(/data:image\/png;base64,/g) ?? []).length >= 2 * (ARMS.length + 2));
});

/**
 * What two runs of one study must agree on exactly: every number, none of the timings or paths.
 * A private arm's noise and stochastic rounding come from the operating system's CSPRNG (noise
 * that could be replayed would protect nothing), so only its privacy budget is compared.
 */
function numbers(r: StudyReport): unknown {
  const isPrivate = (arm: string) => r.arms.find((a) => a.name === arm)?.privacy !== undefined;
  return {
    // The budget is fixed by the configuration; the adapted clipping norm follows noised counts.
    privateArms: r.arms
      .filter((a) => a.privacy !== undefined)
      .map((a) => ({ name: a.name, privacy: { ...a.privacy, finalClipNorm: undefined } })),
    organs: r.organs,
    sites: r.sites,
    testSet: r.testSet,
    inputs: r.provenance.inputs,
    settings: { ...r.settings, outDir: undefined },
    arms: r.arms
      .filter((a) => !isPrivate(a.name))
      .map((a) => ({
        name: a.name,
        perCase: a.perCase,
        summary: a.summary,
        curves: a.curves,
        checkpoints: a.checkpoints,
        sharing: a.sharing,
      })),
    comparisons: r.comparisons.filter((c) => !isPrivate(c.arm)),
    overlays: r.overlays.map((o) => ({
      ...o,
      predictions: Object.fromEntries(Object.entries(o.predictions).filter(([arm]) => !isPrivate(arm))),
    })),
  };
}

test("the private arm: secure aggregation with distributed DP noise, its epsilon beside its Dice in the report", () => {
  const arm = report.arms.find((a) => a.name === "segviz-fedavg-dp")!;
  const p = arm.privacy!;
  assert.equal(p.secureAggregation, true);
  assert.equal(p.noise, "distributed");
  assert.equal(p.noiseMultiplier, 1);
  // Every site in every round (sampling rate 1), z = 1 overall (update and count together).
  const rounds = arm.sharing!.rounds;
  const expected = privacySpent(
    Array.from({ length: rounds }, (_, k) => ({ round: k + 1, noiseMultiplier: 1, sampleRate: 1 })),
    1e-5,
  ).epsilon;
  assert.ok(Math.abs(p.epsilon! - expected) < 1e-9, `epsilon ${p.epsilon} vs ${expected}`);
  const log = readFileSync(join(dir, "arms", "segviz-fedavg-dp", "coordinator", "rounds.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === "round");
  assert.ok(log.every((r) => r.secureAggregation?.summed.length === SITES.length && r.privacy.epsilon > 0));
  assert.match(printed, /epsilon \(delta\)/);
  assert.ok(printed.includes(`${p.epsilon!.toFixed(2)} (δ 0.00001)`), "the terminal's privacy table");
  const html = readFileSync(join(dir, "report.html"), "utf8");
  assert.match(html, /<h2>Privacy<\/h2>/);
  assert.ok(html.includes("∞ (no DP)"));
});

test("experiment.json reruns the study into a new folder, with jittered workers and uploads, to the same numbers", () => {
  const again = join(dir, "rerun");
  const run = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, "dist/src/cli/main.js"),
      "experiment",
      "--config",
      join(dir, "experiment.json"),
      "--out",
      again,
    ],
    {
      encoding: "utf8",
      // Every patch worker's answer and every site's upload waits a random 0-40 ms first.
      env: { ...process.env, SEGVIZ_TEST_JITTER_MS: "40" },
      timeout: 15 * 60_000,
    },
  );
  assert.equal(run.status, 0, run.stderr.slice(-3000));
  const rerun = JSON.parse(readFileSync(join(again, "report.json"), "utf8")) as StudyReport;
  assert.deepEqual(numbers(rerun), numbers(report));
  assert.equal(rerun.settings.outDir, again);
  assert.equal(rerun.provenance.program.version, report.provenance.program.version);
  assert.equal(rerun.provenance.inputs.test.cases, 3);
  assert.match(rerun.provenance.inputs.test.sha256, /^[0-9a-f]{64}$/);
});

test("finished arms keep their models and drop the optimiser state and older rounds", async () => {
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)],
    );
  const all = files(join(dir, "arms"));
  assert.deepEqual(
    all.filter((f) => f.endsWith("optimizer.safetensors")),
    [],
  );
  // Every federated site keeps one round of local state (its heads, its statistics), no moments.
  const states = all.filter((f) => /local-round-\d+\.safetensors$/.test(f));
  const stateDirs = new Set(states.map((f) => dirname(f)));
  assert.equal(stateDirs.size, 6 * SITES.length, [...stateDirs].join("\n"));
  assert.equal(states.length, stateDirs.size);
  for (const f of states) {
    const { tensors } = await readSafetensorsFile(f);
    assert.ok(!Object.keys(tensors).some((n) => n.startsWith("optimizer/")), f);
  }
  // ConDistFL carried its Adam state across rounds (optimizerState "keep"): none of it is left,
  // and its model is intact.
  assert.ok(existsSync(join(dir, "arms", "condistfl", "final", "model.safetensors")));
});

test("predictions are NIfTI files on each test image's own grid", async () => {
  for (const a of report.arms) {
    for (const c of a.perCase) {
      const pred = await readNifti(join(dir, c.prediction));
      const image = await readNifti(join(dir, "data", "test-btcv", "img", `img${c.caseId}.nii.gz`));
      assert.deepEqual(pred.shape.slice(0, 3), image.shape.slice(0, 3));
      assert.deepEqual(pred.affine, image.affine);
      assert.ok((pred.data as Uint8Array).every((v) => v <= ORGANS.length));
    }
  }
});

test("segviz predict --model ARM reproduces the study's fused predictions voxel for voxel; --probabilities", async () => {
  const c = report.arms[0]!.perCase[0]!;
  const image = join(dir, "data", "test-btcv", "img", `img${c.caseId}.nii.gz`);
  // Per-site members (individual, federated, ConDistFL's one shared model) and the central model.
  for (const arm of ["individual", "central", "segviz-fedbn", "condistfl"]) {
    const out = join(dir, `predict-${arm}`);
    const extra = arm === "segviz-fedbn" ? ["--probabilities"] : [];
    const r = spawnSync(
      process.execPath,
      [CLI, "predict", "--model", join(dir, "arms", arm), "--input", image, "--out", out, ...extra],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const ours = await readNifti(join(out, `img${c.caseId}.nii.gz`));
    const study = await readNifti(join(dir, "predictions", arm, `${c.caseId}.nii.gz`));
    assert.deepEqual(ours.affine, study.affine);
    const a = ours.data as Uint8Array;
    const b = study.data as Uint8Array;
    let differ = 0;
    for (let v = 0; v < a.length; v++) if (a[v] !== b[v]) differ++;
    assert.equal(differ, 0, `${arm}: ${differ} voxels differ from the study's prediction`);
    assert.deepEqual(JSON.parse(readFileSync(join(out, "labels.json"), "utf8")), {
      "0": "background",
      ...Object.fromEntries(ORGANS.map((o, i) => [String(i + 1), o])),
    });
    if (arm !== "segviz-fedbn") continue;
    for (const [i, organ] of ORGANS.entries()) {
      const p = await readNifti(join(out, "probabilities", `img${c.caseId}`, `${organ}.nii.gz`));
      assert.deepEqual(p.affine, study.affine);
      const values = p.data as Float32Array;
      assert.ok(
        values.every((v) => v >= 0 && v <= 1),
        organ,
      );
      // Where the fused map says this organ, its probability is high.
      let sum = 0;
      let n = 0;
      for (let v = 0; v < values.length; v++)
        if (b[v] === i + 1) {
          sum += values[v]!;
          n++;
        }
      if (n > 0) assert.ok(sum / n > 0.5, `${organ}: mean probability ${sum / n} inside its label`);
    }
  }
});

test("segviz export --model ARM: one MONAI bundle per site head, with the arm's model card", () => {
  const out = join(dir, "bundles");
  const r = spawnSync(
    process.execPath,
    [CLI, "export", "--model", join(dir, "arms", "segviz-fedbn"), "--out", out],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const bundles = r.stdout.trim().split("\n");
  assert.equal(bundles.length, SITES.length);
  const fedbn = report.arms.find((a) => a.name === "segviz-fedbn")!;
  for (const b of bundles) {
    for (const f of [
      "configs/inference.json",
      "configs/metadata.json",
      "models/model.pt",
      "models/model.safetensors",
    ])
      assert.ok(existsSync(join(b, f)), `${b}/${f}`);
    // The bundle predicts with the study's sliding window, as the study evaluated.
    const inferer = JSON.parse(readFileSync(join(b, "configs", "inference.json"), "utf8")).inferer;
    const study = JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8")).inference;
    assert.deepEqual(
      [inferer.roi_size, inferer.overlap, inferer.sw_batch_size],
      [study.roi, study.overlap, study.swBatchSize],
    );
    const card = readFileSync(join(b, "README.md"), "utf8");
    assert.match(card, /the SegViz \(FedBN\) arm of study .* \(strategy fedbn\)/);
    for (const s of report.sites)
      assert.ok(card.includes(`| ${s.name} | ${s.organs.join(", ")} | ${s.trainingCases} |`), s.name);
    const liver = fedbn.summary.liver!.dice;
    assert.ok(
      card.includes(`${liver.mean!.toFixed(3)} ± ${liver.std!.toFixed(3)} (n=${liver.n})`),
      "the arm's Dice row",
    );
  }
});

test("SegViz FedAvg: every site ends with the same body and its own head", async () => {
  const models = await Promise.all(SITES.map((s) => siteModel("segviz-fedavg", s, "final")));
  const names = Object.keys(models[0]!);
  const body = names.filter((n) => !isHead(n));
  assert.ok(body.length > 0);
  // The demo recalibrates each site's BatchNorm statistics on its own data after the federation;
  // every learned body tensor is the shared one.
  const isStatistic = (n: string) => /running_(mean|var)$|num_batches_tracked$/.test(n);
  for (const n of body.filter((b) => !isStatistic(b)))
    for (const m of models.slice(1)) assert.ok(equal(m[n]!, models[0]![n]!), `${n} differs`);
  const stat = body.find((n) => n.endsWith("running_mean"))!;
  assert.ok(!equal(models[1]![stat]!, models[0]![stat]!), "statistics are measured per site");
  // Each site's model has only its own head, and the heads are different weights.
  const heads = models.map((m) => Object.keys(m).filter(isHead));
  assert.deepEqual(
    heads.map((h) => h[0]!.split(".")[1]),
    ORGANS,
  );
  const firstHeadTensor = (m: Record<string, Float32Array>) => m[Object.keys(m).filter(isHead).sort()[0]!]!;
  assert.ok(!equal(firstHeadTensor(models[0]!), firstHeadTensor(models[1]!)));
  const sharing = report.arms.find((a) => a.name === "segviz-fedavg")!.sharing!;
  assert.equal(sharing.sharedTensors, body.length);
  assert.deepEqual(
    sharing.localTensorsPerSite,
    Object.fromEntries(SITES.map((s, i) => [s, heads[i]!.length])),
  );
  assert.equal(sharing.rounds, 2);
  assert.equal(sharing.roundsVerified, 2);
  assert.ok(sharing.sharedIdenticalAcrossSites && sharing.bodyChangedFromInitial);
  assert.ok(sharing.bytesIn > 0 && sharing.bytesOut > 0);
});

test("SegViz FedBN: the non-BatchNorm body is shared, BatchNorm and heads stay at each site", async () => {
  const models = await Promise.all(SITES.map((s) => siteModel("segviz-fedbn", s, "final")));
  const names = Object.keys(models[0]!).filter((n) => !isHead(n));
  const shared = names.filter((n) => !isBatchNorm(n));
  const local = names.filter(isBatchNorm);
  assert.ok(shared.length > 0 && local.length > 0);
  for (const n of shared)
    for (const m of models.slice(1)) assert.ok(equal(m[n]!, models[0]![n]!), `${n} differs`);
  // BatchNorm running means were computed on each site's own data: they differ.
  const runningMean = local.find((n) => n.endsWith("running_mean"))!;
  assert.ok(
    !equal(models[0]![runningMean]!, models[1]![runningMean]!),
    `${runningMean} is the same at two sites`,
  );
  const sharing = report.arms.find((a) => a.name === "segviz-fedbn")!.sharing!;
  assert.equal(sharing.sharedTensors, shared.length);
  assert.ok(sharing.sharedIdenticalAcrossSites);
});

test("ConDistFL: one global model over every organ, everything shared, every site trained it", async () => {
  const arm = report.arms.find((a) => a.name === "condistfl")!;
  assert.equal(arm.strategy, "condistfl");
  assert.equal(arm.loss, "condist");
  const { tensors } = await readSafetensorsFile(join(dir, "arms", "condistfl", "final", "model.safetensors"));
  const heads = Object.keys(tensors).filter(isHead);
  // One head, background + the four organs, so no fusion is needed.
  assert.ok(heads.length > 0 && heads.every((n) => n.startsWith("heads.all.")));
  const lastConv = heads.filter((n) => n.endsWith(".weight") && tensors[n]!.shape.length === 5).sort();
  assert.ok(lastConv.some((n) => tensors[n]!.shape.includes(ORGANS.length + 1)));
  const sharing = arm.sharing!;
  // Heads and BatchNorm included: nothing stays at a site but the optimiser's state.
  assert.equal(sharing.sharedTensors, Object.keys(tensors).length);
  assert.deepEqual(sharing.localTensorsPerSite, Object.fromEntries(SITES.map((s) => [s, 0])));
  assert.ok(sharing.sharedIdenticalAcrossSites && sharing.bodyChangedFromInitial);
  assert.equal(sharing.roundsVerified, sharing.rounds);
  assert.equal(arm.curves.length, SITES.length);
  for (const c of arm.perCase) for (const o of ORGANS) assert.ok(o in c.dice);
});

test("individual models share nothing", async () => {
  const models = await Promise.all(SITES.map((s) => siteModel("individual", s, "last")));
  const n = Object.keys(models[0]!).find((k) => k.endsWith("conv.weight") && !isHead(k))!;
  assert.ok(!equal(models[0]![n]!, models[1]![n]!));
});

test("the MONAI exports hold MONAI UNet names only", async () => {
  const arm = report.arms.find((a) => a.name === "segviz-fedbn")!;
  assert.equal(arm.checkpoints.length, SITES.length);
  const { tensors } = await readSafetensorsFile(join(dir, arm.checkpoints[0]!));
  assert.ok(Object.keys(tensors).every((k) => /^model\.[012]\./.test(k)));
});

test("--resume reuses every finished arm and reproduces the evaluation", async () => {
  const again = await runDemo("tiny", dir, { threads: 2, resume: true, print: null });
  for (const [i, a] of again.arms.entries()) {
    const first = report.arms[i]!;
    assert.equal(a.trainSeconds, first.trainSeconds, `${a.name} was retrained`);
    assert.deepEqual(a.perCase, first.perCase, `${a.name} evaluates differently`);
  }
});

// A coordinator resumed past its last round used to wait for ever; the timeout ends such a hang.
test(
  "--resume after a federation finished but before its arm was recorded rebuilds the arm without rerunning it",
  {
    timeout: 10 * 60_000,
  },
  async () => {
    // The arm's record is what a crash between the last round and the end of the arm leaves missing.
    rmSync(join(dir, "arms", "segviz-fedavg", "arm.json"));
    const again = await runDemo("tiny", dir, { threads: 2, resume: true, print: null });
    const first = report.arms.find((a) => a.name === "segviz-fedavg")!;
    const rebuilt = again.arms.find((a) => a.name === "segviz-fedavg")!;
    assert.deepEqual(rebuilt.perCase, first.perCase);
    assert.equal(rebuilt.sharing!.roundsVerified, first.sharing!.roundsVerified);
  },
);

test("segviz view: a test case's CT in niivue (headless chromium), the liver overlay's colour where the truth's liver is", async () => {
  const viewer = await startStudyViewer(dir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(viewer.url);
    await page.waitForFunction("document.getElementById('app')?.dataset.loadedCase !== undefined", {
      timeout: 120_000,
    });
    const caseId = await page.$eval("#app", (e) => e.getAttribute("data-loaded-case"));
    // A liver voxel near the liver's centre, from the truth file itself (liver is organ 1).
    const truth = await readNifti(join(dir, "predictions", "ground-truth", `${caseId}.nii.gz`));
    const [nx, ny, nz] = truth.shape;
    const at = (i: number, j: number, k: number) => truth.data[i + nx * (j + ny * k)];
    let sum = [0, 0, 0];
    let n = 0;
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          if (at(i, j, k) === 1) {
            sum = [sum[0] + i, sum[1] + j, sum[2] + k];
            n++;
          }
    assert.ok(n > 0, "the case has liver");
    const c = sum.map((s) => s / n);
    let best: number[] = [];
    let bestD = Number.POSITIVE_INFINITY;
    for (let k = 0; k < nz; k++)
      for (let j = 1; j < ny - 1; j++)
        for (let i = 1; i < nx - 1; i++) {
          // Inside: the voxel and its in-plane neighbours are all liver.
          if (![-1, 0, 1].every((dj) => [-1, 0, 1].every((di) => at(i + di, j + dj, k) === 1))) continue;
          const d = (i - c[0]) ** 2 + (j - c[1]) ** 2 + (k - c[2]) ** 2;
          if (d < bestD) [best, bestD] = [[i, j, k], d];
        }
    assert.ok(best.length === 3, "an interior liver voxel");
    // Axial view through that voxel, the truth opaque, no crosshair over it; where niivue puts it.
    const place = async (truthOpacity: number) =>
      (await page.evaluate(`(() => {
        const v = window.segvizViewer; const nv = v.nv;
        nv.setSliceType(nv.sliceTypeAxial);
        v.setOverlayOpacity("truth", ${truthOpacity});
        const frac = nv.vox2frac([${best.join(",")}], 0);
        nv.scene.crosshairPos = frac;
        nv.drawScene();
        const p = nv.frac2canvasPos(frac);
        const cv = document.getElementById("volume");
        return { x: p[0] * cv.clientWidth / cv.width, y: p[1] * cv.clientHeight / cv.height };
      })()`)) as { x: number; y: number };
    const shot = async () => {
      const canvas = (await page.$("#volume"))!;
      await new Promise((r) => setTimeout(r, 300));
      return PNG.sync.read(Buffer.from(await canvas.screenshot({ type: "png" })));
    };
    const pixel = (png: PNG, x: number, y: number) => {
      const o = (Math.round(y) * png.width + Math.round(x)) * 4;
      return [png.data[o], png.data[o + 1], png.data[o + 2]];
    };
    const LIVER = [178, 58, 42];
    const isLiver = (p: number[]) => p.every((v, i) => Math.abs(v - LIVER[i]) <= 12);
    const on = await place(1);
    const withTruth = await shot();
    // Not blank: the CT shows many grey levels.
    const greys = new Set<number>();
    for (let o = 0; o < withTruth.data.length; o += 4) greys.add(withTruth.data[o]);
    assert.ok(greys.size > 40, `${greys.size} distinct levels on the canvas`);
    // Beside the crosshair's lines (they cross at the voxel), within the voxel's liver neighbours.
    const diagonal = [-9, 9].flatMap((dy) => [-9, 9].map((dx) => [dx, dy]));
    const around = diagonal.map(([dx, dy]) => pixel(withTruth, on.x + dx, on.y + dy));
    assert.ok(
      around.filter(isLiver).length >= 3,
      `liver colour at the truth's liver: ${JSON.stringify(around)}`,
    );
    // The colour is the overlay's: with the truth hidden the same place shows CT grey.
    const off = await place(0);
    const without = pixel(await shot(), off.x + 9, off.y + 9);
    assert.ok(
      !isLiver(without) && Math.max(...without) - Math.min(...without) <= 10,
      `without the overlay: ${without}`,
    );
  } finally {
    await browser.close();
    await viewer.close();
  }
});
