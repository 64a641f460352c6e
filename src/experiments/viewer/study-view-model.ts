// What the viewer page needs of a study: organs and their colours (the report's), arms, cases, the Dice table
// (mean per arm and organ) and, while the study runs, its latest progress.

import { organRgb } from "../report/palette.js";
import type { StudyReport } from "../report/report-types.js";

export interface StudyViewModel {
  ready: boolean;
  title?: string;
  organs: { name: string; index: number; colour: [number, number, number] }[];
  arms: { name: string; label: string; meanDice: Record<string, number | null> }[];
  cases: string[];
  progress: Record<string, unknown>[];
}

export function studyViewModel(
  report: StudyReport | undefined,
  cases: { id: string }[],
  progress: Record<string, unknown>[],
): StudyViewModel {
  if (report === undefined) return { ready: false, organs: [], arms: [], cases: [], progress };
  return {
    ready: true,
    title: report.title,
    organs: report.organs.map((name, i) => ({ name, index: i + 1, colour: organRgb(i + 1) })),
    arms: report.arms.map((a) => ({
      name: a.name,
      label: a.label,
      meanDice: Object.fromEntries(report.organs.map((o) => [o, a.summary[o]?.dice.mean ?? null])),
    })),
    cases: cases.map((c) => c.id),
    progress,
  };
}
