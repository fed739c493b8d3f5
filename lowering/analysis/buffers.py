"""Buffers in bufferized IR: who defines and uses a value, which allocation a view is taken of,
what an op may write, and whether a computation can move past a run of ops."""

from __future__ import annotations

# Ops that read and write no buffer contents (allocations, views, constants).
PURE_OPS = frozenset({"arith.constant", "memref.get_global", "memref.alloc", "memref.cast", "memref.subview",
                      "memref.expand_shape", "memref.collapse_shape", "memref.reinterpret_cast"})
VIEW_OPS = frozenset({"memref.subview", "memref.expand_shape", "memref.collapse_shape", "memref.cast",
                      "memref.reinterpret_cast", "memref.transpose"})


def owner(value):
    """The op defining `value` (the Operation, not its OpView), or the block of a block argument."""
    op = value.owner
    return op.operation if hasattr(op, "operation") else op


def users(value) -> list:
    return [use.owner.operation if hasattr(use.owner, "operation") else use.owner for use in value.uses]


def block_arg(value):
    """`value` as a BlockArgument, or None."""
    from torch_mlir import ir

    try:
        return ir.BlockArgument(value)
    except (ValueError, TypeError):
        return None


def is_memref(t) -> bool:
    from torch_mlir import ir

    try:
        ir.MemRefType(t)
    except (ValueError, TypeError):
        return False
    return True


def strides(value) -> list[int]:
    """Element strides of a memref value (negative: dynamic)."""
    from torch_mlir import ir

    return list(ir.MemRefType(value.type).get_strides_and_offset()[0])


def root(value):
    """The buffer a view is taken of (an alloc, a global or a function argument)."""
    while True:
        op = owner(value)
        if getattr(op, "name", None) not in VIEW_OPS:
            return value
        value = op.operands[0]


def written(op) -> list | None:
    """Buffers `op` may write (None: unknown, e.g. a call)."""
    from intvit.lowering.analysis.linalg import output_count

    if op.name in PURE_OPS or op.name == "memref.dealloc":
        return []
    if op.name == "memref.copy":
        return [op.operands[1]]
    if op.name == "linalg.generic":
        return list(op.operands)[len(op.operands) - output_count(op):]
    return None


def moves_safely(between: list, op) -> bool:
    """`op` may run after the ops `between` instead of before them: none of them writes what it
    reads.  Distinct root buffers do not overlap (temporaries are distinct allocations; an
    entry's arguments are distinct, non-overlapping buffers by the C ABI)."""
    reads = {root(v) for v in op.operands}
    for other in between:
        out = written(other)
        if out is None or any(root(v) in reads for v in out):
            return False
    return True
