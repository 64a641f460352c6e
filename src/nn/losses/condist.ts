// ConDistFL losses (Wang et al., "ConDistFL: Conditional Distillation for Federated Learning from
// Partially Annotated Data", arXiv 2308.04070 / 2412.18833) for one multi-class model
// [background, organ 1..K] trained at sites that each annotated only some organs.
//
// Marginal Dice + CE: supervised term on the site's labels, with background and the organs the
// site did not annotate merged into one class (they are all labelled 0 there).
// Conditional distillation: on the site's background, the global (teacher) model's split of
// "not a local organ" into background and the unannotated organs is distilled into the local
// (student) model, so the site does not forget organs it cannot label. Probabilities are
// conditioned on "not a local foreground organ", which the supervised term already governs.
import { cat, logSoftmax, softmax, type Tensor, tidy } from "../../engine/index.js";
import { diceTerm, logSumExp, marginalExclusionLoss } from "./marginal-exclusion.js";

interface MarginalDiceCeOptions {
  /** Organ channels this site annotated (1-based channel indices). */
  foreground: readonly number[];
  /** Sum the Dice terms over the batch too (MONAI batch=true). Default true, as ConDistFL. */
  batch?: boolean;
  smoothNr?: number;
  smoothDr?: number;
  lambdaDice?: number;
  lambdaCe?: number;
}

type Divergence = "dice" | "kl";

interface ConditionalDistillationOptions {
  /** Organ channels this site annotated (1-based channel indices). */
  foreground: readonly number[];
  temperature?: number;
  /** "dice": MONAI's MaskedDiceLoss, as the paper; "kl": mean masked KL(teacher || student). */
  divergence?: Divergence;
  /** Dice only: sum over the batch too. */
  batch?: boolean;
  smoothNr?: number;
  smoothDr?: number;
  /** Added to the conditioning denominator (Dice only). */
  eps?: number;
}

interface ConDistFlOptions extends MarginalDiceCeOptions, ConditionalDistillationOptions {
  /** Weight of the distillation term (see conDistWeight). */
  weight: number;
}

const DEFAULT_SMOOTH_NR = 0;
const DEFAULT_SMOOTH_DR = 1e-5;

function validateForeground(fn: string, channels: number, foreground: readonly number[]): void {
  if (foreground.length === 0) throw new Error(`${fn}: foreground must list at least one organ`);
  for (const c of foreground) {
    if (!Number.isInteger(c) || c < 1 || c >= channels) {
      throw new Error(`${fn}: foreground channel ${c} outside 1..${channels - 1}`);
    }
  }
}

