#!/usr/bin/env python3
"""Independent reference for the segmentation metrics (test/training/metrics/), with scipy.ndimage.

  scipy_metrics.py CASES.json

CASES.json is a JSON list, all answered in one run (Python starts once). Volumes travel as base64
of uint8 bytes in NIfTI order (i fastest), with "shape": [i, j, k] and "spacing": [mm, mm, mm].
  {"id": str, "kind": "metrics", "pred": b64, "truth": b64, "shape", "spacing", "organ": int}
      -> {"dice", "hd95", "assd", "n_pred_surface", "n_truth_surface"}  (NaN/inf as strings)
  {"id": str, "kind": "edt", "features": b64, "shape", "spacing"}
      -> {"squared": [squared distance to the nearest feature voxel, NIfTI order]}
  {"id": str, "kind": "percentile", "values": [...], "q": float} -> {"value"}
Prints one JSON object {id: result}.

Definitions (MONAI's compute_hausdorff_distance(percentile=95) and
compute_average_surface_distance(symmetric=True)): surface = mask XOR binary_erosion(mask) with
scipy's default cross structure and border_value=0; directed distances are
distance_transform_edt(~other_surface, sampling=spacing) read at this surface; HD95 is the max of
the two directed numpy.percentile(.., 95); ASSD the mean of both directed sets concatenated.
Empty prediction or truth -> NaN. Dice: both empty -> NaN, else 2|P&T| / (|P| + |T|).
"""
import base64
import json
import math
import sys

import numpy as np
from scipy import ndimage


def volume(b64, shape):
    flat = np.frombuffer(base64.b64decode(b64), dtype=np.uint8)
    return flat.reshape(shape, order="F")  # NIfTI order: first axis fastest


def number(x):
    x = float(x)
    return x if math.isfinite(x) else str(x)


def surface(mask):
    return mask ^ ndimage.binary_erosion(mask, border_value=0)


def metrics(case):
    shape, spacing, organ = case["shape"], case["spacing"], case["organ"]
    pred = volume(case["pred"], shape) == organ
    truth = volume(case["truth"], shape) == organ
    total = pred.sum() + truth.sum()
    dice = float("nan") if total == 0 else 2.0 * np.logical_and(pred, truth).sum() / total
    out = {"dice": number(dice), "hd95": "nan", "assd": "nan", "n_pred_surface": 0, "n_truth_surface": 0}
    if not pred.any() or not truth.any():
        return out
    sp, st = surface(pred), surface(truth)
    pred_to_truth = ndimage.distance_transform_edt(~st, sampling=spacing)[sp]
    truth_to_pred = ndimage.distance_transform_edt(~sp, sampling=spacing)[st]
    hd95 = max(np.percentile(pred_to_truth, 95), np.percentile(truth_to_pred, 95))
    assd = np.concatenate([pred_to_truth, truth_to_pred]).mean()
    out.update(hd95=number(hd95), assd=number(assd), n_pred_surface=int(sp.sum()), n_truth_surface=int(st.sum()))
    return out


def edt(case):
    features = volume(case["features"], case["shape"]) != 0
    d = ndimage.distance_transform_edt(~features, sampling=case["spacing"])
    return {"squared": [number(x) for x in (d.astype(np.float64) ** 2).ravel(order="F")]}


def percentile(case):
    return {"value": number(np.percentile(np.asarray(case["values"], dtype=np.float64), case["q"]))}


KINDS = {"metrics": metrics, "edt": edt, "percentile": percentile}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    print(json.dumps({c["id"]: KINDS[c["kind"]](c) for c in cases}))


if __name__ == "__main__":
    main()
