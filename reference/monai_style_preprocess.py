#!/usr/bin/env python3
"""The SegViz preprocessing chain the way MONAI documents it, written with nibabel + torch only
(MONAI is not installable here): LoadImage (float32) -> EnsureChannelFirst -> Orientation("RAS")
-> Spacing(pixdim, bilinear, border padding, float64 compute, diagonal=False) ->
ScaleIntensityRange(a_min, a_max, 0, 1, clip) -> CropForeground(x > 0, margin).

Usage: monai_style_preprocess.py IMAGE [--label LABEL] [--pixdim 1.5 1.5 2.0] [--window -175 250]
       [--threads 2] [--repeat 5] [--probe i,j,k ...] [--no-crop]
Prints one JSON object: seconds per run (load included), output shape (i, j, k), affine, values at
the probe voxels (after the whole chain) and, with --label, the resampled label's shape, its value
set and values at the probes (nearest neighbour, no window, no crop unless the image crop applies).
"""

import argparse
import json
import time

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F
from nibabel.orientations import axcodes2ornt, inv_ornt_aff, io_orientation, ornt_transform


def load(path):
    img = nib.load(path)
    data = np.asanyarray(img.dataobj).astype(np.float32)  # LoadImage default dtype
    return torch.from_numpy(data)[None], img.affine.astype(np.float64)  # channel first


def orientation(x, affine, codes="RAS"):
    src = io_orientation(affine)
    xform = ornt_transform(src, axcodes2ornt(codes))
    spatial = list(x.shape[1:])
    flips = [d + 1 for d, (_, f) in enumerate(xform) if f == -1]
    if flips:
        x = torch.flip(x, flips)
    perm = [0] + [int(a) + 1 for a in np.argsort(xform[:, 0])]
    x = x.permute(perm).contiguous()
    new_affine = affine @ inv_ornt_aff(xform, spatial)
    return x, new_affine


def spacing_plan(affine, shape, pixdim):
    """Output affine and shape as Spacing(diagonal=False, scale_extent=False) computes them."""
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    out = affine.copy()
    out[:3, :3] = affine[:3, :3] @ np.diag(np.asarray(pixdim) / zooms)
    corners = np.array(np.meshgrid(*[(0.0, n - 1.0) for n in shape], indexing="ij")).reshape(3, -1)
    corners = np.vstack([corners, np.ones((1, corners.shape[1]))])
    c_out = np.linalg.solve(out, affine) @ corners
    c_out = c_out[:3] / c_out[3]
    out_shape = np.round(np.ptp(c_out, axis=1) + 1.0).astype(int)
    out[:3, 3] = (out @ np.append(c_out.min(axis=1), 1.0))[:3]
    return out, [int(n) for n in out_shape]


def resample(x, src_affine, dst_affine, dst_shape, mode):
    """Voxel centres map exactly (pixel-space transform, align_corners=True), border padding."""
    xform = np.linalg.solve(src_affine, dst_affine)  # dst voxel -> src voxel
    src_shape = list(x.shape[1:])

    def norm(shape):  # pixel index -> [-1, 1] with align_corners=True
        m = np.eye(4)
        for d, n in enumerate(shape):
            m[d, d] = 2.0 / max(n - 1, 1)
            m[d, 3] = -1.0
        return m

    theta = norm(src_shape) @ xform @ np.linalg.inv(norm(dst_shape))
    # torch grids list coordinates last-dim first (k, j, i for an (i, j, k) array)
    rev = np.eye(4)[[2, 1, 0, 3]]
    theta = rev @ theta @ rev
    theta_t = torch.tensor(theta[:3], dtype=torch.float64)[None]
    grid = F.affine_grid(theta_t, [1, 1, *dst_shape], align_corners=True)
    y = F.grid_sample(x[None].double(), grid, mode=mode, padding_mode="border", align_corners=True)
    return y[0].float()


def crop_foreground(x, affine, margin=0):
    mask = (x > 0).any(dim=0)
    if not bool(mask.any()):
        return x, affine, [0, 0, 0]
    lo, hi = [], []
    for d in range(3):
        other = [a for a in range(3) if a != d]
        idx = torch.nonzero(mask.any(dim=other[1]).any(dim=other[0])).flatten()
        lo.append(max(int(idx[0]) - margin, 0))
        hi.append(min(int(idx[-1]) + 1 + margin, mask.shape[d]))
    x = x[:, lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    shift = np.eye(4)
    shift[:3, 3] = lo
    return x, affine @ shift, lo


def preprocess(path, pixdim, window, crop=True):
    x, affine = load(path)
    x, affine = orientation(x, affine)
    out_affine, out_shape = spacing_plan(affine, list(x.shape[1:]), pixdim)
    x = resample(x, affine, out_affine, out_shape, "bilinear")
    a, b = window
    x = torch.clamp((x - a) / (b - a), 0.0, 1.0)
    start = [0, 0, 0]
    if crop:
        x, out_affine, start = crop_foreground(x, out_affine)
    return x, out_affine, start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("image")
    p.add_argument("--label")
    p.add_argument("--pixdim", type=float, nargs=3, default=[1.5, 1.5, 2.0])
    p.add_argument("--window", type=float, nargs=2, default=[-175.0, 250.0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--probe", nargs="*", default=[])
    p.add_argument("--no-crop", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    probes = [tuple(int(v) for v in s.split(",")) for s in args.probe]

    seconds = []
    for _ in range(max(args.repeat, 1)):
        t0 = time.perf_counter()
        x, affine, start = preprocess(args.image, args.pixdim, args.window, not args.no_crop)
        seconds.append(time.perf_counter() - t0)
    result = {
        "seconds": seconds,
        "shape": list(x.shape[1:]),
        "affine": affine.tolist(),
        "crop_start": start,
        "probes": [float(x[0][p]) for p in probes],
    }
    if args.label:
        lab, laff = load(args.label)
        lab, laff = orientation(lab, laff)
        out_affine, out_shape = spacing_plan(laff, list(lab.shape[1:]), args.pixdim)
        lab = resample(lab, laff, out_affine, out_shape, "nearest")
        result["label"] = {
            "shape": list(lab.shape[1:]),
            "affine": out_affine.tolist(),
            "values": sorted({int(v) for v in torch.unique(lab).tolist()}),
            "probes": [float(lab[0][p]) for p in probes],
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
