// A folder of images and (optionally) a folder of labels, paired by file name: "x.nii.gz" with
// "x.nii.gz"; an nnU-Net channel suffix on the image ("x_0000.nii.gz") is ignored when pairing.

import { join } from "node:path";
import type { BadCase, Case, CaseList } from "./case.js";
import { checkCases, type ListOptions } from "./check-cases.js";
import { isNiftiName, listFolder, niftiStem } from "./files.js";

const CHANNEL_SUFFIX = /_0000$/;

export async function listFolderPairCases(
  imagesDir: string,
  labelsDir?: string,
  opts: ListOptions = {},
): Promise<CaseList> {
  const images = (await listFolder(imagesDir)).filter(isNiftiName);
  const labels = labelsDir ? (await listFolder(labelsDir)).filter(isNiftiName) : [];
  const labelByStem = new Map(labels.map((name) => [niftiStem(name), name]));
  const candidates: Case[] = [];
  const used = new Set<string>();
  for (const name of images) {
    const id = niftiStem(name).replace(CHANNEL_SUFFIX, "");
    const label = labelByStem.get(id);
    if (label && labelsDir) used.add(label);
    const labelPath = label && labelsDir ? { labelPath: join(labelsDir, label) } : {};
    candidates.push({ id, imagePath: join(imagesDir, name), ...labelPath });
  }
  const found: BadCase[] = labels
    .filter((name) => !used.has(name))
    .map((name) => ({
      id: niftiStem(name),
      file: join(labelsDir ?? "", name),
      reason: `label has no image of the same name in ${imagesDir}`,
    }));
  return checkCases(candidates, found, opts);
}
