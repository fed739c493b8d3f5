"""The `llvm-cpu` target core: integer `linalg`/`arith`/`tensor` on tensors (upstream MLIR text)
down to LLVM with the MLIR bundled in the torch-mlir wheel, then JIT (`ExecutionEngine`) or AOT
(a `.so` with a plain C entry point, see `aot.py`).

Input: upstream-valid MLIR with one public `func.func @F(%in0: tensor<..xi8>, ...) -> (tensor<..>,
...)` (static shapes; i8/i16/i32/i64, f32/f64 tolerated at the boundary).

Pipeline (`BUFFERIZE`, the GEMM rewrite, `TO_LLVM`):

1. A generated wrapper `@intvit_ciface_F(%in0: memref, ..., %out0: memref, ...)` with
   `llvm.emit_c_interface` calls `@F` and stores each result with
   `bufferization.materialize_in_destination` into the caller's buffer.  `@F` is made private,
   `inline`d into the wrapper and `eliminate-empty-tensors` lets the results be computed in the
   caller's buffers directly (no copy).  `one-shot-bufferize` with function boundaries, then
   `buffer-deallocation-pipeline` (repeated calls do not leak).
2. `gemm_kernels.rewrite_gemms`: every integer GEMM `linalg.generic` becomes a call to a
   register-blocked kernel (`vnni`: `vpdpbusd` via `llvm.call_intrinsic`; `portable`: vector
   i32 multiply-add); constant weights are packed at compile time; a bias-broadcast or zero fill
   of the accumulator is fused into the kernel.  `gemm="loops"` skips this.
3. `convert-linalg-to-loops`, `lower-affine`, `expand-strided-metadata`, vector/scf/arith/memref/
   func/cf/ub to LLVM, `reconcile-unrealized-casts`; `ExecutionEngine(opt_level=3)` compiles
   for the host CPU (host features: the `.so` runs on CPUs with the same ISA extensions).

ABI.  The JIT and the C shim both call `_mlir_ciface_intvit_ciface_F(desc_in0*, ...,
desc_out0*, ...)` with pointers to ranked memref descriptors
`{T *allocated, T *aligned, int64_t offset, int64_t sizes[r], int64_t strides[r]}`; the `.so`
exports `int intvit_F(const T0 *in0, ..., R0 *out0, ...)` over contiguous row-major buffers.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from intvit.lowering.analysis.constants import resource_blobs
from intvit.lowering.llvm_cpu.cpu_features import cpu_flags, has_avx512f
from intvit.lowering.llvm_cpu.errors import CompileError, ExecutorError
from intvit.lowering.llvm_cpu.loader import check_inputs

__all__ = ["BUFFERIZE", "TO_LLVM", "PIPELINE", "GEMM_VARIANTS", "GEMM_FEATURES", "CompileError", "ExecutorError",
           "TensorSig", "CompiledModule", "compile_module", "lower_to_llvm", "resolve_gemm", "missing_features",
           "rewrite_non_gemm", "to_llvm_pipeline"]

# Stage 1: tensors -> memrefs written in place into the caller's buffers; temporaries freed.
BUFFERIZE = ",".join([
    "func.func(convert-elementwise-to-linalg)",
    "inline", "symbol-dce", "canonicalize", "eliminate-empty-tensors",
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map}",
    "canonicalize", "cse",
    "buffer-deallocation-pipeline",
    "func.func(linalg-generalize-named-ops)",  # linalg.matmul / batch_matmul reach the GEMM matcher too
])
# Stage 2 (after the GEMM kernels are swapped in): memrefs, loops and vectors -> LLVM dialect.
TO_LLVM = ",".join([
    "symbol-dce",
    "func.func(convert-linalg-to-loops)",
    "func.func(lower-affine)",
    "expand-strided-metadata",
    "func.func(lower-affine)",  # the offset arithmetic expand-strided-metadata makes for subviews
    "func.func(convert-vector-to-scf)",
    "convert-scf-to-cf",
    "func.func(arith-expand)",
    "convert-math-to-llvm",
    "convert-vector-to-llvm",
    "finalize-memref-to-llvm",
    "convert-arith-to-llvm",
    "convert-func-to-llvm",
    "convert-cf-to-llvm",
    "convert-ub-to-llvm",
    "reconcile-unrealized-casts",
])
PIPELINE = f"builtin.module({BUFFERIZE},{TO_LLVM})"  # what runs when gemm="loops"
# With threads: the kernels' `scf.parallel` becomes OpenMP.  The conversion wraps each parallel
# body in `memref.alloca_scope`, which must be lowered while it still holds one block, so
# memrefs go to LLVM before `scf` does.
TO_LLVM_OMP = TO_LLVM.replace("func.func(convert-linalg-to-loops)",
                              "func.func(convert-linalg-to-loops),convert-scf-to-openmp").replace(
    "convert-scf-to-cf", "finalize-memref-to-llvm,convert-scf-to-cf,convert-openmp-to-llvm")


def to_llvm_pipeline(parallel: bool = False, amx: bool = False, line_info: bool = False) -> str:
    """Stage 2 as a pass pipeline: OpenMP for `parallel` kernels, the x86 vector dialect for
    AMX tile ops, DWARF line tables for `line_info`.  Also what builds the peak kernels."""
    pipeline = TO_LLVM_OMP if parallel else TO_LLVM
    if amx:
        pipeline = pipeline.replace("convert-vector-to-llvm", "convert-vector-to-llvm{enable-x86=1}")
    if line_info:
        pipeline += ",ensure-debug-info-scope-on-llvm-func{emission-kind=LineTablesOnly}"
    return f"builtin.module({pipeline})"


GEMM_VARIANTS = ("auto", "amx", "vnni", "portable", "loops")
# Non-GEMM generics: "vector" (16-lane kernels, `ewise_kernels`), "scalar" (the same kernels one
# element per step) or "loops" (`convert-linalg-to-loops`, LLVM's own vectorizer).
ELEMENTWISE_VARIANTS = ("vector", "scalar", "loops")

NP_DTYPE = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "f32": np.float32, "f64": np.float64}


@dataclass
class TensorSig:
    shape: tuple[int, ...]
    dtype: str  # "i8", "i32", "f32", ...: the signless type the lowered module uses
    # The source type was unsigned (`ui8` Shiftmax probabilities): the ABI and the sidecar say
    # uint8_t / uint8, so 2^(bits-1) reads as 128, not -128.
    unsigned: bool = False

    @property
    def np_dtype(self) -> np.dtype:
        dtype = np.dtype(NP_DTYPE[self.dtype])
        return np.dtype(f"u{dtype.name}") if self.unsigned and dtype.kind == "i" else dtype

    def mlir(self, kind: str = "tensor") -> str:
        dims = "x".join(str(d) for d in self.shape)
        return f"{kind}<{dims + 'x' if dims else ''}{self.dtype}>"

    def to_json(self) -> dict:
        return {"shape": list(self.shape), "dtype": str(self.np_dtype)}


_TENSOR = re.compile(r"tensor<((?:\d+x)*)(u?)(i8|i16|i32|i64|f32|f64)>")


def parse_tensor_type(text: str) -> TensorSig:
    m = _TENSOR.fullmatch(text.strip())
    if not m:
        raise CompileError(f"unsupported entry type {text}: static tensors of [u]i8/16/32/64 or f32/f64 only")
    dims = tuple(int(d) for d in m.group(1).split("x") if d)
    return TensorSig(dims, m.group(3), unsigned=bool(m.group(2)))


def entry_signature(module, name: str | None):
    """(name, inputs, outputs) of the public function of an upstream `ir.Module`."""
    from torch_mlir import ir

    funcs = [op for op in module.body.operations if op.operation.name == "func.func"]
    public = [f for f in funcs if "sym_visibility" not in f.attributes
              or ir.StringAttr(f.attributes["sym_visibility"]).value == "public"]
    public = [f for f in public if len(f.regions[0].blocks)]  # declarations are not entries
    if name is None:
        if len(public) != 1:
            raise CompileError(f"expected one public function, found {len(public)}; name the entry")
        fn = public[0]
    else:
        match = [f for f in funcs if ir.StringAttr(f.attributes["sym_name"]).value == name]
        if not match:
            raise CompileError(f"no function @{name}")
        fn = match[0]
    symbol = ir.StringAttr(fn.attributes["sym_name"]).value
    if not (symbol.isascii() and symbol.isidentifier()):
        raise CompileError(f"@{symbol} cannot name the C entry point intvit_{symbol}: a C identifier has only "
                           f"letters, digits and '_' (rename the function)")
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    inputs = [parse_tensor_type(str(t)) for t in ftype.inputs]
    outputs = [parse_tensor_type(str(t)) for t in ftype.results]
    if not outputs:
        raise CompileError(f"@{ir.StringAttr(fn.attributes['sym_name']).value} returns nothing")
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


def add_wrapper(module, name: str, inputs: list[TensorSig], outputs: list[TensorSig]) -> None:
    """Append the C-interface wrapper to `module` (parsed next to a declaration of the entry, so
    the big module is never printed and re-parsed: resource keys stay those of the input text).

    The entry becomes private: `inline` folds it into the wrapper, where
    `eliminate-empty-tensors` lets the results be computed in the caller's buffers (no copy)."""
    from torch_mlir import ir

    for op in module.body.operations:
        if op.operation.name == "func.func" and ir.StringAttr(op.attributes["sym_name"]).value == name:
            op.attributes["sym_visibility"] = ir.StringAttr.get("private")
    in_types = ", ".join(s.mlir() for s in inputs)
    out_types = ", ".join(s.mlir() for s in outputs)
    decl = f"func.func private @{name}({in_types}) -> ({out_types})\n"
    helper = ir.Module.parse(decl + wrapper_text(name, inputs, outputs))
    list(helper.body.operations)[1].operation.move_before(list(module.body.operations)[0])