function validateShapes(fn: string, logits: Tensor, labels: Tensor): void {
  if (logits.ndim < 3) throw new Error(`${fn}: logits must be [B, C, ...spatial], got [${logits.shape}]`);
  const want = [logits.shape[0]!, 1, ...logits.shape.slice(2)];
  if (labels.ndim !== want.length || labels.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${fn}: labels shape [${labels.shape}] is not [${want}]`);
  }
}

/**
 * Marginal Dice + CE: logits [B, C, ...]; labels [B, 1, ...] holding 0 or a foreground channel.
 * Dice over [merged background, foreground organs...] plus CE of the merged distribution.
 */
export function marginalDiceCeLoss(logits: Tensor, labels: Tensor, o: MarginalDiceCeOptions): Tensor {
  validateShapes("marginalDiceCeLoss", logits, labels);
  validateForeground("marginalDiceCeLoss", logits.shape[1]!, o.foreground);
  return marginalExclusionLoss(logits, labels, {
    annotated: o.foreground,
    lambdaExclusion: 0,
    batch: o.batch ?? true,
    smoothNr: o.smoothNr ?? DEFAULT_SMOOTH_NR,
    smoothDr: o.smoothDr ?? DEFAULT_SMOOTH_DR,
    lambdaDice: o.lambdaDice ?? 1,
    lambdaCe: o.lambdaCe ?? 1,
  });
}

/**
 * Conditional distillation loss of the student against the (detached) teacher on the site's
 * background voxels: logits [B, C, ...] each; labels [B, 1, ...]. Returns a scalar.
 */
export function conditionalDistillationLoss(
  studentLogits: Tensor,
  teacherLogits: Tensor,
  labels: Tensor,
  o: ConditionalDistillationOptions,
): Tensor {
  const fn = "conditionalDistillationLoss";
  validateShapes(fn, studentLogits, labels);
  if (
    teacherLogits.shape.length !== studentLogits.shape.length ||
    teacherLogits.shape.some((d, i) => d !== studentLogits.shape[i])
  ) {
    throw new Error(
      `${fn}: teacher shape [${teacherLogits.shape}] differs from student [${studentLogits.shape}]`,
    );
  }
  const channels = studentLogits.shape[1]!;
  const foreground = [...o.foreground];
  validateForeground(fn, channels, foreground);
  const temperature = o.temperature ?? 2;
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new Error(`${fn}: temperature must be > 0, got ${temperature}`);
  const divergence = o.divergence ?? "dice";
  if (divergence !== "dice" && divergence !== "kl")
    throw new Error(`${fn}: divergence must be "dice" or "kl", got ${String(divergence)}`);
  const eps = o.eps ?? 1e-5;

  // Background groups: channel 0 and every organ the site did not annotate, in channel order.
  const groups = [
    0,
    ...Array.from({ length: channels - 1 }, (_, i) => i + 1).filter((c) => !foreground.includes(c)),
  ];
  return tidy(() => {
    // Nothing to distil with a single group; a zero that keeps the student in the graph, so a
    // caller's backward() works unchanged.
    if (groups.length === 1) return studentLogits.sum().mul(0);

    const teacher = teacherLogits.detach();
    const pick = (t: Tensor) =>
      cat(
        groups.map((c) => t.narrow(1, c, 1)),
        1,
      );
    const isForeground = (t: Tensor) => foreground.map((c) => t.eq(c)).reduce((a, b) => a.logicalOr(b));
    // Site background that the teacher does not call a local organ either.
    const mask = isForeground(teacher.argmax(1, true))
      .logicalOr(isForeground(labels))
      .logicalNot()
      .to({ dtype: studentLogits.dtype });

    if (divergence === "dice") {
      // Conditional probabilities p_g / (1 - sum_f p_f + eps); the groups' own sum is that
      // 1 - sum_f p_f without the cancellation when the foreground probability is near 1.
      const conditional = (logits: Tensor) => {
        const g = pick(softmax(logits.div(temperature), 1));
        return g.div(g.sum(1, true).add(eps));
      };
      const input = conditional(studentLogits).mul(mask);
      const target = conditional(teacher).mul(mask);
      const dice = diceTerm(
        input,
        target,
        o.smoothNr ?? DEFAULT_SMOOTH_NR,
        o.smoothDr ?? DEFAULT_SMOOTH_DR,
        o.batch ?? true,
      );
      return dice.neg().add(1).mean();
    }
    // KL of the normalised conditional distributions, in the log domain: log p_g minus the
    // logsumexp over the groups is the exact log of the normalised conditional, finite even where
    // a probability underflows, so no clamping is needed.
    const conditionalLog = (logits: Tensor) => {
      const g = pick(logSoftmax(logits.div(temperature), 1));
      return g.sub(logSumExp(g));
    };
    const logP = conditionalLog(studentLogits);
    const logQ = conditionalLog(teacher);
    const kl = logQ.exp().mul(logQ.sub(logP)).sum(1, true).mul(mask);
    return kl.sum().div(mask.sum().clamp(1));
  });
}

/** Marginal Dice + CE plus weight * conditional distillation. */
export function conDistFlLoss(
  studentLogits: Tensor,
  teacherLogits: Tensor,
  labels: Tensor,
  o: ConDistFlOptions,
): Tensor {
  if (!(Number.isFinite(o.weight) && o.weight >= 0))
    throw new Error(`conDistFlLoss: weight must be a finite number >= 0, got ${o.weight}`);
  return tidy(() =>
    marginalDiceCeLoss(studentLogits, labels, o).add(
      conditionalDistillationLoss(studentLogits, teacherLogits, labels, o).mul(o.weight),
    ),
  );
}

/**
 * Distillation weight for a 1-based round of `rounds`: a linear ramp from range[0] at round 1
 * to range[1] at the last round (the teacher is poor early in training, so it is trusted later).
 */
export function conDistWeight(
  round: number,
  rounds: number,
  range: readonly [number, number] = [0.01, 1],
): number {
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`conDistWeight: rounds must be an integer >= 1, got ${rounds}`);
  if (!Number.isInteger(round) || round < 1 || round > rounds)
    throw new Error(`conDistWeight: round ${round} outside 1..${rounds}`);
  if (rounds === 1) return range[1];
  return range[0] + ((range[1] - range[0]) * (round - 1)) / (rounds - 1);
}
