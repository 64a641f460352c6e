// KiTS19 layout: case_00000/imaging.nii.gz and case_00000/segmentation.nii.gz (the test cases have
// no segmentation). The cases may also sit in a data/ subfolder, as in the KiTS19 repository.

import { join } from "node:path";
import type { Case, CaseList } from "./case.js";
import { checkCases, type ListOptions } from "./check-cases.js";
import { isFile, isFolder, listFolder } from "./files.js";

const CASE_FOLDER = /^case_\d{5}$/;

export async function listKits19Cases(root: string, opts: ListOptions = {}): Promise<CaseList> {
  let folder = root;
  let names = (await listFolder(root)).filter((n) => CASE_FOLDER.test(n));
  if (names.length === 0 && (await isFolder(join(root, "data")))) {
    folder = join(root, "data");
    names = (await listFolder(folder)).filter((n) => CASE_FOLDER.test(n));
  }
  const candidates: Case[] = [];
  for (const id of names) {
    const dir = join(folder, id);
    const labelPath = join(dir, "segmentation.nii.gz");
    const labelled = await isFile(labelPath);
    candidates.push({ id, imagePath: join(dir, "imaging.nii.gz"), ...(labelled ? { labelPath } : {}) });
  }
  return checkCases(candidates, [], opts);
}
