"""`intvit_helper`: scalar codegen helpers, kept apart from the spec ops as TOSA keeps
`tosa.apply_scale` apart from `tosa.rescale`.

`intvit_helper.apply_scale %p, %m, %e rounding half_even : i64` computes `round(p * m / 2^e)`
exactly (NUMERICS.md, Dyadic requantization) on i64 scalars, before saturation.  A backend can
match it (e.g. to a fused multiply-shift instruction) before `expand-intvit-helpers` turns it
into plain `arith`.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import IntegerType, i64
from xdsl.ir import Dialect, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, opt_prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from intvit.dialects.intvit import ROUNDING, RoundingModeAttr
from intvit.dialects.syntax import KeywordSyntaxOp, set_props


@irdl_op_definition
class ApplyScaleOp(KeywordSyntaxOp):
    """`round(value * multiplier / 2^shift)` on i64 with the given rounding mode (no clamp)."""

    name = "intvit_helper.apply_scale"
    SYNTAX: ClassVar = (ROUNDING,)
    value = operand_def(IntegerType)
    multiplier = operand_def(IntegerType)
    shift = operand_def(IntegerType)
    rounding = opt_prop_def(RoundingModeAttr)
    result = result_def(IntegerType)
    traits = traits_def(Pure())

    def __init__(self, value: SSAValue, multiplier: SSAValue, shift: SSAValue, rounding: str = "half_even"):
        super().__init__(operands=[value, multiplier, shift], result_types=[i64],
                         properties=set_props(self.SYNTAX, dict(rounding=rounding)))

    def verify_semantics(self) -> None:
        for v in (*self.operands, self.result):
            if v.type != i64:
                raise VerifyException(f"operands and result must be i64, got {v.type}")


IntvitHelper = Dialect("intvit_helper", [ApplyScaleOp], [])
