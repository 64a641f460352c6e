#!/usr/bin/env bash
# One-shot set-up on a fresh Debian 12 + Node 20 machine (run as root, or with sudo available).
#   bash scripts/setup.sh         runtime: libtorch, npm packages, the native addon, the TypeScript build
#   bash scripts/setup.sh --dev   also the references the tests and benchmarks compare against
#                                 (PyTorch, nibabel, mpmath, prometheus-client from Debian) and the
#                                 headless browser the dashboard and viewer tests drive (chromium)
# Set LIBTORCH=/path/to/libtorch (a folder with include/ and lib/, e.g. a CUDA build inside a
# PyTorch installation: python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')
# to build against that libtorch instead of Debian's.
set -euo pipefail
cd "$(dirname "$0")/.."

want=()
if [ -z "${LIBTORCH:-}" ]; then want+=(libtorch-dev); fi
if [ "${1:-}" = "--dev" ]; then want+=(python3-torch python3-nibabel python3-scipy python3-mpmath python3-prometheus-client openssl chromium); fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