def wide_vectors() -> bool:
    """The host has AVX-512: LLVM's x86 backend still splits 512-bit vectors in two (and its
    loop vectorizer picks 256 bits) unless a function asks for the full width."""
    return has_avx512f()


def prefer_512(module) -> None:
    from torch_mlir import ir

    wide = [ir.ArrayAttr.get([ir.StringAttr.get(k), ir.StringAttr.get("512")])
            for k in ("prefer-vector-width", "min-legal-vector-width")]
    for op in module.body.operations:
        if op.operation.name == "llvm.func" and len(op.regions[0].blocks):
            old = list(ir.ArrayAttr(op.attributes["passthrough"])) if "passthrough" in op.attributes else []
            op.attributes["passthrough"] = ir.ArrayAttr.get(old + wide)


def resolve_gemm(gemm: str) -> str:
    """`auto` -> `amx` where the CPU has AMX-INT8 and the kernel grants the tile state, else
    `vnni` where /proc/cpuinfo lists avx512_vnni, else `portable`.  An explicit variant is
    built on any host (cross-compiling for a deployment machine: `set_target_features`); the
    code checks the CPU before it runs (`CompiledModule`, the `.so`'s entry point)."""
    from intvit.lowering.llvm_cpu.gemm_kernels import amx_ready, cpu_has_avx512_vnni

    if gemm not in GEMM_VARIANTS:
        raise CompileError(f"unknown GEMM variant {gemm!r} (one of {', '.join(GEMM_VARIANTS)})")
    if gemm == "auto":
        return "amx" if amx_ready() else "vnni" if cpu_has_avx512_vnni() else "portable"
    return gemm


