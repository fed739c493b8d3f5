"""intvit.shiftmax / shiftgelu / layernorm / isqrt -> nonlinear.h and layernorm.h kernels.

The compile-time constants (`x0` from the scale, LayerNorm's integer bias) are computed here
with the same functions the golden model uses, so the kernels see exactly its integers.
"""

from __future__ import annotations

import numpy as np

from intvit.dialects import intvit as iv
from intvit.lowering.hls.emission import Emission, op_error, three_axis_view
from intvit.runtime.scales import shiftgelu_x0, shiftmax_x0


def emit_shiftmax(em: Emission, op: iv.ShiftmaxOp) -> None:
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    outer, c, inner = three_axis_view(src.shape, op.prop("axis"))
    x0 = shiftmax_x0(op.prop("scale"))
    sat = "true" if op.prop("saturate") else "false"
    em.call(op, "shiftmax", f"intvit_nnet::shiftmax<{src.ctype}, {out.ctype}, {outer}, {c}, {inner}, "
                            f"{op.prop('bits')}, {sat}>({src.name}, {out.name}, {x0});")


def emit_shiftgelu(em: Emission, op: iv.ShiftgeluOp) -> None:
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    outer, c, inner = three_axis_view(src.shape, op.prop("axis"))
    paper = bool(op.prop("paper_shifts"))
    x0 = shiftgelu_x0(op.prop("scale"), paper)
    em.call(op, "shiftgelu", f"intvit_nnet::shiftgelu<{src.ctype}, {out.ctype}, {outer}, {c}, {inner}, "
                             f"{'true' if paper else 'false'}>({src.name}, {out.name}, {x0});")


def _exact_isqrt(op, mode) -> None:
    if mode is not None and str(mode) != "exact":
        raise op_error(op, f"uses isqrt mode '{mode}': the HLS kernels implement only 'exact' "
                           "(the I-ViT compatibility mode is refused, not approximated)")


def emit_layernorm(em: Emission, op: iv.LayernormOp) -> None:
    _exact_isqrt(op, op.prop("isqrt_mode"))
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    outer, c, inner = three_axis_view(src.shape, op.prop("axis"))
    bias = em.param("ln_bias", "int32_t", op.prop("bias"), "I-LayerNorm integer bias")
    const = op.prop("const_channels")
    flags = np.zeros(c, dtype=np.int64) if const is None else np.asarray(const, dtype=np.int64)
    is_const = em.param("ln_const", "bool", flags, "gamma == 0 channels")
    em.call(op, "layernorm", f"intvit_nnet::layernorm<{src.ctype}, {out.ctype}, {outer}, {c}, {inner}>"
                             f"({src.name}, {out.name}, {bias}, {is_const});")


def emit_isqrt(em: Emission, op: iv.IsqrtOp) -> None:
    _exact_isqrt(op, op.prop("mode"))
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    em.call(op, "isqrt", f"intvit_nnet::isqrt<{src.ctype}, {out.ctype}, {out.size}>({src.name}, {out.name});")
