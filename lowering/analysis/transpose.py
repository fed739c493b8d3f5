"""Transposed copies folded into the GEMM that reads them (K^T for `Q K^T`)."""

from __future__ import annotations

from intvit.lowering.analysis.buffers import moves_safely, owner, users
from intvit.lowering.analysis.gemm import match_gemm
from intvit.lowering.analysis.linalg import dims_map_attr, indexing_dims, iterator_kinds


def copy_permutation(op) -> list[int] | None:
    """`out[i] = in[P(i)]`: a generic that only copies, through a permutation; returns P."""
    if op.name != "linalg.generic" or len(op.operands) != 2 or len(op.results):
        return None
    block = op.regions[0].blocks[0]
    body = list(block.operations)
    if len(body) != 1 or body[0].operands[0] != block.arguments[0]:
        return None
    maps, iters = indexing_dims(op), iterator_kinds(op)
    rank = len(iters)
    if any(m is None for m in maps) or maps[1] != list(range(rank)) or any(i != "parallel" for i in iters):
        return None
    perm = maps[0]
    return perm if sorted(perm) == list(range(rank)) else None


def _fold_one(t, perm) -> bool:
    from torch_mlir import ir

    src, dst = list(t.operands)
    if getattr(owner(dst), "name", None) != "memref.alloc":
        return False
    readers = [u for u in users(dst) if u != t and u.name != "memref.dealloc"]
    if len(readers) != 1 or readers[0].name != "linalg.generic" or readers[0].block != t.block:
        return False
    g = readers[0]
    slots = [i for i, v in enumerate(g.operands) if v == dst]
    if len(slots) != 1 or slots[0] > 1 or match_gemm(g) is None:
        return False
    ops = [o.operation for o in t.block.operations]
    if ops.index(g) < ops.index(t) or not moves_safely(ops[ops.index(t) + 1:ops.index(g)], t):
        return False
    maps = indexing_dims(g)
    rank = len(iterator_kinds(g))
    maps[slots[0]] = [maps[slots[0]][p] for p in perm]
    old_maps, old_src = g.attributes["indexing_maps"], g.operands[slots[0]]
    g.attributes["indexing_maps"] = ir.ArrayAttr.get([dims_map_attr(rank, m) for m in maps])
    g.operands[slots[0]] = src
    if match_gemm(g) is None:  # the folded form is not a kernel GEMM: undo
        g.attributes["indexing_maps"], g.operands[slots[0]] = old_maps, old_src
        return False
    t.erase()
    return True


def fold_transposes(module) -> int:
    """A transposed copy read only by one GEMM is folded into that GEMM's indexing map: the GEMM
    reads the original through the permuted map (a B stored [n, k]), and the copy goes away.
    Only when the folded operand still has a unit minor stride, and nothing between the copy and
    the GEMM writes the original.  Returns the number folded."""
    from torch_mlir import ir

    copies = []

    def visit(op):
        if copy_permutation(op) is not None:
            copies.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return sum(_fold_one(t, copy_permutation(t)) for t in copies)
