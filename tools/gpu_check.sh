#!/usr/bin/env bash
# On a GPU machine (nvcc, Python 3 with numpy and PyTorch; no intvit install, no xDSL needed):
#   bash tools/gpu_check.sh BUNDLE [--no-bench] [--repeat N] [--only PREFIX,...]
# BUNDLE comes from `python -m intvit.runtime.gpu_bundle BUNDLE` on a development machine.
# Builds every case with nvcc for this GPU's arch, checks 0 mismatches against the carried golden
# outputs, then benchmarks the models against PyTorch FP32 (TF32 off) and FP16, batch 1 and 8.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 BUNDLE [--no-bench] [--repeat N] [--only PREFIX,...]" >&2; exit 2; }
if [[ " $* " != *" --emulated "* ]]; then
  command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
  command -v nvcc >/dev/null || { echo "gpu_check: nvcc not found" >&2; exit 2; }
  nvidia-smi -L >/dev/null || { echo "gpu_check: no GPU (nvidia-smi -L failed)" >&2; exit 2; }
fi
exec python3 "$here/gpu_check.py" "$@"
