#!/usr/bin/env bash
# The whole test suite: lit/FileCheck suites, then pytest (numerics, interpreter, backends).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
VENV=${INTVIT_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
echo "== lit"
"$VENV/bin/lit" -sv test
echo "== pytest"
"$VENV/bin/python" -m pytest test/python "$@"
