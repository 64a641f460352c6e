// NIfTI-1/NIfTI-2 reading and writing (.nii, .nii.gz), with nibabel as the reference for semantics.
//
// Own code rather than an npm library: nifti-reader-js (the usual choice) only reads, prefers the
// qform whenever qform_code > sform_code (nibabel takes the sform whenever sform_code != 0), falls
// back to diag(pixdim) where nibabel flips x and centres the origin, does not repair qfac/pixdim
// the way nibabel does on load, and would bring a browser-oriented decompressor. The format is small
// enough that matching nibabel exactly, reader and writer sharing one layout table, is simpler than
// patching around a library. gzip is node:zlib.

export { affineZooms, fallbackAffine, headerAffine, qformAffine, sformAffine } from "./affine.js";
export { describeDatatype } from "./datatypes.js";
export { encodeNiftiHeader } from "./encode-header.js";
export { assertSameGeometry } from "./geometry.js";
export type { ByteOrder, NiftiExtension, NiftiHeader, NiftiImage, NiftiVersion } from "./header.js";
export { orientationCodes } from "./orientation.js";
export { parseNiftiHeader } from "./parse-header.js";
export { parseNifti, type ReadNiftiOptions, readNifti, readNiftiHeader } from "./read.js";
export { requireSpatial3D } from "./shape3d.js";
export type { FloatDtype } from "./voxel-data.js";
export { encodeNifti, headerForVolume, type WriteNiftiOptions, writeNifti } from "./write.js";
