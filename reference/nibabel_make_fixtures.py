#!/usr/bin/env python3
"""Writes NIfTI files with nibabel that exercise the header corners the TypeScript reader must get
right, and prints a JSON list of {"name", "path", "covers"}.

Usage: nibabel_make_fixtures.py DIR

The files are then read by both nibabel_dump.py and the TypeScript reader, and compared; nothing
here states expected values itself.
"""

import gzip
import json
import os
import shutil
import struct
import sys

import nibabel as nib
import numpy as np

RNG = np.random.default_rng(20240601)


def oblique_affine(zooms, flip=True, origin=(-90.5, 12.25, 40.0)):
    """A rotated affine (about three axes) with a negative determinant when flip is set."""
    a, b, c = 0.3, -0.2, 0.45
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    m = rz @ ry @ rx @ np.diag(zooms)
    if flip:
        m[:, 0] *= -1
    aff = np.eye(4)
    aff[:3, :3] = m
    aff[:3, 3] = origin
    return aff


def patch(path, offset, fmt, value):
    """Overwrites one header field in an uncompressed file, to make headers nibabel would not write."""
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(struct.pack(fmt, value))


def main(out_dir):
    made = []

    def add(name, img, covers, endian=None, extensions=(), patches=()):
        """Saves img as name; byte order, extensions and raw header patches are applied in that order."""
        path = os.path.join(out_dir, name)
        if endian:
            img = img.__class__(img.dataobj, img.affine, img.header.as_byteswapped(endian))
        for ext in extensions:
            img.header.extensions.append(ext)
        plain = path[:-3] if path.endswith(".gz") else path
        img.to_filename(plain)
        for offset, fmt, value in patches:
            patch(plain, offset, fmt, value)
        if plain != path:
            with open(plain, "rb") as src, gzip.open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.remove(plain)
        made.append({"name": name, "path": path, "covers": covers})

    shape = (7, 6, 5)
    floats = RNG.normal(100, 400, size=shape)

    # nibabel picks scl_slope/scl_inter itself when asked to store floats as integers.
    for dtype in (np.uint8, np.int8, np.int16, np.uint16, np.int32):
        img = nib.Nifti1Image(floats, oblique_affine((1.5, 2.0, 2.5)), dtype=dtype)
        name = f"scaled_{np.dtype(dtype).name}.nii"
        add(name, img, f"{np.dtype(dtype).name} with nibabel-chosen scl_slope/scl_inter")

    # nibabel never writes a slope for float data, so these are patched into the header.
    img = nib.Nifti1Image(floats.astype(np.float32), oblique_affine((1, 1, 3)))
    patches = [(112, ">f", 2.5), (116, ">f", -7.0)]
    add("scaled_float32_big.nii.gz", img, "float32 with slope/inter, big-endian, gzip", ">", patches=patches)

    img = nib.Nifti2Image(floats.astype(np.float64), oblique_affine((0.7, 0.8, 0.9)))
    patches = [(176, "<d", 0.125), (184, "<d", 3.0)]
    add("scaled_float64_nifti2.nii", img, "NIfTI-2 float64 with slope/inter", patches=patches)

    big = RNG.integers(-(2**62), 2**62, size=shape, dtype=np.int64)
    big.flat[0] = np.iinfo(np.int64).min
    big.flat[1] = np.iinfo(np.int64).max
    img = nib.Nifti2Image(big, oblique_affine((2, 2, 2)), dtype=np.int64)
    img.set_qform(img.affine, code=1)
    ext = [nib.nifti1.Nifti1Extension("comment", b"int64 extremes")]
    add("int64_nifti2_big.nii.gz", img, "NIfTI-2 int64 extremes, qform, extension, big-endian", ">", ext)

    img = nib.Nifti1Image(RNG.integers(0, 2**32, size=shape, dtype=np.uint32), np.diag([1, 2, 3, 1]))
    img.set_data_dtype(np.uint32)
    ext = [nib.nifti1.Nifti1Extension("comment", b"first"), nib.nifti1.Nifti1Extension(4, b"x" * 40)]
    add("uint32_two_extensions.nii.gz", img, "uint32, two extensions move vox_offset", extensions=ext)

    img = nib.Nifti1Image(RNG.integers(0, 5, size=shape, dtype=np.uint8), oblique_affine((1, 1, 1)))
    img.set_sform(None, code=0)
    img.set_qform(oblique_affine((0.9, 1.1, 1.3)), code=1)
    add("qform_only.nii", img, "sform_code 0, qform_code 1: affine from the quaternion with qfac -1")

    img = nib.Nifti1Image(RNG.integers(0, 5, size=shape, dtype=np.int16), np.eye(4))
    img.set_sform(oblique_affine((1, 1, 1), flip=False), code=4)
    img.set_qform(oblique_affine((2, 2, 2)), code=1)
    add("sform_beats_qform.nii", img, "both codes set, different affines: sform wins")

    img = nib.Nifti1Image(RNG.integers(0, 9, size=(8, 5, 4), dtype=np.uint8), np.eye(4))
    img.set_sform(None, code=0)
    img.set_qform(None, code=0)
    patches = [(80, "<f", 2.0), (84, "<f", 3.0), (88, "<f", 4.0)]
    add("no_transform.nii", img, "both codes 0: nibabel's centred, x-flipped pixdim affine", patches=patches)

    img = nib.Nifti1Image(RNG.integers(0, 9, size=(8, 5), dtype=np.uint8), np.eye(4))
    img.set_sform(None, code=0)
    img.set_qform(None, code=0)
    patches = [(80, "<f", 2.0), (84, "<f", 3.0)]
    add("two_d.nii", img, "2D image: fallback affine for ndim < 3, and not 3D", patches=patches)

    img = nib.Nifti1Image(floats.astype(np.float32)[..., None], np.diag([3, 3, 3, 1]))
    add("trailing_singleton.nii", img, "shape (x, y, z, 1)")

    img = nib.Nifti1Image(floats.astype(np.float32), oblique_affine((1, 1, 1)))
    img.header.set_data_offset(1024)
    add("large_vox_offset.nii", img, "vox_offset 1024 with no extensions")

    img = nib.Nifti1Image(RNG.integers(0, 9, size=shape, dtype=np.uint8), np.eye(4))
    img.set_sform(None, code=0)
    img.set_qform(oblique_affine((1.2, 1.4, 1.6)), code=2)
    patches = [(76, "<f", 0.0), (84, "<f", -1.4)]
    add("qfac_zero.nii", img, "pixdim[0] 0 and a negative pixdim, repaired as nibabel does", patches=patches)

    img = nib.Nifti1Image(RNG.integers(0, 9, size=shape, dtype=np.uint8), np.eye(4))
    img.header["intent_code"] = 1002
    img.header["intent_name"] = b"labels"
    img.header["descrip"] = b"fixture with text fields"
    img.header["aux_file"] = b"aux.txt"
    img.header["cal_min"], img.header["cal_max"] = 0, 8
    img.header.set_xyzt_units("micron", "msec")
    add("text_fields.nii.gz", img, "intent, descrip, aux_file, cal_min/max, units")

    json.dump(made, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
