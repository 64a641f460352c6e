// Byte layout of the NIfTI-1 (348-byte) and NIfTI-2 (540-byte) headers: where each field lives and
// how wide it is. Reading and writing both go through these tables, so the two cannot disagree.

type FieldType = "u8" | "i16" | "i32" | "i64" | "f32" | "f64";

/** Numeric fields, by their names in nifti1.h / nifti2.h. `count` > 1 marks an array field. */
export type NumericField =
  | "sizeof_hdr"
  | "dim_info"
  | "dim"
  | "intent_p1"
  | "intent_p2"
  | "intent_p3"
  | "intent_code"
  | "datatype"
  | "bitpix"
  | "slice_start"
  | "pixdim"
  | "vox_offset"
  | "scl_slope"
  | "scl_inter"
  | "slice_end"
  | "slice_code"
  | "xyzt_units"
  | "cal_max"
  | "cal_min"
  | "slice_duration"
  | "toffset"
  | "qform_code"
  | "sform_code"
  | "quatern_b"
  | "quatern_c"
  | "quatern_d"
  | "qoffset_x"
  | "qoffset_y"
  | "qoffset_z"
  | "srow_x"
  | "srow_y"
  | "srow_z";

type StringField = "descrip" | "aux_file" | "intent_name" | "magic";

interface FieldSpec {
  offset: number;
  type: FieldType;
  count: number;
}

export interface HeaderLayout {
  version: 1 | 2;
  /** sizeof_hdr; the 4-byte extension flag follows immediately. */
  size: number;
  numeric: Record<NumericField, FieldSpec>;
  strings: Record<StringField, { offset: number; length: number }>;
  /** Bytes of the magic that must match for a single-file image (NUL-terminated, plus NIfTI-2's EOL check). */
  singleMagic: Uint8Array;
  pairMagic: Uint8Array;
}

const f = (offset: number, type: FieldType, count = 1): FieldSpec => ({ offset, type, count });

export const NIFTI1_LAYOUT: HeaderLayout = {
  version: 1,
  size: 348,
  numeric: {
    sizeof_hdr: f(0, "i32"),
    dim_info: f(39, "u8"),
    dim: f(40, "i16", 8),
    intent_p1: f(56, "f32"),
    intent_p2: f(60, "f32"),
    intent_p3: f(64, "f32"),
    intent_code: f(68, "i16"),
    datatype: f(70, "i16"),
    bitpix: f(72, "i16"),
    slice_start: f(74, "i16"),
    pixdim: f(76, "f32", 8),
    vox_offset: f(108, "f32"),
    scl_slope: f(112, "f32"),
    scl_inter: f(116, "f32"),
    slice_end: f(120, "i16"),
    slice_code: f(122, "u8"),
    xyzt_units: f(123, "u8"),
    cal_max: f(124, "f32"),
    cal_min: f(128, "f32"),
    slice_duration: f(132, "f32"),
    toffset: f(136, "f32"),
    qform_code: f(252, "i16"),
    sform_code: f(254, "i16"),
    quatern_b: f(256, "f32"),
    quatern_c: f(260, "f32"),
    quatern_d: f(264, "f32"),
    qoffset_x: f(268, "f32"),
    qoffset_y: f(272, "f32"),
    qoffset_z: f(276, "f32"),
    srow_x: f(280, "f32", 4),
    srow_y: f(296, "f32", 4),
    srow_z: f(312, "f32", 4),
  },
  strings: {
    descrip: { offset: 148, length: 80 },
    aux_file: { offset: 228, length: 24 },
    intent_name: { offset: 328, length: 16 },
    magic: { offset: 344, length: 4 },
  },
  singleMagic: new Uint8Array([0x6e, 0x2b, 0x31, 0x00]), // "n+1\0"
  pairMagic: new Uint8Array([0x6e, 0x69, 0x31, 0x00]), // "ni1\0"
};

export const NIFTI2_LAYOUT: HeaderLayout = {
  version: 2,
  size: 540,
  numeric: {
    sizeof_hdr: f(0, "i32"),
    datatype: f(12, "i16"),
    bitpix: f(14, "i16"),
    dim: f(16, "i64", 8),
    intent_p1: f(80, "f64"),
    intent_p2: f(88, "f64"),
    intent_p3: f(96, "f64"),
    pixdim: f(104, "f64", 8),
    vox_offset: f(168, "i64"),
    scl_slope: f(176, "f64"),
    scl_inter: f(184, "f64"),
    cal_max: f(192, "f64"),
    cal_min: f(200, "f64"),
    slice_duration: f(208, "f64"),
    toffset: f(216, "f64"),
    slice_start: f(224, "i64"),
    slice_end: f(232, "i64"),
    qform_code: f(344, "i32"),
    sform_code: f(348, "i32"),
    quatern_b: f(352, "f64"),
    quatern_c: f(360, "f64"),
    quatern_d: f(368, "f64"),
    qoffset_x: f(376, "f64"),
    qoffset_y: f(384, "f64"),
    qoffset_z: f(392, "f64"),
    srow_x: f(400, "f64", 4),
    srow_y: f(432, "f64", 4),
    srow_z: f(464, "f64", 4),
    slice_code: f(496, "i32"),
    xyzt_units: f(500, "i32"),
    intent_code: f(504, "i32"),
    dim_info: f(524, "u8"),
  },
  strings: {
    magic: { offset: 4, length: 8 },
    descrip: { offset: 240, length: 80 },
    aux_file: { offset: 320, length: 24 },
    intent_name: { offset: 508, length: 16 },
  },
  singleMagic: new Uint8Array([0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]), // "n+2\0\r\n\032\n"
  pairMagic: new Uint8Array([0x6e, 0x69, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]), // "ni2\0\r\n\032\n"
};

export function readField(view: DataView, spec: FieldSpec, index: number, little: boolean): number {
  const at = spec.offset + index * fieldBytes(spec.type);
  switch (spec.type) {
    case "u8":
      return view.getUint8(at);
    case "i16":
      return view.getInt16(at, little);
    case "i32":
      return view.getInt32(at, little);
    case "i64":
      return Number(view.getBigInt64(at, little));
    case "f32":
      return view.getFloat32(at, little);
    case "f64":
      return view.getFloat64(at, little);
  }
}

export function writeField(
  view: DataView,
  spec: FieldSpec,
  index: number,
  value: number,
  little: boolean,
): void {
  const at = spec.offset + index * fieldBytes(spec.type);
  switch (spec.type) {
    case "u8":
      view.setUint8(at, value);
      return;
    case "i16":
      view.setInt16(at, value, little);
      return;
    case "i32":
      view.setInt32(at, value, little);
      return;
    case "i64":
      view.setBigInt64(at, BigInt(Math.trunc(value)), little);
      return;
    case "f32":
      view.setFloat32(at, value, little);
      return;
    case "f64":
      view.setFloat64(at, value, little);
      return;
  }
}

function fieldBytes(type: FieldType): number {
  switch (type) {
    case "u8":
      return 1;
    case "i16":
      return 2;
    case "i32":
    case "f32":
      return 4;
    case "i64":
    case "f64":
      return 8;
  }
}
