// The coordinator's differential-privacy state: the clipping norm it asks for (fixed, or adapted
// each round towards a quantile of the sites' update norms, Andrew et al. 2021), and the ledger
// of every released round, from which the RDP accountant gives (epsilon, delta). Both survive a
// restart in the checkpoint.

import { type DifferentialPrivacySettings, updateNoiseMultiplier } from "./config.js";
import { type LedgerEntry, type PrivacySpent, privacySpent } from "./rdp-accountant.js";

/** What one round released, for the ledger. */
export interface ReleasedRound {
  round: number;
  /** Sites whose clipped updates are in the sum. */
  contributors: number;
  /** Std of the noise on the sum of updates. */
  updateNoiseStd: number;
  /** Std of the noise on the count of unclipped sites (adaptive clipping). */
  countNoiseStd?: number;
  /** The noised count of unclipped sites (adaptive clipping). */
  noisyUnclippedCount?: number;
}

export interface PrivacyRecord {
  epsilon: number;
  delta: number;
  /** This round's effective noise multiplier (update and count together). */
  noiseMultiplier: number;
  /** The clipping norm this round used, and the next round's. */
  clipNorm: number;
  nextClipNorm: number;
  rounds: number;
}

export class PrivacyBudget {
  clipNorm: number;
  private ledger: LedgerEntry[] = [];

  constructor(readonly settings: DifferentialPrivacySettings) {
    this.clipNorm = settings.clipNorm;
  }

  /** Std of the noise on the sum of updates this round (z_update * C). */
  updateNoiseStd(): number {
    return updateNoiseMultiplier(this.settings) * this.clipNorm;
  }

  /** Records a released round, adapts the clipping norm, and returns the round's privacy record. */
  release(r: ReleasedRound): PrivacyRecord {
    const used = this.clipNorm;
    const zUpdate = r.updateNoiseStd / used;
    let z = zUpdate;
    const a = this.settings.adaptive;
    if (a !== undefined) {
      if (r.countNoiseStd === undefined || r.noisyUnclippedCount === undefined)
        throw new Error("adaptive clipping: the round released no count of unclipped sites");
      // The count of (bit - 1/2) has sensitivity 1/2: it spends what a Gaussian of z = 2 sigma_b does.
      z = (zUpdate ** -2 + (2 * r.countNoiseStd) ** -2) ** -0.5;
      const fraction = r.noisyUnclippedCount / Math.max(1, r.contributors);
      this.clipNorm = used * Math.exp(-a.learningRate * (fraction - a.targetQuantile));
    }
    this.ledger.push({ round: r.round, noiseMultiplier: z, sampleRate: 1 });
    const spent = this.spent();
    return {
      epsilon: spent.epsilon,
      delta: spent.delta,
      noiseMultiplier: z,
      clipNorm: used,
      nextClipNorm: this.clipNorm,
      rounds: this.ledger.length,
    };
  }

  spent(): PrivacySpent {
    if (this.ledger.length === 0) return { epsilon: 0, delta: this.settings.delta, order: Number.NaN };
    return privacySpent(this.ledger, this.settings.delta);
  }

  save(): Record<string, unknown> {
    return { clipNorm: this.clipNorm, ledger: this.ledger };
  }

  load(state: unknown): void {
    const s = state as { clipNorm?: unknown; ledger?: unknown } | undefined;
    if (s === undefined || typeof s.clipNorm !== "number" || !Array.isArray(s.ledger))
      throw new Error(
        "checkpoint: the differential-privacy ledger is missing or malformed; a private federation cannot resume without it",
      );
    this.clipNorm = s.clipNorm;
    this.ledger = s.ledger as LedgerEntry[];
  }
}
