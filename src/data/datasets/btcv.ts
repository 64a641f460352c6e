// BTCV (Multi-Atlas Labeling Beyond the Cranial Vault) layout: img/img0001.nii.gz with
// label/label0001.nii.gz, in the given folder or in its Training/ subfolder (as the archive unpacks).

import { join } from "node:path";
import type { Case, CaseList } from "./case.js";
import { checkCases, type ListOptions } from "./check-cases.js";
import { isFile, isFolder, listFolder } from "./files.js";

const IMAGE_NAME = /^img(\d+)\.nii(\.gz)?$/;

export async function listBtcvCases(root: string, opts: ListOptions = {}): Promise<CaseList> {
  const base =
    !(await isFolder(join(root, "img"))) && (await isFolder(join(root, "Training", "img")))
      ? join(root, "Training")
      : root;
  const names = (await listFolder(join(base, "img"))).filter((n) => IMAGE_NAME.test(n));
  const candidates: Case[] = [];
  for (const name of names) {
    const [, number, gz] = IMAGE_NAME.exec(name) ?? [];
    const labelPath = join(base, "label", `label${number}.nii${gz ?? ""}`);
    const labelled = await isFile(labelPath);
    candidates.push({ id: number, imagePath: join(base, "img", name), ...(labelled ? { labelPath } : {}) });
  }
  return checkCases(candidates, [], opts);
}
