"""Integer GEMMs among bufferized `linalg.generic`s, and the fill that initializes one's
accumulator.

A GEMM here is `C[b.., m, n] += ext(A[b.., m, k]) * ext(B[b.., k, n] or B[b.., n, k])` with i8
operands and an i32 accumulator on static, unit-minor-stride memrefs: the form every target's
GEMM kernels take.  Matching reads the indexing maps' structure (`linalg.map_dims`), not their
printed text.
"""

from __future__ import annotations

from dataclasses import dataclass

from intvit.lowering.analysis.buffers import PURE_OPS, owner
from intvit.lowering.analysis.linalg import indexing_dims, iterator_kinds


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


def _gemm_roles(dims, iters) -> tuple[bool, bool] | None:
    """(B stored [n, k], B batched) when the maps are A[.., m, k], B[.., k, n] or B[.., n, k]
    -> C[.., m, n] with one reduction k; else None."""
    if any(d is None for d in dims):
        return None
    da, db, dc = dims
    red = [i for i, it in enumerate(iters) if it == "reduction"]
    if len(red) != 1 or len(dc) < 2 or len(set(dc)) != len(dc) or len(dc) + 1 != len(iters):
        return None
    dk = red[0]
    *bd, dm, dn = dc
    if da != [*bd, dm, dk]:
        return None
    if db in ([*bd, dk, dn], [dk, dn]):
        return False, len(db) > 2
    if db in ([*bd, dn, dk], [dn, dk]):
        return True, len(db) > 2
    return None


def _mac_body(op) -> tuple[bool, bool] | None:
    """(A unsigned, B unsigned) when the body is `acc + ext(a) * ext(b)` in i32; else None."""
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
    src = {ea.operands[0]: ea, eb.operands[0]: eb}  # the ext ops may come in either order
    if args[0] not in src or args[1] not in src:
        return None
    ext_a, ext_b = src[args[0]], src[args[1]]
    if str(ext_a.results[0].type) != "i32" or str(ext_b.results[0].type) != "i32":
        return None
    if set(mul.operands) != {ext_a.results[0], ext_b.results[0]} or len(list(mul.operands)) != 2:
        return None
    if set(add.operands) != {args[2], mul.results[0]}:
        return None
    return ext_a.name == "arith.extui", ext_b.name == "arith.extui"


def match_gemm(op) -> Gemm | None:
    """A `linalg.generic` on memrefs that is an i8 x i8 -> i32 GEMM (see the module docstring)."""
    from torch_mlir import ir

    if op.name != "linalg.generic" or len(op.operands) != 3 or len(op.results) != 0:
        return None
    roles = _gemm_roles(indexing_dims(op), iterator_kinds(op))
    if roles is None:
        return None
    b_nk, b_batched = roles
    types = [ir.MemRefType(v.type) for v in op.operands]
    if any(not isinstance(t, ir.MemRefType) or not t.has_static_shape for t in types):
        return None
    ta, tb, tc = types
    if str(ta.element_type) != "i8" or str(tb.element_type) != "i8" or str(tc.element_type) != "i32":
        return None
    signs = _mac_body(op)
    if signs is None:
        return None
    strides = [tuple(t.get_strides_and_offset()[0]) for t in types]
    if any(s < 0 for st in strides for s in st):  # dynamic strides
        return None
    sa, sb, sc = strides
    if sa[-1] != 1 or sb[-1] != 1 or sc[-1] != 1:  # vector loads need unit minor strides
        return None
    *batch, m, n = list(tc.shape)
    k = list(ta.shape)[-1]
    if k == 0 or m == 0 or n == 0:
        return None
    return Gemm(tuple(batch), m, n, k, signs[0], signs[1], b_nk, b_batched, sa, sb, sc)


def is_zero_i32(value) -> bool:
    from torch_mlir import ir

    op = owner(value)
    if getattr(op, "name", None) != "arith.constant" or str(value.type) != "i32":
        return False
    return ir.IntegerAttr(op.attributes["value"]).value == 0


def _fill_kind(prev, c_value):
    """("bias", bias value) / ("zero", None) when `prev` fills all of C with a bias broadcast
    along n or with zeros; None otherwise (a generic that is neither ends the search too)."""
    from torch_mlir import ir

    maps, iters = indexing_dims(prev), iterator_kinds(prev)
    rank = len(iters)
    if any(i != "parallel" for i in iters) or maps[-1] != list(range(rank)):
        return None
    block = prev.regions[0].blocks[0]
    body, args = list(block.operations), list(block.arguments)
    copies_input = len(body) == 1 and body[0].operands[0] == args[0]
    if len(prev.operands) == 2 and maps[0] == [rank - 1] and copies_input:
        bias = prev.operands[0]
        t = ir.MemRefType(bias.type)
        if str(t.element_type) == "i32" and t.get_strides_and_offset()[0] == [1]:
            return "bias", bias
    if len(prev.operands) == 2 and maps[0] == [] and copies_input and is_zero_i32(prev.operands[0]):
        return "zero", None  # a generalized `linalg.fill` of 0
    if len(prev.operands) == 1 and body:
        yielded = body[-1].operands[0]  # a zero made in the body, or hoisted out of it
        if (len(body) == 1 or (len(body) == 2 and yielded == body[0].results[0])) and is_zero_i32(yielded):
            return "zero", None
    return None


def find_init(gemm_op, c_value):
    """The op that fills C just before the GEMM, if it is a bias broadcast or zeros.

    Returns (kind, op, bias value or None); kind "c" when nothing can be fused.  Fusing is safe
    because the fill writes all of C, nothing in between touches memory, and the GEMM then
    overwrites all of C."""
    ops = list(gemm_op.block.operations)
    at = next(i for i, o in enumerate(ops) if o.operation == gemm_op)
    for prev in reversed(ops[:at]):
        prev = prev.operation
        if prev.name in PURE_OPS:
            continue
        if prev.name == "linalg.fill" and len(prev.operands) == 2 and prev.operands[1] == c_value \
                and is_zero_i32(prev.operands[0]):
            return "zero", prev, None
        if prev.name != "linalg.generic" or prev.operands[len(prev.operands) - 1] != c_value or len(prev.results):
            break
        found = _fill_kind(prev, c_value)
        if found is not None:
            return found[0], prev, found[1]
        break
    return "c", None, None
