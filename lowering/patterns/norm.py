"""Integer square root and I-LayerNorm (NUMERICS.md).

`isqrt` (exact mode) lowers to the bit-by-bit method (`width / 2` compare/subtract steps, no
division: it vectorizes, and a divider is the most expensive unit of a CPU or an FPGA).  An op
that names `iterations` asks for the Newton hardware form: the fixed-count steps
`x = min(x, (x + v/x) >> 1)` from `x0 = 2^ceil(ceil(log2 v)/2)`, equal to the data-dependent
loop for every input when the count is at least `isqrt_required_iterations(width)`.  Both are
tested exhaustively on edges and on millions of random values.  Unsigned 64-bit values use
unsigned division and shifts.  `ivit` mode is I-ViT's 10 plain steps from 2^16.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerType, TensorType, i64

from intvit.dialects import intvit as iv
from intvit.lowering.builders import Body, dims_map, identity_map, parallel
from intvit.lowering.patterns.common import Ctx, shape_of
from intvit.runtime.golden import isqrt_required_iterations


def _bit_length(b: Body, v):
    """bit_length of an unsigned i64 by binary search (no ctlz needed)."""
    length = b.const(0)
    for step in (32, 16, 8, 4, 2, 1):
        big = b.cmp("uge", v, 1 << step)
        length = b.add(length, b.select(big, step, 0))
        v = b.select(big, b.shru(v, step), v)
    return b.add(length, b.bool_to_i64(b.cmp("ne", v, 0)))


def isqrt_digits(b: Body, v, width: int = 64):
    """floor(sqrt(v)) for unsigned v < 2^width, bit by bit (two result bits of v per step):
    no division, so it vectorizes; exact for every input like the Newton form."""
    res = b.const(0)
    for i in range(width // 2):
        bit = 1 << (width - 2 - 2 * i)
        trial = b.add(res, bit)
        fits = b.cmp("uge", v, trial)
        v = b.select(fits, b.sub(v, trial), v)
        half = b.shru(res, 1)
        res = b.select(fits, b.add(half, bit), half)
    return res


def isqrt_scalar(b: Body, v, mode: str = "exact", iterations: int | None = None, width: int = 64):
    if mode == "ivit":
        x = b.const(1 << 16)
        for _ in range(10):
            is_zero = b.cmp("eq", x, 0)
            safe = b.select(is_zero, 1, x)
            x = b.select(is_zero, 0, b.shru(b.add(x, b.divu(v, safe)), 1))
        return x
    if iterations is None:
        return isqrt_digits(b, v, width)
    length = _bit_length(b, v)
    is_pow2 = b.cmp("eq", b.andi(v, b.sub(v, 1)), 0)
    ceil_log2 = b.maxs(b.sub(length, b.bool_to_i64(is_pow2)), 0)
    x = b.shl(1, b.shru(b.add(ceil_log2, 1), 1))
    for _ in range(iterations if iterations is not None else isqrt_required_iterations(width)):
        safe = b.select(b.cmp("eq", x, 0), 1, x)
        x = b.minu(x, b.shru(b.add(x, b.divu(v, safe)), 1))
    return x


def lower_isqrt(ctx: Ctx, op: iv.IsqrtOp):
    shape = shape_of(op.input)
    rank = len(shape)
    elem: IntegerType = op.input.type.element_type  # type: ignore[assignment]
    width = elem.width.data
    signless = IntegerType(width)

    def body(b: Body, v, _o):
        wide = b.ext(v, unsigned=True)  # the value is non-negative: zero-extend
        return [b.trunc(isqrt_scalar(b, wide, op.prop("mode"), op.prop("iterations"), width), signless)]

    return ctx.lw.generic([op.input], [ctx.lw.empty(shape, signless)], [identity_map(rank)] * 2,
                          parallel(rank), body)[0]


def lower_layernorm(ctx: Ctx, op: iv.LayernormOp):
    x = op.input
    shape = shape_of(x)
    rank = len(shape)
    axis = op.prop("axis") % rank
    c = shape[axis]
    kept = [d for d in range(rank) if d != axis]
    unsigned = ctx.operand_unsigned(x)
    full, row = identity_map(rank), dims_map(rank, kept)
    rows = [shape[d] for d in kept]

    total = ctx.lw.reduce(x, axis, i64, 0, lambda b, acc, v: b.add(acc, v),
                          element=lambda b, xv: b.ext(xv, unsigned))

    def rne_mean(b: Body, s, _o):
        q = b.floordiv(s, c)
        twice = b.mul(b.sub(s, b.mul(q, c)), 2)
        up = b.ori(b.cmp("sgt", twice, c), b.andi(b.cmp("eq", twice, c), b.cmp("eq", b.andi(q, 1), 1)))
        return [b.add(q, b.bool_to_i64(up))]

    mean = ctx.lw.generic([total], [ctx.lw.empty(rows, i64)], [identity_map(rank - 1)] * 2,
                          parallel(rank - 1), rne_mean)[0]

    def square(b: Body, xv, m):
        y = b.sub(b.ext(xv, unsigned), m)
        return b.mul(y, y)

    var = ctx.lw.reduce(x, axis, i64, 0, lambda b, acc, v: b.add(acc, v), extra=[mean], element=square)
    mode, iters = op.prop("isqrt_mode"), op.prop("isqrt_iterations")
    factor = ctx.lw.generic(
        [var], [ctx.lw.empty(rows, i64)], [identity_map(rank - 1)] * 2, parallel(rank - 1),
        lambda b, v, _o: [b.divs(1 << 31, b.maxs(isqrt_scalar(b, v, mode, iters, 64), 1))],
    )[0]
    bias = list(op.prop("bias"))
    const = op.prop("const_channels") or [0] * c
    table_t = TensorType(i64, [c])
    bias_t = ctx.lw.constant(DenseIntOrFPElementsAttr.from_list(table_t, bias), table_t)
    keep_t = ctx.lw.constant(DenseIntOrFPElementsAttr.from_list(table_t, [0 if k else 1 for k in const]), table_t)
    out_elem = op.output.type.element_type

    def out_body(b: Body, xv, m, f, bv, keep, _o):
        yn = b.shrs(b.mul(b.sub(b.ext(xv, unsigned), m), f), 1)
        return [b.trunc(b.sat(b.add(b.mul(yn, keep), bv), 32), out_elem)]

    chan = dims_map(rank, [axis])
    return ctx.lw.generic([x, mean, factor, bias_t, keep_t], [ctx.lw.empty(shape, out_elem)],
                          [full, row, row, chan, chan, full], parallel(rank), out_body)[0]


def populate_norm(table: dict) -> None:
    table.update({iv.IsqrtOp: lower_isqrt, iv.LayernormOp: lower_layernorm})
