"""Register-blocked integer GEMM micro-kernels for the `llvm-cpu` target.

After bufferization, every `linalg.generic` that is an integer GEMM

    C[b.., m, n] += ext(A[b.., m, k]) * ext(B[b.., k, n] or B[b.., n, k])      (i8 x i8 -> i32)

is replaced by a call to a generated kernel written in upstream `scf`/`vector`/`memref`/`arith`
(no hand-written C): B is repacked into 16-column panels, an MR x NR block of `vector<16xi32>`
accumulators stays in registers across the whole K loop, and each step is either

* `vnni`: one `llvm.x86.avx512.vpdpbusd.512` per accumulator (u8 x s8, 4 MACs per i32 lane;
  B panels interleave 4 consecutive k per lane).  A signed A is made unsigned by `a ^ 0x80`
  (= a + 128) and the tile starts from `C - 128 * colsum(B)`: exact in wrapping i32 arithmetic,
  like the reference; or
* `portable`: `C += sext(a) * ext(b)` on `vector<16xi32>`, for any LLVM target.

Constant B (a `memref.global`: dense elements or a `dense_resource` blob of the input text) is
packed at compile time with numpy, with the correction; otherwise B is packed on each call into a
scratch buffer (vector loads + shuffles).  When the op right before the GEMM fills C with a bias
broadcast along n or with zeros, the fill is erased and the kernel starts its accumulators from
the bias (zeros) instead of loading C.  `vnni` falls back to `portable` for an unsigned B.
GEMMs that do not fit (other widths, non-unit minor strides, accumulators other than i32) are
left to `convert-linalg-to-loops`.  The variant is chosen at compile time from /proc/cpuinfo
(`llvm_cpu.resolve_gemm`); the `.so` re-checks the CPU when called (`aot.py`).
"""

from __future__ import annotations

import hashlib

import numpy as np

from intvit.lowering.analysis.buffers import owner
from intvit.lowering.analysis.constants import constant_value, module_globals, resource_blobs  # noqa: F401 (re-export)
from intvit.lowering.analysis.gemm import Gemm, find_init, match_gemm
from intvit.lowering.analysis.linalg import generic_ops
from intvit.lowering.analysis.transpose import fold_transposes
# `amx_ready`, `cpu_has_avx512_vnni`: the probes choosing a variant, importable from here too
from intvit.lowering.llvm_cpu.cpu_features import amx_ready  # noqa: F401
from intvit.lowering.llvm_cpu.cpu_features import has_avx512_vnni as cpu_has_avx512_vnni  # noqa: F401
from intvit.lowering.llvm_cpu.gemm_microkernel import Plan, kernel_text
from intvit.lowering.llvm_cpu.openmp import add_declarations, move_kernel

PARALLEL_MIN_MACS = 1 << 20  # below this (a few microseconds of work) a fork/join costs more


# --------------------------------------------------------------------------------------------
# packing
# --------------------------------------------------------------------------------------------


