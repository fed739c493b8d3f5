"""Shiftmax and ShiftGELU as row reductions plus elementwise generics (NUMERICS.md).

All arithmetic is i64.  For 8-bit inputs the per-element work is a table lookup instead (as TOSA
lowers int8 sigmoid to `tosa.table`): `rowmax - x` takes 256 values, so Shiftmax's `iexp` is a
256-entry table, and ShiftGELU's sigmoid (which divides per element) is a [256, 256] table indexed
by row maximum and element.  The tables come from `runtime.golden`, so they are exact.  `iexp` is the shared exponent: shifts for `d * log2(e)`, the clamp at
`n * x0`, an exact quotient/remainder by `x0`, and the shift clamped to 40 with the 2^31 cap
(identical to `runtime.golden.iexp`).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import IntegerType, TensorType, i32, i64

from intvit.dialects import intvit as iv
from intvit.lowering.builders import Body, dims_map, identity_map, parallel
from intvit.lowering.patterns.common import Ctx, shape_of, signless
from intvit.runtime.golden import (IEXP_MAX_SHIFT, SHIFTGELU_N, SHIFTMAX_N, shiftgelu_sigmoid_table,
                                   shiftmax_exp_table)
from intvit.dialects.resources import array_resource
from intvit.runtime.scales import shiftgelu_x0, shiftmax_x0

I64_MIN = -(1 << 63)


def iexp(b: Body, d, x0: int, n: int):
    d = b.sub(b.add(d, b.shrs(d, 1)), b.shrs(d, 4))
    d = b.maxs(d, n * x0)
    q = b.floordiv(d, x0)
    r = b.sub(d, b.mul(q, x0))
    base = b.sub(r, 2 * x0)
    shift = b.maxs(b.mins(b.sub(n - 1, q), IEXP_MAX_SHIFT), 0)
    out = b.select(b.cmp("slt", q, n), b.shl(base, shift), b.shrs(base, 1))
    return b.mins(out, 1 << 31)


def _table(ctx: Ctx, name: str, array: np.ndarray, elem: IntegerType):
    typ = TensorType(elem, list(array.shape))
    return ctx.lw.constant(array_resource(name, array, typ), typ)


def _is_8bit(value) -> bool:
    return value.type.element_type.width.data == 8


def _row_max(ctx: Ctx, x, axis: int, unsigned: bool, pre=None):
    def element(b: Body, xv):
        v = b.ext(xv, unsigned)
        return pre(b, v) if pre else v

    return ctx.lw.reduce(x, axis, i64, I64_MIN, lambda b, acc, v: b.maxs(acc, v), element=element)


def lower_shiftmax(ctx: Ctx, op: iv.ShiftmaxOp):
    x = op.input
    shape = shape_of(x)
    rank = len(shape)
    axis = op.prop("axis") % rank
    kept = [d for d in range(rank) if d != axis]
    unsigned = ctx.operand_unsigned(x)
    x0 = shiftmax_x0(op.prop("scale"))
    bits = op.prop("bits")
    out_elem = signless(op.output.type).element_type
    xmax = _row_max(ctx, x, axis, unsigned)
    full, row = identity_map(rank), dims_map(rank, kept)
    if _is_8bit(x):
        # iexp <= 2^31: the table holds it as u32 bits, looked up once per element into an i32
        # tensor (read back with extui by the row sum and the output: one gather, not two, and
        # `e * f` below is a 32 x 32 -> 64 multiply)
        exp32 = shiftmax_exp_table(op.prop("scale")).astype(np.uint32).view(np.int32)
        table = _table(ctx, "shiftmax_exp", exp32, i32)
        e = ctx.lw.generic([x, xmax], [ctx.lw.empty(shape, i32)], [full, row, full], parallel(rank),
                           lambda b, xv, m, _o: [b.lookup(table, b.sub(m, b.ext(xv, unsigned)))])[0]
        exp_of = lambda b, ev, _m: b.ext(ev, unsigned=True)  # noqa: E731
        total = ctx.lw.reduce(e, axis, i64, 0, lambda b, acc, v: b.add(acc, v),
                              element=lambda b, ev: b.ext(ev, unsigned=True))
    else:
        e = ctx.lw.generic([x, xmax], [ctx.lw.empty(shape, i64)], [full, row, full], parallel(rank),
                           lambda b, xv, m, _o: [iexp(b, b.sub(b.ext(xv, unsigned), m), x0, SHIFTMAX_N)])[0]
        exp_of = lambda b, ev, _m: ev  # noqa: E731
        total = ctx.lw.reduce(e, axis, i64, 0, lambda b, acc, v: b.add(acc, v))
    # The row maximum contributes iexp(0) = -2 x0 << 14 >= 2^15 to S, so f = 2^31 / S <= 2^16:
    # an i32 (unsigned) row tensor, zero-extended where it multiplies.
    factor = ctx.lw.generic([total], [ctx.lw.empty([shape[d] for d in kept], i32)],
                            [identity_map(rank - 1)] * 2, parallel(rank - 1),
                            lambda b, s, _o: [b.trunc(b.divs(1 << 31, b.mins(s, 1 << 31)), i32)])[0]

    def out_body(b: Body, ev, m, f, _o):
        v = b.shrs(b.mul(exp_of(b, ev, m), b.ext(f, unsigned=True)), 32 - bits)
        if op.prop("saturate"):
            v = b.mins(v, (1 << (bits - 1)) - 1)
        return [b.trunc(v, out_elem)]

    return ctx.lw.generic([e, xmax, factor], [ctx.lw.empty(shape, out_elem)], [full, row, row, full],
                          parallel(rank), out_body)[0]


def lower_shiftgelu(ctx: Ctx, op: iv.ShiftgeluOp):
    x = op.input
    shape = shape_of(x)
    rank = len(shape)
    axis = op.prop("axis") % rank
    kept = [d for d in range(rank) if d != axis]
    paper = bool(op.prop("paper_shifts"))
    ivit = bool(op.prop("ivit_constant"))
    x0 = shiftgelu_x0(op.prop("scale"), paper, ivit)
    out_elem = op.output.type.element_type

    def scaled(b: Body, v):
        if not paper:
            return v
        return b.add(b.add(b.add(v, b.shrs(v, 1)), b.shrs(v, 3)), b.shrs(v, 4))

    full, row = identity_map(rank), dims_map(rank, kept)
    if _is_8bit(x):
        # scaling is monotone, so the row maximum of the raw input indexes the table
        table = _table(ctx, "shiftgelu_sigmoid", shiftgelu_sigmoid_table(op.prop("scale"), paper, ivit), i32)
        xmax = _row_max(ctx, x, axis, False)

        def lut_body(b: Body, xv, m, _o):
            v = b.ext(xv)
            sig = b.ext(b.lookup(table, b.add(m, 128), b.add(v, 128)))
            return [b.trunc(b.mul(v, sig), out_elem)]

        return ctx.lw.generic([x, xmax], [ctx.lw.empty(shape, out_elem)], [full, row, full], parallel(rank),
                              lut_body)[0]
    xmax = _row_max(ctx, x, axis, False, scaled)

    def body(b: Body, xv, m, _o):
        v = b.ext(xv)
        big = iexp(b, b.sub(scaled(b, v), m), x0, SHIFTGELU_N)
        small = iexp(b, b.sub(0, m), x0, SHIFTGELU_N)
        f = b.divs(1 << 31, b.mins(b.add(big, small), 1 << 31))
        sig = b.shrs(b.mul(big, f), 24)
        return [b.trunc(b.mul(v, sig), out_elem)]

    return ctx.lw.generic([x, xmax], [ctx.lw.empty(shape, out_elem)], [full, row, full], parallel(rank), body)[0]


def populate_nonlinear(table: dict) -> None:
    table.update({iv.ShiftmaxOp: lower_shiftmax, iv.ShiftgeluOp: lower_shiftgelu})
