// NIfTI-1/NIfTI-2 reading and writing (.nii, .nii.gz), with nibabel as the reference for semantics.
//
// Own code rather than an npm library: nifti-reader-js (the usual choice) only reads, prefers the
// qform whenever qform_code > sform_code (nibabel takes the sform whenever sform_code != 0), falls
// back to diag(pixdim) where nibabel flips x and centres the origin, does not repair qfac/pixdim
// the way nibabel does on load, and would bring a browser-oriented decompressor. The format is small
// enough that matching nibabel exactly, reader and writer sharing one layout table, is simpler than
// patching around a library. gzip is node:zlib.

export { assertSameGeometry } from "./geometry.js";
export type { NiftiImage } from "./header.js";
export { orientationCodes } from "./orientation.js";
export { parseNifti, readNifti, readNiftiHeader } from "./read.js";
export { encodeNifti, type WriteNiftiOptions, writeNifti } from "./write.js";
