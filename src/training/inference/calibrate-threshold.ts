// Per-head threshold calibration for the "calibrated" fusion rule: the grid threshold whose
// (probs > threshold) mask best matches the organ label (Dice pooled over all cases), so an
// overconfident head gets a higher bar. One pass bins every voxel by how many grid thresholds it
// exceeds; suffix sums over the bins then give every threshold's counts, O(voxels log grid + grid).

export interface CalibrationCase {
  /** The head's organ probability per voxel. */
  probs: Float32Array;
  /** 1 where the voxel is the organ, anything else is not. */
  label: Uint8Array;
}

interface Calibration {
  threshold: number;
  dice: number;
}

/** 0.05, 0.10, ..., 0.95. */
const DEFAULT_THRESHOLD_GRID: readonly number[] = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

/** Distances to 0.5 closer than this count as equal (0.45 and 0.55 differ in the last bits). */
const TIE_TOLERANCE = 1e-9;

/**
 * The grid value maximising the pooled Dice of (probs > threshold) against label: intersections
 * and sizes are summed over cases, one Dice. Ties go to the value closest to 0.5, then the lower.
 * Thresholds are compared in float32, like the fusion rules compare them with float32 tensors, so
 * a probability stored as 0.1f is not above the threshold 0.1.
 */
export function calibrateThreshold(
  cases: readonly CalibrationCase[],
  grid: readonly number[] = DEFAULT_THRESHOLD_GRID,
): Calibration {
  if (grid.length === 0) throw new Error("calibrateThreshold: empty threshold grid");
  const sorted = [...grid].sort((a, b) => a - b);
  const cut = Float32Array.from(sorted);
  const g = cut.length;
  // bin b holds voxels above exactly the b lowest thresholds, i.e. predicted at thresholds 0..b-1.
  const organ = new Float64Array(g + 1);
  const other = new Float64Array(g + 1);
  let organTotal = 0;
  for (const c of cases) {
    if (c.probs.length !== c.label.length) {
      throw new Error(`calibrateThreshold: ${c.probs.length} probabilities but ${c.label.length} labels`);
    }
    for (let v = 0; v < c.probs.length; v++) {
      const p = c.probs[v]!;
      let lo = 0;
      let hi = g;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cut[mid]! < p) lo = mid + 1;
        else hi = mid;
      }
      if (c.label[v] === 1) {
        organ[lo]++;
        organTotal++;
      } else {
        other[lo]++;
      }
    }
  }
  if (organTotal === 0) throw new Error("calibrateThreshold: no case contains the organ");

  let best: Calibration | undefined;
  let truePos = 0;
  let predicted = 0;
  // Walk thresholds from the highest down, accumulating the voxels above each.
  for (let i = g - 1; i >= 0; i--) {
    truePos += organ[i + 1]!;
    predicted += organ[i + 1]! + other[i + 1]!;
    const dice = (2 * truePos) / (predicted + organTotal);
    const threshold = sorted[i]!;
    if (best === undefined || dice > best.dice) {
      best = { threshold, dice };
    } else if (dice === best.dice) {
      const d = Math.abs(threshold - 0.5);
      const bestD = Math.abs(best.threshold - 0.5);
      if (d < bestD - TIE_TOLERANCE || (Math.abs(d - bestD) <= TIE_TOLERANCE && threshold < best.threshold)) {
        best = { threshold, dice };
      }
    }
  }
  return best!;
}
