#!/usr/bin/env python3
"""PyTorch reference: the dtype each ATen op returns under torch.autocast("cpu", bfloat16).

  torch_autocast_dtypes.py
      prints one JSON object {case: dtype name} for the cases below; test/engine/autocast.test.ts
      runs the same ATen ops on the same input dtypes under SegViz's autocast and compares.
      x: float32 [1, 2, 6, 6, 6]; y: bfloat16 [1, 4, 6, 6, 6] (a convolution's output under autocast);
      z: float32 [1, 4, 6, 6, 6].
"""
import json

import torch

aten = torch.ops.aten


def name(t):
    return str(t.dtype).replace("torch.", "")


def main():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 6, 6, 6)
    z = torch.randn(1, 4, 6, 6, 6)
    w = torch.randn(4, 2, 3, 3, 3)
    wt = torch.randn(2, 4, 3, 3, 3)
    b = torch.randn(4)
    y = torch.randn(1, 4, 6, 6, 6).to(torch.bfloat16)
    out = {}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out["conv3d"] = aten.conv3d(x, w, b, [1, 1, 1], [1, 1, 1], [1, 1, 1], 1)
        out["conv_transpose3d"] = aten.conv_transpose3d(x, wt, None, [2, 2, 2], [1, 1, 1], [1, 1, 1], 1, [1, 1, 1])
        out["batch_norm"] = aten.batch_norm(y, torch.ones(4), torch.zeros(4), torch.zeros(4), torch.ones(4),
                                            True, 0.1, 1e-5, False)
        out["instance_norm"] = aten.instance_norm(y, None, None, None, None, True, 0.1, 1e-5, False)
        out["prelu"] = aten.prelu(y, torch.tensor([0.25]))
        out["leaky_relu"] = aten.leaky_relu(y, 0.01)
        out["softmax"] = aten.softmax(y, 1)
        out["log_softmax"] = aten.log_softmax(y, 1)
        out["sum"] = aten.sum(y)
        out["add_mixed"] = aten.add(y, z)
        out["cat_mixed"] = aten.cat([y, z], 1)
        out["mm"] = aten.mm(torch.randn(3, 4), torch.randn(4, 5))
        out["avg_pool3d"] = aten.avg_pool3d(y, [2, 2, 2])
        out["mse_loss"] = aten.mse_loss(y, z)
        out["grid_sampler"] = aten.grid_sampler(x, torch.zeros(1, 2, 2, 2, 3), 0, 0, False)
    print(json.dumps({k: name(v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
