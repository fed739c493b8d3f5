"""Ahead-of-time `.so` for the `llvm-cpu` target, and its loader.

The object file comes from `ExecutionEngine.dump_to_object_file`; a generated C shim builds the
ranked memref descriptors and exports

    int intvit_<name>(const T0 *in0, ..., R0 *out0, ...);   /* 0 on success */

over contiguous row-major buffers (`T`/`R`: int8_t, int16_t, int32_t, int64_t, float, double).
`gcc -shared` links both.  A JSON sidecar `<so>.json` records the entry name, input/output
shapes and dtypes; `load_so` reads it and checks every call before touching the library.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from intvit.lowering.llvm_cpu import CompiledModule, ExecutorError, TensorSig

C_TYPES = {"i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t", "f32": "float", "f64": "double"}


def _descriptor_struct(rank: int) -> str:
    sizes = f"int64_t sizes[{rank}]; int64_t strides[{rank}];" if rank else ""
    return f"typedef struct {{ void *allocated; void *aligned; int64_t offset; {sizes} }} memref{rank}_t;"


def shim_source(name: str, inputs: list[TensorSig], outputs: list[TensorSig]) -> str:
    """C source of the plain entry point (descriptors built on the stack)."""
    sigs = [*inputs, *outputs]
    ranks = sorted({len(s.shape) for s in sigs})
    params = [f"const {C_TYPES[s.dtype]} *in{i}" for i, s in enumerate(inputs)]
    params += [f"{C_TYPES[s.dtype]} *out{i}" for i, s in enumerate(outputs)]
    lines = ["#include <stdint.h>", *(_descriptor_struct(r) for r in ranks)]
    decl = ", ".join(f"memref{len(s.shape)}_t *" for s in sigs)
    lines.append(f"void _mlir_ciface_intvit_ciface_{name}({decl});")
    lines.append(f"__attribute__((visibility(\"default\"))) int intvit_{name}({', '.join(params)}) {{")
    names = [f"in{i}" for i in range(len(inputs))] + [f"out{i}" for i in range(len(outputs))]
    for var, s in zip(names, sigs):
        rank = len(s.shape)
        strides = [int(np.prod(s.shape[d + 1:])) for d in range(rank)]
        init = f"(void *){var}, (void *){var}, 0"
        if rank:
            init += ", {" + ", ".join(map(str, s.shape)) + "}, {" + ", ".join(map(str, strides)) + "}"
        lines.append(f"  memref{rank}_t d_{var} = {{{init}}};")
    lines.append(f"  _mlir_ciface_intvit_ciface_{name}({', '.join('&d_' + v for v in names)});")
    lines.append("  return 0;\n}")
    return "\n".join(lines) + "\n"


def write_shared_library(compiled: CompiledModule, path: str | Path, source: str | None = None) -> Path:
    """Link the compiled module into `path` (a .so) and write its JSON sidecar."""
    path = Path(path).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "model.o"
        shim = Path(tmp) / "shim.c"
        compiled.engine.dump_to_object_file(str(obj))
        shim.write_text(shim_source(compiled.name, compiled.inputs, compiled.outputs))
        # The JIT object is not position independent (large code model): allow its text relocations.
        cmd = ["gcc", "-shared", "-fPIC", "-O2", "-Wl,-z,notext", "-o", str(path), str(shim), str(obj), "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ExecutorError(f"linking {path} failed: {proc.stderr.strip()[:2000]}")
    sidecar = {"entry": f"intvit_{compiled.name}", "inputs": [s.to_json() for s in compiled.inputs],
               "outputs": [s.to_json() for s in compiled.outputs], "abi": "intvit-c-v1", "source": source}
    Path(str(path) + ".json").write_text(json.dumps(sidecar, indent=1))
    return path


class SharedLibraryModel:
    """A loaded `.so`: call with numpy arrays; shapes and dtypes are checked first."""

    def __init__(self, path: str | Path):
        path = Path(path)
        meta_path = Path(str(path) + ".json")
        if not path.is_file():
            raise ExecutorError(f"no compiled model at {path}")
        if not meta_path.is_file():
            raise ExecutorError(f"{path} has no sidecar {meta_path.name} (compile it with `intvit compile`)")
        try:
            meta = json.loads(meta_path.read_text())
            self.entry = meta["entry"]
            self.inputs = [(tuple(s["shape"]), np.dtype(s["dtype"])) for s in meta["inputs"]]
            self.outputs = [(tuple(s["shape"]), np.dtype(s["dtype"])) for s in meta["outputs"]]
        except (ValueError, KeyError, TypeError) as err:
            raise ExecutorError(f"corrupt sidecar {meta_path}: {err}") from None
        try:
            self.lib = ctypes.CDLL(str(path.resolve()))
            self.fn = getattr(self.lib, self.entry)
        except (OSError, AttributeError) as err:
            raise ExecutorError(f"cannot load {path}: {err}") from None
        self.fn.restype = ctypes.c_int
        self.path = path

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        if len(arrays) != len(self.inputs):
            raise ExecutorError(f"{self.entry} takes {len(self.inputs)} inputs, got {len(arrays)}")
        ins = []
        for i, (a, (shape, dtype)) in enumerate(zip(arrays, self.inputs)):
            a = np.asarray(a)
            if a.shape != shape or a.dtype != dtype:
                raise ExecutorError(f"input {i} of {self.entry}: expected {dtype}{list(shape)}, got {a.dtype}{list(a.shape)}")
            ins.append(np.ascontiguousarray(a))
        outs = [np.zeros(shape, dtype) for shape, dtype in self.outputs]
        status = self.fn(*[a.ctypes.data_as(ctypes.c_void_p) for a in (*ins, *outs)])
        if status != 0:
            raise ExecutorError(f"{self.entry} returned {status}")
        return outs


def load_so(path: str | Path) -> SharedLibraryModel:
    return SharedLibraryModel(path)
