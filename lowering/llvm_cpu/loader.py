"""Run compiled `llvm-cpu` models: the checked loader of the AOT `.so` (ctypes), and the
argument checks the JIT (`intvit.lowering.llvm_cpu.CompiledModule`) shares with it.

Every failure a caller can cause — wrong number of inputs, wrong shape, wrong dtype, a missing,
truncated or foreign `.so`, a missing or corrupt sidecar, a library built for CPU features this
machine lacks — is an `ExecutorError` raised *before* native code runs, never a crash.

The C ABI (`abi: "intvit-c-v1"` in the sidecar) is documented in `intvit.lowering.llvm_cpu.aot`:

    int intvit_<name>(const T0 *in0, ..., R0 *out0, ...);

over contiguous row-major buffers; 0 on success, 2 when the CPU lacks a feature the library
was compiled for.  The sidecar `<so>.json` carries `entry`, `inputs`/`outputs` (`shape`,
`dtype` as numpy names), `cpu_features`, `gemm` (the GEMM kernel variant) and `sha256` of the
`.so`; the loader checks the ELF structure and the digest before `dlopen`.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import platform
import struct
from pathlib import Path
from typing import Sequence

import numpy as np

from intvit.lowering.llvm_cpu.cpu_features import cpu_has
from intvit.lowering.llvm_cpu.errors import ExecutorError

ABI = "intvit-c-v1"
STATUS = {0: "ok", 2: "this CPU lacks an instruction-set feature the library was compiled for"}


Signature = tuple[tuple[int, ...], np.dtype]


def check_inputs(arrays: Sequence, sigs: Sequence[Signature], what: str) -> list[np.ndarray]:
    """Contiguous arrays matching `sigs` exactly, or ExecutorError naming the first mismatch.

    Unsigned data is accepted for a signless integer input of the same width (passed by bit
    pattern: upstream integer types are signless)."""
    if len(arrays) != len(sigs):
        raise ExecutorError(f"{what} takes {len(sigs)} inputs, got {len(arrays)}")
    checked = []
    for i, (a, (shape, dtype)) in enumerate(zip(arrays, sigs)):
        if not isinstance(a, np.ndarray):
            try:
                a = np.asarray(a)
            except Exception as err:  # ragged lists and the like
                raise ExecutorError(f"input {i} of {what}: not an array ({err})") from None
        if a.dtype.kind == "u" and dtype.kind == "i" and a.dtype.itemsize == dtype.itemsize:
            a = a.view(dtype)
        if a.shape != tuple(shape) or a.dtype != dtype:
            raise ExecutorError(f"input {i} of {what}: expected {dtype}{list(shape)}, got {a.dtype}{list(a.shape)}")
        checked.append(np.ascontiguousarray(a))
    return checked


def _parse_sigs(items, key: str) -> list[Signature]:
    sigs = []
    for s in items:
        shape = tuple(int(d) for d in s["shape"])
        if any(d < 0 for d in shape):
            raise ValueError(f"negative dimension in {key}")
        dtype = np.dtype(s["dtype"])
        if dtype.kind not in "iuf":
            raise ValueError(f"unsupported dtype {dtype} in {key}")
        sigs.append((shape, dtype))
    return sigs


def read_sidecar(path: Path) -> dict:
    meta_path = Path(str(path) + ".json")
    if not meta_path.is_file():
        raise ExecutorError(f"{path} has no sidecar {meta_path.name} (compile it with `intvit compile`)")
    try:
        meta = json.loads(meta_path.read_text())
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
        if meta.get("abi", ABI) != ABI:
            raise ValueError(f"ABI {meta.get('abi')!r}, this loader reads {ABI!r}")
        meta["entry"] = str(meta["entry"])
        if not meta["entry"].isidentifier():
            raise ValueError(f"entry {meta['entry']!r} is not a C identifier")
        meta["inputs"] = _parse_sigs(meta["inputs"], "inputs")
        meta["outputs"] = _parse_sigs(meta["outputs"], "outputs")
    except (ValueError, KeyError, TypeError) as err:
        raise ExecutorError(f"corrupt sidecar {meta_path}: {err}") from None
    return meta


ELF_MACHINE = {"x86_64": 62, "aarch64": 183}


def check_elf(path: Path) -> None:
    """Refuse what `dlopen` would crash on (a truncated file maps pages past its end: SIGBUS) or
    cannot use: not ELF64 little-endian, not a shared object, another machine, headers or
    segments past the end of the file."""
    data = path.read_bytes()
    size = len(data)

    def bad(why: str):
        raise ExecutorError(f"{path} is not a loadable shared library: {why}")

    if size < 64 or data[:4] != b"\x7fELF":
        bad("no ELF header")
    if data[4] != 2 or data[5] != 1:
        bad("not a 64-bit little-endian ELF file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type != 3:
        bad(f"ELF type {e_type}, not a shared object")
    expected = ELF_MACHINE.get(platform.machine())
    if expected is not None and e_machine != expected:
        bad(f"built for ELF machine {e_machine}, this is {platform.machine()}")
    e_phoff, e_shoff = struct.unpack_from("<QQ", data, 32)
    e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from("<HHHH", data, 54)
    if e_phnum == 0 or e_phentsize < 56 or e_phoff + e_phnum * e_phentsize > size:
        bad("program headers missing or truncated")
    if e_shoff and e_shoff + e_shnum * e_shentsize > size:
        bad("truncated (section headers past the end of the file)")
    for i in range(e_phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, e_phoff + i * e_phentsize)
        if p_type and p_offset + p_filesz > size:
            bad(f"truncated (segment {i} ends at byte {p_offset + p_filesz}, the file has {size})")


def check_outputs(arrays, sigs: list[Signature], what: str) -> list[np.ndarray]:
    if len(arrays) != len(sigs):
        raise ExecutorError(f"{what} has {len(sigs)} outputs, got {len(arrays)} buffers")
    for i, (a, (shape, dtype)) in enumerate(zip(arrays, sigs)):
        if not isinstance(a, np.ndarray) or a.shape != tuple(shape) or a.dtype != dtype or not a.flags.c_contiguous \
                or not a.flags.writeable:
            raise ExecutorError(f"{what} output {i}: expected a writable C-contiguous {np.dtype(dtype)}{list(shape)} "
                                f"buffer")
    return list(arrays)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SharedLibraryModel:
    """A loaded `.so`: call with numpy arrays, get the outputs as numpy arrays; shapes and
    dtypes are checked before the library is entered."""

    def __init__(self, path: str | Path):
        path = Path(path)
        if not path.is_file():
            raise ExecutorError(f"no compiled model at {path}")
        meta = read_sidecar(path)
        self.meta = meta
        self.entry: str = meta["entry"]
        self.inputs: list[Signature] = meta["inputs"]
        self.outputs: list[Signature] = meta["outputs"]
        check_elf(path)
        digest = meta.get("sha256")
        if digest is not None and digest != file_sha256(path):
            raise ExecutorError(f"{path} does not match its sidecar (sha256 differs): rebuild or recopy both")
        missing = [f for f in meta.get("cpu_features", []) if not cpu_has(f)]
        if missing:
            raise ExecutorError(f"{path} was compiled for CPU features this machine lacks: {', '.join(missing)}")
        try:
            self.lib = ctypes.CDLL(str(path.resolve()))
            self.fn = getattr(self.lib, self.entry)
        except (OSError, AttributeError) as err:
            raise ExecutorError(f"cannot load {path}: {err}") from None
        self.fn.restype = ctypes.c_int
        self.fn.argtypes = [ctypes.c_void_p] * (len(self.inputs) + len(self.outputs))
        self.path = path

    def __call__(self, *arrays, out: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """`out`: preallocated C-contiguous output arrays (checked like the inputs), written in
        place; benchmarks pass them so that no page of a fresh output is faulted in."""
        ins = check_inputs(arrays, self.inputs, self.entry)
        if out is None:
            outs = [np.empty(shape, dtype) for shape, dtype in self.outputs]
        else:
            outs = check_outputs(out, self.outputs, self.entry)
        status = self.fn(*[a.ctypes.data for a in (*ins, *outs)])
        if status != 0:
            raise ExecutorError(f"{self.entry} returned {status}: {STATUS.get(status, 'unknown error')}")
        return outs

    def __repr__(self) -> str:
        sig = ", ".join(f"{d}{list(s)}" for s, d in self.inputs)
        return f"<SharedLibraryModel {self.entry}({sig}) from {self.path}>"


def load_so(path: str | Path) -> SharedLibraryModel:
    """Load an `intvit` AOT library and its sidecar; ExecutorError if either is unusable."""
    return SharedLibraryModel(path)
