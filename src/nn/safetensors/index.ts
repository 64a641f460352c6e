export { type NamedTensorData, SAFETENSORS_DTYPES, type SafetensorsDtype } from "./dtypes.js";
export { SafetensorsError } from "./errors.js";
export { readSafetensorsFile, writeSafetensorsFile } from "./file.js";
export { decodeSafetensors, encodeSafetensors } from "./format.js";
export {
  bfloat16BitsToNumber,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from "./half.js";
