"""MONAI's own training pipeline on the same cached volumes, for `segviz bench train`.

Reads the preprocessed cases the benchmark wrote (case-N.f32 / case-N.u8, shapes in cases.json,
values in NIfTI order: i fastest), wraps them as channel-first (1, i, j, k) arrays in a
CacheDataset with the study's random transforms (RandCropByPosNegLabeld, RandAffined,
RandScaleIntensityd, RandShiftIntensityd), loads them with a DataLoader of `workers` processes,
and times patches per second: the loader alone, then loader + MONAI UNet training step (Dice
loss, Adam). Needs MONAI importable (PYTHONPATH; the benchmark sets it from SEGVIZ_MONAI).

usage: monai_train_throughput.py DIR --workers N --threads N --steps N --warmup N --mode loader|train
"""
import argparse
import json
import math
import os
import resource
import time

import numpy as np
import torch

import monai
from monai.data import CacheDataset, DataLoader, list_data_collate
from monai.losses import DiceLoss
from monai.networks.nets import UNet
from monai.transforms import (
    Compose,
    RandAffined,
    RandCropByPosNegLabeld,
    RandScaleIntensityd,
    RandShiftIntensityd,
)

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--workers", type=int, default=2)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=6)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--mode", choices=["loader", "train"], default="train")
p.add_argument("--device", default="cpu")
a = p.parse_args()
torch.set_num_threads(a.threads)
spec = json.load(open(os.path.join(a.dir, "cases.json")))
patch, num_samples, batch = spec["patch"], spec["numSamples"], spec["batchSize"]


def load(case):
    i, j, k = case["shape"]
    image = np.fromfile(os.path.join(a.dir, case["image"]), dtype="<f4").reshape(k, j, i).transpose(2, 1, 0)
    label = np.fromfile(os.path.join(a.dir, case["label"]), dtype="u1").reshape(k, j, i).transpose(2, 1, 0)
    return {"image": np.ascontiguousarray(image[None]), "label": np.ascontiguousarray(label[None].astype(np.float32))}


keys = ["image", "label"]
transform = Compose(
    [
        RandCropByPosNegLabeld(
            keys=keys, label_key="label", spatial_size=patch, pos=1, neg=1,
            num_samples=num_samples, image_key="image", image_threshold=0,
        ),
        RandAffined(
            keys=keys, prob=1.0, rotate_range=(0, 0, math.pi / 15), scale_range=(0.1, 0.1, 0.1),
            mode=("bilinear", "nearest"), padding_mode="zeros",
        ),
        RandScaleIntensityd(keys="image", factors=0.1, prob=0.5),
        RandShiftIntensityd(keys="image", offsets=0.1, prob=0.5),
    ]
)
dataset = CacheDataset([load(c) for c in spec["cases"]], transform=transform, cache_rate=1.0, num_workers=1, progress=False)
loader = DataLoader(
    dataset, batch_size=batch, shuffle=True, num_workers=a.workers,
    collate_fn=list_data_collate, persistent_workers=a.workers > 0,
)

model = loss_fn = opt = None
if a.mode == "train":
    torch.manual_seed(0)
    c = spec["channels"]
    model = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=c, strides=[2] * (len(c) - 1),
                 num_res_units=2, norm="batch").to(a.device).train()
    loss_fn = DiceLoss(to_onehot_y=True, softmax=True)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)


def batches():
    while True:
        for b in loader:
            yield b


it = batches()
patches = 0
start = None
for step in range(a.warmup + a.steps):
    if step == a.warmup:
        start = time.perf_counter()
        patches = 0
    b = next(it)
    x, y = b["image"], b["label"]
    if model is not None:
        x, y = x.to(a.device), y.to(a.device)
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    patches += x.shape[0]
seconds = time.perf_counter() - start
print(json.dumps({
    "impl": "monai", "version": monai.__version__, "mode": a.mode, "device": a.device, "patches": patches, "seconds": seconds,
    "patches_per_s": patches / seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
