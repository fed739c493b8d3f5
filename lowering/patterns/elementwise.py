"""Requant, residual add and the boundary ops: one elementwise `linalg.generic` each."""

from __future__ import annotations

import numpy as np
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerType,
    TensorType,
    UnitAttr,
    f32,
    f64,
    i32,
    i64,
)

from intvit.dialects import intvit as iv
from intvit.dialects.intvit_helper import ApplyScaleOp
from intvit.lowering.builders import Body, dims_map, identity_map, parallel
from intvit.lowering.patterns.common import Ctx, shape_of, signless

BOUNDARY = "intvit.boundary"


def _apply_scale(b: Body, x, m, e, rounding: str):
    op = ApplyScaleOp(x, b.c(m), b.c(e), rounding)
    b.block.add_op(op)
    return op.result


def lower_requant(ctx: Ctx, op: iv.RequantOp):
    x = op.input
    shape = shape_of(x)
    rank = len(shape)
    out_t = signless(op.output.type)
    out_elem = out_t.element_type
    bits, rounding = op.prop("bits"), op.prop("rounding")
    mults, shifts = op.prop("multiplier"), op.prop("shift")
    unsigned = ctx.operand_unsigned(x)
    init = ctx.lw.empty(shape, out_elem)
    if op.prop("twin"):
        return _lower_twin(ctx, op, unsigned, init)
    if len(mults) == 1:
        def body(b: Body, xv, _out):
            y = _apply_scale(b, b.ext(xv, unsigned), mults[0], shifts[0], rounding)
            return [b.trunc(b.sat(y, bits), out_elem)]

        return ctx.lw.generic([x], [init], [identity_map(rank)] * 2, parallel(rank), body)[0]
    axis = op.prop("axis") % rank
    # m < 2^31 and e <= 62 fit i32: narrow tables, sign-extended where used, so that `x * m`
    # is a 32 x 32 -> 64 multiply for the backend (vpmuldq, not a full 64-bit vpmullq)
    table_t = TensorType(i32, [len(mults)])
    m_t = ctx.lw.constant(DenseIntOrFPElementsAttr.from_list(table_t, list(mults)), table_t)
    e_t = ctx.lw.constant(DenseIntOrFPElementsAttr.from_list(table_t, list(shifts)), table_t)

    def body_pc(b: Body, xv, mv, ev, _out):
        y = _apply_scale(b, b.ext(xv, unsigned), b.ext(mv), b.ext(ev), rounding)
        return [b.trunc(b.sat(y, bits), out_elem)]

    maps = [identity_map(rank), dims_map(rank, [axis]), dims_map(rank, [axis]), identity_map(rank)]
    return ctx.lw.generic([x, m_t, e_t], [init], maps, parallel(rank), body_pc)[0]


def _lower_twin(ctx: Ctx, op: iv.RequantOp, unsigned: bool, init):
    """The twin code decoded in the same generic: both roundings, a compare, a select
    (golden.twin_requant); the consumer GEMM reads the decoded value as any int8 input."""
    x = op.input
    rank = len(shape_of(x))
    out_elem = init.type.element_type
    bits, rounding, twin = op.prop("bits"), op.prop("rounding"), op.prop("twin")
    m, e = op.prop("multiplier")[0], op.prop("shift")[0]
    limit = (1 << (bits - 1)) - 1

    def body(b: Body, xv, _out):
        xi = b.ext(xv, unsigned)
        fine = _apply_scale(b, xi, m, e, rounding)
        coarse = b.shl(b.mins(_apply_scale(b, xi, m, e + twin, rounding), b.c(limit)), b.c(twin))
        use_fine = b.cmp("sle", fine, b.c(limit)) if unsigned else b.cmp("slt", xi, b.c(0))
        y = b.select(use_fine, b.clamp(fine, -limit, limit), coarse)
        return [b.trunc(y, out_elem)]

    return ctx.lw.generic([x], [init], [identity_map(rank)] * 2, parallel(rank), body)[0]