# /proc/cpuinfo names of the extensions each GEMM variant's kernels use (an `amx` module keeps
# VNNI kernels for the GEMMs tiles do not take), and LLVM's names for them.
GEMM_FEATURES = {"vnni": ("avx512f", "avx512bw", "avx512_vnni"),
                 "amx": ("avx512f", "avx512bw", "avx512_vnni", "amx_int8", "amx_tile")}
LLVM_FEATURES = {"avx2": "+avx2", "avx512f": "+avx512f", "avx512bw": "+avx512bw", "avx512_vnni": "+avx512vnni",
                 "amx_int8": "+amx-int8", "amx_tile": "+amx-tile"}


def missing_features(gemm: str) -> list[str]:
    """The extensions `gemm`'s kernels use that this host lacks."""
    flags = cpu_flags()
    return [f for f in GEMM_FEATURES.get(gemm, ()) if f not in flags]


def set_target_features(module, features: list[str]) -> None:
    """Compile every function for `features` too (`llvm.func`'s `target_features`: LLVM's
    per-function subtarget), whatever the host: the JIT's target machine describes the host,
    and without the attribute the AVX-512 and AMX intrinsics have no instructions to select."""
    from torch_mlir import ir

    names = ", ".join(f'"{LLVM_FEATURES[f]}"' for f in features)
    attr = ir.Attribute.parse(f"#llvm.target_features<[{names}]>")
    for op in module.body.operations:
        if op.operation.name == "llvm.func" and len(op.regions[0].blocks):
            op.attributes["target_features"] = attr


