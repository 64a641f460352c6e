// The relative update-norm bound without holding the updates: each site announces its update's
// norm with its result, the coordinator judges the announced norms against their median, and only
// then lets an update upload; the norm recomputed from the update must match the announcement.
// A norm is let through as soon as it cannot be an outlier whatever the sites still training
// announce (the lowest median they could bring is with all of them announcing 0); one that might
// be waits until every site has announced or left. Judged over announced norms, not only valid
// updates: otherwise as relativeNormOutliers (3+ norms, bound x median).

import { medianOfSorted } from "../../util/median.js";
import { relativeOutlierReason } from "./update-validation.js";

export type ScreenDecision = { kind: "accept" } | { kind: "reject"; reason: string } | { kind: "wait" };

export class RelativeNormScreen {
  private readonly claims = new Map<string, number>();
  private readonly unaccounted: Set<string>;

  constructor(
    readonly bound: number,
    participants: readonly string[],
  ) {
    this.unaccounted = new Set(participants);
  }

  /** A site's announced norm. */
  announce(siteId: string, norm: number): void {
    this.unaccounted.delete(siteId);
    this.claims.set(siteId, norm);
  }

  /** A site settled without announcing (failed, gone, timed out): no norm will come from it. */
  absent(siteId: string): void {
    this.unaccounted.delete(siteId);
  }

  decide(norm: number): ScreenDecision {
    if (this.bound <= 0) return { kind: "accept" };
    const known = [...this.claims.values()];
    const settled = this.unaccounted.size === 0;
    // Sites still out may announce anything or nothing; zeros give the lowest median they can.
    const candidates = settled ? known : [...known, ...new Array<number>(this.unaccounted.size).fill(0)];
    // Fewer than 3 norms, even if every site still out announces: nothing can be an outlier.
    if (candidates.length < 3) return { kind: "accept" };
    const median = medianOfSorted(candidates.sort((a, b) => a - b));
    if (norm <= this.bound * median) return { kind: "accept" };
    if (!settled) return { kind: "wait" };
    return { kind: "reject", reason: relativeOutlierReason(norm, this.bound, median) };
  }
}
