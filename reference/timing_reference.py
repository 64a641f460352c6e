#!/usr/bin/env python3
"""The reference side of two benchmarks, timed as CPU time of this process, best of N runs.

  timing_reference.py nifti-decode FILE.nii N
      nibabel decoding an uncompressed NIfTI from bytes in memory: the stored dtype
      (numpy.asanyarray(img.dataobj)) and scaled float32 (img.get_fdata(dtype=float32)).
  timing_reference.py hd95 N
      MONAI's HD95 definition with scipy.ndimage (as reference/scipy_metrics.py) on two
      organ-sized ellipsoids in a 160^3 volume at 0.8 x 0.8 x 2 mm (bench/surface-distance.ts
      builds the same ones).
Prints one JSON object: {"ms": {name: best CPU ms}, "value": ...}.
"""
import io
import json
import sys
import time

import numpy as np


def best_ms(fn, n):
    fn()  # warm-up
    best = float("inf")
    for _ in range(n):
        t0 = time.process_time()
        fn()
        best = min(best, (time.process_time() - t0) * 1000)
    return best


def nifti_decode(path, n):
    import nibabel as nib

    data = open(path, "rb").read()

    def image():
        return nib.Nifti1Image.from_stream(io.BytesIO(data))

    stored = best_ms(lambda: np.asanyarray(image().dataobj), n)
    scaled = best_ms(lambda: image().get_fdata(dtype=np.float32), n)
    shape = list(image().shape)
    return {"ms": {"stored": stored, "float32": scaled}, "value": shape}


def ellipsoid(shape, centre, radii):
    i, j, k = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
    r = sum(((a - c) / rad) ** 2 for a, c, rad in zip((i, j, k), centre, radii))
    return r <= 1


def hd95(n):
    from scipy import ndimage

    shape, spacing = (160, 160, 160), (0.8, 0.8, 2.0)
    truth = ellipsoid(shape, (80, 80, 80), (70, 60, 72))
    pred = ellipsoid(shape, (76, 84, 74), (72, 58, 70))
    out = {}

    def run():
        sp = pred ^ ndimage.binary_erosion(pred, border_value=0)
        st = truth ^ ndimage.binary_erosion(truth, border_value=0)
        a = ndimage.distance_transform_edt(~st, sampling=spacing)[sp]
        b = ndimage.distance_transform_edt(~sp, sampling=spacing)[st]
        out["hd95"] = float(max(np.percentile(a, 95), np.percentile(b, 95)))

    ms = best_ms(run, n)
    return {"ms": {"hd95": ms}, "value": out["hd95"]}


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "nifti-decode":
        result = nifti_decode(sys.argv[2], int(sys.argv[3]))
    elif kind == "hd95":
        result = hd95(int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown benchmark {kind!r}")
    print(json.dumps(result))