def rewrite_non_gemm(module, parallel: bool = False, vectorize: bool = True, fuse: bool = True) -> dict:
    """Step 3 on bufferized IR: runs of row generics become one row kernel each
    (`row_kernels.fuse_rows`, when `fuse`), then every remaining generic its own 16-lane kernel
    (`ewise_kernels.rewrite_elementwise`).  Returns the merged counts: {"vector", "scalar",
    "parallel", "left", "kernels", "row_kernels", "row_members"}."""
    from intvit.lowering.llvm_cpu.ewise_kernels import rewrite_elementwise
    from intvit.lowering.llvm_cpu.openmp import add_declarations
    from intvit.lowering.llvm_cpu.row_kernels import fuse_rows

    kernels: set[str] = set()
    first = list(module.body.operations)[0]  # row kernels, then elementwise kernels, go before it
    rows = {"row_kernels": 0, "row_members": 0, "parallel": 0}
    if fuse:
        rows = fuse_rows(module, parallel, vectorize, kernels, first)
        if rows["parallel"]:
            add_declarations(module)
    stats = rewrite_elementwise(module, parallel, vectorize, kernels, first)
    stats["parallel"] += rows["parallel"]
    return {**stats, "row_kernels": rows["row_kernels"], "row_members": rows["row_members"]}


@dataclass
class Lowered:
    ctx: object
    module: object          # the LLVM-dialect module
    name: str
    inputs: list[TensorSig]
    outputs: list[TensorSig]
    gemm: str               # the resolved variant
    gemms: list[dict]       # one record per rewritten GEMM
    timings: dict
    libomp: str | None = None  # the OpenMP runtime the code calls (None: single-threaded)
    elementwise: dict = field(default_factory=dict)  # counts from `ewise_kernels.rewrite_elementwise`


def lower_to_llvm(mlir_text: str, entry: str | None = None, gemm: str = "auto", threads: int | None = None,
                  elementwise: str = "vector", line_info: str | None = None, epilogue: bool = True) -> Lowered:
    """Parse upstream MLIR text, add the C-interface wrapper, run the pipeline to LLVM dialect.
    `threads`: see `openmp.resolve_threads` (None: all cores when libomp is installed).
    `elementwise`: see `ELEMENTWISE_VARIANTS`; `epilogue`: fuse the elementwise consumer of each
    GEMM into its kernel (`gemm_epilogue`).  `line_info`: write the input text to this path
    and emit DWARF line tables that point into it, so `perf report --sort srcline` (or gdb)
    attributes machine code to lines of the lowered module."""
    from torch_mlir import ir, passmanager

    from intvit.lowering.llvm_cpu import gemm_kernels
    from intvit.lowering.llvm_cpu.strided_copies import strided_copies_to_linalg
    from intvit.lowering.llvm_cpu.openmp import resolve_threads

    gemm = resolve_gemm(gemm)
    if elementwise not in ELEMENTWISE_VARIANTS:
        raise CompileError(f"unknown elementwise variant {elementwise!r} (one of {', '.join(ELEMENTWISE_VARIANTS)})")
    parallel, libomp = resolve_threads(threads)
    parallel = parallel and gemm != "loops"
    libomp = libomp if parallel else None
    timings = {}
    t0 = time.perf_counter()
    ctx = ir.Context()
    try:
        if line_info:
            Path(line_info).write_text(mlir_text)
            module = ir.Module.parseFile(str(line_info), ctx)
        else:
            module = ir.Module.parse(mlir_text, ctx)
    except OSError as err:
        raise CompileError(f"cannot write the line-info source {line_info}: {err}") from None
    except Exception as err:
        raise CompileError(f"upstream MLIR rejected the module: {str(err).strip()}") from None
    name, inputs, outputs = entry_signature(module, entry)
    timings["parse_s"] = time.perf_counter() - t0
    stage = "bufferization"
    with ctx:
        add_wrapper(module, name, inputs, outputs)
        try:
            t0 = time.perf_counter()
            passmanager.PassManager.parse(f"builtin.module({BUFFERIZE})").run(module.operation)
            timings["bufferize_s"] = time.perf_counter() - t0
            stage = "the GEMM rewrite"
            t0 = time.perf_counter()
            gemms = [] if gemm == "loops" else gemm_kernels.rewrite_gemms(
                module, gemm, resource_blobs(mlir_text), parallel=parallel, fuse_epilogue=epilogue)
            timings["gemm_rewrite_s"] = time.perf_counter() - t0
            stage = "the elementwise rewrite"
            t0 = time.perf_counter()
            ewise = {} if elementwise == "loops" else rewrite_non_gemm(
                module, parallel=parallel, vectorize=elementwise == "vector")
            timings["ewise_rewrite_s"] = time.perf_counter() - t0
            stage = "lowering to LLVM"
            t0 = time.perf_counter()
            strided_copies_to_linalg(module)
            pipeline = to_llvm_pipeline(parallel, gemm == "amx", bool(line_info))
            passmanager.PassManager.parse(pipeline).run(module.operation)
            timings["to_llvm_s"] = time.perf_counter() - t0
            cross = missing_features(gemm)
            if cross:  # all of the unit's features, not only the missing ones: the host CPU's own are not assumed
                set_target_features(module, list(GEMM_FEATURES[gemm]))
            if wide_vectors() or cross:  # the variants cross-compiled for target AVX-512
                prefer_512(module)
        except Exception as err:
            raise CompileError(f"MLIR {stage} failed: {str(err).strip()[:2000]}") from None
    return Lowered(ctx, module, name, inputs, outputs, gemm, gemms, timings, libomp, ewise)


