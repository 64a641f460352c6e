// A coordinator's privacy features, checked against the rest of its configuration before it
// listens: secure aggregation and differential privacy both release only a mean, so they need a
// strategy with a mean-only step; DP-FedAvg needs uniform weights and float tensors only.

import {
  type DifferentialPrivacyConfig,
  differentialPrivacySettings,
} from "../privacy/differential-privacy/config.js";
import { PrivacyBudget } from "../privacy/differential-privacy/privacy-budget.js";
import {
  type SecureAggregationConfig,
  type SecureAggregationSettings,
  secureAggregationSettings,
} from "../privacy/secure-aggregation/config.js";
import type { StrategyConfig } from "../strategies/config.js";
import type { Strategy } from "../strategies/strategy.js";
import { isFloatDtype, type WeightSet } from "../weights/weight-set.js";

export interface SecureAggregationSection extends SecureAggregationConfig {
  /**
   * Audit: every payload the coordinator receives in a secure round is also written here
   * (<session>/<stage>-<site>.safetensors), so a data officer can inspect what it saw.
   */
  transcriptDir?: string;
}

export interface CoordinatorPrivacy {
  secure?: SecureAggregationSettings & { transcriptDir?: string };
  budget?: PrivacyBudget;
}

export function coordinatorPrivacy(
  config: {
    secureAggregation?: SecureAggregationSection;
    differentialPrivacy?: DifferentialPrivacyConfig;
    sites: unknown[];
    strategy: StrategyConfig;
  },
  strategy: Strategy,
): CoordinatorPrivacy {
  const out: CoordinatorPrivacy = {};
  const sites = config.sites.length;
  if (config.secureAggregation !== undefined) {
    const { transcriptDir, ...rest } = config.secureAggregation;
    out.secure = { ...secureAggregationSettings(rest, sites), transcriptDir };
    if (out.secure.threshold > sites)
      throw new Error(
        `secureAggregation.threshold ${out.secure.threshold} is more than the ${sites} sites listed`,
      );
  }
  if (config.differentialPrivacy !== undefined)
    out.budget = new PrivacyBudget(
      differentialPrivacySettings(config.differentialPrivacy, sites, out.secure !== undefined),
    );
  const feature = out.secure !== undefined ? "secureAggregation" : "differentialPrivacy";
  if (
    (out.secure !== undefined || out.budget !== undefined) &&
    (strategy.usesEachUpdate || strategy.fromMean === undefined)
  )
    throw new Error(
      `${feature}: strategy ${strategy.name} combines each site's update; it needs a mean (fedavg, fedbn, segviz, fedprox, fedadam, fedyogi)`,
    );
  if (out.budget !== undefined && (config.strategy.weighting ?? "uniform") !== "uniform")
    throw new Error(
      'differentialPrivacy: DP-FedAvg bounds each site\'s share of a uniform mean; set strategy.weighting to "uniform"',
    );
  return out;
}

/** DP clips and noises float values: an integer tensor in the shared set would leave unprotected. */
export function checkPrivateStart(privacy: CoordinatorPrivacy, global: WeightSet): void {
  if (privacy.budget === undefined) return;
  const integers = [...global].filter(([, t]) => !isFloatDtype(t.dtype)).map(([n]) => n);
  if (integers.length > 0)
    throw new Error(
      `differentialPrivacy: the shared set holds integer tensors (${integers.slice(0, 3).join(", ")}${integers.length > 3 ? ", ..." : ""}) that clipping and noise cannot cover; keep them local (strategy.share.exclude, e.g. "*.num_batches_tracked")`,
    );
}
