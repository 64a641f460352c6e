#!/usr/bin/env python3
"""Independent safetensors reader/writer on PyTorch + json + struct (no safetensors package).

The TypeScript tests use it to prove SegViz's safetensors files interoperate with PyTorch:

  safetensors_torch.py write OUT.safetensors OUT.expected.json
      builds tensors of every dtype with torch, writes them, and dumps the expected values
  safetensors_torch.py check IN.safetensors EXPECTED.json
      reads IN with torch.frombuffer and checks every tensor against EXPECTED

Expected-values JSON: {"metadata": {...}, "tensors": {name: {"dtype": TAG, "shape": [...],
"values": [...]}}}, values flattened row-major: F32/F64 as numbers (or "nan", "inf", "-inf"),
F16/BF16 as their 16-bit patterns, I64 as decimal strings, the rest as integers (BOOL 0/1).
"""
import json
import math
import struct
import sys

import torch

DTYPES = {
    "F32": torch.float32,
    "F64": torch.float64,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
TAGS = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = bytearray(raw[8 + n :])
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        chunk = data[begin:end]
        if len(chunk) == 0:
            t = torch.empty(info["shape"], dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype).reshape(info["shape"]).clone()
        tensors[name] = t
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        nbytes = t.numel() * t.element_size()
        # bytes through a uint8 view: works for every dtype, bool and bfloat16 included
        blob = t.reshape(-1).view(torch.uint8).numpy().tobytes() if nbytes else b""
        header[name] = {"dtype": TAGS[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + nbytes]}
        blobs.append(blob)
        offset += nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def bits16(t):
    return [int(v) & 0xFFFF for v in t.reshape(-1).view(torch.int16).tolist()]


def float_json(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def values_json(t):
    tag = TAGS[t.dtype]
    flat = t.reshape(-1)
    if tag in ("F16", "BF16"):
        return bits16(flat)
    if tag in ("F32", "F64"):
        return [float_json(v) for v in flat.tolist()]
    if tag == "I64":
        return [str(v) for v in flat.tolist()]
    if tag == "BOOL":
        return [1 if v else 0 for v in flat.tolist()]
    return flat.tolist()


def expected_tensor(spec):
    tag = spec["dtype"]
    dtype = DTYPES[tag]
    vals = spec["values"]
    if tag in ("F16", "BF16"):
        signed = [v - 0x10000 if v >= 0x8000 else v for v in vals]
        return torch.tensor(signed, dtype=torch.int16).view(dtype).reshape(spec["shape"])
    if tag in ("F32", "F64"):
        vals = [float(v) if isinstance(v, str) else v for v in vals]
    if tag == "I64":
        vals = [int(v) for v in vals]
    return torch.tensor(vals, dtype=dtype).reshape(spec["shape"])


def same(a, b):
    if a.dtype != b.dtype or list(a.shape) != list(b.shape):
        return False
    if a.dtype in (torch.float32, torch.float64):
        both_nan = torch.isnan(a) & torch.isnan(b)
        ints = torch.int32 if a.dtype == torch.float32 else torch.int64
        return bool(torch.all(both_nan | (a.view(ints) == b.view(ints))))
    if a.dtype in (torch.float16, torch.bfloat16):
        return bool(torch.all(a.view(torch.int16) == b.view(torch.int16)))
    return bool(torch.equal(a, b))


def make_tensors():
    g = torch.Generator().manual_seed(7)
    special = torch.tensor([0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"), 1e-40, 3.4e38])
    return {
        "f32.weight": torch.randn(3, 4, 5, generator=g),
        "f32.special": special,
        "f64.values": torch.randn(7, generator=g, dtype=torch.float64) * 1e300,
        "f16.values": torch.cat([torch.randn(10, generator=g), torch.tensor([65504.0, 6e-8, -0.0])]).half(),
        "bf16.values": torch.cat([torch.randn(10, generator=g), torch.tensor([3e38, 1e-38])]).bfloat16(),
        "i64.values": torch.tensor([0, -1, 2**62, -(2**63), 2**63 - 1, 12345678901234]),
        "i32.values": torch.tensor([0, -1, 2**31 - 1, -(2**31)], dtype=torch.int32),
        "i16.values": torch.tensor([0, -1, 32767, -32768], dtype=torch.int16),
        "i8.values": torch.tensor([0, -1, 127, -128], dtype=torch.int8),
        "u8.values": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool.mask": torch.tensor([[True, False, True], [False, False, True]]),
        "scalar": torch.tensor(3.25),
        "empty": torch.empty(0, 3),
        # Not contiguous: the writer must lay it out in row-major order.
        "transposed": torch.arange(12, dtype=torch.float32).reshape(3, 4).t(),
        "model.1.running_var": torch.rand(16, generator=g) + 0.5,
    }


def main(argv):
    if len(argv) != 3 or argv[0] not in ("write", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    command, path, expected_path = argv
    if command == "write":
        tensors = make_tensors()
        metadata = {"format": "pt", "writer": "reference/safetensors_torch.py"}
        write_safetensors(path, tensors, metadata)
        expected = {
            "metadata": metadata,
            "tensors": {
                n: {"dtype": TAGS[t.dtype], "shape": list(t.shape), "values": values_json(t.contiguous())}
                for n, t in tensors.items()
            },
        }
        with open(expected_path, "w") as f:
            json.dump(expected, f)
        print(f"ok wrote {len(tensors)} tensors")
        return 0
    with open(expected_path) as f:
        expected = json.load(f)
    tensors, metadata = read_safetensors(path)
    problems = []
    if metadata != expected["metadata"]:
        problems.append(f"metadata {metadata} != {expected['metadata']}")
    if sorted(tensors) != sorted(expected["tensors"]):
        problems.append(f"names {sorted(tensors)} != {sorted(expected['tensors'])}")
    for name, spec in expected["tensors"].items():
        if name in tensors and not same(tensors[name], expected_tensor(spec)):
            problems.append(f"tensor {name}: got {values_json(tensors[name])[:8]}, expected {spec['values'][:8]}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"ok checked {len(tensors)} tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
