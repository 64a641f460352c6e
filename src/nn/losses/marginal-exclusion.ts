// Marginal and exclusion losses for partially labelled data (Shi et al., "Marginal loss and
// exclusion loss for partially supervised multi-organ segmentation", MedIA 2021), for a
// multi-class model [background, organ 1..K] trained on a site that annotated only some organs.
//
// Marginal loss: an organ the site did not annotate is labelled background there, so its
// probability is merged into the background before the loss ("background or an unannotated
// organ"); the Dice + cross-entropy is then taken over [merged background, annotated organs].
// Exclusion loss: organs are mutually exclusive, so a voxel labelled as an annotated organ is
// certainly none of the unannotated ones; the Dice overlap of each unannotated organ's
// probability with the annotated-organ region is added, to be driven to zero.
import { cat, logSoftmax, softmax, type Tensor, tidy } from "../../engine/index.js";

interface MarginalExclusionOptions {
  /** Organ channels 1..K this batch's site annotated (1-based channel indices). */
  annotated: readonly number[];
  lambdaDice?: number;
  lambdaCe?: number;
  lambdaExclusion?: number;
  smoothNr?: number;
  smoothDr?: number;
  /** Sum the Dice terms over the batch too (MONAI's batch=true); default false. */
  batch?: boolean;
}

/**
 * Soft Dice coefficients of p against y ([B, C, ...] each): [B, C], or [C] when `batch` sums
 * over the batch as well (one coefficient per channel for the whole batch).
 */
export function diceTerm(p: Tensor, y: Tensor, smoothNr: number, smoothDr: number, batch = false): Tensor {
  const spatial = Array.from({ length: p.ndim - 2 }, (_, i) => i + 2);
  const axes = batch ? [0, ...spatial] : spatial;
  const inter = p.mul(y).sum(axes);
  const den = p.sum(axes).add(y.sum(axes));
  return inter.mul(2).add(smoothNr).div(den.add(smoothDr));
}

/**
 * logits [B, 1 + K, ...]; labels [B, 1, ...] holding 0 or an annotated organ's channel index.
 * Returns lambdaDice * (1 - marginal Dice) + lambdaCe * marginal CE + lambdaExclusion * exclusion Dice.
 */
export function marginalExclusionLoss(logits: Tensor, labels: Tensor, o: MarginalExclusionOptions): Tensor {
  return tidy(() => {
    const channels = logits.shape[1]!;
    const annotated = [...o.annotated];
    if (annotated.length === 0)
      throw new Error("marginalExclusionLoss: annotated must list at least one organ");
    for (const c of annotated) {
      if (!Number.isInteger(c) || c < 1 || c >= channels) {
        throw new Error(`marginalExclusionLoss: annotated channel ${c} outside 1..${channels - 1}`);
      }
    }
    const unannotated = Array.from({ length: channels - 1 }, (_, i) => i + 1).filter(
      (c) => !annotated.includes(c),
    );
    const smoothNr = o.smoothNr ?? 1e-5;
    const smoothDr = o.smoothDr ?? 1e-5;
    const probs = softmax(logits, 1);
    const logp = logSoftmax(logits, 1);
    const channel = (t: Tensor, c: number) => t.narrow(1, c, 1);

    // Merged classes: [background + unannotated organs, annotated organs...].
    let mergedBackground = channel(probs, 0);
    for (const c of unannotated) mergedBackground = mergedBackground.add(channel(probs, c));
    const merged = cat([mergedBackground, ...annotated.map((c) => channel(probs, c))], 1);
    const y = labels.to({ dtype: probs.dtype });
    const targetsList = [y.eq(0), ...annotated.map((c) => y.eq(c))].map((m) => m.to({ dtype: probs.dtype }));
    const target = cat(targetsList, 1);
    const marginalDice = diceTerm(merged, target, smoothNr, smoothDr, o.batch ?? false)
      .neg()
      .add(1)
      .mean();
    // Cross-entropy of the merged distribution: log of a sum of probabilities, computed stably
    // as logsumexp of the merged log-probabilities.
    const mergedLogBackground = logSumExp(
      cat([channel(logp, 0), ...unannotated.map((c) => channel(logp, c))], 1),
    );
    const mergedLog = cat([mergedLogBackground, ...annotated.map((c) => channel(logp, c))], 1);
    const ce = mergedLog.mul(target).sum(1).mean().neg();

    let loss = marginalDice.mul(o.lambdaDice ?? 1).add(ce.mul(o.lambdaCe ?? 1));
    if (unannotated.length > 0 && (o.lambdaExclusion ?? 1) !== 0) {
      // Region where every unannotated organ is certainly absent: the annotated organs' voxels.
      let annotatedRegion = targetsList[1]!;
      for (const t of targetsList.slice(2)) annotatedRegion = annotatedRegion.add(t);
      const excl = cat(
        unannotated.map((c) => channel(probs, c)),
        1,
      );
      const exclusion = diceTerm(
        excl,
        annotatedRegion.expand(excl.shape),
        0,
        smoothDr,
        o.batch ?? false,
      ).mean();
      loss = loss.add(exclusion.mul(o.lambdaExclusion ?? 1));
    }
    return loss;
  });
}

/** log(sum(exp(x), dim 1, keepdim)). */
export function logSumExp(x: Tensor): Tensor {
  const m = x.max(1, true).detach();
  return x.sub(m).exp().sum(1, true).log().add(m);
}
