// Starting weights from outside: a MONAI Bundle folder, a .pt state dict written by torch.save, or
// a safetensors file (a SegViz checkpoint or export, or MONAI's). Whatever the file, the result is
// in SegViz's names and axis order: MONAI's files hold kernels in (i, j, k) order (monai-layout.ts)
// and are turned around; a SegViz checkpoint (heads.<task>.* names) is taken as it is.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dataToTensor } from "../checkpoint.js";
import { type NamedTensorData, readSafetensorsFile } from "../safetensors/index.js";
import { readTorchStateDict } from "../torch-file/read-torch-file.js";
import { fromMonaiLayout, MONAI_LAYOUT } from "./monai-layout.js";
import { MultiHeadUNet } from "./multi-head-unet.js";

export interface ImportedWeights {
  /** In SegViz's axis order; a MONAI file's single head stays under MONAI's names model.2.*. */
  tensors: Record<string, NamedTensorData>;
  /** "segviz": a multi-head checkpoint (heads.<task>.*); "monai": MONAI UNet names, one head. */
  kind: "segviz" | "monai";
  /** The file actually read (a bundle's models/model.safetensors or model.pt). */
  file: string;
}

/** The weights file inside a MONAI Bundle folder. */
function bundleFile(dir: string): string {
  for (const f of ["model.safetensors", "model.pt"])
    if (existsSync(join(dir, "models", f))) return join(dir, "models", f);
  throw new Error(`${dir}: a folder but not a MONAI Bundle (no models/model.safetensors or models/model.pt)`);
}

async function readPt(file: string): Promise<Record<string, NamedTensorData>> {
  return readTorchStateDict(new Uint8Array(await readFile(file)), file);
}

export async function importWeights(path: string): Promise<ImportedWeights> {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
  const file = statSync(path).isDirectory() ? bundleFile(path) : path;
  let tensors: Record<string, NamedTensorData>;
  let monaiLayout: boolean;
  if (file.endsWith(".pt") || file.endsWith(".pth")) {
    // torch.save'd weights come from PyTorch: MONAI's layout.
    tensors = await readPt(file);
    monaiLayout = true;
  } else if (file.endsWith(".safetensors")) {
    const decoded = await readSafetensorsFile(file);
    tensors = decoded.tensors;
    const m = decoded.metadata ?? {};
    // SegViz's own exports before the layout convention carry task and config but no layout.
    const oldSegvizExport = m.layout === undefined && m.task !== undefined && m.config !== undefined;
    monaiLayout = m.layout === MONAI_LAYOUT || (m.layout === undefined && !oldSegvizExport);
    if (m.layout !== undefined && m.layout !== MONAI_LAYOUT)
      throw new Error(`${file}: unknown layout ${JSON.stringify(m.layout)} (expected "${MONAI_LAYOUT}")`);
  } else throw new Error(`${file}: expected a MONAI Bundle folder, a .pt file or a .safetensors file`);
  const names = Object.keys(tensors);
  if (names.length === 0) throw new Error(`${file}: holds no tensors`);
  const segviz = names.some((n) => n.startsWith("heads."));
  if (segviz) return { tensors, kind: "segviz", file };
  const foreign = names.find((n) => !/^model\.[012]\./.test(n));
  if (foreign !== undefined)
    throw new Error(
      `${file}: ${JSON.stringify(foreign)} is not a name of MONAI's UNet (model.0.*, model.1.*, model.2.*)`,
    );
  return { tensors: monaiLayout ? fromMonaiLayout(tensors) : tensors, kind: "monai", file };
}

/**
 * Loads imported weights into a multi-head UNet: the body must be complete and of the same
 * shapes (the first mismatch is named); a head is loaded where the file has one of its shapes
 * (a SegViz checkpoint's head of the same task; a MONAI file's single head into every head with
 * as many output channels). Returns which heads were loaded and which kept their own start.
 */
export function applyImportedWeights(
  model: MultiHeadUNet,
  imported: ImportedWeights,
): { loadedHeads: string[]; keptHeads: string[] } {
  const own = model.stateDict();
  const source = imported.file;
  const shapeOf = (name: string) => imported.tensors[name]?.shape;
  const same = (a: readonly number[] | undefined, b: readonly number[]) =>
    a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
  const chosen = new Map<string, string>(); // our name -> the file's name
  for (const [name, t] of own) {
    if (MultiHeadUNet.isHeadName(name)) continue;
    const shape = shapeOf(name);
    if (shape === undefined) throw new Error(`${source}: lacks ${JSON.stringify(name)} of the model's body`);
    if (!same(shape, t.shape))
      throw new Error(
        `${source}: ${JSON.stringify(name)} has shape [${shape}], the model expects [${t.shape}]`,
      );
    chosen.set(name, name);
  }
  const loadedHeads: string[] = [];
  const keptHeads: string[] = [];
  for (const task of model.tasks.map((h) => h.name)) {
    const prefix = `heads.${task}.`;
    const names = [...own.keys()].filter((n) => n.startsWith(prefix));
    const fileName = (n: string) => (imported.kind === "segviz" ? n : `model.2.${n.slice(prefix.length)}`);
    if (names.every((n) => same(shapeOf(fileName(n)), own.get(n)!.shape))) {
      for (const n of names) chosen.set(n, fileName(n));
      loadedHeads.push(task);
    } else keptHeads.push(task);
  }
  const values = new Map(
    [...chosen].map(([ours, theirs]) => [ours, dataToTensor(imported.tensors[theirs]!)]),
  );
  try {
    model.loadStateDict(values, { strict: false });
  } finally {
    for (const t of values.values()) t.dispose();
  }
  return { loadedHeads, keptHeads };
}
