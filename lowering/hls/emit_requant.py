"""intvit.requant and intvit.add -> intvit_nnet::requant / intvit_nnet::add (requant.h)."""

from __future__ import annotations

from intvit.dialects import intvit as iv
from intvit.lowering.hls.emission import Emission, op_error, three_axis_view

# every mode of NUMERICS.md has an exact kernel; a mode missing here is refused at compile time
ROUNDING = {"half_even": "HALF_EVEN", "half_up": "HALF_UP", "half_away": "HALF_AWAY",
            "double_round": "DOUBLE_ROUND", "floor": "FLOOR"}


def rounding_enum(op, mode: str) -> str:
    if mode not in ROUNDING:
        raise op_error(op, f"uses rounding mode '{mode}', which the HLS kernels do not implement "
                           f"(supported: {', '.join(ROUNDING)})")
    return f"intvit_nnet::{ROUNDING[mode]}"


def emit_requant(em: Emission, op: iv.RequantOp) -> None:
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    mults, shifts = list(op.prop("multiplier")), list(op.prop("shift"))
    if len(mults) == 1:
        outer, ch, inner = 1, 1, src.size
    else:
        outer, ch, inner = three_axis_view(src.shape, op.prop("axis"))
    mode = rounding_enum(op, op.prop("rounding"))
    m = em.param("m", "int32_t", mults, "requant multipliers")
    e = em.param("e", "uint8_t", shifts, "requant shifts")
    em.call(op, "requant", f"intvit_nnet::requant<{src.ctype}, {out.ctype}, {outer}, {ch}, {inner}, "
                           f"{op.prop('bits')}, {mode}>({src.name}, {out.name}, {m}, {e});")


def emit_add(em: Emission, op: iv.AddOp) -> None:
    a, b = em.buffer(op.lhs), em.buffer(op.rhs)
    out = em.define(op.output, op)
    mode = rounding_enum(op, op.prop("rounding"))
    em.call(op, "add", f"intvit_nnet::add<{a.ctype}, {b.ctype}, {out.ctype}, {out.size}, {op.prop('bits')}, "
                       f"{mode}>({a.name}, {b.name}, {out.name}, {op.prop('lhs_multiplier')}, "
                       f"{op.prop('lhs_shift')}, {op.prop('rhs_multiplier')}, {op.prop('rhs_shift')});")
