// The order in which an epoch visits a loader's cases, and each visit's seed: the same for the
// worker and the device loader, so both cut the same patches for a seed.
import { deriveSeed, Rng } from "../transforms/rng.js";

/** Case indices of an epoch: a seeded shuffle, or the given order. */
export function caseOrder(count: number, seed: number, epoch: number, shuffle: boolean): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (!shuffle) return order;
  const rng = new Rng(deriveSeed(seed, epoch, 0x5bd1));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The seed of one case visit (its crops and augmentation draws). */
export function visitSeed(seed: number, epoch: number, caseIndex: number): number {
  return deriveSeed(seed, epoch, caseIndex);
}
