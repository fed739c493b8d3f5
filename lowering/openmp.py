"""Threads for the `llvm-cpu` target: LLVM's OpenMP runtime (libomp) behind MLIR's `omp` dialect.

GEMM kernels mark their independent blocks with `scf.parallel`; `convert-scf-to-openmp` turns
them into `omp.parallel`/`omp.wsloop`, which LLVM's OpenMPIRBuilder lowers to `__kmpc_*` calls
into libomp (Debian: `apt-get install libomp-dev`).  No thread count is baked in: libomp uses
every core, or `OMP_NUM_THREADS`.  Without libomp the target compiles single-threaded kernels.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

SEARCH = ["/usr/lib/llvm-*/lib/libomp.so.5", "/usr/lib/x86_64-linux-gnu/libomp.so.5",
          "/usr/lib/aarch64-linux-gnu/libomp.so.5", "/usr/local/lib/libomp.so*"]


def find_libomp() -> str | None:
    """Path of libomp (`INTVIT_LIBOMP` first, then the Debian/LLVM install locations)."""
    env = os.environ.get("INTVIT_LIBOMP")
    if env:
        return env if Path(env).is_file() else None
    for pattern in SEARCH:
        hits = sorted(glob.glob(pattern), reverse=True)  # newest llvm-N first
        if hits:
            return hits[0]
    return None


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def resolve_threads(threads: int | None) -> tuple[bool, str | None]:
    """(parallel kernels?, libomp path).  `None`: parallel when libomp is there and there are
    several CPUs; 1: single-threaded; >1: parallel, libomp required."""
    from intvit.lowering.llvm_cpu import CompileError

    if threads is not None and threads < 1:
        raise CompileError(f"threads must be >= 1, got {threads}")
    if threads == 1:
        return False, None
    lib = find_libomp()
    if lib is None:
        if threads is None:
            return False, None
        raise CompileError("multi-threaded kernels need LLVM's OpenMP runtime libomp "
                           "(apt-get install libomp-dev, or set INTVIT_LIBOMP=/path/to/libomp.so)")
    if threads is None and available_cpus() < 2:
        return False, None
    return True, lib
