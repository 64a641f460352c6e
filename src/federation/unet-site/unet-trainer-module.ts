// Trainer module for forked site processes (`segviz simulate`): the federation's site entry
// imports this module, named in the local simulation config, and calls createTrainer.
import type { SiteTrainingConfig } from "../../training/config/site-config.js";
import { UNetSiteTrainer } from "./unet-site-trainer.js";

interface UNetTrainerModuleOptions {
  /** The site's parsed, validated config. */
  site: SiteTrainingConfig;
  initSeed?: number;
}

export function createTrainer(options: UNetTrainerModuleOptions): Promise<UNetSiteTrainer> {
  return UNetSiteTrainer.create(options.site, { initSeed: options.initSeed });
}

export const UNET_TRAINER_MODULE = import.meta.url;
