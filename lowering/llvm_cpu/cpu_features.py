"""What this CPU (and kernel) offers the `llvm-cpu` target, probed once per question.

The compile asks (`host_features`, `has_avx512f`, `has_avx512_vnni`, `amx_ready`) to choose
kernels; the loader asks (`cpu_has`) before it opens a library built for features this machine
may lack; the library itself checks again when called (`aot.shim_source`).
"""

from __future__ import annotations

import ctypes
import platform
from pathlib import Path

# /proc/cpuinfo flag names of the features a library may record
CPU_FEATURES = ("avx2", "avx512f", "avx512bw", "avx512_vnni")


def cpu_flags() -> set[str]:
    """The `flags` line of /proc/cpuinfo (empty where there is none)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def cpu_has(feature: str) -> bool:
    """For the loader: unknown (no /proc/cpuinfo) counts as yes, the library's own check decides."""
    flags = cpu_flags()
    return not flags or feature in flags


def host_features() -> list[str]:
    """The features (of CPU_FEATURES) this host has: the JIT object may use all of them."""
    flags = cpu_flags()
    return [f for f in CPU_FEATURES if f in flags]


def has_avx512f() -> bool:
    return "avx512f" in cpu_flags()


def has_avx512_vnni() -> bool:
    return "avx512_vnni" in cpu_flags()


def amx_ready() -> bool:
    """AMX-INT8 usable in this process: the CPU flags, and Linux's permission for the tile data
    state (`arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`, process-wide; requested here
    so that the JIT may run tiles; the AOT library requests it itself)."""
    if platform.machine() != "x86_64" or not {"amx_int8", "amx_tile"} <= cpu_flags():
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syscall(158, 0x1023, 18) == 0  # SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XTILEDATA
    except (OSError, AttributeError):
        return False
