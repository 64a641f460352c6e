#!/usr/bin/env bash
# The demo's GPU profile on a machine with an NVIDIA GPU and a CUDA PyTorch: builds the addon
# against that libtorch (scripts/gpu-build-addon.sh, .gpu/ prepared as gpu-check.sh says, dist/
# carried), runs `segviz demo --profile gpu` (the study's crops, spacing and sliding window on the
# full-resolution phantom, about ten minutes on one GPU) and prints the Dice table.
#   bash scripts/gpu-demo.sh [OUT] [more demo options, e.g. --seeds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-demo}
shift || true
bash scripts/gpu-build-addon.sh
/tmp/nodebin/node dist/src/cli/main.js info
workers=$(( $(nproc) > 8 ? 8 : $(nproc) ))
/tmp/nodebin/node dist/src/cli/main.js demo --profile gpu --out "$out" --threads "$workers" "$@"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
