// The demo end to end: the phantom federation written (or reused when an earlier run made the same
// one), then the study on it.
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { writePhantomFederation } from "../../data/phantom/index.js";
import { logEvent } from "../../util/progress.js";
import type { StudyReport } from "../report/report-types.js";
import { runStudy, type StudyOptions } from "../run-study.js";
import { runSeeds, type SeedStudyResult } from "../seeds/run-seeds.js";
import { type DemoPlan, type DemoScale, demoPlan } from "./demo-config.js";

/** The caveats printed at the top of the demo's report, with the budget actually used. */
function demoNotes(plan: DemoPlan): string[] {
  const e = plan.experiment;
  const t = e.training;
  const size = (v: readonly number[]) => v.join("x");
  return [
    "Data: the built-in procedural CT phantom (four sites, each labelling one organ in its own scanner style; an external test set in BTCV layout with every organ labelled). The numbers show how the methods compare on this data; they are not the paper's numbers on real CT.",
    `Budget, scaled down from the study's (500 epochs in 50 rounds of 10, then 150 head-only epochs; 128x128x32 crops at 1.5x1.5x2 mm; ROI 160^3) to suit a 2-core CPU: ${t.epochs} epochs in ${t.epochs / t.roundEpochs} rounds of ${t.roundEpochs}, then ${t.headFineTuneEpochs} head-only epochs; ${size(e.augment.patchSize)} crops at ${size(e.preprocess.pixdim)} mm; ROI ${size(e.inference.roi)}; Adam lr ${t.lr}. Every arm gets the same cases, epochs, crops and initial weights.`,
    `Model: MONAI's UNet with channels ${e.model.channels.join(", ")}${e.model.channels[0] === 16 ? " (the study's)" : " (the study: 16, 32, 64, 128, 256)"}. Arms run: ${e.arms.map((a) => a.label).join(", ")}. Training seed ${e.seed}; one seed's table is one draw (segviz demo --seeds N shows the spread).`,
    `Every site has ${plan.phantom.casesPerSite} cases here. In the study the spleen data set was about 6% of the pooled volumes, which is what made the naive central model's spleen collapse; with equal sites its spleen is labelled background in 75% of the volumes instead of 94%.`,
  ];
}

export async function runDemo(
  scale: DemoScale,
  outDir: string,
  opts: StudyOptions & { threads?: number; seed?: number; phantomSeed?: number } = {},
): Promise<StudyReport> {
  const plan = demoPlan(scale, outDir, opts);
  const dataSeconds = await writeDemoPhantom(plan, outDir);
  return runStudy(plan.experiment, {
    title: `SegViz demo (${scale}) on the phantom federation`,
    notes: demoNotes(plan),
    dataSeconds,
    ...opts,
  });
}

/**
 * The demo over several training seeds (outDir/seed-N each, one phantom federation), with the
 * spread across seeds and the seed-aware comparison written to outDir/seeds.txt and seeds.json.
 */
export async function runDemoSeeds(
  scale: DemoScale,
  outDir: string,
  seeds: readonly number[],
  opts: StudyOptions & { threads?: number; phantomSeed?: number } = {},
): Promise<SeedStudyResult> {
  const plan = demoPlan(scale, outDir, { ...opts, seed: seeds[0] });
  const dataSeconds = await writeDemoPhantom(plan, outDir);
  return runSeeds(plan.experiment, seeds, {
    title: `SegViz demo (${scale}) on the phantom federation`,
    notes: demoNotes(plan),
    dataSeconds,
    ...opts,
  });
}

/** Writes the plan's phantom federation under outDir/data, or reuses the same one from an earlier run. */
async function writeDemoPhantom(plan: DemoPlan, outDir: string): Promise<number> {
  const data = join(outDir, "data");
  const t0 = performance.now();
  const manifest = join(data, "phantom.json");
  const same =
    existsSync(manifest) &&
    (() => {
      const m = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
      const p = plan.phantom;
      return (
        m.seed === p.seed &&
        m.size === p.size &&
        m.casesPerSite === p.casesPerSite &&
        m.testCases === p.testCases
      );
    })();
  if (!same) {
    logEvent({ event: "demo.phantom", out: data, ...plan.phantom });
    // Another size's files would linger in the BTCV folder, which is listed by its files.
    await rm(data, { recursive: true, force: true });
    await writePhantomFederation(data, plan.phantom);
  }
  return (performance.now() - t0) / 1000;
}
