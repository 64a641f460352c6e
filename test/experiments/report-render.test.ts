// The report renderers on a small synthetic study: hand-computed quartiles, ticks, table text and
// pixel colours; the HTML page offline, escaped and balanced.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PNG } from "pngjs";
import { boxStats } from "../../src/experiments/report/box-stats.js";
import {
  boxPlotSvg,
  diceBoxPlotSvg,
  formatDiceTable,
  formatHd95Table,
  lineChartSvg,
  niceTicks,
  renderOverlayPng,
  renderReportHtml,
  type StudyReport,
} from "../../src/experiments/report/index.js";
import { percentileLinear as percentile } from "../../src/training/metrics/index.js";

const EVIL = "SegViz <script>";

function sampleReport(): StudyReport {
  const stat = (mean: number | null, std: number | null, n: number) => ({ mean, std, n });
  return {
    format: "segviz-study-report/1",
    title: "Phantom study & checks",
    createdAt: "2025-01-02T03:04:05.000Z",
    command: "segviz study --phantom",
    machine: {
      platform: "linux",
      cpuModel: "Test CPU",
      cpus: 4,
      threads: 2,
      node: "v20.0.0",
      libtorch: "1.13.1",
    },
    provenance: {
      program: {
        name: "segviz",
        version: "0.1.0",
        commit: "0123456789abcdef0123456789abcdef01234567",
        modified: true,
      },
      device: "cpu",
      seed: 7,
      inputs: {
        sites: {
          "site-liver": { sha256: "a".repeat(64), cases: 8, skipped: 1, files: [] },
          "site-spleen": { sha256: "b".repeat(64), cases: 6, skipped: 0, files: [] },
        },
        test: { sha256: "c".repeat(64), cases: 3, skipped: 0, files: [] },
      },
    },
    organs: ["liver", "spleen"],
    sites: [
      { name: "site-liver", organs: ["liver"], trainingCases: 8, window: [-160, 240] },
      { name: "site-spleen", organs: ["spleen"], trainingCases: 6, window: [-160, 240] },
    ],
    skipped: {
      "site-liver": [
        { id: "liver_9", stage: "preprocessing", file: "liver_9.nii.gz", reason: "truncated <gzip> stream" },
      ],
      "site-spleen": [],
    },
    testSet: { name: "phantom-test", cases: ["c1", "c2", "c3"] },
    settings: { epochs: 2, seed: 7 },
    arms: [
      {
        name: "individual",
        label: "Individual",
        kind: "individual",
        loss: "dice",
        trainSeconds: 12.34,
        evalSeconds: 1.5,
        perCase: [
          {
            caseId: "c1",
            dice: { liver: 0.83, spleen: 0.7 },
            diceHead: { liver: 0.83, spleen: 0.7 },
            hd95: { liver: 5, spleen: 9 },
            prediction: "p/i1.nii.gz",
          },
          {
            caseId: "c2",
            dice: { liver: 0.87, spleen: null },
            diceHead: { liver: 0.87, spleen: null },
            hd95: { liver: 6, spleen: null },
            prediction: "p/i2.nii.gz",
          },
          {
            caseId: "c3",
            dice: { liver: 0.92, spleen: null },
            diceHead: { liver: 0.92, spleen: null },
            hd95: { liver: 6.8, spleen: null },
            prediction: "p/i3.nii.gz",
          },
        ],
        summary: {
          liver: {
            dice: stat(0.8734, 0.0412, 3),
            diceHead: stat(0.8734, 0.0412, 3),
            hd95: stat(5.26, 1.04, 3),
          },
          spleen: { dice: stat(0.7, null, 1), diceHead: stat(0.7, null, 1), hd95: stat(9, null, 1) },
        },
        curves: [
          {
            name: "site-liver",
            x: "epoch",
            points: [
              { x: 1, loss: 0.9 },
              { x: 2, loss: 0.6 },
            ],
          },
          {
            name: "site-spleen",
            x: "epoch",
            points: [
              { x: 1, loss: 0.8 },
              { x: 2, loss: 0.5 },
            ],
          },
        ],
        checkpoints: ["ckpt/individual-liver.safetensors"],
      },
      {
        name: "segviz-fedavg",
        label: EVIL,
        kind: "federated",
        strategy: "fedavg",
        loss: "dice",
        trainSeconds: 100,
        evalSeconds: 2,
        perCase: [
          {
            caseId: "c1",
            dice: { liver: 0.9, spleen: 0.55 },
            diceHead: { liver: 0.9, spleen: 0.55 },
            hd95: { liver: null, spleen: 4 },
            prediction: "p/s1.nii.gz",
          },
          {
            caseId: "c2",
            dice: { liver: 0.93, spleen: 0.65 },
            diceHead: { liver: 0.93, spleen: 0.65 },
            hd95: { liver: null, spleen: 5 },
            prediction: "p/s2.nii.gz",
          },
          {
            caseId: "c3",
            dice: { liver: 0.94, spleen: 0.75 },
            diceHead: { liver: 0.94, spleen: 0.75 },
            hd95: { liver: null, spleen: 6 },
            prediction: "p/s3.nii.gz",
          },
        ],
        summary: {
          liver: {
            dice: stat(0.9213, 0.0207, 3),
            diceHead: stat(0.9213, 0.0207, 3),
            hd95: stat(null, null, 0),
          },
          spleen: { dice: stat(0.6502, 0.1, 3), diceHead: stat(0.6502, 0.1, 3), hd95: stat(5, 1, 3) },
        },
        curves: [{ name: "site-liver", x: "round", points: [{ x: 1, loss: 0.7 }] }],
        checkpoints: [],
        sharing: {
          rounds: 2,
          sharedTensors: 40,
          sharedParameters: 4808000,
          localTensorsPerSite: { "site-liver": 2, "site-spleen": 2 },
          sharedIdenticalAcrossSites: true,
          roundsVerified: 1,
          bodyChangedFromInitial: true,
          bytesIn: 2048,
          bytesOut: 3 * 1024 * 1024,
        },
      },
    ],
    baseline: "individual",
    alpha: 0.05,
    comparisons: [
      {
        metric: "dice",
        arm: "segviz-fedavg",
        baseline: "individual",
        organ: "liver",
        nPairs: 3,
        armMean: 0.9233,
        baselineMean: 0.8733,
        meanDifference: 0.05,
        statistic: 0,
        pValue: 0.0123,
        pHolm: 0.0246,
        significant: true,
      },
      {
        metric: "dice",
        arm: "segviz-fedavg",
        baseline: "individual",
        organ: "spleen",
        nPairs: 1,
        armMean: 0.55,
        baselineMean: 0.7,
        meanDifference: -0.15,
        statistic: 0,
        pValue: 0.01,
        pHolm: 0.02,
        significant: true,
      },
    ],
    overlays: [
      {
        caseId: "c1",
        sliceIndex: 17,
        rows: 4,
        cols: 5,
        pixelMm: [1, 1],
        // Row 0: window bottom, window top, a liver pixel at 80 HU, below and above the window.
        ct: [-160, 240, 80, -1000, 1000, ...new Array<number>(15).fill(40)],
        truth: [0, 0, 1, 0, 0, ...new Array<number>(15).fill(0)],
        predictions: {
          individual: [0, 0, 2, 0, 0, ...new Array<number>(15).fill(0)],
          "segviz-fedavg": [0, 0, 1, 0, 0, ...new Array<number>(15).fill(0)],
        },
      },
    ],
    seconds: { total: 130.25, data: 3, evaluation: 3.5 },
    notes: ["Phantom data: numbers say nothing about real CT & are for checking the pipeline."],
  };
}