@dataclass
class CompiledModule:
    """A JIT-compiled model: call it with numpy arrays, get a list of numpy arrays back.

    `aot.write_shared_library(compiled, path)` turns the same compilation into an AOT `.so` + sidecar."""

    name: str
    inputs: list[TensorSig]
    outputs: list[TensorSig]
    engine: object
    llvm_module: object = None
    compile_s: float = 0.0
    _keep: list = field(default_factory=list)
    gemm: str = "loops"
    gemms: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    libomp: str | None = None
    elementwise: dict = field(default_factory=dict)
    _cpu_checked: bool = False

    @property
    def signatures(self):
        return [(s.shape, s.np_dtype) for s in self.inputs]

    def check_inputs(self, arrays) -> list[np.ndarray]:
        return check_inputs(arrays, self.signatures, f"@{self.name}")

    def check_cpu(self) -> None:
        """ExecutorError, before any native code runs, on a CPU without the extensions the
        kernels were compiled for (an explicit `vnni`/`amx` builds on any host)."""
        if self._cpu_checked:
            return
        from intvit.lowering.llvm_cpu.gemm_kernels import amx_ready

        missing = missing_features(self.gemm)
        if missing:
            raise ExecutorError(f"@{self.name} was compiled for CPU features this machine lacks: {', '.join(missing)}")
        if self.gemm == "amx" and not amx_ready():  # also asks Linux for the tile state, once per process
            raise ExecutorError(f"@{self.name} uses AMX tiles and Linux does not grant the tile state "
                                "(Linux >= 5.16, arch_prctl ARCH_REQ_XCOMP_PERM)")
        self._cpu_checked = True

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        from torch_mlir.runtime import get_ranked_memref_descriptor

        self.check_cpu()
        ins = self.check_inputs(arrays)
        outs = [np.empty(s.shape, s.np_dtype) for s in self.outputs]
        descs = [get_ranked_memref_descriptor(a) for a in (*ins, *outs)]
        ptrs = [ctypes.pointer(ctypes.pointer(d)) for d in descs]
        self.engine.invoke(f"intvit_ciface_{self.name}", *ptrs)
        return outs


def compile_module(mlir_text: str, entry: str | None = None, opt_level: int = 3, gemm: str = "auto",
                   threads: int | None = None, elementwise: str = "vector",
                   line_info: str | None = None, epilogue: bool = True) -> CompiledModule:
    """JIT-compile an integer linalg/arith module (upstream MLIR text).

    `gemm`: `auto` (AMX, else VNNI kernels where the CPU has them, else portable), `amx`,
    `vnni` (on any host: the module refuses to run on a CPU without the unit), `portable`, or `loops` (no kernel rewrite: `convert-linalg-to-loops` only).
    `elementwise`, `line_info`, `epilogue`: see `lower_to_llvm`."""
    from torch_mlir.execution_engine import ExecutionEngine

    t0 = time.perf_counter()
    low = lower_to_llvm(mlir_text, entry, gemm, threads, elementwise, line_info, epilogue)
    with low.ctx:
        t1 = time.perf_counter()
        try:
            engine = ExecutionEngine(low.module, opt_level=opt_level, shared_libs=[low.libomp] if low.libomp else [])
        except Exception as err:
            raise CompileError(f"LLVM JIT failed: {str(err).strip()[:2000]}") from None
        low.timings["llvm_s"] = time.perf_counter() - t1
    return CompiledModule(low.name, low.inputs, low.outputs, engine, low.module, time.perf_counter() - t0,
                          [low.ctx], low.gemm, low.gemms, low.timings, low.libomp, low.elementwise)
