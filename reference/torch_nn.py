#!/usr/bin/env python3
"""PyTorch reference for the nn tests (test/nn/*.test.ts): one run answers a JSON list of tasks.

  torch_nn.py TASKS.json   ->  prints a JSON list with one result per task

Tensors travel as {"__tensor__": [flat values], "shape": [...], "dtype": "float64"} and come back
as {"shape", "dtype", "values"}. Task kinds ("kind"):
  unet_shapes   {"config"}: state_dict names and shapes, in order, of the UNet that
                reference/torch_unet.py builds (MONAI's structure), and its parameter count
  norm          {"layer": "batch"|"instance", "channels", "momentum" (null = cumulative average),
                 "track", "affine", "weight", "bias", "train_inputs": [x...], "eval_input"}:
                running statistics, num_batches_tracked and outputs after each train step, then
                the eval output
  optim         {"optimizer": "adam"|"adamw"|"sgd", "options": {...}, "params": {name: t},
                 "grads": [{name: t}, ...]}: torch.optim's parameters after each step
  schedule      {"scheduler": "cosine"|"step", "lr", "options": {...}, "epochs"}: the lr after
                0, 1, ..., epochs-1 scheduler steps
  dice          {"input", "target", "options": MONAI DiceLoss arguments}: MONAI's DiceLoss, written
                out in torch from monai.losses.DiceLoss.forward
  cross_entropy {"input", "target" [B,1,...], "weight"?}: F.cross_entropy on squeezed long targets
  dice_ce       {"input", "target", "options", "lambda_dice", "lambda_ce"}: MONAI's DiceCELoss
  load_ours     {"path", "config", "x"}: loads a SegViz safetensors checkpoint into the torch UNet
                (strict), returns its eval-mode logits on x and the dtypes it found
  write_torch   {"path", "config", "seed", "x"}: writes a torch UNet's state_dict (random weights,
                non-trivial BatchNorm statistics) as safetensors; returns eval-mode logits on x
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402
from torch_unet import build  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32,
          "uint8": torch.uint8, "bool": torch.bool, "float16": torch.float16}
NAMES = {v: k for k, v in DTYPES.items()}


def dec(v):
    if v is None:
        return None
    return torch.tensor(v["__tensor__"], dtype=torch.float64).to(DTYPES[v.get("dtype", "float64")]).reshape(v["shape"])


def enc(t):
    t = t.detach().contiguous()
    vals = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        vals = [int(x) for x in vals]
    vals = [str(x) if isinstance(x, float) and not math.isfinite(x) else x for x in vals]
    return {"shape": list(t.shape), "dtype": NAMES.get(t.dtype, str(t.dtype)), "values": vals}


def unet_shapes(task):
    net = build(task["config"])
    sd = net.state_dict()
    return {
        "names": list(sd.keys()),
        "shapes": [list(v.shape) for v in sd.values()],
        "dtypes": [NAMES[v.dtype] for v in sd.values()],
        "num_parameters": sum(p.numel() for p in net.parameters()),
    }


def norm(task):
    cls = torch.nn.BatchNorm3d if task["layer"] == "batch" else torch.nn.InstanceNorm3d
    m = cls(task["channels"], momentum=task["momentum"], affine=task["affine"],
            track_running_stats=task["track"]).double()
    with torch.no_grad():
        if task["affine"]:
            m.weight.copy_(dec(task["weight"]))
            m.bias.copy_(dec(task["bias"]))
    steps = []
    m.train()
    for x in task["train_inputs"]:
        y = m(dec(x))
        s = {"output": enc(y)}
        if task["track"]:
            s.update(running_mean=enc(m.running_mean), running_var=enc(m.running_var),
                     num_batches_tracked=int(m.num_batches_tracked))
        steps.append(s)
    m.eval()
    return {"steps": steps, "eval_output": enc(m(dec(task["eval_input"])))}


def optim(task):
    names = list(task["params"].keys())
    params = [dec(task["params"][n]).clone().requires_grad_(True) for n in names]
    o = task["options"]
    kind = task["optimizer"]
    if kind == "adam":
        opt = torch.optim.Adam(params, **o)
    elif kind == "adamw":
        opt = torch.optim.AdamW(params, **o)
    else:
        opt = torch.optim.SGD(params, **o)
    after = []
    for grads in task["grads"]:
        for n, p in zip(names, params):
            p.grad = dec(grads[n])
        opt.step()
        after.append({n: enc(p) for n, p in zip(names, params)})
    return after


def schedule(task):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=task["lr"])
    if task["scheduler"] == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, **task["options"])
    else:
        sched = torch.optim.lr_scheduler.StepLR(opt, **task["options"])
    lrs = []
    for _ in range(task["epochs"]):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def monai_dice(input, target, include_background=True, to_onehot_y=False, sigmoid=False, softmax=False,
               squared_pred=False, jaccard=False, reduction="mean", smooth_nr=1e-5, smooth_dr=1e-5, batch=False):
    if sigmoid:
        input = torch.sigmoid(input)
    n_pred_ch = input.shape[1]
    if softmax:
        input = torch.softmax(input, 1)
    if to_onehot_y:
        # monai.networks.utils.one_hot: scatter 1s into zeros along dim 1.
        shape = list(target.shape)
        shape[1] = n_pred_ch
        target = torch.zeros(shape, dtype=input.dtype).scatter_(1, target.long(), 1)
    if not include_background:
        target = target[:, 1:]
        input = input[:, 1:]
    reduce_axis = list(range(2, len(input.shape)))
    if batch:
        reduce_axis = [0] + reduce_axis
    intersection = torch.sum(target * input, dim=reduce_axis)
    if squared_pred:
        ground_o = torch.sum(target ** 2, dim=reduce_axis)
        pred_o = torch.sum(input ** 2, dim=reduce_axis)
    else:
        ground_o = torch.sum(target, dim=reduce_axis)
        pred_o = torch.sum(input, dim=reduce_axis)
    denominator = ground_o + pred_o
    if jaccard:
        denominator = 2.0 * (denominator - intersection)
    f = 1.0 - (2.0 * intersection + smooth_nr) / (denominator + smooth_dr)
    if reduction == "mean":
        return torch.mean(f)
    if reduction == "sum":
        return torch.sum(f)
    # reduction "none": MONAI keeps the reduced spatial dims as size 1.
    return f.view(list(f.shape[0:2]) + [1] * (len(input.shape) - 2))


def ce(input, target, weight=None):
    return F.cross_entropy(input, torch.squeeze(target, dim=1).long(), weight=weight)


def load_ours(task):
    tensors, meta = read_safetensors(task["path"])
    net = build(task["config"])
    net.load_state_dict(tensors, strict=True)
    net.eval()
    with torch.no_grad():
        y = net(dec(task["x"]))
    return {"logits": enc(y), "dtypes": {k: NAMES[v.dtype] for k, v in tensors.items()}, "metadata": meta}


def write_torch(task):
    torch.manual_seed(task["seed"])
    net = build(task["config"])
    with torch.no_grad():
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape) + 0.5)
            elif name.endswith("num_batches_tracked"):
                b.fill_(17)
    write_safetensors(task["path"], dict(net.state_dict()), {"written_by": "torch " + torch.__version__})
    net.eval()
    with torch.no_grad():
        y = net(dec(task["x"]))
    return {"logits": enc(y)}


def run(task):
    k = task["kind"]
    if k == "unet_shapes":
        return unet_shapes(task)
    if k == "norm":
        return norm(task)
    if k == "optim":
        return optim(task)
    if k == "schedule":
        return schedule(task)
    if k == "dice":
        return enc(monai_dice(dec(task["input"]), dec(task["target"]), **task["options"]))
    if k == "cross_entropy":
        return enc(ce(dec(task["input"]), dec(task["target"]), dec(task.get("weight"))))
    if k == "dice_ce":
        i, t = dec(task["input"]), dec(task["target"])
        loss = task["lambda_dice"] * monai_dice(i, t, **task["options"]) + task["lambda_ce"] * ce(i, t)
        return enc(loss)
    if k == "load_ours":
        return load_ours(task)
    if k == "write_torch":
        return write_torch(task)
    raise ValueError(f"unknown task kind {k}")


def main(argv):
    with open(argv[1]) as f:
        tasks = json.load(f)
    torch.set_num_threads(1)
    out = []
    for task in tasks:
        try:
            out.append(run(task))
        except Exception as e:  # one failed task must not hide the others
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