def pack_b(b: np.ndarray, b_nk: bool, ks: int) -> tuple[np.ndarray, np.ndarray]:
    """B ([k, n] or [n, k], int8) -> (panels [NB, KB, 16*ks] int8, 128*colsum [NB, 16] int32)."""
    bkn = b.T if b_nk else b
    k, n = bkn.shape
    nb, kb = -(-n // 16), -(-k // ks)
    pad = np.zeros((kb * ks, nb * 16), np.int8)
    pad[:k, :n] = bkn
    panels = pad.reshape(kb, ks, nb, 16).transpose(2, 0, 3, 1).reshape(nb, kb, 16 * ks)
    colsum = (pad.astype(np.int64).sum(axis=0) * 128) % (1 << 32)
    corr = colsum.astype(np.uint32).view(np.int32).reshape(nb, 16)
    return np.ascontiguousarray(panels), np.ascontiguousarray(corr)


# --------------------------------------------------------------------------------------------
# the rewrite
# --------------------------------------------------------------------------------------------

def kernel_variant(variant: str, g: Gemm) -> str:
    """The variant one GEMM gets: AMX takes s8 x s8 with K a multiple of 64 (a tile row), VNNI
    takes an unsigned or signed A but a signed B; the rest falls back a step."""
    if variant == "amx" and (g.a_unsigned or g.b_unsigned or g.k % 64):
        variant = "vnni"
    if variant == "vnni" and g.b_unsigned:
        variant = "portable"
    return variant


def rewrite_gemms(module, variant: str, blobs: dict[str, bytes], fuse_init: bool = True,
                  parallel: bool = False, fuse_epilogue: bool = True) -> list[dict]:
    """Replace every matching GEMM `linalg.generic` (memref form) with a kernel call, in place.
    `parallel`: kernels split their blocks over threads (`scf.parallel`, for OpenMP).
    `fuse_epilogue`: the elementwise consumer of the accumulator runs inside the kernel
    (`gemm_epilogue`).

    Returns one record per GEMM (shape, variant, B packed at compile time, fused init and
    epilogue)."""
    from torch_mlir import ir

    from intvit.lowering.llvm_cpu.ewise_kernels import Unsupported
    from intvit.lowering.llvm_cpu.gemm_epilogue import find_epilogue

    fold_transposes(module)
    found = [(op, g) for op in generic_ops(module) if (g := match_gemm(op)) is not None]
    if not found:
        return []
    kernels: set[str] = set()
    packed: dict[tuple, tuple[str, str]] = {}
    globals_ = module_globals(module)
    records = []
    first = list(module.body.operations)[0]
    for op, g in found:
        kind = kernel_variant(variant, g)
        a, b, c = list(op.operands)
        shapes = tuple(tuple(ir.MemRefType(v.type).shape) for v in (a, b, c))
        const_b = None if g.b_batched else constant_value(globals_, b, blobs)
        init, init_op, bias = find_init(op, c) if fuse_init else ("c", None, None)
        macs = g.m * g.n * g.k
        for extent in g.batch:
            macs *= extent
        plan = Plan(g, shapes, kind, const_b is not None, init, parallel and macs >= PARALLEL_MIN_MACS)
        types = [ir.Type.parse(t) for t in plan.arg_types()]
        epi = find_epilogue(op, c, init_op) if fuse_epilogue and init != "c" else None
        name = plan.name
        if epi is not None:
            try:
                text = kernel_text(plan, epi, name="KERNEL")
            except Unsupported:  # a consumer body the translator does not know stays a kernel of its own
                epi = None
        if epi is None:
            text = kernel_text(plan) if name not in kernels else None
        else:
            name = f"{plan.name}_ep_{hashlib.sha1(text.encode()).hexdigest()[:12]}"
            text = text.replace("@KERNEL(", f"@{name}(", 1)
            del types[2]  # no C parameter
        with ir.InsertionPoint(op if epi is None else epi.op), op.location:
            if name not in kernels:
                move_kernel(text, first)
                kernels.add(name)
            values = [a, b] + ([c] if epi is None else []) + ([bias] if init == "bias" else [])
            operands = [v if v.type == t else ir.Operation.create("memref.cast", results=[t], operands=[v]).result
                        for v, t in zip(values, types)]
            if plan.prepacked:
                key = (str(owner(b).attributes["name"]), kind, g.b_nk)
                if key not in packed:
                    panels, corr = pack_b(const_b, g.b_nk, plan.ks)
                    base = f"__intvit_packed_{len(packed)}"
                    names = (f"{base}_bp", f"{base}_corr")
                    gtext = "\n".join(f'memref.global "private" constant @{n} : {t} = dense<0> {{alignment = 64 : i64}}'
                                      for n, t in zip(names, types[-2:]))
                    gmod = ir.Module.parse(gtext)
                    for gop, arr in zip(list(gmod.body.operations), (panels, corr)):
                        gop.attributes["initial_value"] = ir.DenseElementsAttr.get(arr)
                        gop.operation.move_before(first)
                    packed[key] = names
                for sym, t in zip(packed[key], types[-2:]):
                    operands.append(ir.Operation.create("memref.get_global", results=[t], attributes={
                        "name": ir.FlatSymbolRefAttr.get(sym)}).result)
            if epi is not None:
                operands += epi.operands
            ir.Operation.create("func.call", results=[], operands=operands,
                                attributes={"callee": ir.FlatSymbolRefAttr.get(name)})
        if epi is not None:
            epi.op.erase()
        op.erase()
        if init_op is not None:
            init_op.erase()
        records.append({"batch": list(g.batch), "m": g.m, "n": g.n, "k": g.k, "variant": kind,
                        "prepacked": plan.prepacked, "init": init, "kernel": name, "epilogue": epi is not None,
                        "b_nk": g.b_nk, "a_unsigned": g.a_unsigned, "b_unsigned": g.b_unsigned,
                        "b_batched": g.b_batched})
    if parallel:
        add_declarations(module)
    return records
