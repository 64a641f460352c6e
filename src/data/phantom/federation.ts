// Writes a phantom federation to disk: four partially labelled training sites in MSD layout, an
// external, fully labelled test set in BTCV layout, and phantom.json describing all of it.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeNifti } from "../nifti/index.js";
import type { Volume } from "../volume.js";
import {
  type FederationOptions,
  type FederationPlan,
  msdDatasetJson,
  type PlannedCase,
  planFederation,
} from "./federation-plan.js";
import { generatePhantom, type Phantom } from "./generate.js";
import {
  BTCV_LABELS,
  btcvOfTissue,
  mapVoxels,
  PHANTOM_ORGAN_LABELS,
  type PhantomOrgan,
  tissueLookup,
} from "./labels.js";
import type { PatientParams } from "./patient.js";
import type { ScannerStyle } from "./styles.js";

/** One written case as recorded in phantom.json. */
interface ManifestCase {
  seed: number;
  image: string;
  label: string;
  shape: number[];
  spacing: number[];
  patient: PatientParams;
}

/** Contents of phantom.json. */
interface FederationManifest {
  generator: "segviz-phantom";
  formatVersion: 1;
  seed: number;
  size: string;
  casesPerSite: number;
  /** Per-organ case counts that override casesPerSite (unequal sites). */
  siteCases?: Partial<Record<PhantomOrgan, number>>;
  testCases: number;
  organLabels: typeof PHANTOM_ORGAN_LABELS;
  btcvLabels: typeof BTCV_LABELS;
  sites: {
    name: string;
    organ: PhantomOrgan;
    labels: Record<string, string>;
    style: ScannerStyle;
    cases: ManifestCase[];
  }[];
  test: {
    name: string;
    layout: "BTCV";
    labels: Record<string, number>;
    style: ScannerStyle;
    cases: ManifestCase[];
  };
}

export interface FederationResult {
  manifest: FederationManifest;
  /** Wall-clock milliseconds spent generating and (overlapping with it) writing. */
  timings: { totalMs: number; generateMs: number };
}

/** A site's label volume: 1 where its own organ is, 0 everywhere else (other organs included). */
function siteLabelVolume(phantom: Phantom, organ: PhantomOrgan): Volume {
  const id = PHANTOM_ORGAN_LABELS[organ];
  const src = phantom.labels.data as Uint8Array;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] === id ? 1 : 0;
  return { ...phantom.labels, data: out, affine: phantom.labels.affine.map((r) => [...r]) };
}

const btcvLookup = tissueLookup(btcvOfTissue);

/** All organs with BTCV ids (spleen 1, right kidney 2, left kidney 3, liver 6, pancreas 11). */
function btcvLabelVolume(phantom: Phantom): Volume {
  const data = mapVoxels(phantom.tissue.data as Uint8Array, btcvLookup);
  return { ...phantom.tissue, data, affine: phantom.tissue.affine.map((r) => [...r]) };
}

/** Compression runs on libuv's thread pool: keep a few writes in flight while generating. */
const MAX_PENDING_WRITES = 4;

export async function writePhantomFederation(
  outDir: string,
  opts: FederationOptions,
): Promise<FederationResult> {
  const started = performance.now();
  const plan: FederationPlan = planFederation(opts);
  const pending = new Set<Promise<void>>();
  let generateMs = 0;

  const write = async (relPath: string, volume: Volume) => {
    const path = join(outDir, relPath);
    await mkdir(dirname(path), { recursive: true });
    await writeNifti(path, volume);
  };
  const enqueue = async (job: Promise<void>) => {
    const tracked = job.finally(() => pending.delete(tracked));
    pending.add(tracked);
    if (pending.size >= MAX_PENDING_WRITES) await Promise.race(pending);
  };
  const makeCase = async (
    c: PlannedCase,
    style: ScannerStyle,
    label: (p: Phantom) => Volume,
  ): Promise<ManifestCase> => {
    const t0 = performance.now();
    const phantom = generatePhantom({ seed: c.seed, style, size: plan.options.size });
    const labelVolume = label(phantom);
    generateMs += performance.now() - t0;
    await enqueue(
      Promise.all([write(c.image, phantom.image), write(c.label, labelVolume)]).then(() => undefined),
    );
    return {
      seed: c.seed,
      image: c.image,
      label: c.label,
      shape: phantom.image.shape,
      spacing: phantom.grid.spacing,
      patient: phantom.patient,
    };
  };

  await mkdir(outDir, { recursive: true });
  const sites: FederationManifest["sites"] = [];
  for (const site of plan.sites) {
    await mkdir(join(outDir, site.name), { recursive: true });
    const cases: ManifestCase[] = [];
    for (const c of site.cases)
      cases.push(await makeCase(c, site.style, (p) => siteLabelVolume(p, site.organ)));
    await writeFile(
      join(outDir, site.name, "dataset.json"),
      `${JSON.stringify(msdDatasetJson(site), null, 2)}\n`,
    );
    sites.push({
      name: site.name,
      organ: site.organ,
      labels: { "0": "background", "1": site.organ },
      style: site.style,
      cases,
    });
  }
  const testCases: ManifestCase[] = [];
  for (const c of plan.test.cases) testCases.push(await makeCase(c, plan.test.style, btcvLabelVolume));
  await Promise.all(pending);

  const manifest: FederationManifest = {
    generator: "segviz-phantom",
    formatVersion: 1,
    seed: plan.options.seed,
    size: plan.options.size,
    casesPerSite: plan.options.casesPerSite,
    ...(plan.options.siteCases !== undefined && { siteCases: plan.options.siteCases }),
    testCases: plan.options.testCases,
    organLabels: PHANTOM_ORGAN_LABELS,
    btcvLabels: BTCV_LABELS,
    sites,
    test: {
      name: plan.test.name,
      layout: "BTCV",
      labels: { ...BTCV_LABELS },
      style: plan.test.style,
      cases: testCases,
    },
  };
  await writeFile(join(outDir, "phantom.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, timings: { totalMs: performance.now() - started, generateMs } };
}
