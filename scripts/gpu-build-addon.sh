#!/usr/bin/env bash
# Builds the addon against the libtorch of this machine's CUDA PyTorch, with the Node binary and
# headers carried in .gpu/ (see scripts/gpu-check.sh for how to prepare them). Sourced by
# gpu-check.sh and gpu-demo.sh; leaves the Node binary at /tmp/nodebin/node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p /tmp/nodebin && xz -dc .gpu/node.xz > /tmp/nodebin/node && chmod +x /tmp/nodebin/node
TORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
ABI=$(python3 -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
echo "libtorch: $TORCH (C++11 ABI $ABI)"
mkdir -p native/build/Release /tmp/segviz-obj
build() {
  local std=$1 pids=()
  for f in native/src/*.cc; do
    g++ -c -fPIC -O2 -std="$std" -D_GLIBCXX_USE_CXX11_ABI="$ABI" -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS \
      -Wno-deprecated-declarations -I.gpu/include -I"$TORCH/include" -I"$TORCH/include/torch/csrc/api/include" \
      "$f" -o "/tmp/segviz-obj/$(basename "$f" .cc).o" &
    pids+=($!)
  done
  local ok=0
  for p in "${pids[@]}"; do wait "$p" || ok=1; done
  return $ok
}
build c++17 || build c++20
g++ -shared /tmp/segviz-obj/*.o -o native/build/Release/segviz_torch.node -L"$TORCH/lib" -Wl,-rpath,"$TORCH/lib" \
  -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -ltorch_cuda -lc10_cuda
