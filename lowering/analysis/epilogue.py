"""The elementwise consumer of a GEMM's int32 accumulator that can run as that GEMM's epilogue
(on the accumulators, inside the kernel), as gemmlowp's output stages and oneDNN's post-ops do.

A consumer qualifies when the accumulator `C` is a temporary (`memref.alloc`) that nothing but
the GEMM, its fused init, the consumer and `memref.dealloc` touches; the consumer is an
all-parallel `linalg.generic` over exactly C's iteration space, reading C through the identity
map and writing one output through the identity map; its other operands are per-column (the
per-channel multiplier and shift), per-row or same-shape; and nothing between the GEMM and the
consumer writes a buffer the GEMM reads.  The fused kernel then replaces the consumer (whose
operands are all defined by then) and the GEMM is erased.
"""

from __future__ import annotations

from dataclasses import dataclass

from intvit.lowering.analysis.buffers import is_memref, moves_safely, owner, strides, users
from intvit.lowering.analysis.linalg import Access, indexing_dims, iterator_kinds, output_count


@dataclass
class EpilogueMatch:
    op: object              # the consumer generic
    c_index: int            # which of its operands is C
    accesses: list[Access]  # per operand, the last one its output


def _consumer(gemm_op, c_value, init_op):
    """The one generic besides the GEMM (and its init) that uses C, if it may run the GEMM."""
    if getattr(owner(c_value), "name", None) != "memref.alloc":
        return None
    consumers = [u for u in users(c_value)
                 if u != gemm_op and not (init_op is not None and u == init_op) and u.name != "memref.dealloc"]
    if len(consumers) != 1 or consumers[0].name != "linalg.generic" or consumers[0].block != gemm_op.block:
        return None
    op = consumers[0]
    ops = [o.operation for o in gemm_op.block.operations]
    start, end = ops.index(gemm_op), ops.index(op)
    if end < start or not moves_safely(ops[start + 1:end], gemm_op):
        return None
    return op


def _accesses(operands, maps, rank: int) -> list[Access] | None:
    accesses = []
    for value, dims in zip(operands, maps):
        if dims is None:
            return None
        if not is_memref(value.type):
            if dims:
                return None
            accesses.append(Access(str(value.type), "scalar"))
        elif rank - 1 in dims:
            if dims[-1] != rank - 1 or strides(value)[-1] != 1:
                return None
            accesses.append(Access(str(value.type), "vector", dims))
        else:
            accesses.append(Access(str(value.type), "row", dims))
    return accesses


def match_epilogue(gemm_op, c_value, init_op) -> EpilogueMatch | None:
    """The fusable consumer of the GEMM's C (see the module docstring), or None."""
    from torch_mlir import ir

    op = _consumer(gemm_op, c_value, init_op)
    if op is None:
        return None
    iters = iterator_kinds(op)
    rank = len(ir.MemRefType(c_value.type).shape)
    if len(iters) != rank or any(i != "parallel" for i in iters) or len(op.results) or output_count(op) != 1:
        return None
    maps = indexing_dims(op)
    identity = list(range(rank))
    operands = list(op.operands)
    c_uses = [i for i, v in enumerate(operands) if v == c_value]
    if len(c_uses) != 1 or c_uses[0] == len(operands) - 1 or maps[c_uses[0]] != identity or maps[-1] != identity:
        return None
    accesses = _accesses(operands, maps, rank)
    if accesses is None or str(ir.MemRefType(operands[-1].type).element_type) in ("i1", "index"):
        return None
    return EpilogueMatch(op, c_uses[0], accesses)
