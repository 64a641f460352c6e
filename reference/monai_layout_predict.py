#!/usr/bin/env python3
"""MONAI's view of an exported SegViz model: the image as nibabel gives it, in (i, j, k) order,
the exported monai-unet-<task>.safetensors loaded with strict=True into the plain-PyTorch
rebuild of MONAI's UNet (torch_unet.py), MONAI-style sliding-window inference
(torch_sliding_window.py), softmax, and the organ label where its probability is above 0.5.

  monai_layout_predict.py MODEL.safetensors IMAGE.nii[.gz] OUT.safetensors ROI_JSON OVERLAP A_MIN A_MAX
      The image is windowed as MONAI's ScaleIntensityRanged (a_min..a_max -> 0..1, clipped) and
      must already be on the model's grid (RAS, the training spacing, no crop).
      OUT: `labels` uint8 and `probability` float32 of channel 1, both stored [K, J, I] (i
      fastest, the NIfTI's own byte order, so they compare with SegViz's arrays directly).
"""
import json
import os
import sys

import nibabel as nib
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402
from torch_sliding_window import sliding_window  # noqa: E402
from torch_unet import build  # noqa: E402


def main():
    model_path, image_path, out_path, roi, overlap, a_min, a_max = sys.argv[1:8]
    tensors, meta = read_safetensors(model_path)
    torch.set_num_threads(2)
    net = build(json.loads(meta["config"]))
    net.load_state_dict(tensors, strict=True)
    net.eval()
    image = np.asarray(nib.load(image_path).get_fdata(dtype=np.float32))  # (I, J, K)
    a_min, a_max = float(a_min), float(a_max)
    x = np.clip((image - a_min) / (a_max - a_min), 0.0, 1.0).astype(np.float32)
    with torch.no_grad():
        logits = sliding_window(torch.from_numpy(x)[None, None], json.loads(roi), float(overlap), "gaussian", 4, net)
        p = torch.softmax(logits, dim=1)[0, 1]  # (I, J, K)
    labels = (p > 0.5).to(torch.uint8)
    write_safetensors(
        out_path,
        {"labels": labels.permute(2, 1, 0).contiguous(), "probability": p.permute(2, 1, 0).contiguous()},
    )


if __name__ == "__main__":
    main()