def lower_add(ctx: Ctx, op: iv.AddOp):
    shape = shape_of(op.lhs)
    rank = len(shape)
    out_elem = op.output.type.element_type
    bits, rounding = op.prop("bits"), op.prop("rounding")
    lu, ru = ctx.operand_unsigned(op.lhs), ctx.operand_unsigned(op.rhs)

    def body(b: Body, a, c, _out):
        ya = _apply_scale(b, b.ext(a, lu), op.prop("lhs_multiplier"), op.prop("lhs_shift"), rounding)
        yc = _apply_scale(b, b.ext(c, ru), op.prop("rhs_multiplier"), op.prop("rhs_shift"), rounding)
        return [b.trunc(b.sat(b.add(ya, yc), bits), out_elem)]

    init = ctx.lw.empty(shape, out_elem)
    return ctx.lw.generic([op.lhs, op.rhs], [init], [identity_map(rank)] * 3, parallel(rank), body)[0]


def lower_quantize(ctx: Ctx, op: iv.QuantizeOp):
    """The input boundary: `sat_b(RNE(x / s))` in f64 (float ops live only in this generic).

    The clamp happens in f64 before `fptosi`, so +-inf and huge values saturate; NaN maps to
    `-2^(b-1)`."""
    shape = shape_of(op.input)
    rank = len(shape)
    out_elem: IntegerType = op.output.type.element_type  # type: ignore[assignment]
    bits, scale = op.prop("bits"), op.prop("scale")
    lim = float((1 << (bits - 1)) - 1)

    def body(b: Body, xv, _out):
        xd = xv if xv.type == f64 else b.op(arith.ExtFOp(xv, f64))
        s = b.op(arith.ConstantOp(FloatAttr(scale, f64), f64))
        q = b.op(arith.DivfOp(xd, s))
        r = b.op(math.RoundEvenOp(q))
        lo = b.op(arith.ConstantOp(FloatAttr(-lim - 1, f64), f64))
        hi = b.op(arith.ConstantOp(FloatAttr(lim, f64), f64))
        # maxnumf/minnumf: a NaN becomes the lower bound (deterministic, not poison)
        r = b.op(arith.MaxnumfOp(r, lo))
        r = b.op(arith.MinnumfOp(r, hi))
        i = b.op(arith.FPToSIOp(r, i64))
        return [b.trunc(i, out_elem)]

    init = ctx.lw.empty(shape, out_elem)
    return ctx.lw.generic([op.input], [init], [identity_map(rank)] * 2, parallel(rank), body,
                          {BOUNDARY: UnitAttr()})[0]


def lower_dequantize(ctx: Ctx, op: iv.DequantizeOp):
    """The output boundary: `float32(q) * float32(scale)`, then cast to the result float type."""
    shape = shape_of(op.input)
    rank = len(shape)
    out_elem = op.output.type.element_type
    unsigned = ctx.operand_unsigned(op.input)
    scale = float(np.float32(op.prop("scale")))

    def body(b: Body, qv, _out):
        wide = b.ext(qv, unsigned)
        f = b.op(arith.SIToFPOp(wide, f32))
        s = b.op(arith.ConstantOp(FloatAttr(scale, f32), f32))
        y = b.op(arith.MulfOp(f, s))
        if out_elem == f64:
            y = b.op(arith.ExtFOp(y, out_elem))
        elif out_elem != f32:  # f16: round the float32 product to nearest-even, as numpy's astype
            y = b.op(arith.TruncFOp(y, out_elem))
        return [y]

    init = ctx.lw.empty(shape, out_elem)
    return ctx.lw.generic([op.input], [init], [identity_map(rank)] * 2, parallel(rank), body,
                          {BOUNDARY: UnitAttr()})[0]


def populate_elementwise(table: dict) -> None:
    table.update({iv.RequantOp: lower_requant, iv.AddOp: lower_add,
                  iv.QuantizeOp: lower_quantize, iv.DequantizeOp: lower_dequantize})

