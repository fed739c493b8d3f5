#!/usr/bin/env bash
# Create (or reuse) .venv with everything intvit needs, from nothing but python3.11 and pip.
# torch==2.13.0 is installed first, alone: it resolves to the local CPU wheel, and every later
# requirement (torch-mlir, the package itself) is then satisfied without pulling a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${INTVIT_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
# The machine's pip config names local wheel folders that may be absent; hide only that noise.
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@" 2> >(grep -v "^WARNING: Location" >&2); }
if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  pip install torch==2.13.0
fi
pip install -e ".[test]"
# hls-cpp: the Apache-2.0 ap_int headers inside the hls4ml wheel (no deps: its package imports pull
# TensorFlow-era packages; intvit only reads the header files); tclsh checks build_prj.tcl.
pip install --no-deps hls4ml==1.3.0
if ! command -v tclsh >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcl) >/dev/null 2>&1 \
    || echo "bootstrap: tcl not installed; the build_prj.tcl stand-in tests will be skipped" >&2
fi
# LLVM's OpenMP runtime lets the llvm-cpu GEMM kernels use every core; without it they run on one.
if ! ls /usr/lib/llvm-*/lib/libomp.so.5 /usr/lib/*-linux-gnu/libomp.so.5 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libomp-dev) >/dev/null 2>&1 \
      || echo "bootstrap: libomp-dev not installed; llvm-cpu kernels will be single-threaded" >&2
  else
    echo "bootstrap: no libomp (apt-get install libomp-dev); llvm-cpu kernels will be single-threaded" >&2
  fi
fi
"$VENV/bin/python" -c "import intvit, torch, torch_mlir, xdsl; print('intvit environment ready:', '$VENV', 'torch', torch.__version__)"
