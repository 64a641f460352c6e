// A MONAI Bundle as a predictor (`segviz predict --model BUNDLE`): the UNet from
// configs/inference.json's network_def, the preprocessing from its Orientationd, Spacingd and
// ScaleIntensityRanged, the window from its inferer, the organs from metadata.json's channel_def,
// and the weights through importWeights (MONAI's axis order turned into SegViz's).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { PreprocessSettings } from "../../data/pipeline/preprocess-settings.js";
import { applyImportedWeights, importWeights } from "../../nn/monai/import-weights.js";
import { MultiHeadUNet } from "../../nn/monai/multi-head-unet.js";
import type { UNetConfig } from "../../nn/monai/unet.js";
import type { Predictor } from "./load-predictor.js";

type Json = Record<string, unknown>;

async function readJson(file: string): Promise<Json> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Json;
  } catch (e) {
    throw new Error(`${file}: cannot read the bundle's config: ${(e as Error).message}`);
  }
}

const TASK = "bundle";

export async function loadBundlePredictor(dir: string): Promise<Predictor> {
  const inferenceFile = join(dir, "configs", "inference.json");
  const inference = await readJson(inferenceFile);
  const metadata = await readJson(join(dir, "configs", "metadata.json"));
  const fail = (what: string): never => {
    throw new Error(`${inferenceFile}: ${what}`);
  };
  const net = (inference.network_def ?? fail("no network_def")) as Json;
  if (!/(^|\.)UNet$/.test(String(net._target_))) fail(`network_def is ${net._target_}, not MONAI's UNet`);
  const name = (v: unknown, field: string) =>
    typeof v === "string"
      ? v.toLowerCase()
      : fail(`network_def.${field} must be a name (got ${JSON.stringify(v)})`);
  const config: UNetConfig = {
    inChannels: net.in_channels as number,
    outChannels: net.out_channels as number,
    channels: net.channels as number[],
    strides: net.strides as number[],
    numResUnits: (net.num_res_units as number | undefined) ?? 0,
    norm: name(net.norm ?? "instance", "norm") as UNetConfig["norm"],
    act: name(net.act ?? "prelu", "act") as UNetConfig["act"],
    kernelSize: (net.kernel_size as number | undefined) ?? 3,
    upKernelSize: (net.up_kernel_size as number | undefined) ?? 3,
    dropout: (net.dropout as number | undefined) ?? 0,
  };
  const transforms = ((inference.preprocessing as Json | undefined)?.transforms ?? []) as Json[];
  const find = (target: string) =>
    transforms.find((t) => String(t._target_).endsWith(target)) ?? fail(`preprocessing has no ${target}`);
  const scale = find("ScaleIntensityRanged");
  if (scale.b_min !== 0 || scale.b_max !== 1 || scale.clip !== true)
    fail("ScaleIntensityRanged must map to 0..1 with clip (as SegViz trains)");
  const preprocess: PreprocessSettings = {
    axcodes: find("Orientationd").axcodes as string,
    pixdim: find("Spacingd").pixdim as [number, number, number],
    window: { aMin: scale.a_min as number, aMax: scale.a_max as number },
    cropForeground: null,
    minSize: null,
  };
  const inferer = (inference.inferer ?? fail("no inferer")) as Json;
  const channelDef = ((
    ((metadata.network_data_format as Json | undefined)?.outputs as Json | undefined)?.pred as
      | Json
      | undefined
  )?.channel_def ?? {}) as Record<string, string>;
  const organs = Object.keys(channelDef)
    .filter((k) => k !== "0")
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => channelDef[k]!);
  if (organs.length !== config.outChannels - 1)
    throw new Error(
      `${join(dir, "configs", "metadata.json")}: channel_def names ${organs.length} organs, the network has ${config.outChannels} output channels`,
    );
  const model = new MultiHeadUNet(config, [{ name: TASK, outChannels: config.outChannels }]);
  try {
    const { loadedHeads } = applyImportedWeights(model, await importWeights(dir));
    if (!loadedHeads.includes(TASK))
      throw new Error(`${dir}: the bundle's weights have no head of ${config.outChannels} channels`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    model: model.eval(),
    heads: [{ task: TASK, organIndices: organs.map((_, i) => i + 1) }],
    organs,
    preprocess,
    roi: inferer.roi_size as [number, number, number],
    overlap: (inferer.overlap as number | undefined) ?? 0.25,
  };
}
