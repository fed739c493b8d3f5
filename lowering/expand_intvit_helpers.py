"""`expand-intvit-helpers`: `intvit_helper.apply_scale` -> `arith` on i64.

`p = x * m` is exact in i64 (|x| <= 2^32, 0 <= m < 2^31, the helper's contract).  Two forms:

* narrow `x` (an `extsi` from at most 32 bits or an `extui` from at most 31): |p| < 2^62, so
  `p + 2^(e-1)` cannot overflow and each mode is one rounding offset before the floor shift,
  as TOSA's `apply_scale_32` and gemmlowp do:
    floor: p >> e;  half_up: (p + half) >> e;  half_away: (p + half + (p >> 63)) >> e;
    half_even: (p + (half - 1) + ((p >> e) & 1)) >> e;
    double_round: (p + half + bump) >> e, bump = +-2^30 by sign of p when e > 31;
* any other `x` (a wide unsigned value, an i64 argument): with `q = p >> e` and the remainder
  `r = p - (q << e)` in `[0, 2^e)`, each mode only decides whether to add one to `q`
  (half_up: r >= half; half_even: r > half, or r == half and q odd; half_away: r > half, or
  r == half and p >= 0; double_round: q + ((r + half + bump) >> e)): never forms `p + half`,
  the same derivation as `runtime.golden.rounding_shift`.

Both are exact and equal; the narrow form is about half the instructions of the other, which
matters because a requant runs on every element between two GEMMs.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from intvit.dialects.intvit_helper import ApplyScaleOp
from intvit.lowering.builders import Body


def is_narrow(x) -> bool:
    """x is a sign extension of at most 32 bits or a zero extension of at most 31."""
    from xdsl.dialects import arith
    from xdsl.dialects.builtin import IntegerType
    from xdsl.ir import OpResult

    if not isinstance(x, OpResult) or not isinstance(x.op, (arith.ExtSIOp, arith.ExtUIOp)):
        return False
    src = x.op.input.type
    limit = 32 if isinstance(x.op, arith.ExtSIOp) else 31
    return isinstance(src, IntegerType) and src.width.data <= limit


def _constant(v) -> int | None:
    from xdsl.dialects import arith
    from xdsl.dialects.builtin import IntegerAttr
    from xdsl.ir import OpResult

    if isinstance(v, OpResult) and isinstance(v.op, arith.ConstantOp) and isinstance(v.op.value, IntegerAttr):
        return v.op.value.value.data
    return None


def expand_narrow(b: Body, x, m, e, mode: str):
    p = b.mul(x, m)
    if mode == "floor":
        return b.shrs(p, e)
    shift = _constant(e)
    half = b.shl(1, b.sub(e, 1)) if shift is None else b.const(1 << (shift - 1))
    if mode == "half_even" and shift is not None:
        odd = b.andi(b.shrs(p, e), 1)
        return b.shrs(b.add(b.add(p, b.const((1 << (shift - 1)) - 1)), odd), e)
    if mode == "half_up":
        return b.shrs(b.add(p, half), e)
    if mode == "half_away":
        return b.shrs(b.add(b.add(p, half), b.shrs(p, 63)), e)
    if mode == "half_even":
        odd = b.andi(b.shrs(p, e), 1)
        return b.shrs(b.add(b.add(p, b.sub(half, 1)), odd), e)
    if mode == "double_round":
        nonneg = b.cmp("sge", p, 0)
        bump = b.select(b.cmp("sgt", e, 31), b.select(nonneg, 1 << 30, -(1 << 30)), 0)
        return b.shrs(b.add(b.add(p, half), bump), e)
    raise ValueError(f"unknown rounding mode {mode}")


def expand_apply_scale(b: Body, x, m, e, mode: str):
    if is_narrow(x):
        return expand_narrow(b, x, m, e, mode)
    p = b.mul(x, m)
    q = b.shrs(p, e)
    if mode == "floor":
        return q
    r = b.sub(p, b.shl(q, e))
    half = b.shl(1, b.sub(e, 1))
    if mode == "half_up":
        return b.add(q, b.bool_to_i64(b.cmp("sge", r, half)))
    if mode == "double_round":
        nonneg = b.cmp("sge", p, 0)
        bump = b.select(b.cmp("sgt", e, 31), b.select(nonneg, 1 << 30, -(1 << 30)), 0)
        return b.add(q, b.shrs(b.add(b.add(r, half), bump), e))
    tie = b.cmp("eq", r, half)
    above = b.cmp("sgt", r, half)
    if mode == "half_even":
        tie_up = b.cmp("eq", b.andi(q, 1), 1)
    elif mode == "half_away":
        tie_up = b.cmp("sge", p, 0)
    else:
        raise ValueError(f"unknown rounding mode {mode}")
    return b.add(q, b.bool_to_i64(b.ori(above, b.andi(tie, tie_up))))


class ExpandApplyScale(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: ApplyScaleOp, rewriter: PatternRewriter):
        scratch = Block()
        result = expand_apply_scale(Body(scratch), op.value, op.multiplier, op.shift, op.prop("rounding"))
        ops = list(scratch.ops)
        for inner in ops:
            inner.detach()
        rewriter.replace(op, ops, [result])


@dataclass(frozen=True)
class ExpandIntvitHelpersPass(ModulePass):
    """Expand intvit_helper.apply_scale into i64 arith (multiply, shifts, rounding, select)."""

    name = "expand-intvit-helpers"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(ExpandApplyScale()).rewrite_module(op)
