"""Strided `memref.copy` -> `linalg.copy`, so no copy needs MLIR's C runner library.

`finalize-memref-to-llvm` lowers a copy between contiguous buffers to `llvm.memcpy`, but a copy
into or out of a strided view (at batch N > 1 the class token's slot in `[N, tokens, dim]`) to
a call of `memrefCopy`, a symbol of `libmlir_c_runner_utils` that neither the JIT nor the `.so`
links.  `linalg.copy` becomes plain loops in `convert-linalg-to-loops` instead.
"""

from __future__ import annotations


def _contiguous(memref_type) -> bool:
    from torch_mlir import ir

    typ = ir.MemRefType(memref_type)
    strides, _ = typ.get_strides_and_offset()
    expected = 1
    for size, stride in reversed(list(zip(typ.shape, strides))):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def strided_copies_to_linalg(module) -> int:
    """Rewrite every `memref.copy` with a non-contiguous side in place; returns how many."""
    from torch_mlir import ir
    from torch_mlir.dialects import linalg

    copies = []

    def visit(op):
        if op.name == "memref.copy" and not all(_contiguous(v.type) for v in op.operands):
            copies.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    for op in copies:
        with ir.InsertionPoint(op), op.location:
            linalg.copy(op.operands[0], outs=[op.operands[1]])
        op.erase()
    return len(copies)
