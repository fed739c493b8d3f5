"""The `act-bits=6` option of `assign-precision` (a helper of that pass, not a pass itself).

Quasar-ViT's packed path multiplies 4-bit weight halves by 6-bit signed activations (W4A6 /
W8A6), which is what lets three products share one DSP48E2.  The 6-bit requant is made explicit
in the IR, so every backend and the golden model compute the same program: for every
`intvit.matmul` carrying `packing`, the `intvit.requant` producing its lhs goes from 8 to 6 bits
with a 4x coarser output scale (`e + 2`: 8-bit min-max scales hold 127 steps, 6-bit ones 31,
and 4 is the power of two that keeps the rescale an exact shift; values above 31 * 4 steps of
the old scale saturate).  The GEMM then counts in units 4x larger, so each requant of its result
takes `e - 2` and its int32 bias becomes `RNE(bias / 4)` (a copied constant).  This changes the
numbers on purpose (it is the precision the hardware runs), but the IR says so exactly.

Refused, with the op's location: an lhs that is not (through single-use reshapes,
transposes and slices) an 8-bit requant's or quantize's result, a requant with
users other than packed matmuls, a GEMM result feeding anything but requants, shifts leaving
[1, 62].  Already-6-bit inputs are left alone (idempotent).
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.linalg.ops import TransposeOp

from intvit.dialects import intvit as iv

ACT_BITS = (6, 8)
RESCALE = 2  # log2 of the scale ratio between the 8-bit and the 6-bit activation


MOVES = (tensor.CollapseShapeOp, tensor.ExpandShapeOp, tensor.ReshapeOp, tensor.ExtractSliceOp, TransposeOp)


def activation_source(mm: iv.MatmulOp):
    """The requant or quantize whose values reach the lhs, through reshapes, transposes and slices
    (the classifier's CLS token) that each have this one use (so narrowing the source changes nothing else); None otherwise."""
    value = mm.lhs
    while isinstance(value.owner, MOVES) and len(list(value.uses)) == 1:
        value = value.owner.operands[0]
    src = value.owner
    return src if isinstance(src, (iv.RequantOp, iv.QuantizeOp)) else None


def narrow_activations(module: ModuleOp, fail, set_props, rescale_bias) -> None:
    """Apply act-bits=6 to every packed matmul of `module`.  `fail(op, why)` builds the pass's
    located error; `set_props`/`rescale_bias` are assign-precision's own helpers.  The model's
    input `intvit.quantize` narrows the same way (scale x4, bits 6)."""
    packed = [o for o in module.walk() if isinstance(o, iv.MatmulOp) and o.packing is not None]
    sources: dict = {}
    for mm in packed:
        src = activation_source(mm)
        if src is None:
            raise fail(mm, "act-bits=6: the packed matmul's lhs does not come (through reshapes) from an "
                           "intvit.requant or intvit.quantize whose width can change")
        if src.prop("bits") <= 6:
            continue
        if src.prop("bits") != 8:
            raise fail(src, f"act-bits=6: expected 8 bits before a packed matmul, got bits {src.prop('bits')}")
        sources.setdefault(src, []).append(mm)
    for src, mms in sources.items():
        users = [u.operation for u in src.output.uses]
        if len(users) != len(mms) or any(u not in mms and not isinstance(u, MOVES) for u in users):
            raise fail(src, "act-bits=6: this value also feeds ops other than packed matmuls' lhs; "
                            "narrowing it would change them too")
        if isinstance(src, iv.QuantizeOp):
            set_props(src, scale=float(src.prop("scale")) * (1 << RESCALE), bits=6)
        else:
            shifts = np.asarray(src.prop("shift"), dtype=np.int64) + RESCALE
            if shifts.max() > 62:
                raise fail(src, "act-bits=6: the 4x coarser scale pushes a shift above 62")
            set_props(src, shift=shifts.tolist(), bits=6)
        for mm in mms:
            _rescale_consumers(mm, fail, set_props, rescale_bias)


def _rescale_consumers(mm: iv.MatmulOp, fail, set_props, rescale_bias) -> None:
    for use in list(mm.output.uses):
        user = use.operation
        if not isinstance(user, iv.RequantOp):
            raise fail(mm, f"act-bits=6: the GEMM result feeds '{user.name}', which cannot absorb the 4x scale")
        shifts = np.asarray(user.prop("shift"), dtype=np.int64) - RESCALE
        if shifts.min() < 1:
            raise fail(user, "act-bits=6: absorbing the 4x scale pushes a shift below 1")
        set_props(user, shift=shifts.tolist())
    if mm.bias is not None:
        rescale_bias(mm, RESCALE)
