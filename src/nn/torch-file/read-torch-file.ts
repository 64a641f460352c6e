// State dicts saved by torch.save (PyTorch 1.6+ zip format): <archive>/data.pkl, the pickle of the
// dict, and <archive>/data/<key>, one record per storage, little-endian. The zip is read with
// fflate, the pickle by the restricted unpickler, and each tensor is copied out of its storage
// by its offset and strides.
import { unzipSync } from "fflate";
import { dtypeInfo } from "../safetensors/dtypes.js";
import type { NamedTensorData, SafetensorsDtype } from "../safetensors/index.js";
import { type StorageRef, type TensorRef, unpickleStateDict } from "./restricted-unpickler.js";

const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

function isTensor(v: unknown): v is TensorRef {
  return typeof v === "object" && v !== null && (v as TensorRef).kind === "tensor";
}

/** The tensor's elements, in row-major order, gathered from its storage through its strides. */
function gather(
  t: TensorRef,
  storage: Uint8Array,
  dtype: SafetensorsDtype,
  source: string,
  name: string,
): NamedTensorData {
  const info = dtypeInfo(dtype)!;
  const size = info.itemSize;
  const count = t.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * size);
  const index = new Array<number>(t.shape.length).fill(0);
  for (let n = 0; n < count; n++) {
    let element = t.offset;
    for (let d = 0; d < index.length; d++) element += index[d]! * t.stride[d]!;
    const from = element * size;
    if (from + size > storage.length)
      throw new Error(`${source}: tensor ${JSON.stringify(name)} reaches past its storage`);
    out.set(storage.subarray(from, from + size), n * size);
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < t.shape[d]!) break;
      index[d] = 0;
    }
  }
  const data = new info.arrayClass(out.buffer, 0, count);
  return { dtype, shape: t.shape, data } as NamedTensorData;
}

export function readTorchStateDict(bytes: Uint8Array, source: string): Record<string, NamedTensorData> {
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b))
    throw new Error(
      `${source}: not a zip-format torch.save file (older than PyTorch 1.6, or not a .pt file); re-save it with a recent torch.save, or as safetensors`,
    );
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${source}: unreadable zip: ${(e as Error).message}`);
  }
  const pkl = Object.keys(files).find((f) => /^[^/]+\/data\.pkl$/.test(f));
  if (pkl === undefined)
    throw new Error(`${source}: no <archive>/data.pkl in the zip (not a torch.save file)`);
  const prefix = pkl.slice(0, -"data.pkl".length);
  const order = files[`${prefix}byteorder`];
  if (order !== undefined && new TextDecoder().decode(order).trim() !== "little")
    throw new Error(`${source}: big-endian storages are not supported`);
  const state = unpickleStateDict(files[pkl]!, `${source}: ${pkl}`);
  const out: Record<string, NamedTensorData> = Object.create(null);
  for (const [name, value] of state) {
    if (!isTensor(value)) throw new Error(`${source}: entry ${JSON.stringify(name)} is not a tensor`);
    const storage: StorageRef = value.storage;
    const dtype = STORAGE_DTYPES[storage.type];
    if (dtype === undefined)
      throw new Error(`${source}: ${JSON.stringify(name)}: unsupported storage ${storage.type}`);
    const record = files[`${prefix}data/${storage.key}`];
    if (record === undefined)
      throw new Error(`${source}: ${JSON.stringify(name)}: storage record data/${storage.key} is missing`);
    out[name] = gather(value, record, dtype, source, name);
  }
  return out;
}
