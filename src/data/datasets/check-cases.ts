// The last step of every lister: keep the candidate cases whose files exist, report the others.

import { type BadCase, type Case, type CaseList, handleBadCase, type OnBadCase } from "./case.js";
import { isFile } from "./files.js";

export interface ListOptions {
  /** Report a case without a label file as bad (default true: training data needs labels). */
  requireLabels?: boolean;
  onBadCase?: OnBadCase;
}

async function problemOf(c: Case, requireLabels: boolean): Promise<BadCase | undefined> {
  if (!(await isFile(c.imagePath))) return { id: c.id, file: c.imagePath, reason: "image file not found" };
  if (c.labelPath !== undefined && !(await isFile(c.labelPath))) {
    return { id: c.id, file: c.labelPath, reason: "label file not found" };
  }
  if (c.labelPath === undefined && requireLabels)
    return { id: c.id, file: c.imagePath, reason: "no label file" };
  return undefined;
}

/** `found` are problems the lister already saw (they go through the onBadCase policy too). */
export async function checkCases(candidates: Case[], found: BadCase[], opts: ListOptions): Promise<CaseList> {
  const onBadCase = opts.onBadCase ?? "skip";
  const out: CaseList = { cases: [], bad: [] };
  for (const bad of found) handleBadCase(bad, onBadCase, out.bad);
  const seen = new Set<string>();
  for (const c of candidates) {
    const problem = seen.has(c.id)
      ? { id: c.id, file: c.imagePath, reason: `duplicate case id "${c.id}"` }
      : await problemOf(c, opts.requireLabels ?? true);
    if (problem) handleBadCase(problem, onBadCase, out.bad);
    else out.cases.push(c);
    seen.add(c.id);
  }
  return out;
}