function rgbAt(png: PNG, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

describe("box statistics", () => {
  test("percentiles interpolate linearly between order statistics (numpy's default)", () => {
    assert.equal(percentile([4, 1, 3, 2], 25), 1.75);
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([1, 2, 3, 4], 75), 3.25);
    assert.equal(percentile([1, 2, 3, 4], 0), 1);
    assert.equal(percentile([1, 2, 3, 4], 100), 4);
    // 10% of 3 values: position 0.2 between 0.1 and 0.5.
    assert.ok(Math.abs(percentile([0.5, 0.1, 0.9], 10) - 0.18) < 1e-15);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  test("whiskers stop at the last point within 1.5 IQR; beyond are outliers", () => {
    // q1 2, median 3, q3 4, IQR 2: fences at -1 and 7, so 100 is an outlier and the top whisker is 4.
    assert.deepEqual(boxStats([100, 3, 1, 4, 2]), {
      n: 5,
      q1: 2,
      median: 3,
      q3: 4,
      whiskerLow: 1,
      whiskerHigh: 4,
      outliers: [100],
    });
    assert.equal(boxStats([Number.NaN]), null);
  });
});

describe("nice ticks", () => {
  test("steps of 1, 2 or 5 times a power of ten, widened to whole steps", () => {
    assert.deepEqual(niceTicks(0, 0.93, 6).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0.31, 1.87, 5).values, [0, 0.5, 1, 1.5, 2]);
    assert.deepEqual(niceTicks(120, 980, 5).values, [0, 200, 400, 600, 800, 1000]);
  });

  test("integer axes never get half steps", () => {
    assert.deepEqual(niceTicks(1, 3, 6, true).values, [1, 2, 3]);
  });
});

describe("terminal tables", () => {
  const report = sampleReport();

  test("Dice: mean ± std to 3 decimals, ASCII markers, aligned columns, legend", () => {
    const lines = formatDiceTable(report).split("\n");
    assert.equal(lines[0], "Arm                         liver            spleen  Train s");
    assert.equal(lines[2], "Individual       0.873 ± 0.041             0.700        12.3");
    assert.equal(lines[3], "SegViz <script>  0.921 ± 0.021 +*  0.650 ± 0.100 -*    100.0");
    const text = lines.join("\n");
    assert.ok(text.includes("paired Wilcoxon signed-rank vs Individual, Holm across organs, p < 0.05"), text);
  });

  test("HD95: 1 decimal, dash where undefined, no markers", () => {
    const lines = formatHd95Table(report).split("\n");
    assert.equal(lines[2], "Individual       5.3 ± 1.0        9.0     12.3");
    assert.equal(lines[3], "SegViz <script>          —  5.0 ± 1.0    100.0");
  });
});

describe("SVG charts", () => {
  test("box: quartiles mapped onto the Dice axis", () => {
    const svg = boxPlotSvg([{ title: "liver", groups: [{ label: "a", values: [0, 0.25, 0.5, 0.75, 1] }] }]);
    // Plot area from y = 34 (value 1) to 254 (value 0): q3 0.75 at 89, q1 0.25 at 199.
    assert.ok(svg.includes('y="89" width="24" height="110"'), svg);
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  });

  test("the study's box plot: a panel per organ, labels escaped, no namespace URL inline", () => {
    const svg = diceBoxPlotSvg(sampleReport(), { inline: true });
    assert.ok(svg.startsWith("<svg "));
    assert.ok(!svg.includes("http"));
    assert.ok(svg.includes(">liver</text>") && svg.includes(">spleen</text>"));
    assert.ok(svg.includes("SegViz &lt;script&gt;") && !svg.includes("<script"));
    // Individual's spleen has one case, the other boxes three each: 10 dots, no outliers among them.
    assert.equal(svg.match(/<circle /g)?.length, 10);
  });

  test("lines: a non-finite loss breaks the line; legend and axis label", () => {
    const svg = lineChartSvg([
      {
        name: "a<b",
        x: "round",
        points: [
          { x: 1, loss: 1 },
          { x: 2, loss: 0.8 },
          { x: 3, loss: Number.NaN },
          { x: 4, loss: 0.5 },
          { x: 5, loss: 0.4 },
        ],
      },
    ]);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.ok(svg.includes(">a&lt;b</text>"));
    assert.ok(svg.includes(">Federation round</text>"));
    // y axis 0.4..1 at nice ticks of 0.1.
    assert.ok(svg.includes(">0.4</text>") && svg.includes(">1.0</text>"));
  });
});

describe("overlay PNG", () => {
  const slice = sampleReport().overlays[0];

  test("CT window, label blend, whole-factor enlargement", () => {
    const png = PNG.sync.read(renderOverlayPng(slice, slice.truth));
    // 5 columns x 52 = 260 >= 256 wide, 4 rows x 52 high.
    assert.equal(png.width, 260);
    assert.equal(png.height, 208);
    assert.deepEqual(rgbAt(png, 0, 0), [0, 0, 0]); // -160 HU
    assert.deepEqual(rgbAt(png, 52, 0), [255, 255, 255]); // 240 HU
    assert.deepEqual(rgbAt(png, 103, 51), [255, 255, 255]); // same source pixel, other corner
    assert.deepEqual(rgbAt(png, 156, 0), [0, 0, 0]); // -1000 HU clipped
    assert.deepEqual(rgbAt(png, 208, 0), [255, 255, 255]); // 1000 HU clipped
    // 40 HU: 200 / 400 of 255 = 127.5, rounds to 128.
    assert.deepEqual(rgbAt(png, 0, 52), [128, 128, 128]);
    // 80 HU is grey 153; liver (178, 58, 42) at alpha 0.45: 153 * 0.55 + c * 0.45.
    assert.deepEqual(rgbAt(png, 104, 0), [164, 110, 103]);
    // CT only: the same pixel stays grey.
    assert.deepEqual(rgbAt(PNG.sync.read(renderOverlayPng(slice, null)), 104, 0), [153, 153, 153]);
  });

  test("non-square pixels are stretched to their physical aspect", () => {
    const tall = PNG.sync.read(renderOverlayPng({ ...slice, pixelMm: [2, 1] }, null));
    assert.deepEqual([tall.width, tall.height], [260, 416]);
    const wide = PNG.sync.read(renderOverlayPng({ ...slice, pixelMm: [1, 2] }, null));
    // Columns twice as wide: 10 output columns per factor step, factor ceil(256 / 10) = 26.
    assert.deepEqual([wide.width, wide.height], [260, 104]);
    assert.deepEqual(rgbAt(wide, 52, 0), [255, 255, 255]); // column 1 spans x 52..103
    assert.deepEqual(rgbAt(wide, 51, 0), [0, 0, 0]);
  });

  test("label map of the wrong size is an error", () => {
    assert.throws(() => renderOverlayPng(slice, [1, 2, 3]), /labels have 3 values/);
  });
});

describe("HTML report", () => {
  const report = sampleReport();
  const html = renderReportHtml(report);

  test("self-contained and offline", () => {
    assert.ok(html.startsWith("<!doctype html>"));
    assert.ok(!/https?:\/\//.test(html), "no URLs");
    assert.ok(!/<(link|script|iframe)\b/i.test(html), "no external resources or scripts");
    // CT, truth and two arms for the one overlay.
    assert.equal(html.match(/src="data:image\/png;base64,/g)?.length, 4);
  });

  test("text is escaped", () => {
    assert.ok(html.includes("SegViz &lt;script&gt;"));
    assert.ok(!html.includes("<script"));
    assert.ok(html.includes("<title>Phantom study &amp; checks</title>"));
    assert.ok(html.includes("nothing about real CT &amp; are"));
  });

  test("tags are balanced", () => {
    for (const tag of ["html", "section", "table", "tr", "td", "details", "figure", "svg", "g", "text"]) {
      const open = html.match(new RegExp(`<${tag}[\\s>]`, "g"))?.length ?? 0;
      const close = html.match(new RegExp(`</${tag}>`, "g"))?.length ?? 0;
      assert.equal(open, close, `<${tag}>: ${open} opened, ${close} closed`);
    }
  });

  test("tables: best mean in bold, markers with p and Holm p, comparisons, sharing", () => {
    assert.ok(html.includes("<strong>0.921 ± 0.021</strong>"));
    assert.ok(html.includes("<strong>0.700</strong>"));
    assert.ok(!html.includes("<strong>0.873 ± 0.041</strong>"));
    assert.ok(html.includes("p = 0.0123, Holm p = 0.0246"));
    assert.ok(html.includes("p = 0.0100, Holm p = 0.0200"));
    assert.ok(html.includes(">+*</span>") && html.includes(">-*</span>"));
    assert.ok(html.includes("Comparisons against Individual"));
    assert.ok(html.includes('<td>liver</td><td class="num">3</td><td class="num">0.923</td>'));
    assert.ok(html.includes("4,808,000") && html.includes("3.0 MiB") && html.includes("2.0 KiB"));
    // One of two rounds verified: flagged.
    assert.ok(html.includes('<td class="num"><span class="bad">1</span></td>'));
    // Per-case Dice under the arm's slice.
    assert.ok(html.includes("Dice liver 0.900, spleen 0.550"));
    assert.ok(html.includes("&quot;seed&quot;: 7"));
  });

  test("embedded slices decode at the overlay's size", () => {
    const first = html.match(/data:image\/png;base64,([A-Za-z0-9+/=]+)/);
    assert.ok(first);
    const png = PNG.sync.read(Buffer.from(first[1], "base64"));
    assert.deepEqual([png.width, png.height], [260, 208]);
  });
});

test("the report names the program, its commit, the device and seed, and every input's fingerprint", () => {
  const html = renderReportHtml(sampleReport());
  assert.match(html, /segviz 0\.1\.0, commit 0123456789abcdef0123456789abcdef01234567 with local changes/);
  assert.match(html, /device cpu, seed 7/);
  for (const h of ["a", "b", "c"]) assert.ok(html.includes(h.repeat(64)), `fingerprint ${h}`);
  assert.match(html, /<td>site-liver<\/td><td class="num">8<\/td><td class="num">1<\/td>/);
});

test("the report lists each site's skipped cases with stage, file and reason, or says none was", () => {
  const html = renderReportHtml(sampleReport());
  assert.match(html, /1 training case\(s\) were skipped \(onBadCase "skip"\) and are in no arm/);
  assert.ok(
    html.includes(
      "<td>site-liver</td><td>liver_9</td><td>preprocessing</td><td><code>liver_9.nii.gz</code></td><td>truncated &lt;gzip&gt; stream</td>",
    ),
  );
  const clean = renderReportHtml({ ...sampleReport(), skipped: { "site-liver": [], "site-spleen": [] } });
  assert.match(clean, /No training case was skipped\./);
});
