#!/usr/bin/env python3
"""PyTorch reference of MONAI's sliding_window_inference (MONAI 1.x documented behaviour:
symmetric padding to the ROI, scan interval roi*(1-overlap), last window moved back to the
border, separable Gaussian importance map with sigma = 0.125*roi floored at max(min, 1e-3),
weighted sum divided by the summed weights).

  torch_sliding_window.py IN.safetensors OUT.safetensors
      IN: `x` [N,C,D,H,W], `weight` and `bias` of a Conv3d (padding 1) used as the predictor
      (followed by a sigmoid), metadata roi (json list), overlap, mode, sw_batch.
      OUT: `y` the blended prediction.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402


def importance(roi, mode, sigma_scale=0.125):
    if mode == "constant":
        return torch.ones(roi)
    m = None
    for n in roi:
        x = torch.arange(-(n - 1) / 2.0, (n - 1) / 2.0 + 1, dtype=torch.float)
        g = torch.exp(x ** 2 / (-2 * (n * sigma_scale) ** 2))
        m = g if m is None else m.unsqueeze(-1) * g
    return torch.clamp(m, min=max(m.min().item(), 1e-3))


def starts_along(size, roi, step):
    out, idx = [], 0
    while True:
        out.append(min(idx * step, size - roi))
        if idx * step + roi >= size:
            return out
        idx += 1


def sliding_window(x, roi, overlap, mode, sw_batch, predictor):
    spatial = list(x.shape[2:])
    pads = []
    for s, r in zip(reversed(spatial), reversed(roi)):
        d = max(r - s, 0)
        pads += [d // 2, d - d // 2]
    xp = F.pad(x, pads)
    size = list(xp.shape[2:])
    steps = [r if r == s else max(int(r * (1 - overlap)), 1) for s, r in zip(size, roi)]
    grid = [starts_along(s, r, st) for s, r, st in zip(size, roi, steps)]
    windows = [(a, b, c) for a in grid[0] for b in grid[1] for c in grid[2]]
    w = importance(roi, mode).to(x.dtype)
    out, count = None, torch.zeros([1, 1] + size, dtype=x.dtype)
    for n in range(x.shape[0]):
        for i in range(0, len(windows), sw_batch):
            chunk = windows[i:i + sw_batch]
            batch = torch.cat([xp[n:n + 1, :, a:a + roi[0], b:b + roi[1], c:c + roi[2]] for a, b, c in chunk])
            pred = predictor(batch)
            if out is None:
                out = torch.zeros([x.shape[0], pred.shape[1]] + size, dtype=pred.dtype)
            for k, (a, b, c) in enumerate(chunk):
                out[n:n + 1, :, a:a + roi[0], b:b + roi[1], c:c + roi[2]] += pred[k:k + 1] * w
                if n == 0:
                    count[:, :, a:a + roi[0], b:b + roi[1], c:c + roi[2]] += w
    y = out / count
    lo = [pads[4], pads[2], pads[0]]
    return y[:, :, lo[0]:lo[0] + spatial[0], lo[1]:lo[1] + spatial[1], lo[2]:lo[2] + spatial[2]]


def bench(src, dst):
    """Times sliding-window inference of the MONAI-style UNet (reference/torch_unet.py) with the
    weights, volume and settings in SRC; writes the blended logits and the timings to DST."""
    import time

    from torch_unet import build

    tensors, meta = read_safetensors(src)
    torch.set_num_threads(int(meta["threads"]))
    net = build(json.loads(meta["config"]))
    net.load_state_dict({k[len("weights."):]: v for k, v in tensors.items() if k.startswith("weights.")})
    net.eval()
    roi, overlap, sw = json.loads(meta["roi"]), float(meta["overlap"]), int(meta["sw_batch"])
    times = []
    with torch.no_grad():
        for _ in range(int(meta["repeats"])):
            t0 = time.perf_counter()
            y = sliding_window(tensors["x"], roi, overlap, "gaussian", sw, net)
            times.append(time.perf_counter() - t0)
    write_safetensors(dst, {"y": y.contiguous()}, {"seconds": json.dumps(times)})


def main():
    if sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3])
        return
    tensors, meta = read_safetensors(sys.argv[1])
    torch.set_num_threads(1)
    weight, bias = tensors["weight"], tensors["bias"]
    with torch.no_grad():
        y = sliding_window(
            tensors["x"], json.loads(meta["roi"]), float(meta["overlap"]), meta["mode"], int(meta["sw_batch"]),
            lambda b: torch.sigmoid(F.conv3d(b, weight, bias, padding=1)),
        )
    write_safetensors(sys.argv[2], {"y": y.contiguous()})


if __name__ == "__main__":
    main()
