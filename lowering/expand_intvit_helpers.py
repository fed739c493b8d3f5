"""`expand-intvit-helpers`: `intvit_helper.apply_scale` -> `arith` on i64.

`p = x * m` is exact in i64 (|x| <= 2^31, m < 2^31).  With `q = p >> e` (floor) and the
remainder `r = p - (q << e)` in `[0, 2^e)`, each rounding mode only decides whether to add one:
  floor: never; half_up: r >= 2^(e-1); half_even: r > half, or r == half and q odd;
  half_away: r > half, or r == half and p >= 0;
  double_round (TOSA): q + ((r + half + bump) >> e), bump = +-2^30 by sign of p when e > 31.
This avoids forming `p + 2^(e-1)`, the same derivation as `runtime.golden.rounding_shift`.
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


def expand_apply_scale(b: Body, x, m, e, mode: str):
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
