export {
  dtypeInfo,
  elementCount,
  type NamedTensorData,
  SAFETENSORS_DTYPES,
  type SafetensorsDtype,
  type TensorArray,
  type TypedArrayFor,
} from "./dtypes.js";
export { SafetensorsError } from "./errors.js";
export { readSafetensorsFile, writeSafetensorsFile } from "./file.js";
export {
  type DecodedSafetensors,
  type DecodeOptions,
  decodeSafetensors,
  encodeSafetensors,
} from "./format.js";
export {
  bfloat16BitsToNumber,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from "./half.js";
export { MAX_HEADER_BYTES } from "./header.js";
