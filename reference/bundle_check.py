#!/usr/bin/env python3
"""A SegViz MONAI Bundle as a PyTorch user meets it: configs/inference.json must name
monai.networks.nets.UNet; models/model.pt is read by torch.load and loaded with strict=True into
the plain-PyTorch rebuild of that UNet (torch_unet.py) with inference.json's arguments;
models/model.safetensors must hold the same tensors. Runs the network on `x` (MONAI's layout,
[B, 1, I, J, K]) in eval mode.

  bundle_check.py BUNDLE IN.safetensors OUT.safetensors
      OUT: `logits`; metadata: the number of tensors and their names' digest.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402
from torch_unet import build  # noqa: E402


def main():
    bundle, src, dst = sys.argv[1:4]
    with open(os.path.join(bundle, "configs", "inference.json")) as f:
        net_def = json.load(f)["network_def"]
    if net_def["_target_"] != "monai.networks.nets.UNet":
        raise SystemExit(f"network_def names {net_def['_target_']}")
    if net_def["spatial_dims"] != 3 or net_def["act"] != "PRELU":
        raise SystemExit(f"unexpected network_def {net_def}")
    config = {
        "inChannels": net_def["in_channels"],
        "outChannels": net_def["out_channels"],
        "channels": net_def["channels"],
        "strides": net_def["strides"],
        "numResUnits": net_def["num_res_units"],
        "norm": net_def["norm"].lower(),
        "kernelSize": net_def["kernel_size"],
    }
    state = torch.load(os.path.join(bundle, "models", "model.pt"))
    if not isinstance(state, dict):
        raise SystemExit(f"model.pt holds a {type(state)}")
    same, _ = read_safetensors(os.path.join(bundle, "models", "model.safetensors"))
    if sorted(same) != sorted(state) or any(not torch.equal(same[k], state[k]) for k in state):
        raise SystemExit("model.safetensors and model.pt differ")
    torch.set_num_threads(2)
    net = build(config)
    net.load_state_dict(state, strict=True)
    net.eval()
    x = read_safetensors(src)[0]["x"]
    with torch.no_grad():
        logits = net(x)
    write_safetensors(dst, {"logits": logits.contiguous()}, {"tensors": str(len(state))})


if __name__ == "__main__":
    main()
