// Site-level differential privacy settings (coordinator.json's differentialPrivacy): DP-FedAvg
// (McMahan et al., ICLR 2018) with a fixed or adaptive clipping norm (Andrew et al., NeurIPS 2021).

export interface AdaptiveClippingConfig {
  /** The quantile of the sites' update norms the clipping norm tracks. Default 0.5. */
  targetQuantile?: number;
  /** Geometric step of the clipping norm per round. Default 0.2. */
  learningRate?: number;
  /** Std of the noise on the count of unclipped sites. Default: max(sites / 20 (Andrew et al.), noiseMultiplier). */
  countNoiseStd?: number;
}

export interface DifferentialPrivacyConfig {
  /**
   * Noise std as a multiple of the clipping norm (z). With adaptive clipping, z is the whole
   * round's: the updates get z_update = (z^-2 - (2 countNoiseStd)^-2)^-1/2, so that the update
   * and the count together spend what z alone would.
   */
  noiseMultiplier: number;
  /** L2 bound on each site's update (the change of the shared float tensors); the initial one if adaptive. */
  clipNorm: number;
  adaptiveClipping?: AdaptiveClippingConfig;
  /** Who adds the noise. Default: "distributed" with secure aggregation, else "central". */
  noise?: "central" | "distributed";
  /** The delta of the reported (epsilon, delta). Default 1e-5. */
  delta?: number;
}

export interface DifferentialPrivacySettings {
  noiseMultiplier: number;
  clipNorm: number;
  adaptive?: { targetQuantile: number; learningRate: number; countNoiseStd: number };
  noise: "central" | "distributed";
  delta: number;
}

export function differentialPrivacySettings(
  config: DifferentialPrivacyConfig,
  sites: number,
  secureAggregation: boolean,
): DifferentialPrivacySettings {
  const field = (name: string, value: unknown, ok: boolean, want: string) => {
    if (!ok) throw new Error(`differentialPrivacy.${name} must be ${want}, got ${JSON.stringify(value)}`);
  };
  const z = config.noiseMultiplier;
  field("noiseMultiplier", z, Number.isFinite(z) && z > 0, "a positive number");
  field(
    "clipNorm",
    config.clipNorm,
    Number.isFinite(config.clipNorm) && config.clipNorm > 0,
    "a positive number",
  );
  const noise = config.noise ?? (secureAggregation ? "distributed" : "central");
  field("noise", noise, noise === "central" || noise === "distributed", '"central" or "distributed"');
  if (noise === "distributed" && !secureAggregation)
    throw new Error(
      'differentialPrivacy.noise "distributed" needs secureAggregation: without it the coordinator sees each noised update, and each holds only a fraction of the noise',
    );
  if (noise === "central" && secureAggregation)
    throw new Error(
      'differentialPrivacy.noise "central" cannot be combined with secureAggregation: the coordinator sees only the sum; use "distributed"',
    );
  const delta = config.delta ?? 1e-5;
  field("delta", delta, delta > 0 && delta < 1, "in (0, 1)");
  let adaptive: DifferentialPrivacySettings["adaptive"];
  if (config.adaptiveClipping !== undefined) {
    const a = config.adaptiveClipping;
    const targetQuantile = a.targetQuantile ?? 0.5;
    const learningRate = a.learningRate ?? 0.2;
    // Andrew et al.'s sites/20 assumes hundreds of sites; with a few, at least z keeps the
    // update's share of the noise (z_update = z / sqrt(3/4) at sigma_b = z) reasonable.
    const countNoiseStd = a.countNoiseStd ?? Math.max(sites / 20, z);
    field(
      "adaptiveClipping.targetQuantile",
      targetQuantile,
      targetQuantile > 0 && targetQuantile < 1,
      "in (0, 1)",
    );
    field("adaptiveClipping.learningRate", learningRate, learningRate > 0, "positive");
    field(
      "adaptiveClipping.countNoiseStd",
      countNoiseStd,
      2 * countNoiseStd > z,
      `more than noiseMultiplier / 2 (${z / 2}), or the count alone would spend the whole budget`,
    );
    adaptive = { targetQuantile, learningRate, countNoiseStd };
  }
  return { noiseMultiplier: z, clipNorm: config.clipNorm, adaptive, noise, delta };
}

/** The noise multiplier of the updates: all of z without adaptive clipping, less the count's share with it. */
export function updateNoiseMultiplier(s: DifferentialPrivacySettings): number {
  if (s.adaptive === undefined) return s.noiseMultiplier;
  return (s.noiseMultiplier ** -2 - (2 * s.adaptive.countNoiseStd) ** -2) ** -0.5;
}
