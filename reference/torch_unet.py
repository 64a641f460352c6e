#!/usr/bin/env python3
"""PyTorch reference for SegViz's compute core (MONAI is not packaged for Debian, so MONAI's UNet,
Convolution, ResidualUnit and DiceLoss are rebuilt here in plain torch from MONAI's documented
structure; the parameter count 4,808,917 and the state_dict names tie it to MONAI).

  torch_unet.py parity IN.safetensors OUT.safetensors
      IN holds the weights (model.*), the input `x` [B,1,D,H,W], the labels `y` [B,1,D,H,W] and
      metadata {"config": json, "mode": "train"|"eval", "lr": str}. Runs forward, Dice loss
      (softmax, one-hot), backward and one Adam step; writes logits, loss, grad.<name> and
      new weights after.<name> (plus BatchNorm buffers) to OUT. An optional `upstream` tensor
      (the logits' shape) starts the backward pass in place of the loss's gradient.
  torch_unet.py bench --batch B --size D H W --threads T --steps N [--warmup W]
                      [--precision fp32|bf16|fp16] [--device cpu|cuda]
      times full training steps (forward, Dice loss, backward, Adam) and prints one JSON line;
      bf16/fp16 run the forward pass under torch.autocast (fp16 with GradScaler). IN's metadata
      for parity may also hold "precision": "bf16".
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402


def norm_layer(kind, ch):
    if kind == "batch":
        return nn.BatchNorm3d(ch)
    if kind == "instance":
        return nn.InstanceNorm3d(ch)
    return None


class Convolution(nn.Sequential):
    def __init__(self, cin, cout, strides, kernel, norm, conv_only, transposed, dropout=0.0):
        super().__init__()
        pad = (kernel - 1) // 2
        if transposed:
            conv = nn.ConvTranspose3d(cin, cout, kernel, strides, pad, output_padding=strides - 1)
        else:
            conv = nn.Conv3d(cin, cout, kernel, strides, pad)
        self.add_module("conv", conv)
        if not conv_only:
            adn = nn.Sequential()
            n = norm_layer(norm, cout)
            if n is not None:
                adn.add_module("N", n)
            adn.add_module("D", nn.Dropout(dropout))
            adn.add_module("A", nn.PReLU())
            self.add_module("adn", adn)


class ResidualUnit(nn.Module):
    def __init__(self, cin, cout, strides, kernel, subunits, norm, last_conv_only):
        super().__init__()
        self.conv = nn.Sequential()
        sc, ss = cin, strides
        for su in range(max(1, subunits)):
            conv_only = last_conv_only and su == subunits - 1
            self.conv.add_module(f"unit{su}", Convolution(sc, cout, ss, kernel, norm, conv_only, False))
            sc, ss = cout, 1
        self.residual = nn.Identity()
        if strides != 1 or cin != cout:
            k, p = (kernel, (kernel - 1) // 2) if strides != 1 else (1, 0)
            self.residual = nn.Conv3d(cin, cout, k, strides, p)

    def forward(self, x):
        return self.conv(x) + self.residual(x)


class SkipConnection(nn.Module):
    def __init__(self, submodule):
        super().__init__()
        self.submodule = submodule

    def forward(self, x):
        return torch.cat([x, self.submodule(x)], dim=1)


class UNet(nn.Module):
    def __init__(self, in_channels, out_channels, channels, strides, num_res_units=2, norm="batch", kernel_size=3):
        super().__init__()
        self.k, self.nru, self.norm = kernel_size, num_res_units, norm

        def block(cin, cout, ch, st, top):
            c, s = ch[0], st[0]
            if len(ch) > 2:
                sub, upc = block(c, c, ch[1:], st[1:], False), c * 2
            else:
                sub, upc = self.down(c, ch[1], 1), c + ch[1]
            return nn.Sequential(self.down(cin, c, s), SkipConnection(sub), self.up(upc, cout, s, top))

        self.model = block(in_channels, out_channels, list(channels), list(strides), True)

    def down(self, cin, cout, s):
        if self.nru > 0:
            return ResidualUnit(cin, cout, s, self.k, self.nru, self.norm, False)
        return Convolution(cin, cout, s, self.k, self.norm, False, False)

    def up(self, cin, cout, s, top):
        conv = Convolution(cin, cout, s, self.k, self.norm, top and self.nru == 0, True)
        if self.nru > 0:
            return nn.Sequential(conv, ResidualUnit(cout, cout, 1, self.k, 1, self.norm, top))
        return conv

    def forward(self, x):
        return self.model(x)


def dice_loss(logits, labels, smooth_nr=1e-5, smooth_dr=1e-5):
    """MONAI DiceLoss(to_onehot_y=True, softmax=True), include_background=True, mean reduction."""
    p = torch.softmax(logits, 1)
    y = torch.nn.functional.one_hot(labels[:, 0].long(), p.shape[1]).permute(0, 4, 1, 2, 3).to(p.dtype)
    axes = list(range(2, p.dim()))
    inter = (p * y).sum(axes)
    den = y.sum(axes) + p.sum(axes)
    return (1.0 - (2.0 * inter + smooth_nr) / (den + smooth_dr)).mean()


SEGVIZ = dict(in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256), strides=(2, 2, 2, 2), num_res_units=2, norm="batch")


def forward(net, x, precision):
    """The forward pass at a precision; under autocast the logits come back as float32 for the loss."""
    if precision == "fp32":
        return net(x)
    with torch.autocast(x.device.type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16):
        logits = net(x)
    return logits.float()


def build(config):
    return UNet(
        config["inChannels"], config["outChannels"], config["channels"], config["strides"],
        config.get("numResUnits", 0), config.get("norm", "instance"), config.get("kernelSize", 3),
    )


def parity(src, dst):
    tensors, meta = read_safetensors(src)
    config = json.loads(meta["config"])
    torch.set_num_threads(int(meta.get("threads", "2")))
    dtype = torch.float64 if meta.get("dtype") == "float64" else torch.float32
    net = build(config).to(dtype)
    state = {k[len("weights."):]: v for k, v in tensors.items() if k.startswith("weights.")}
    net.load_state_dict(state, strict=True)
    net.train(meta["mode"] == "train")
    opt = torch.optim.Adam(net.parameters(), lr=float(meta["lr"]))
    logits = forward(net, tensors["x"].to(dtype), meta.get("precision", "fp32"))
    loss = dice_loss(logits, tensors["y"])
    opt.zero_grad()
    # With an `upstream` tensor the backward pass starts from that gradient of the logits instead
    # of the loss's, so a caller can compare the network's backward alone.
    if "upstream" in tensors:
        logits.backward(tensors["upstream"].to(dtype))
    else:
        loss.backward()
    out = {"logits": logits.detach(), "loss": loss.detach().reshape(1)}
    for name, p in net.named_parameters():
        out["grad." + name] = p.grad.detach().clone()
    opt.step()
    for name, t in net.state_dict().items():
        out["after." + name] = t.detach().clone()
    write_safetensors(dst, out, {"torch": torch.__version__})


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = UNet(**SEGVIZ).to(args.device)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    # fp16 trains with loss scaling, as torch.cuda.amp documents.
    scaler = torch.cuda.amp.GradScaler() if args.precision == "fp16" else None
    x = torch.randn(args.batch, 1, *args.size).to(args.device)
    y = (torch.rand(args.batch, 1, *args.size) > 0.7).float().to(args.device)
    times = []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = dice_loss(forward(net, x, args.precision), y)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        else:
            loss.backward()
            opt.step()
        float(loss)  # waits for the device, as ours reads the loss
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt * 1000)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times.sort()
    print(json.dumps({
        "impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "device": args.device,
        "batch": args.batch, "size": args.size, "steps": args.steps, "precision": args.precision,
        "ms_median": times[len(times) // 2], "ms_min": times[0], "ms_all": times,
        "peak_rss_mb": peak_kb / 1024, "loss": float(loss),
    }))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parity")
    p.add_argument("src")
    p.add_argument("dst")
    b = sub.add_parser("bench")
    b.add_argument("--batch", type=int, default=2)
    b.add_argument("--size", type=int, nargs=3, default=[64, 64, 64])
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--steps", type=int, default=3)
    b.add_argument("--warmup", type=int, default=1)
    b.add_argument("--count", action="store_true")
    b.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32")
    b.add_argument("--device", default="cpu")
    a = ap.parse_args()
    if a.cmd == "parity":
        parity(a.src, a.dst)
    else:
        bench(a)


if __name__ == "__main__":
    main()
