"""Small builders for the lowering: scalar `arith` bodies and `linalg.generic` on tensors.

`Body` appends arith ops to a block and hands back SSA values, so a lowering reads like the
NUMERICS.md pseudo-code it implements; `Lowerer.generic` wraps a body into a `linalg.generic`
with explicit indexing maps (identity, reduced, broadcast, transposed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import arith, tensor
from xdsl.dialects.linalg.attrs import IteratorTypeAttr
from xdsl.dialects.linalg.ops import GenericOp, YieldOp
from xdsl.dialects.builtin import (
    AffineMapAttr,
    Attribute,
    IntegerAttr,
    IndexType,
    IntegerType,
    TensorType,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

PRED = {"eq": 0, "ne": 1, "slt": 2, "sle": 3, "sgt": 4, "sge": 5, "ult": 6, "ule": 7, "ugt": 8, "uge": 9}


class Body:
    """Scalar arithmetic inside a region; every value defaults to i64."""

    def __init__(self, block: Block):
        self.block = block

    def op(self, op: Operation) -> SSAValue:
        """Append any scalar op (float ones in boundary bodies) and return its result."""
        self.block.add_op(op)
        return op.results[0]

    _add = op

    def const(self, value: int, typ: IntegerType = i64) -> SSAValue:
        return self._add(arith.ConstantOp(IntegerAttr(value, typ), typ))

    def c(self, v: int | SSAValue, typ: IntegerType = i64) -> SSAValue:
        return v if isinstance(v, SSAValue) else self.const(v, typ)

    def add(self, a, b):
        return self._add(arith.AddiOp(self.c(a), self.c(b)))

    def sub(self, a, b):
        return self._add(arith.SubiOp(self.c(a), self.c(b)))

    def mul(self, a, b):
        return self._add(arith.MuliOp(self.c(a), self.c(b)))

    def shl(self, a, b):
        return self._add(arith.ShLIOp(self.c(a), self.c(b)))

    def shrs(self, a, b):
        return self._add(arith.ShRSIOp(self.c(a), self.c(b)))

    def shru(self, a, b):
        return self._add(arith.ShRUIOp(self.c(a), self.c(b)))

    def divs(self, a, b):
        return self._add(arith.DivSIOp(self.c(a), self.c(b)))

    def divu(self, a, b):
        return self._add(arith.DivUIOp(self.c(a), self.c(b)))

    def floordiv(self, a, b):
        return self._add(arith.FloorDivSIOp(self.c(a), self.c(b)))

    def andi(self, a, b):
        return self._add(arith.AndIOp(self.c(a), self.c(b)))

    def ori(self, a, b):
        return self._add(arith.OrIOp(self.c(a), self.c(b)))

    def maxs(self, a, b):
        return self._add(arith.MaxSIOp(self.c(a), self.c(b)))

    def mins(self, a, b):
        return self._add(arith.MinSIOp(self.c(a), self.c(b)))

    def minu(self, a, b):
        return self._add(arith.MinUIOp(self.c(a), self.c(b)))

    def cmp(self, pred: str, a, b):
        return self._add(arith.CmpiOp(self.c(a), self.c(b), PRED[pred]))

    def select(self, cond, a, b):
        return self._add(arith.SelectOp(cond, self.c(a), self.c(b)))

    def ext(self, v: SSAValue, unsigned: bool = False, to: IntegerType = i64) -> SSAValue:
        src = v.type
        assert isinstance(src, IntegerType)
        if src.width.data == to.width.data:
            return v
        return self._add((arith.ExtUIOp if unsigned else arith.ExtSIOp)(v, to))

    def bool_to_i64(self, cond: SSAValue) -> SSAValue:
        return self._add(arith.ExtUIOp(cond, i64))

    def trunc(self, v: SSAValue, to: IntegerType) -> SSAValue:
        if v.type == to:
            return v
        return self._add(arith.TruncIOp(v, to))

    def lookup(self, table: SSAValue, *indices: SSAValue) -> SSAValue:
        """`table[indices]` for a constant table captured from outside the body (i64 indices)."""
        idx = [self._add(arith.IndexCastOp(i, IndexType())) for i in indices]
        return self._add(tensor.ExtractOp(table, idx, table.type.element_type))  # type: ignore[union-attr]

    def clamp(self, v, lo: int, hi: int):
        return self.mins(self.maxs(v, lo), hi)

    def sat(self, v, bits: int):
        return self.clamp(v, -(1 << (bits - 1)), (1 << (bits - 1)) - 1)


def identity_map(rank: int) -> AffineMapAttr:
    return AffineMapAttr(AffineMap.identity(rank))


def dims_map(rank: int, dims: Sequence[int]) -> AffineMapAttr:
    """`(d0, ..., d{rank-1}) -> (d{dims[0]}, ...)`; an empty `dims` maps to a 0-d operand."""
    return AffineMapAttr(AffineMap(rank, 0, tuple(AffineExpr.dimension(d) for d in dims)))


def parallel(rank: int, reduced: Sequence[int] = ()) -> list[IteratorTypeAttr]:
    return [IteratorTypeAttr.reduction() if d in reduced else IteratorTypeAttr.parallel() for d in range(rank)]


class Lowerer:
    """Emits tensor-level ops before an insertion point (the op being lowered)."""

    def __init__(self, insert: Callable[[Operation], None]):
        self.insert = insert

    def emit(self, op: Operation) -> Operation:
        self.insert(op)
        return op

    def empty(self, shape: Sequence[int], elem: Attribute) -> SSAValue:
        return self.emit(tensor.EmptyOp([], TensorType(elem, list(shape)))).results[0]

    def constant(self, attr: Attribute, typ: Attribute) -> SSAValue:
        return self.emit(arith.ConstantOp(attr, typ)).results[0]

    def generic(self, inputs: Sequence[SSAValue], inits: Sequence[SSAValue], maps: Sequence[AffineMapAttr],
                iterators: Sequence[IteratorTypeAttr], body: Callable[..., Sequence[SSAValue]],
                attributes: dict[str, Attribute] | None = None) -> list[SSAValue]:
        arg_types = [v.type.element_type for v in (*inputs, *inits)]  # type: ignore[union-attr]
        block = Block(arg_types=arg_types)
        b = Body(block)
        yielded = body(b, *block.args)
        block.add_op(YieldOp(*yielded))
        op = GenericOp(list(inputs), list(inits), Region(block), list(maps), list(iterators),
                              [v.type for v in inits])
        if attributes:
            op.attributes.update(attributes)
        return list(self.emit(op).results)

    def fill(self, shape: Sequence[int], elem: IntegerType, value: int) -> SSAValue:
        init = self.empty(shape, elem)
        rank = len(shape)
        return self.generic([], [init], [identity_map(rank)], parallel(rank),
                            lambda b, out: [b.const(value, elem)])[0]

    def reduce(self, x: SSAValue, axis: int, elem: IntegerType, start: int,
               combine: Callable[[Body, SSAValue, SSAValue], SSAValue],
               extra: Sequence[SSAValue] = (), element: Callable[..., SSAValue] | None = None) -> SSAValue:
        """Reduce `x` (and `extra` row tensors, same reduced shape) along `axis` into a tensor of
        the remaining dims: `acc = combine(acc, element(x, *extra))`."""
        shape = list(x.type.get_shape())  # type: ignore[union-attr]
        rank = len(shape)
        kept = [d for d in range(rank) if d != axis]
        init = self.fill([shape[d] for d in kept], elem, start)
        maps = [identity_map(rank)] + [dims_map(rank, kept)] * len(extra) + [dims_map(rank, kept)]

        def body(b: Body, xv, *rest):
            *extras, acc = rest
            value = element(b, xv, *extras) if element else xv
            return [combine(b, acc, value)]

        return self.generic([x, *extra], [init], maps, parallel(rank, [axis]), body)[0]

