#!/usr/bin/env python3
"""Prints what nibabel reads from NIfTI files, as JSON, for the TypeScript reader's tests.

Usage: nibabel_dump.py [--float32-dir DIR] FILE...
Prints a JSON list, one object per file, in argument order. A file nibabel cannot read gets
{"path": ..., "error": "..."}. With --float32-dir, get_fdata(dtype=float32) of every file with
non-trivial scaling is written to DIR/<index>.f32 (little-endian, NIfTI voxel order), so a test can
compare element by element (nibabel may compute it in float32 arithmetic).

Header fields are those of the header as nibabel holds it after loading (its load-time repairs
applied), read straight from the file so that scl_slope/scl_inter are the stored values.
"""

import hashlib
import json
import os
import sys

import nibabel as nib
import numpy as np
from nibabel.openers import ImageOpener
from nibabel.orientations import aff2axcodes


def nifti_class(path):
    """Nifti1Image or Nifti2Image by sizeof_hdr, so CIFTI files are read as the NIfTI-2 they are."""
    with ImageOpener(path) as f:
        head = f.read(4)
    for order in ("<", ">"):
        if len(head) == 4 and int(np.frombuffer(head, dtype=order + "i4")[0]) == 540:
            return nib.Nifti2Image
    return nib.Nifti1Image


def little_endian_bytes(arr):
    """Array bytes in NIfTI voxel order (first index fastest), little-endian."""
    arr = np.asarray(arr)
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(order="F")


def number(x, integer):
    return str(int(x)) if integer else repr(float(x))


def stats(arr):
    arr = np.asarray(arr)
    integer = arr.dtype.kind in "iu"
    return {
        "sha256": hashlib.sha256(little_endian_bytes(arr)).hexdigest(),
        "min": number(arr.min(), integer),
        "max": number(arr.max(), integer),
    }


def c_string(field):
    """Text up to the first NUL, as the NIfTI standard defines its string fields."""
    return bytes(field.item()).split(b"\0")[0].decode("latin1")


def header_fields(hdr):
    def num(name):
        return float(hdr[name])

    return {
        "sizeof_hdr": int(hdr["sizeof_hdr"]),
        "magic": c_string(hdr["magic"]),
        "dim": [int(x) for x in hdr["dim"]],
        "pixdim": [float(x) for x in hdr["pixdim"]],
        "datatype": int(hdr["datatype"]),
        "bitpix": int(hdr["bitpix"]),
        "vox_offset": num("vox_offset"),
        "scl_slope": num("scl_slope"),
        "scl_inter": num("scl_inter"),
        "qform_code": int(hdr["qform_code"]),
        "sform_code": int(hdr["sform_code"]),
        "quatern": [num("quatern_b"), num("quatern_c"), num("quatern_d")],
        "qoffset": [num("qoffset_x"), num("qoffset_y"), num("qoffset_z")],
        "srow": [[float(x) for x in hdr[n]] for n in ("srow_x", "srow_y", "srow_z")],
        "xyzt_units": int(hdr["xyzt_units"]),
        "intent_code": int(hdr["intent_code"]),
        "intent_name": c_string(hdr["intent_name"]),
        "intent_p": [num("intent_p1"), num("intent_p2"), num("intent_p3")],
        "descrip": c_string(hdr["descrip"]),
        "aux_file": c_string(hdr["aux_file"]),
        "cal": [num("cal_min"), num("cal_max")],
        "slice": [int(hdr["slice_start"]), int(hdr["slice_end"]), int(hdr["slice_code"])],
        "slice_duration": num("slice_duration"),
        "toffset": num("toffset"),
        "dim_info": int(hdr["dim_info"]),
    }


def extensions(hdr):
    out = []
    for ext in hdr.extensions:
        content = ext._mangle(ext._content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        # nibabel strips trailing NULs from the stored content; CIFTI content is re-serialised XML.
        entry = {"code": int(ext.get_code())}
        if entry["code"] != 32:
            entry["sha256"] = hashlib.sha256(bytes(content)).hexdigest()
            entry["length"] = len(content)
        out.append(entry)
    return out


def dump(path, index, float32_dir):
    klass = nifti_class(path)
    img = klass.from_filename(path)
    with ImageOpener(path) as f:
        hdr = klass.header_class.from_fileobj(f)
    raw = np.asanyarray(img.dataobj.get_unscaled())
    slope, inter = hdr.get_slope_inter()
    out = {
        "path": path,
        "version": 2 if klass is nib.Nifti2Image else 1,
        "endianness": "big" if hdr.endianness == ">" else "little",
        "shape": [int(n) for n in img.shape],
        "dtype": np.dtype(hdr.get_data_dtype()).newbyteorder("=").name,
        "data_offset": int(img.dataobj.offset),
        "header": header_fields(hdr),
        "extensions": extensions(hdr),
        "affine": img.affine.tolist(),
        "sform": hdr.get_sform().tolist(),
        "qform": hdr.get_qform().tolist(),
        "axcodes": "".join(c if c is not None else "?" for c in aff2axcodes(img.affine)),
        "slope_inter": None if slope is None else [slope, inter],
        "raw": stats(raw),
        "fdata64": stats(img.get_fdata(dtype=np.float64)),
    }
    if float32_dir and slope is not None and (slope, inter) != (1.0, 0.0):
        f32 = img.get_fdata(dtype=np.float32)
        name = os.path.join(float32_dir, f"{index}.f32")
        with open(name, "wb") as f:
            f.write(little_endian_bytes(f32))
        out["fdata32_file"] = name
    return out


def main(argv):
    float32_dir = None
    if argv[:1] == ["--float32-dir"]:
        float32_dir, argv = argv[1], argv[2:]
    results = []
    for index, path in enumerate(argv):
        try:
            results.append(dump(path, index, float32_dir))
        except Exception as exc:  # report per file; the caller decides what an error means
            results.append({"path": path, "error": f"{type(exc).__name__}: {exc}"})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
