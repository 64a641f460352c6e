// State dicts as safetensors files: the format PyTorch and MONAI users can load directly.
import { type Dtype, Tensor } from "../engine/index.js";
import {
  type NamedTensorData,
  readSafetensorsFile,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  writeSafetensorsFile,
} from "./safetensors/index.js";

/** A copy of a tensor's data as plain named-tensor data (the safetensors/federation currency). */
export function tensorToData(t: Tensor): NamedTensorData {
  const dtype = t.dtype as SafetensorsDtype;
  if (!SAFETENSORS_DTYPES.includes(dtype))
    throw new Error(`tensorToData: dtype ${t.dtype} has no safetensors tag`);
  return { dtype, shape: t.shape, data: t.toArray() } as NamedTensorData;
}

/** A new tensor holding a copy of plain named-tensor data. */
export function dataToTensor(d: NamedTensorData): Tensor {
  return Tensor.fromArray(d.data, d.shape, { dtype: d.dtype as Dtype });
}

export function stateToData(state: Map<string, Tensor>): Record<string, NamedTensorData> {
  const out: Record<string, NamedTensorData> = Object.create(null);
  for (const [k, t] of state) out[k] = tensorToData(t);
  return out;
}

export async function saveStateDict(
  path: string,
  state: Map<string, Tensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeSafetensorsFile(path, stateToData(state), { format: "pt", ...metadata });
}

/** Reads a safetensors file into new tensors (the caller owns and disposes them). */
export async function loadStateDictFile(
  path: string,
): Promise<{ tensors: Map<string, Tensor>; metadata: Record<string, string> }> {
  const decoded = await readSafetensorsFile(path);
  const tensors = new Map<string, Tensor>();
  for (const name of Object.keys(decoded.tensors)) tensors.set(name, dataToTensor(decoded.tensors[name]!));
  return { tensors, metadata: decoded.metadata };
}
