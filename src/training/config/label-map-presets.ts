// Resolving a label map that a config or an option names: a preset (data/datasets/label-maps.ts) or a JSON file.
import { existsSync } from "node:fs";
import type { LabelMap } from "../../data/datasets/label-map.js";
import { LABEL_MAP_PRESETS } from "../../data/datasets/label-maps.js";
import { readJsonFile } from "./read-json.js";
import { labelMapSchema } from "./schema-parts.js";
import { validateAgainstSchema } from "./validate-json.js";

export function resolveLabelMap(value: string | LabelMap, field: string): LabelMap {
  if (typeof value !== "string") return value;
  const preset = LABEL_MAP_PRESETS[value];
  if (!preset)
    throw new Error(
      `${field}: unknown label map '${value}' (presets: ${Object.keys(LABEL_MAP_PRESETS).join(", ")})`,
    );
  return preset;
}

/**
 * A label map given on the command line: a preset's name, or the path of a JSON file holding one
 * label map ({ "name", "labels": { "1": "spleen", ... }, "background"?, "organs"?, "annotated"? },
 * the same object a config may give inline). Errors name the option and the file.
 */
export async function loadLabelMapOption(value: string, option: string): Promise<LabelMap> {
  if (LABEL_MAP_PRESETS[value] !== undefined) return LABEL_MAP_PRESETS[value];
  if (!value.endsWith(".json") && !existsSync(value))
    throw new Error(
      `${option}: '${value}' is neither a preset (${Object.keys(LABEL_MAP_PRESETS).join(", ")}) nor a JSON label-map file`,
    );
  const parsed = await readJsonFile(value);
  const objectSchema = labelMapSchema.oneOf[1];
  return validateAgainstSchema<LabelMap>(parsed, objectSchema, `${option} ${value}`);
}
