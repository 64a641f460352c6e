#!/usr/bin/env python3
"""torch.save / torch.load on state dicts, to check SegViz's libtorch pickling against PyTorch's.

  torch_save_load.py load FILE.pt OUT.safetensors     torch.load FILE.pt (must be a dict) -> OUT
  torch_save_load.py save IN.safetensors FILE.pt dict|ordered
      torch.save of IN's tensors as a plain dict, or as the OrderedDict model.state_dict() returns
"""
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_torch import read_safetensors, write_safetensors  # noqa: E402


def main():
    mode = sys.argv[1]
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
