#!/usr/bin/env bash
# Issue 15's GPU measurements in one run, on a machine with an NVIDIA GPU and a CUDA PyTorch:
# the training step beside PyTorch CUDA at fp32, bf16 and fp16 (autocast, fp16 with loss
# scaling); whole training in patches/s beside MONAI with patches cut by CPU workers and on the
# GPU; and the GPU's utilisation while ours trains alone (nvidia-smi every 100 ms).
# Prepare and carry .gpu/ and dist/ as scripts/gpu-check.sh says. MONAI's source comes from
# SEGVIZ_MONAI (a MONAI 1.3.2 source folder) or an installed MONAI; without either, the tables
# show ours alone and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/gpu-build-addon.sh
NODE=/tmp/nodebin/node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
python3 -c 'import torch; print("pytorch", torch.__version__, "cuda", torch.version.cuda)'
"$NODE" dist/src/cli/main.js bench train-step --device cuda --precision all --steps 20 --warmup 3
for placement in workers device; do
  "$NODE" dist/src/cli/main.js bench train --device cuda --placement "$placement" --mode both --steps 30 --workers 4 --threads 4
  nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 100 > "/tmp/gpu-util-$placement.txt" &
  sampler=$!
  "$NODE" dist/src/cli/main.js bench train --device cuda --placement "$placement" --mode train --steps 60 --workers 4 --threads 4 --skip-monai
  kill "$sampler"
  # The first and last seconds (start-up, exit) are left out.
  awk -v p="$placement" '{ v[NR] = $1 } END { n = 0; s = 0; for (i = 11; i <= NR - 10; i++) { s += v[i]; n++ }
    if (n) printf "GPU busy while ours trains (placement %s): %.0f%% mean of %d samples\n", p, s / n, n }' "/tmp/gpu-util-$placement.txt"
done
