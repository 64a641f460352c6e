// One entry point for every supported layout, and the rule that a data set with no usable case
// is an error naming its folder (or file).

import { DataError } from "../errors.js";
import { listBtcvCases } from "./btcv.js";
import type { CaseList } from "./case.js";
import type { ListOptions } from "./check-cases.js";
import { listCsvCases } from "./csv-cases.js";
import { listFolderPairCases } from "./folder-pairs.js";
import { listKits19Cases } from "./kits19.js";
import { listMsdCases } from "./msd.js";

export type DatasetSpec =
  | { layout: "msd"; root: string }
  | { layout: "kits19"; root: string }
  | { layout: "btcv"; root: string }
  | { layout: "folders"; images: string; labels?: string }
  | { layout: "csv"; file: string };

const EXPECTED: Record<DatasetSpec["layout"], string> = {
  msd: "dataset.json training entries",
  kits19: "case_XXXXX/imaging.nii.gz folders",
  btcv: "img/imgXXXX.nii.gz files",
  folders: ".nii / .nii.gz images",
  csv: "rows of image,label paths",
};

function whereOf(spec: DatasetSpec): string {
  if (spec.layout === "folders") return spec.images;
  if (spec.layout === "csv") return spec.file;
  return spec.root;
}

function listByLayout(spec: DatasetSpec, opts: ListOptions): Promise<CaseList> {
  switch (spec.layout) {
    case "msd":
      return listMsdCases(spec.root, opts);
    case "kits19":
      return listKits19Cases(spec.root, opts);
    case "btcv":
      return listBtcvCases(spec.root, opts);
    case "folders":
      return listFolderPairCases(spec.images, spec.labels, opts);
    case "csv":
      return listCsvCases(spec.file, opts);
  }
}

/** Lists a data set; throws naming the folder when it holds no usable case. */
export async function listCases(spec: DatasetSpec, opts: ListOptions = {}): Promise<CaseList> {
  const list = await listByLayout(spec, opts);
  if (list.cases.length === 0) {
    const bad =
      list.bad.length > 0 ? `; ${list.bad.length} bad: ${list.bad[0].file}: ${list.bad[0].reason}` : "";
    throw new DataError(
      whereOf(spec),
      `empty data set: no usable cases (expected ${EXPECTED[spec.layout]})${bad}`,
    );
  }
  return list;
}
