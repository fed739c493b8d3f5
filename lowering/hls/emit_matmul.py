"""intvit.matmul -> dense / batch_matmul / dense_packed (dense.h, dsp_pack.h).

A matmul with `#intvit.packing<row_bits, split8, factor>` (assign-precision) runs Quasar-ViT's
row-wise mixed precision: its weight is split here into 4-bit rows (`dsp_packing.nibble_rows`)
and the kernel packs `factor` of them per DSP48E2 multiply.  The packing schemes fix the
activation width (factor 3 and 4: 6-bit, factor 2: 8-bit signed), so the operand's producer is
checked here: the 6-bit requant must be explicit in the IR (`assign-precision{act-bits=6}`).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import TensorType

from intvit.dialects import intvit as iv
from intvit.lowering.hls.dsp_packing import SCHEMES, nibble_rows, pad_rows
from intvit.lowering.hls.emission import Emission, op_error
from intvit.passes.act_bits import activation_source


def emit_matmul(em: Emission, op: iv.MatmulOp) -> None:
    lhs_t, rhs_t = op.lhs.type, op.rhs.type
    assert isinstance(lhs_t, TensorType) and isinstance(rhs_t, TensorType)
    ls, rs = tuple(lhs_t.get_shape()), tuple(rhs_t.get_shape())
    trans = bool(op.prop("transpose_rhs"))
    if len(rs) > 2:
        return _emit_batched(em, op, ls, rs, trans)
    rows = int(np.prod(ls[:-1], dtype=np.int64))
    k, n = ls[-1], (rs[0] if trans else rs[1])
    if op.packing is not None:
        return _emit_packed(em, op, rows, k, n, trans)
    a = em.buffer(op.lhs)
    w = em.buffer(op.rhs)
    bias, bias_t = _bias(em, op, n)
    out = em.define(op.output, op)
    em.call(op, "dense", f"intvit_nnet::dense<{a.ctype}, {w.ctype}, {bias_t}, {out.ctype}, {rows}, {k}, {n}, "
                         f"{'true' if trans else 'false'}>({a.name}, {w.name}, {bias}, {out.name});")


def _bias(em: Emission, op: iv.MatmulOp, n: int) -> tuple[str, str]:
    if op.bias is not None:
        buf = em.buffer(op.bias)
        return buf.name, buf.ctype
    return em.param("zero_bias", "int32_t", np.zeros(n, dtype=np.int64), "no bias"), "int32_t"


def _emit_batched(em: Emission, op: iv.MatmulOp, ls, rs, trans: bool) -> None:
    if op.bias is not None:
        raise op_error(op, "is a batched matmul with a bias: the HLS kernels take bias on 2-D weights only")
    if op.packing is not None:
        raise op_error(op, "carries #intvit.packing on a batched (activation x activation) matmul")
    a, b = em.buffer(op.lhs), em.buffer(op.rhs)
    out = em.define(op.output, op)
    batch = int(np.prod(ls[:-2], dtype=np.int64))
    m, k = ls[-2], ls[-1]
    n = rs[-2] if trans else rs[-1]
    em.call(op, "batch_matmul", f"intvit_nnet::batch_matmul<{a.ctype}, {b.ctype}, {out.ctype}, {batch}, {m}, "
                                f"{k}, {n}, {'true' if trans else 'false'}>({a.name}, {b.name}, {out.name});")


def activation_bits(op: iv.MatmulOp) -> tuple[int, bool] | None:
    """(bits, signed) the lhs is known to hold: its requant's or quantize's `bits` (through
    reshapes, as assign-precision's act-bits finds it), else its element type."""
    producer = activation_source(op)
    if producer is not None:
        return int(producer.prop("bits")), True
    typ = op.lhs.type
    elem = typ.element_type  # type: ignore[union-attr]
    return elem.width.data, elem.signedness.data.name != "UNSIGNED"  # type: ignore[union-attr]


def check_packable(em: Emission, op: iv.MatmulOp, factor: int) -> None:
    if factor not in SCHEMES:
        raise op_error(op, f"has packing factor {factor}; the DSP schemes are factors {sorted(SCHEMES)}")
    if factor > 1 and em.dsp_kind != "DSP48E2":
        raise op_error(op, f"has packing factor {factor}, which needs DSP48E2 slices (27 x 18 -> 48 bits); "
                           f"part {em.part} has {em.dsp_kind}: use factor=1 or an UltraScale(+) part")
    if not bool(op.packing.split8.value.data):  # type: ignore[union-attr]
        raise op_error(op, "has packing with split8 = false: the HLS kernels compute 8-bit rows as two 4-bit halves")
    bits, signed = activation_bits(op)  # type: ignore[misc]
    want = SCHEMES[factor].act_bits
    if not signed and factor > 1:
        raise op_error(op, f"packs factor {factor} but its lhs is unsigned: the packed path takes signed activations")
    if bits > want:
        hint = " (run assign-precision{act-bits=6} to requantize its input to 6 bits)" if want == 6 else ""
        raise op_error(op, f"packs factor {factor}, which takes activations of at most {want} bits, but its lhs "
                           f"holds {bits}-bit values{hint}")


def _emit_packed(em: Emission, op: iv.MatmulOp, rows: int, k: int, n: int, trans: bool) -> None:
    packing = op.packing
    factor = int(packing.factor.data)  # type: ignore[union-attr]
    check_packable(em, op, factor)
    weight = em.constant_value(op.rhs)
    if weight is None:
        raise op_error(op, "carries #intvit.packing but its weight is not a constant")
    w_rows = weight if trans else weight.T
    row_bits = [int(b) for b in packing.row_bits.get_values()]  # type: ignore[union-attr]
    try:
        nib, chan, shift = pad_rows(*nibble_rows(w_rows, row_bits), 2 if factor == 4 else factor)
    except ValueError as err:
        raise op_error(op, f"packing does not match its weight: {err}") from None
    a = em.buffer(op.lhs)
    bias, bias_t = _bias(em, op, n)
    out = em.define(op.output, op)
    r = nib.shape[0]
    nib_name = em.weight("nib", "int8_t", nib,
                         f"{r} 4-bit rows of a [{n}, {k}] weight ({row_bits.count(4)} 4-bit channels)")
    chan_name = em.param("chan", "uint16_t", chan, "output channel of each 4-bit row")
    shift_name = em.param("nshift", "uint8_t", shift, "4: high nibble of an 8-bit weight")
    spacing = SCHEMES[factor].spacing
    args = f"({a.name}, {nib_name}, {chan_name}, {shift_name}, {bias}, {out.name});"
    if factor == 4:
        em.call(op, "dense_packed", f"intvit_nnet::dense_packed_2x2<{a.ctype}, {bias_t}, {out.ctype}, {rows}, {k}, {r}, "
                                    f"{n}, {spacing}>" + args)
    else:
        em.call(op, "dense_packed", f"intvit_nnet::dense_packed<{a.ctype}, {bias_t}, {out.ctype}, {rows}, {k}, {r}, {n}, "
                                    f"{factor}, {max(spacing, 1)}>" + args)
