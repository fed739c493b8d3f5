"""Toolchains for the generated source: g++ (host emulation .so), nvcc (GPU .so, the harness,
and the per-architecture compile checks), and the GPU probe."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import time
from pathlib import Path

from intvit.lowering.cuda.emit import GXX_FLAGS, NVCC_FLAGS
from intvit.lowering.target import TargetError

EMU_LIB = "libmodel_emu.so"
GPU_LIB = "libmodel_gpu.so"


def find_gxx() -> str | None:
    return shutil.which(os.environ.get("CXX", "g++")) or shutil.which("g++")


def find_nvcc() -> str | None:
    found = shutil.which("nvcc")
    if found:
        return found
    default = Path("/usr/local/cuda/bin/nvcc")
    return str(default) if default.is_file() else None


def gpu_present() -> bool:
    """A GPU we can run on: `nvidia-smi -L` lists one and the driver library loads."""
    if os.environ.get("INTVIT_CUDA_EMULATE") == "1":
        return False
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        listed = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20)
        ctypes.CDLL("libcuda.so.1")
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and "GPU" in listed.stdout


def run_tool(cmd: list[str], what: str, cwd: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-25:]
        raise TargetError(f"cuda-dp4a: {what} failed ({' '.join(cmd[:2])} ...):\n" + "\n".join(tail))
    return time.perf_counter() - t0


def build_emulated(folder: Path) -> float:
    gxx = find_gxx()
    if gxx is None:
        raise TargetError("cuda-dp4a: no GPU and no g++ for the emulated build")
    return run_tool([gxx, *GXX_FLAGS, "-shared", "-fPIC", "-x", "c++", "model.cu", "-o", EMU_LIB],
                    "the emulated build (g++)", folder)


def build_gpu(folder: Path) -> float:
    nvcc = find_nvcc()
    if nvcc is None:
        raise TargetError("cuda-dp4a: a GPU is present but nvcc is not on PATH (or /usr/local/cuda/bin)")
    return run_tool([nvcc, *NVCC_FLAGS.split(), "-arch=native", "-Xcompiler", "-fPIC", "-shared", "model.cu",
                     "-o", GPU_LIB], "the GPU build (nvcc)", folder)


def check_archs(folder: Path, archs: list[str], variant: str) -> dict:
    """nvcc -Werror all-warnings (host -Wall -Werror) for every arch: the harness (which includes
    model.cu) as a fat binary, then the PTX of the lowest arch, searched for dp4a / mma.sync."""
    nvcc = find_nvcc()
    if nvcc is None:
        return {"checked": False, "why": "nvcc not found: compile checks skipped"}
    gencode = []
    for a in archs:
        gencode += ["-gencode", f"arch=compute_{a[3:]},code=sm_{a[3:]}"]
    seconds = run_tool([nvcc, *NVCC_FLAGS.split(), *gencode, "harness.cu", "-o", "harness"],
                       f"nvcc for {','.join(archs)}", folder)
    low = min(archs)
    seconds += run_tool([nvcc, *NVCC_FLAGS.split(), f"-arch=compute_{low[3:]}", "-ptx", "model.cu", "-o",
                         f"model_{low}.ptx"], "nvcc -ptx", folder)
    ptx = (folder / f"model_{low}.ptx").read_text()
    return {"checked": True, "archs": archs, "seconds": round(seconds, 2), "ptx": f"model_{low}.ptx",
            "ptx_dp4a": ptx.count("dp4a."), "ptx_mma": ptx.count("mma.sync.aligned.m16n8k32"),
            "variant": variant}
