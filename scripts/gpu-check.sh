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
bash scripts/gpu-build-addon.sh
/tmp/nodebin/node scripts/gpu-forward-check.mjs
