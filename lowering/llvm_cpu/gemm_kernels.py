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
import re
from dataclasses import dataclass

import numpy as np

from intvit.lowering.llvm_cpu.gemm_microkernel import Plan, kernel_text
from intvit.lowering.llvm_cpu.openmp import add_declarations, move_kernel

PARALLEL_MIN_MACS = 1 << 20  # below this (a few microseconds of work) a fork/join costs more


def amx_ready() -> bool:
    """AMX-INT8 usable in this process: the CPU flags, and Linux's permission for the tile data
    state (`arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`, process-wide; requested here
    so that the JIT may run tiles; the AOT library requests it itself)."""
    import ctypes
    import platform

    from intvit.lowering.llvm_cpu.loader import cpu_flags

    flags = cpu_flags()
    if platform.machine() != "x86_64" or not {"amx_int8", "amx_tile"} <= flags:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syscall(158, 0x1023, 18) == 0  # SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XTILEDATA
    except (OSError, AttributeError):
        return False


def cpu_has_avx512_vnni() -> bool:
    """The compile-time CPU check (`/proc/cpuinfo` flag `avx512_vnni`)."""
    from intvit.lowering.llvm_cpu.loader import cpu_flags

    return "avx512_vnni" in cpu_flags()


# --------------------------------------------------------------------------------------------
# matching (upstream Python bindings, memref form)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gemm:
    batch: tuple[int, ...]
    m: int
    n: int
    k: int
    a_unsigned: bool
    b_unsigned: bool
    b_nk: bool           # B stored [n, k] (k minor) rather than [k, n]
    b_batched: bool
    a_strides: tuple[int, ...]
    b_strides: tuple[int, ...]
    c_strides: tuple[int, ...]


def _dims(amap: str) -> list[str] | None:
    """`affine_map<(d0, d1, d2) -> (d0, d2)>` -> ['d0', 'd2'] (None if not pure dims)."""
    m = re.fullmatch(r"affine_map<\(([^)]*)\) -> \(([^)]*)\)>", amap.strip())
    if not m:
        return None
    res = [r.strip() for r in m.group(2).split(",") if r.strip()]
    return res if all(re.fullmatch(r"d\d+", r) for r in res) else None


