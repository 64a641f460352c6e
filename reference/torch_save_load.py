#!/usr/bin/env python3
"""torch.save / torch.load on state dicts, to check SegViz's libtorch pickling against PyTorch's.

  torch_save_load.py load FILE.pt OUT.safetensors     torch.load FILE.pt (must be a dict) -> OUT
  torch_save_load.py save IN.safetensors FILE.pt dict|ordered
      torch.save of IN's tensors as a plain dict, or as the OrderedDict model.state_dict() returns
  torch_save_load.py cases DIR
      DIR/module.pt: a Conv3d + BatchNorm3d + PReLU module's state_dict() (OrderedDict with
      _metadata); DIR/views.pt: transposed, sliced, offset, float16, bfloat16, int64 and bool
      views sharing storages; DIR/evil.pt: a pickle that would call os.system; and for the first
      two, DIR/<name>.safetensors with the same tensors made contiguous (the truth).
"""
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402


class Evil:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def cases(out):
    torch.manual_seed(3)
    module = torch.nn.Sequential(torch.nn.Conv3d(1, 2, 3), torch.nn.BatchNorm3d(2), torch.nn.PReLU())
    state = module.state_dict()
    torch.save(state, os.path.join(out, "module.pt"))
    write_safetensors(os.path.join(out, "module.safetensors"), {k: v.contiguous() for k, v in state.items()})
    base = torch.arange(60, dtype=torch.float32).reshape(3, 4, 5)
    views = collections.OrderedDict(
        transposed=base.transpose(0, 2),
        sliced=base[1:, ::2, 1:4],
        offset=base[2],
        half=base.half()[0],
        bf16=base.bfloat16()[:, 0],
        longs=torch.tensor([1, -(2 ** 40), 7]),
        flags=torch.tensor([True, False, True]),
    )
    torch.save(views, os.path.join(out, "views.pt"))
    write_safetensors(os.path.join(out, "views.safetensors"), {k: v.contiguous() for k, v in views.items()})
    torch.save({"a": Evil()}, os.path.join(out, "evil.pt"))


def main():
    mode = sys.argv[1]
    if mode == "cases":
        cases(sys.argv[2])
        return
    if mode == "load":
        state = torch.load(sys.argv[2])
        if not isinstance(state, dict):
            raise SystemExit(f"torch.load gave a {type(state)}")
        write_safetensors(sys.argv[3], {k: v.contiguous() for k, v in state.items()}, {"type": type(state).__name__})
    else:
        tensors, _ = read_safetensors(sys.argv[2])
        state = dict(tensors) if sys.argv[4] == "dict" else collections.OrderedDict(tensors)
        torch.save(state, sys.argv[3])


if __name__ == "__main__":
    main()
