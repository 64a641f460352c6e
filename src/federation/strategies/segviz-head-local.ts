// SegViz sharing: each site's task head (its organ's output block) stays at the site; the body
// is averaged over the names all sites share, so sites with different heads federate together.

import { DEFAULT_HEAD_PATTERNS, type StrategyConfig } from "./config.js";
import { FedAvg } from "./fedavg.js";

export class SegVizHeadLocal extends FedAvg {
  override readonly name = "segviz";
  constructor(config: StrategyConfig) {
    super({ ...config, headLocal: false }, config.headPatterns ?? DEFAULT_HEAD_PATTERNS);
  }
}
