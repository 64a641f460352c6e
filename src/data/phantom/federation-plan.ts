// What a phantom federation contains, before anything is written: per-case seeds, file paths in
// Medical Segmentation Decathlon (training sites) and BTCV (external test) layouts, and the
// dataset.json documents. Pure data, so it is easy to test and to describe in phantom.json.

import type { PhantomOrgan } from "./labels.js";
import { hashString } from "./prng.js";
import { BTCV_TEST_STYLE, FEDERATION_SITES, type SiteSpec } from "./site-styles.js";
import { PHANTOM_SIZES, type PhantomSize, type ScannerStyle } from "./styles.js";

export interface FederationOptions {
  seed: number;
  casesPerSite: number;
  /**
   * Cases of particular sites, by organ, instead of casesPerSite (e.g. the study's unequal site
   * sizes). A site's n-th case is the same phantom whatever the other sites' counts.
   */
  siteCases?: Partial<Record<PhantomOrgan, number>>;
  testCases: number;
  size: PhantomSize;
  /** Sites to generate (default FEDERATION_SITES). */
  sites?: readonly SiteSpec[];
  /** External test set style (default BTCV_TEST_STYLE). */
  testStyle?: ScannerStyle;
}

export interface PlannedCase {
  /** Seed of this case's phantom, derived from the federation seed, the site and the index. */
  seed: number;
  /** Paths relative to the federation's root folder. */
  image: string;
  label: string;
}

interface PlannedSite {
  name: string;
  organ: PhantomOrgan;
  style: ScannerStyle;
  cases: PlannedCase[];
}

export interface FederationPlan {
  options: Required<Pick<FederationOptions, "seed" | "casesPerSite" | "testCases" | "size">> &
    Pick<FederationOptions, "siteCases">;
  sites: PlannedSite[];
  test: { name: string; style: ScannerStyle; cases: PlannedCase[] };
}

const TEST_SET_DIR = "test-btcv";

/** A per-case seed: independent of the order cases are generated in. */
export function caseSeed(federationSeed: number, group: string, index: number): number {
  return hashString(`${federationSeed}/${group}/${index}`);
}

function checkCount(name: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${n}`);
}

export function planFederation(opts: FederationOptions): FederationPlan {
  checkCount("casesPerSite", opts.casesPerSite, 1);
  checkCount("testCases", opts.testCases, 0);
  if (!Number.isFinite(opts.seed)) throw new RangeError(`seed must be a finite number, got ${opts.seed}`);
  if (!(opts.size in PHANTOM_SIZES))
    throw new RangeError(`unknown phantom size "${opts.size}" (tiny, demo, large)`);
  const siteSpecs = opts.sites ?? FEDERATION_SITES;
  for (const [organ, n] of Object.entries(opts.siteCases ?? {})) {
    if (!siteSpecs.some((s) => s.organ === organ))
      throw new RangeError(
        `siteCases: no site labels '${organ}' (sites: ${siteSpecs.map((s) => s.organ).join(", ")})`,
      );
    checkCount(`siteCases.${organ}`, n!, 1);
  }
  const sites = siteSpecs.map((site): PlannedSite => {
    const cases: PlannedCase[] = [];
    const count = opts.siteCases?.[site.organ] ?? opts.casesPerSite;
    for (let n = 0; n < count; n++) {
      // MSD naming: <task>_<n>.nii.gz in imagesTr and labelsTr.
      const file = `${site.organ}_${n}.nii.gz`;
      cases.push({
        seed: caseSeed(opts.seed, site.name, n),
        image: `${site.name}/imagesTr/${file}`,
        label: `${site.name}/labelsTr/${file}`,
      });
    }
    return { name: site.name, organ: site.organ, style: site.style, cases };
  });
  const testCases: PlannedCase[] = [];
  for (let n = 1; n <= opts.testCases; n++) {
    // BTCV naming: img0001.nii.gz and label0001.nii.gz.
    const id = String(n).padStart(4, "0");
    testCases.push({
      seed: caseSeed(opts.seed, TEST_SET_DIR, n),
      image: `${TEST_SET_DIR}/img/img${id}.nii.gz`,
      label: `${TEST_SET_DIR}/label/label${id}.nii.gz`,
    });
  }
  return {
    options: {
      seed: opts.seed,
      casesPerSite: opts.casesPerSite,
      ...(opts.siteCases !== undefined && { siteCases: opts.siteCases }),
      testCases: opts.testCases,
      size: opts.size,
    },
    sites,
    test: { name: TEST_SET_DIR, style: opts.testStyle ?? BTCV_TEST_STYLE, cases: testCases },
  };
}

/** The site's MSD dataset.json: only its own organ is a label (1), everything else background. */
export function msdDatasetJson(site: PlannedSite): Record<string, unknown> {
  const strip = (p: string) => `./${p.slice(site.name.length + 1)}`;
  return {
    name: `Phantom${site.organ[0].toUpperCase()}${site.organ.slice(1)}`,
    description: `SegViz procedural CT phantom, ${site.organ} annotations only (scanner style ${site.style.name})`,
    reference: "SegViz phantom generator (synthetic data)",
    licence: "CC0-1.0",
    release: "1.0",
    tensorImageSize: "3D",
    modality: { "0": "CT" },
    labels: { "0": "background", "1": site.organ },
    numTraining: site.cases.length,
    numTest: 0,
    training: site.cases.map((c) => ({ image: strip(c.image), label: strip(c.label) })),
    test: [],
  };
}
