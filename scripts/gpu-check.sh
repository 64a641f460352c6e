#!/usr/bin/env bash
# One-shot check on a machine with an NVIDIA GPU and a CUDA PyTorch (no Node.js needed there):
# builds the addon against that PyTorch's libtorch, then runs scripts/gpu-forward-check.mjs with
# a Node binary carried in .gpu/ (node.xz, plus the Node-API and node-addon-api headers in
# .gpu/include). Prints the comparison of the SegViz UNet on cuda against the CPU.
# Prepare .gpu/ here first (it is not committed; add /.gpu/ to .git/info/exclude):
#   mkdir -p .gpu/include && xz -T2 -6 -c "$(readlink -f "$(which node)")" > .gpu/node.xz
#   cp /usr/include/node/{node_api,node_api_types,js_native_api,js_native_api_types}.h .gpu/include/
#   cp node_modules/node-addon-api/napi*.h .gpu/include/
# and carry .gpu and dist (npm run build:ts) to the GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
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
/tmp/nodebin/node scripts/gpu-forward-check.mjs
