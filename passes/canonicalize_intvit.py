"""`canonicalize-intvit`: exact folds of requantization chains.

Two roundings in a row are not one rounding in general, so only folds that are exact for every
input are done (each proof is in the pattern's docstring):
  * an identity requant (`m / 2^e == 1`) that cannot clamp its input disappears;
  * an identity requant after a requant merges into it with the narrower bit width;
  * a requant after a non-clamping identity requant reads the original input;
  * two `floor` requants by powers of two merge into one shift.
The same patterns are the canonicalization patterns of `intvit.requant`, so the stock
`canonicalize` pass applies them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from xdsl.transforms.dead_code_elimination import region_dce

from intvit.dialects.intvit import RequantOp, value_range

IDENTITY = (1 << 30, 30)  # the only (m, e) with m in [2^30, 2^31) and m / 2^e == 1


def _per_tensor(op: RequantOp) -> tuple[int, int] | None:
    mults, shifts = op.prop("multiplier"), op.prop("shift")
    return (mults[0], shifts[0]) if len(mults) == 1 else None


def _fits(lo: int, hi: int, bits: int) -> bool:
    return -(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1


def _input_range(op: RequantOp) -> tuple[int, int]:
    return value_range(op.input.type)  # type: ignore[arg-type]


def _never_clamps(op: RequantOp) -> bool:
    """sat_b is the identity on every value of the input type (for an identity requant)."""
    return _fits(*_input_range(op), op.prop("bits"))


class DropIdentityRequant(RewritePattern):
    """`requant(z)` with `m/2^e == 1` is `sat_b(z)` (p/2^e is exact, so every rounding mode
    agrees); if no value of z's type is clamped and the types agree, it is `z`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RequantOp, rewriter: PatternRewriter):
        if _per_tensor(op) == IDENTITY and _never_clamps(op) and op.input.type == op.output.type:
            rewriter.replace(op, [], [op.input])


class MergeOuterIdentity(RewritePattern):
    """`identity_b2(requant_b1(z))` = `sat_b2(sat_b1(r)) = sat_min(b1,b2)(r)`: one requant."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RequantOp, rewriter: PatternRewriter):
        inner = op.input.owner
        if _per_tensor(op) != IDENTITY or not isinstance(inner, RequantOp):
            return
        rewriter.replace(op,
            RequantOp(inner.input, inner.prop("multiplier"), inner.prop("shift"),
                      min(op.prop("bits"), inner.prop("bits")), op.output.type,
                      inner.prop("rounding"), inner.prop("axis"))
        )


class SkipInnerIdentity(RewritePattern):
    """`requant(identity_b1(z))` where the identity never clamps z: the inner op is `z`."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RequantOp, rewriter: PatternRewriter):
        inner = op.input.owner
        if isinstance(inner, RequantOp) and _per_tensor(inner) == IDENTITY and _never_clamps(inner):
            rewriter.replace(op,
                RequantOp(inner.input, op.prop("multiplier"), op.prop("shift"), op.prop("bits"),
                          op.output.type, op.prop("rounding"), op.prop("axis"))
            )


class MergeFloorShifts(RewritePattern):
    """floor(floor(z / 2^a) / 2^b) = floor(z / 2^(a+b)) for integers, so two per-tensor `floor`
    requants by powers of two (m = 2^30) merge when the inner one cannot clamp."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: RequantOp, rewriter: PatternRewriter):
        inner = op.input.owner
        if not isinstance(inner, RequantOp) or "floor" != op.prop("rounding") or "floor" != inner.prop("rounding"):
            return
        outer_s, inner_s = _per_tensor(op), _per_tensor(inner)
        if outer_s is None or inner_s is None or outer_s[0] != 1 << 30 or inner_s[0] != 1 << 30:
            return
        a, b = inner_s[1] - 30, outer_s[1] - 30
        if a < 0 or b < 0 or 30 + a + b > 62:
            return
        lo, hi = _input_range(inner)
        if not _fits(lo >> a, hi >> a, inner.prop("bits")):
            return
        rewriter.replace(op,
            RequantOp(inner.input, [1 << 30], [30 + a + b], op.prop("bits"), op.output.type, "floor")
        )


REQUANT_PATTERNS = (DropIdentityRequant(), MergeOuterIdentity(), SkipInnerIdentity(), MergeFloorShifts())


@dataclass(frozen=True)
class CanonicalizeIntvitPass(ModulePass):
    """Exact folds of requant chains (identity requants, power-of-two floor shifts)."""

    name = "canonicalize-intvit"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(GreedyRewritePatternApplier(list(REQUANT_PATTERNS))).rewrite_module(op)
        # Folded chains leave their inner requants unused; they are Pure, so drop them.
        for func_region in op.regions:
            region_dce(func_region)
