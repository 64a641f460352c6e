// A tiny phantom federation (liver and spleen sites) and the tiny-UNet site configs that train on
// it in seconds: shared by the adapter and the `segviz simulate` tests.
import { join } from "node:path";
import { FEDERATION_SITES, writePhantomFederation } from "../../../src/data/phantom/index.js";

export const TINY_SITES = ["liver", "spleen"] as const;

export async function writeTinyFederation(dir: string): Promise<void> {
  await writePhantomFederation(dir, {
    seed: 5,
    casesPerSite: 3,
    testCases: 0,
    size: "tiny",
    sites: FEDERATION_SITES.filter((s) => (TINY_SITES as readonly string[]).includes(s.organ)),
  });
}

/** A raw (unparsed) site config, as it would appear in site.json. */
export function tinySiteConfig(fedDir: string, organ: string, outDir: string): Record<string, unknown> {
  return {
    site: organ,
    data: { layout: "msd", root: join(fedDir, `site-${organ}`) },
    labelMap: organ === "liver" ? "MSD_TASK03_LIVER" : "MSD_TASK09_SPLEEN",
    heads: [{ task: organ, organs: [organ] }],
    model: { channels: [4, 8, 16], strides: [2, 2], numResUnits: 1 },
    preprocess: { pixdim: [5, 5, 5] },
    augment: { patchSize: [24, 24, 16], numSamples: 2 },
    training: {
      batchSize: 1,
      lr: 0.01,
      seed: 7,
      threads: 2,
      validationFraction: 0.34,
      roi: [24, 24, 16],
    },
    outDir,
  };
}
