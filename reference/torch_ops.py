#!/usr/bin/env python3
"""PyTorch reference values for the engine's op tests (test/engine/ops.test.ts).

  torch_ops.py CASES.json

CASES.json is a JSON list of cases, all answered in one run (Python and torch start once):
  {"id": str, "fn": "torch.add" | "F.interpolate" | "method.permute" | ..., "args": [...],
   "kwargs": {...}, "seed": int (optional: torch.manual_seed(seed) right before the call)}
A tensor argument is {"__tensor__": [flat values], "shape": [...], "dtype": "float32"|...};
{"__dtype__": "float64"} is a torch dtype. "method.NAME" calls args[0].NAME(*args[1:]).
Prints one JSON object {id: result}; a tensor result is {"shape", "dtype", "values"} (values
flattened row-major, float16 also as "bits"; nan/inf as strings), a list/tuple result a list of
results, a number a number; a failed case is {"error": message}.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "int64": torch.int64,
    "int32": torch.int32,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
ROOTS = {"torch": torch, "F": F}


def decode(v):
    if isinstance(v, dict) and "__tensor__" in v:
        dtype = DTYPES[v.get("dtype", "float32")]
        return torch.tensor(v["__tensor__"], dtype=torch.float64).to(dtype).reshape(v["shape"])
    if isinstance(v, dict) and "__dtype__" in v:
        return DTYPES[v["__dtype__"]]
    if isinstance(v, list):
        return [decode(e) for e in v]
    if isinstance(v, dict):
        return {k: decode(e) for k, e in v.items()}
    return v


def number(x):
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


def encode(r):
    if isinstance(r, torch.Tensor):
        r = r.detach().contiguous()
        out = {"shape": list(r.shape), "dtype": NAMES.get(r.dtype, str(r.dtype))}
        flat = r.reshape(-1)
        if r.dtype == torch.bool:
            out["values"] = [int(x) for x in flat.tolist()]
        elif r.dtype == torch.float16:
            out["values"] = [number(x) for x in flat.to(torch.float64).tolist()]
            out["bits"] = flat.view(torch.int16).to(torch.int32).bitwise_and(0xFFFF).tolist()
        else:
            out["values"] = [number(x) for x in flat.tolist()]
        return out
    if isinstance(r, (list, tuple)):
        return [encode(e) for e in r]
    if isinstance(r, (bool, int, float)):
        return number(r)
    raise TypeError(f"cannot encode {type(r)}")


def call(case):
    args = decode(case.get("args", []))
    kwargs = decode(case.get("kwargs", {}))
    fn = case["fn"]
    if "seed" in case:
        torch.manual_seed(case["seed"])
    if fn.startswith("method."):
        return getattr(args[0], fn[len("method."):])(*args[1:], **kwargs)
    root, _, path = fn.partition(".")
    f = ROOTS[root]
    for part in path.split("."):
        f = getattr(f, part)
    return f(*args, **kwargs)


def main(argv):
    with open(argv[1]) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    out = {}
    for case in cases:
        try:
            out[case["id"]] = encode(call(case))
        except Exception as e:  # reported per case, so one bad case does not hide the others
            out[case["id"]] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