def match_gemm(op) -> Gemm | None:
    """A `linalg.generic` on memrefs that is an i8 x i8 -> i32 GEMM the kernels handle."""
    from torch_mlir import ir

    if op.name != "linalg.generic" or len(op.operands) != 3 or len(op.results) != 0:
        return None
    maps = [str(m) for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    iters = [str(i) for i in ir.ArrayAttr(op.attributes["iterator_types"])]
    dims = [_dims(m) for m in maps]
    if any(d is None for d in dims):
        return None
    da, db, dc = dims
    red = [f"d{i}" for i, it in enumerate(iters) if "reduction" in it]
    if len(red) != 1 or len(dc) < 2 or len(set(dc)) != len(dc) or len(dc) + 1 != len(iters):
        return None
    dk = red[0]
    *bd, dm, dn = dc
    if da != [*bd, dm, dk]:
        return None
    if db in ([*bd, dk, dn], [dk, dn]):
        b_nk = False
    elif db in ([*bd, dn, dk], [dn, dk]):
        b_nk = True
    else:
        return None
    b_batched = len(db) > 2
    types = [ir.MemRefType(v.type) for v in op.operands]
    if any(not isinstance(t, ir.MemRefType) or not t.has_static_shape for t in types):
        return None
    ta, tb, tc = types
    if str(ta.element_type) != "i8" or str(tb.element_type) != "i8" or str(tc.element_type) != "i32":
        return None
    # body: ext(a), ext(b), muli, addi(acc, prod), yield
    block = op.regions[0].blocks[0]
    args = list(block.arguments)
    body = list(block.operations)
    if len(body) != 5:
        return None
    ea, eb, mul, add, yld = body
    ext_names = ("arith.extsi", "arith.extui")
    if ea.name not in ext_names or eb.name not in ext_names or mul.name != "arith.muli" or add.name != "arith.addi":
        return None
    if yld.name != "linalg.yield" or yld.operands[0] != add.results[0]:
        return None
    # the ext ops may come in either order
    src = {ea.operands[0]: ea, eb.operands[0]: eb}
    if args[0] not in src or args[1] not in src:
        return None
    ext_a, ext_b = src[args[0]], src[args[1]]
    if str(ext_a.results[0].type) != "i32" or str(ext_b.results[0].type) != "i32":
        return None
    if set(mul.operands) != {ext_a.results[0], ext_b.results[0]} or len(list(mul.operands)) != 2:
        return None
    if set(add.operands) != {args[2], mul.results[0]}:
        return None
    strides = [tuple(t.get_strides_and_offset()[0]) for t in types]
    if any(s < 0 for st in strides for s in st):  # dynamic strides
        return None
    sa, sb, sc = strides
    if sa[-1] != 1 or sb[-1] != 1 or sc[-1] != 1:  # vector loads need unit minor strides
        return None
    shape_c = list(tc.shape)
    *batch, m, n = shape_c
    k = list(ta.shape)[-1]
    if k == 0 or m == 0 or n == 0:
        return None
    return Gemm(tuple(batch), m, n, k, ext_a.name == "arith.extui", ext_b.name == "arith.extui", b_nk,
                b_batched, sa, sb, sc)


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

_RESOURCE = re.compile(r'("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.$-]*)\s*:\s*"0x([0-9A-Fa-f]*)"')


def resource_blobs(text: str) -> dict[str, bytes]:
    """`{-# dialect_resources: { builtin: { key: "0x.." } } #-}` -> {key: raw data} (alignment dropped)."""
    start = text.rfind("{-#")
    if start < 0:
        return {}
    return {m.group(1).strip('"'): bytes.fromhex(m.group(2))[4:] for m in _RESOURCE.finditer(text, start)}


def constant_value(globals_: dict, value, blobs: dict[str, bytes]) -> np.ndarray | None:
    """The int8 numpy value behind `memref.get_global @g` when `@g` is a constant global (dense
    elements, or a `dense_resource` blob from the input text); None otherwise."""
    from torch_mlir import ir

    owner = _owner(value)
    if getattr(owner, "name", None) != "memref.get_global":
        return None
    op = globals_.get(ir.FlatSymbolRefAttr(owner.attributes["name"]).value)
    if op is None or "constant" not in op.attributes or "initial_value" not in op.attributes:
        return None
    attr = op.attributes["initial_value"]
    shape = tuple(ir.MemRefType(value.type).shape)
    try:
        dense = ir.DenseIntElementsAttr(attr)
    except (ValueError, TypeError):
        dense = None
    if dense is not None:
        if dense.is_splat:
            return np.full(shape, ir.IntegerAttr(dense.get_splat_value()).value, np.int64).astype(np.int8)
        return np.array(dense).astype(np.int8).reshape(shape)
    m = re.match(r"dense_resource<([^>]+)>", str(attr))
    data = blobs.get(m.group(1).strip('"')) if m else None
    if data is None or len(data) != int(np.prod(shape)):
        return None
    return np.frombuffer(data, np.int8).reshape(shape)


_PURE = {"arith.constant", "memref.get_global", "memref.alloc", "memref.cast", "memref.subview",
         "memref.expand_shape", "memref.collapse_shape", "memref.reinterpret_cast"}


def _owner(value):
    owner = value.owner
    return owner.operation if hasattr(owner, "operation") else owner


def _is_zero_i32(value) -> bool:
    from torch_mlir import ir

    op = _owner(value)
    if getattr(op, "name", None) != "arith.constant" or str(value.type) != "i32":
        return False
    return ir.IntegerAttr(op.attributes["value"]).value == 0


def find_init(gemm_op, c_value):
    """The op that fills C just before the GEMM, if it is a bias broadcast or zeros.

    Returns (kind, op, bias value or None); kind "c" when nothing can be fused.  Fusing is safe
    because the fill writes all of C, nothing in between touches memory, and the GEMM then
    overwrites all of C."""
    from torch_mlir import ir

    ops = list(gemm_op.block.operations)
    at = next(i for i, o in enumerate(ops) if o.operation == gemm_op)
    for prev in reversed(ops[:at]):
        prev = prev.operation
        if prev.name in _PURE:
            continue
        if prev.name == "linalg.fill" and len(prev.operands) == 2 and prev.operands[1] == c_value \
                and _is_zero_i32(prev.operands[0]):
            return "zero", prev, None
        if prev.name != "linalg.generic" or prev.operands[len(prev.operands) - 1] != c_value or len(prev.results):
            break
        maps = [_dims(str(m)) for m in ir.ArrayAttr(prev.attributes["indexing_maps"])]
        iters = [str(i) for i in ir.ArrayAttr(prev.attributes["iterator_types"])]
        rank = len(iters)
        if any("parallel" not in i for i in iters) or maps[-1] != [f"d{i}" for i in range(rank)]:
            break
        body = list(prev.regions[0].blocks[0].operations)
        args = list(prev.regions[0].blocks[0].arguments)
        if len(prev.operands) == 2 and maps[0] == [f"d{rank - 1}"] and len(body) == 1 \
                and body[0].operands[0] == args[0]:
            bias = prev.operands[0]
            t = ir.MemRefType(bias.type)
            if str(t.element_type) == "i32" and t.get_strides_and_offset()[0] == [1]:
                return "bias", prev, bias
        if len(prev.operands) == 2 and maps[0] == [] and len(body) == 1 and body[0].operands[0] == args[0] \
                and _is_zero_i32(prev.operands[0]):  # a generalized `linalg.fill` of 0
            return "zero", prev, None
        if len(prev.operands) == 1 and body:
            yielded = body[-1].operands[0]  # a zero made in the body, or hoisted out of it
            if (len(body) == 1 or (len(body) == 2 and yielded == body[0].results[0])) and _is_zero_i32(yielded):
                return "zero", prev, None
        break
    return "c", None, None


def _copy_permutation(op) -> list[int] | None:
    """`out[i] = in[P(i)]`: a generic that only copies, through a permutation; returns P."""
    from torch_mlir import ir

    if op.name != "linalg.generic" or len(op.operands) != 2 or len(op.results):
        return None
    body = list(op.regions[0].blocks[0].operations)
    if len(body) != 1 or body[0].operands[0] != op.regions[0].blocks[0].arguments[0]:
        return None
    maps = [_dims(str(m)) for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    iters = [str(i) for i in ir.ArrayAttr(op.attributes["iterator_types"])]
    rank = len(iters)
    if any(m is None for m in maps) or maps[1] != [f"d{i}" for i in range(rank)] or any("parallel" not in i for i in iters):
        return None
    perm = [int(d[1:]) for d in maps[0]]
    return perm if sorted(perm) == list(range(rank)) else None


def fold_transposes(module) -> int:
    """A transposed copy read only by one GEMM (K^T for `Q K^T`) is folded into that GEMM's
    indexing map: the GEMM reads the original through the permuted map (a B stored [n, k]), and
    the copy goes away.  Only when the folded operand still has a unit minor stride, and nothing
    between the copy and the GEMM writes the original.  Returns the number folded."""
    from torch_mlir import ir

    from intvit.lowering.llvm_cpu.gemm_epilogue import _moves_safely, _users

    copies = []

    def visit(op):
        if _copy_permutation(op) is not None:
            copies.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    folded = 0
    for t in copies:
        perm = _copy_permutation(t)
        src, dst = list(t.operands)
        if getattr(_owner(dst), "name", None) != "memref.alloc":
            continue
        users = [u for u in _users(dst) if u != t and u.name != "memref.dealloc"]
        if len(users) != 1 or users[0].name != "linalg.generic" or users[0].block != t.block:
            continue
        g = users[0]
        slots = [i for i, v in enumerate(g.operands) if v == dst]
        if len(slots) != 1 or slots[0] > 1 or match_gemm(g) is None:
            continue
        ops = [o.operation for o in t.block.operations]
        if ops.index(g) < ops.index(t) or not _moves_safely(ops[ops.index(t) + 1:ops.index(g)], t):
            continue
        maps = [_dims(str(m)) for m in ir.ArrayAttr(g.attributes["indexing_maps"])]
        rank = len(list(ir.ArrayAttr(g.attributes["iterator_types"])))
        maps[slots[0]] = [maps[slots[0]][p] for p in perm]
        text = [f"affine_map<({', '.join(f'd{i}' for i in range(rank))}) -> ({', '.join(m)})>" for m in maps]
        old_maps, old_src = g.attributes["indexing_maps"], g.operands[slots[0]]
        g.attributes["indexing_maps"] = ir.ArrayAttr.get([ir.Attribute.parse(x) for x in text])
        g.operands[slots[0]] = src
        if match_gemm(g) is None:  # the folded form is not a kernel GEMM: undo
            g.attributes["indexing_maps"], g.operands[slots[0]] = old_maps, old_src
            continue
        t.erase()
        folded += 1
    return folded


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
    found = []

    def visit(op):
        if op.name == "linalg.generic":
            g = match_gemm(op)
            if g is not None:
                found.append((op, g))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if not found:
        return []
    kernels: set[str] = set()
    packed: dict[tuple, tuple[str, str]] = {}
    globals_ = {ir.StringAttr(op.attributes["sym_name"]).value: op.operation
                for op in module.body.operations if op.operation.name == "memref.global"}
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
                key = (str(_owner(b).attributes["name"]), kind, g.b_nk)
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
