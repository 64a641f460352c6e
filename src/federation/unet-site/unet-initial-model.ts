// The coordinator's own starting model for a UNet federation: the sites' multi-head UNet built
// from a seed, as a full weight set (the coordinator keeps the shared part). Named in the
// coordinator config as its initialModel module, so the federation core never sees a model.
import { manualSeed } from "../../engine/index.js";
import { tensorToData } from "../../nn/checkpoint.js";
import { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../nn/monai/unet.js";
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import { type HeadSpec, taskHeads } from "../../training/trainer/heads.js";
import type { InitialModelSpec } from "../coordinator/config.js";
import type { WeightSet } from "../weights/weight-set.js";

export interface UNetInitialModelOptions {
  model: UNetConfig;
  /** Every task head of the federation; only those the strategy shares are kept. */
  heads: HeadSpec[];
  seed: number;
}

/**
 * Drawn on the CPU exactly as a site draws its model (createSiteModel): the body's parameters
 * come before any head's, so a site seeded alike holds the same body whatever its own heads.
 */
export function createInitialWeights(options: UNetInitialModelOptions): WeightSet {
  manualSeed(options.seed);
  const model = new MultiHeadUNet(options.model, taskHeads(options.heads));
  try {
    return new Map([...model.stateDict()].map(([k, t]) => [k, tensorToData(t)]));
  } finally {
    model.dispose();
  }
}

/**
 * The coordinator's model for a federation of these sites: their common model section, every
 * task head once (first definition wins, in site order), and the seed the sites draw from.
 */
export function initialModelOfSites(sites: readonly SiteTrainingConfig[], seed: number): InitialModelSpec {
  const model = JSON.stringify(sites[0].model);
  const other = sites.find((s) => JSON.stringify(s.model) !== model);
  if (other !== undefined)
    throw new Error(
      `site ${other.site}'s model differs from site ${sites[0].site}'s: a federation trains one architecture`,
    );
  const byTask = new Map<string, HeadSpec>();
  for (const s of sites) for (const h of s.heads) if (!byTask.has(h.task)) byTask.set(h.task, h);
  const options: UNetInitialModelOptions = { model: sites[0].model, heads: [...byTask.values()], seed };
  return { module: UNET_INITIAL_MODEL_MODULE, options };
}

export const UNET_INITIAL_MODEL_MODULE = import.meta.url;
