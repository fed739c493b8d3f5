"""The `llvm-cpu` target core: upstream MLIR (bundled in the torch-mlir wheel) from integer
`linalg`/`arith` on tensors down to LLVM, then JIT (`ExecutionEngine`) or AOT (`.so`).

ABI.  The entry `@F(%in0: tensor<..>, ...) -> (tensor<..>, ...)` is wrapped by a generated
`@intvit_ciface_F(%in0: memref<..>, ..., %out0: memref<..>, ...)` (destination-passing: results are
written into caller buffers with `bufferization.materialize_in_destination`) carrying
`llvm.emit_c_interface`, so both the JIT and the C shim call `_mlir_ciface_intvit_ciface_F` with
pointers to ranked memref descriptors.  The `.so` exports the plain C function
`int intvit_F(const T0 *in0, ..., R0 *out0, ...)` over contiguous row-major buffers (see
`aot.py`).  Temporaries are freed by the buffer-deallocation pipeline, so repeated calls do not
leak.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field

import numpy as np

PIPELINE = ",".join([
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}",
    "canonicalize", "cse",
    "buffer-deallocation-pipeline",
    "func.func(convert-linalg-to-loops)",
    "func.func(lower-affine)",
    "expand-strided-metadata",
    "convert-scf-to-cf",
    "func.func(arith-expand)",
    "convert-math-to-llvm",
    "finalize-memref-to-llvm",
    "convert-arith-to-llvm",
    "convert-func-to-llvm",
    "convert-cf-to-llvm",
    "convert-ub-to-llvm",
    "reconcile-unrealized-casts",
])

NP_DTYPE = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "f32": np.float32, "f64": np.float64}


class CompileError(RuntimeError):
    pass


class ExecutorError(RuntimeError):
    """Wrong inputs for a compiled model, or a missing/corrupt artifact."""


@dataclass
class TensorSig:
    shape: tuple[int, ...]
    dtype: str  # "i8", "i32", "f32", ...

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(NP_DTYPE[self.dtype])

    def mlir(self, kind: str = "tensor") -> str:
        dims = "x".join(str(d) for d in self.shape)
        return f"{kind}<{dims + 'x' if dims else ''}{self.dtype}>"

    def to_json(self) -> dict:
        return {"shape": list(self.shape), "dtype": str(self.np_dtype)}


_TENSOR = re.compile(r"tensor<((?:\d+x)*)(i8|i16|i32|i64|f32|f64)>")


def parse_tensor_type(text: str) -> TensorSig:
    m = _TENSOR.fullmatch(text.strip())
    if not m:
        raise CompileError(f"unsupported entry type {text}: static tensors of i8/i16/i32/i64/f32/f64 only")
    dims = tuple(int(d) for d in m.group(1).split("x") if d)
    return TensorSig(dims, m.group(2))


def entry_signature(module, name: str | None):
    """(name, inputs, outputs) of the public function of an upstream `ir.Module`."""
    from torch_mlir import ir

    funcs = [op for op in module.body.operations if op.operation.name == "func.func"]
    public = [f for f in funcs if "sym_visibility" not in f.attributes
              or ir.StringAttr(f.attributes["sym_visibility"]).value == "public"]
    if name is None:
        if len(public) != 1:
            raise CompileError(f"expected one public function, found {len(public)}; name the entry")
        fn = public[0]
    else:
        match = [f for f in funcs if ir.StringAttr(f.attributes["sym_name"]).value == name]
        if not match:
            raise CompileError(f"no function @{name}")
        fn = match[0]
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    inputs = [parse_tensor_type(str(t)) for t in ftype.inputs]
    outputs = [parse_tensor_type(str(t)) for t in ftype.results]
    return ir.StringAttr(fn.attributes["sym_name"]).value, inputs, outputs


def wrapper_text(name: str, inputs: list[TensorSig], outputs: list[TensorSig]) -> str:
    """The destination-passing C-interface wrapper around the tensor entry."""
    args = [f"%in{i}: {s.mlir('memref')}" for i, s in enumerate(inputs)]
    args += [f"%out{i}: {s.mlir('memref')}" for i, s in enumerate(outputs)]
    body = [f"    %t{i} = bufferization.to_tensor %in{i} restrict : {s.mlir('memref')} to {s.mlir()}"
            for i, s in enumerate(inputs)]
    results = ", ".join(f"%r{i}" for i in range(len(outputs)))
    call_args = ", ".join(f"%t{i}" for i in range(len(inputs)))
    in_types = ", ".join(s.mlir() for s in inputs)
    out_types = ", ".join(s.mlir() for s in outputs)
    body.append(f"    {results} = func.call @{name}({call_args}) : ({in_types}) -> ({out_types})")
    body += [f"    bufferization.materialize_in_destination %r{i} in restrict writable %out{i} : "
             f"({s.mlir()}, {s.mlir('memref')}) -> ()" for i, s in enumerate(outputs)]
    return (f"  func.func @intvit_ciface_{name}({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{\n"
            + "\n".join(body) + "\n    return\n  }\n")


@dataclass
class CompiledModule:
    """A JIT-compiled model: call it with numpy arrays, get numpy arrays back."""

    name: str
    inputs: list[TensorSig]
    outputs: list[TensorSig]
    engine: object
    llvm_module: object = None
    compile_s: float = 0.0
    _keep: list = field(default_factory=list)

    def check_inputs(self, arrays) -> list[np.ndarray]:
        if len(arrays) != len(self.inputs):
            raise ExecutorError(f"@{self.name} takes {len(self.inputs)} inputs, got {len(arrays)}")
        checked = []
        for i, (a, sig) in enumerate(zip(arrays, self.inputs)):
            a = np.asarray(a)
            if a.dtype.kind == "u" and sig.np_dtype.kind == "i" and a.dtype.itemsize == sig.np_dtype.itemsize:
                a = a.view(sig.np_dtype)  # upstream types are signless: unsigned data passes by bit pattern
            if a.shape != sig.shape or a.dtype != sig.np_dtype:
                raise ExecutorError(f"input {i} of @{self.name}: expected {sig.np_dtype}{list(sig.shape)}, "
                                    f"got {a.dtype}{list(a.shape)}")
            checked.append(np.ascontiguousarray(a))
        return checked

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        from torch_mlir.runtime import get_ranked_memref_descriptor

        ins = self.check_inputs(arrays)
        outs = [np.zeros(s.shape, s.np_dtype) for s in self.outputs]
        descs = [get_ranked_memref_descriptor(a) for a in (*ins, *outs)]
        ptrs = [ctypes.pointer(ctypes.pointer(d)) for d in descs]
        self.engine.invoke(f"intvit_ciface_{self.name}", *ptrs)
        return outs


def lower_to_llvm(mlir_text: str, entry: str | None = None):
    """Parse upstream MLIR text, add the C-interface wrapper, run the pipeline to LLVM dialect."""
    from torch_mlir import ir, passmanager

    ctx = ir.Context()
    try:
        module = ir.Module.parse(mlir_text, ctx)
    except Exception as err:
        raise CompileError(f"upstream MLIR rejected the module: {str(err).strip()}") from None
    name, inputs, outputs = entry_signature(module, entry)
    wrapped = str(module)
    module_end = _module_end(wrapped)
    text = wrapped[:module_end] + wrapper_text(name, inputs, outputs) + wrapped[module_end:]
    with ctx:
        module = ir.Module.parse(text)
        pm = passmanager.PassManager.parse(f"builtin.module({PIPELINE})")
        try:
            pm.run(module.operation)
        except Exception as err:
            raise CompileError(f"MLIR lowering to LLVM failed: {str(err).strip()[:2000]}") from None
    return ctx, module, name, inputs, outputs


def _module_end(text: str) -> int:
    """Index of the closing brace of the top-level module (before any `{-# ... #-}` section)."""
    meta = text.find("{-#")
    region = text if meta < 0 else text[:meta]
    return region.rfind("}")


def compile_module(mlir_text: str, entry: str | None = None, opt_level: int = 3) -> CompiledModule:
    """JIT-compile an integer linalg/arith module (upstream MLIR text)."""
    from torch_mlir.execution_engine import ExecutionEngine

    t0 = time.perf_counter()
    ctx, module, name, inputs, outputs = lower_to_llvm(mlir_text, entry)
    with ctx:
        try:
            engine = ExecutionEngine(module, opt_level=opt_level)
        except Exception as err:
            raise CompileError(f"LLVM JIT failed: {str(err).strip()[:2000]}") from None
    return CompiledModule(name, inputs, outputs, engine, module, time.perf_counter() - t0, [ctx])
