"""C simulation with g++: the firmware + bridge as a shared library (ctypes), the testbench as a
program.  The ap_int headers come from the installed `hls4ml` wheel (found by path, never
imported: its package imports need TensorFlow-era dependencies); `intvit_nnet` from this package.

Warnings are errors (`-Wall -Wextra -Werror`) except two HLS idioms g++ cannot know: `#pragma
HLS` lines and loop labels that only Vitis reads.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

from intvit.lowering.target import TargetError

INCLUDE_DIR = Path(__file__).resolve().parent / "include"
CXXFLAGS = ["-O2", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-Wno-unknown-pragmas", "-Wno-unused-label"]
# C++20 under the sanitizers: the vendor ap_private.h left-shifts negative values (undefined
# before C++20, defined since), which UBSan would otherwise report inside the vendor header.
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-std=c++20"]


def ap_types_dir() -> Path:
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        raise TargetError("hls-cpp needs the ap_int headers of the hls4ml wheel: pip install --no-deps hls4ml")
    path = Path(next(iter(spec.submodule_search_locations))) / "templates" / "vivado" / "ap_types"
    if not (path / "ap_int.h").is_file():
        raise TargetError(f"hls4ml is installed but {path}/ap_int.h is missing")
    return path


def check_compiler() -> str:
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise TargetError(f"hls-cpp C simulation needs a C++17 compiler ({cxx} not found; set CXX)")
    return cxx


def include_flags(project: Path) -> list[str]:
    return ["-isystem", str(ap_types_dir()), "-I", str(project / "firmware"), "-I", str(project)]


def compile_cpp(sources: list[Path], output: Path, project: Path, shared: bool, defines: list[str],
                sanitize: bool = False) -> None:
    cmd = [check_compiler(), *CXXFLAGS, *(SANITIZE if sanitize else []), *include_flags(project), *defines]
    if shared:
        cmd += ["-fPIC", "-shared"]
    cmd += [str(s) for s in sources] + ["-o", str(output)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-30:])
        raise TargetError(f"hls-cpp: g++ failed building {output.name}:\n{tail}")


def defines_for(project: Path, load_weights: bool) -> list[str]:
    if not load_weights:
        return []
    return ["-DINTVIT_LOAD_WEIGHTS", f'-DINTVIT_WEIGHTS_DIR="{project / "firmware" / "weights"}"']


def _digest(project: Path, extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for path in sorted(project.glob("firmware/**/*.h")) + sorted(project.glob("firmware/*.cpp")) + \
            sorted(project.glob("*_bridge.cpp")) + sorted(INCLUDE_DIR.glob("intvit_nnet/*.h")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_library(project: Path, top: str, load_weights: bool) -> Path:
    """firmware + bridge -> csim/lib<top>.so, rebuilt only when a source changed."""
    out_dir = project / "csim"
    out_dir.mkdir(exist_ok=True)
    lib = out_dir / f"lib{top}.so"
    stamp = out_dir / "build.digest"
    digest = _digest(project, " ".join(CXXFLAGS) + str(load_weights))
    if lib.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return lib
    compile_cpp([project / "firmware" / f"{top}.cpp", project / f"{top}_bridge.cpp"], lib, project, True,
                defines_for(project, load_weights))
    stamp.write_text(digest)
    return lib


def build_testbench(project: Path, top: str, load_weights: bool, sanitize: bool = False) -> Path:
    exe = project / "csim" / (f"{top}_test_asan" if sanitize else f"{top}_test")
    exe.parent.mkdir(exist_ok=True)
    compile_cpp([project / "firmware" / f"{top}.cpp", project / f"{top}_test.cpp"], exe, project, False,
                defines_for(project, load_weights), sanitize)
    return exe


def ctypes_type(dtype: np.dtype):
    return np.ctypeslib.ndpointer(dtype=dtype, flags="C_CONTIGUOUS")


def load_library(lib: Path, symbol: str, inputs, outputs):
    handle = ctypes.CDLL(str(lib))
    fn = getattr(handle, symbol)
    fn.argtypes = [ctypes_type(np.dtype(d)) for _, d in [*inputs, *outputs]]
    fn.restype = ctypes.c_int
    return handle, fn
