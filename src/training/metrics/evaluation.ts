// One evaluation: every case scored on every organ, and a per-organ summary. Cases are scored one
// at a time (evaluateCase) so a caller can load volumes lazily, then gathered (buildEvaluation).

import { DICE_EMPTY_RULES, type DiceEmptyRule, diceScore } from "./dice.js";
import { checkShape, checkSpacing, checkVoxelCount, type Shape3, type Spacing3 } from "./grid.js";
import { checkOrganId, type LabelVoxels } from "./organ-mask.js";
import { type MetricSummary, SUMMARY_RULE, summarise } from "./summary.js";
import {
  SURFACE_DISTANCE_EMPTY_RULES,
  type SurfaceEmptyRule,
  surfaceDistanceMetrics,
} from "./surface-distance.js";

/** An organ to score: its name in tables and its id in the label maps. */
interface Organ {
  name: string;
  id: number;
}

/** A predicted and a true label map of one case, on the same grid. */
interface CaseLabelMaps {
  caseId: string;
  prediction: LabelVoxels;
  truth: LabelVoxels;
  shape: Shape3;
  spacing: Spacing3;
}

/** The scores of one organ in one case; NaN means "not applicable" (see the rules). */
export interface OrganCaseMetrics {
  caseId: string;
  organ: string;
  dice: number;
  hd95Mm: number;
  assdMm: number;
}

interface OrganMetricsSummary {
  organ: string;
  dice: MetricSummary;
  hd95Mm: MetricSummary;
  assdMm: MetricSummary;
}

export interface MetricsEvaluation {
  organs: Organ[];
  /** One row per case x organ, cases in the order given, organs in `organs` order. */
  rows: OrganCaseMetrics[];
  /** One entry per organ, in `organs` order. */
  summary: OrganMetricsSummary[];
  /** The documented rules behind NaN values and summaries, for reports. */
  rules: { dice: string; surfaceDistance: string; summary: string };
}

interface EvaluateOptions {
  /** Compute HD95 and ASSD (default true); false leaves them NaN. */
  surfaceDistances?: boolean;
  /** How an empty mask scores in Dice (dice.ts; default "segviz"). */
  diceEmpty?: DiceEmptyRule;
  /** How an empty mask scores in HD95 and ASSD (surface-distance.ts; default "segviz"). */
  surfaceEmpty?: SurfaceEmptyRule;
}

/** Throws naming the field unless organ names and ids are valid and unique. */
function checkOrgans(organs: readonly Organ[], field = "organs"): void {
  if (!Array.isArray(organs) || organs.length === 0) throw new Error(`${field}: expected at least one organ`);
  const names = new Set<string>();
  const ids = new Set<number>();
  organs.forEach((organ, index) => {
    if (typeof organ.name !== "string" || organ.name === "") {
      throw new Error(`${field}[${index}].name: expected a non-empty string`);
    }
    checkOrganId(organ.id, `${field}[${index}].id`);
    if (names.has(organ.name)) throw new Error(`${field}[${index}].name: duplicate organ "${organ.name}"`);
    if (ids.has(organ.id)) throw new Error(`${field}[${index}].id: duplicate organ id ${organ.id}`);
    names.add(organ.name);
    ids.add(organ.id);
  });
}

/** Dice, HD95 and ASSD of every organ in one case. */
export function evaluateCase(
  input: CaseLabelMaps,
  organs: readonly Organ[],
  options: EvaluateOptions = {},
): OrganCaseMetrics[] {
  if (typeof input.caseId !== "string" || input.caseId === "")
    throw new Error("caseId: expected a non-empty string");
  checkOrgans(organs);
  checkShape(input.shape);
  checkSpacing(input.spacing);
  checkVoxelCount(input.prediction, input.shape, "prediction");
  checkVoxelCount(input.truth, input.shape, "truth");
  return organs.map((organ) => {
    const surface =
      options.surfaceDistances === false
        ? { hd95Mm: Number.NaN, assdMm: Number.NaN }
        : surfaceDistanceMetrics(
            input.prediction,
            input.truth,
            input.shape,
            input.spacing,
            organ.id,
            options.surfaceEmpty,
          );
    return {
      caseId: input.caseId,
      organ: organ.name,
      dice: diceScore(input.prediction, input.truth, organ.id, options.diceEmpty),
      ...surface,
    };
  });
}

/** Gathers case rows into an evaluation with per-organ summaries. */
export function buildEvaluation(
  rows: readonly OrganCaseMetrics[],
  organs: readonly Organ[],
  rules: Pick<EvaluateOptions, "diceEmpty" | "surfaceEmpty"> = {},
): MetricsEvaluation {
  checkOrgans(organs);
  const known = new Set(organs.map((o) => o.name));
  const seen = new Set<string>();
  rows.forEach((row, index) => {
    if (!known.has(row.organ))
      throw new Error(`rows[${index}].organ: "${row.organ}" is not among the organs`);
    const key = JSON.stringify([row.caseId, row.organ]);
    if (seen.has(key))
      throw new Error(`rows[${index}]: duplicate case "${row.caseId}" for organ "${row.organ}"`);
    seen.add(key);
  });
  const summary = organs.map((organ) => {
    const own = rows.filter((r) => r.organ === organ.name);
    const of = (metric: "dice" | "hd95Mm" | "assdMm") =>
      summarise(
        own.map((r) => r[metric]),
        `${organ.name}.${metric}`,
      );
    return { organ: organ.name, dice: of("dice"), hd95Mm: of("hd95Mm"), assdMm: of("assdMm") };
  });
  return {
    organs: organs.map((o) => ({ ...o })),
    rows: rows.map((r) => ({ ...r })),
    summary,
    rules: {
      dice: DICE_EMPTY_RULES[rules.diceEmpty ?? "segviz"],
      surfaceDistance: SURFACE_DISTANCE_EMPTY_RULES[rules.surfaceEmpty ?? "segviz"],
      summary: SUMMARY_RULE,
    },
  };
}
