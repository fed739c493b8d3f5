"""intvit.quantize / intvit.dequantize -> boundary.h: the only float arithmetic.

Scales are written as hexadecimal floating literals, so the kernel divides by exactly the
double the golden model divides by (and multiplies by exactly its float32)."""

from __future__ import annotations

import numpy as np

from intvit.dialects import intvit as iv
from intvit.lowering.hls.emission import Emission, op_error


def emit_quantize(em: Emission, op: iv.QuantizeOp) -> None:
    src = em.buffer(op.input)
    if src.ctype != "float":
        raise op_error(op, f"quantizes {src.ctype}: the HLS boundary takes f32 inputs")
    out = em.define(op.output, op)
    scale = float(op.prop("scale")).hex()
    em.call(op, "quantize", f"intvit_nnet::quantize<float, {out.ctype}, {out.size}, {op.prop('bits')}>"
                            f"({src.name}, {out.name}, {scale});")


def emit_dequantize(em: Emission, op: iv.DequantizeOp) -> None:
    src = em.buffer(op.input)
    out = em.define(op.output, op)
    if out.ctype != "float":
        raise op_error(op, "must produce f32 for the HLS boundary")
    scale = float(np.float32(op.prop("scale"))).hex()
    em.call(op, "dequantize", f"intvit_nnet::dequantize<{src.ctype}, float, {out.size}>"
                              f"({src.name}, {out.name}, {scale}f);")
