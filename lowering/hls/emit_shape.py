"""Data movement outside intvit (tensor.*, linalg.transpose) -> shape.h, and the constants.

Reshapes alias (every buffer is flat row-major); `tensor.empty` allocates; a transpose or a
slice is one strided copy; `tensor.insert_slice` copies its destination, then writes the slice.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import arith, tensor
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr, TensorType
from xdsl.dialects.linalg.ops import TransposeOp

from intvit.lowering.hls.emission import Emission, element_ctype, op_error


def emit_reshape(em: Emission, op) -> None:
    em.alias(op.results[0], em.buffer(op.operands[0]))


def emit_empty(em: Emission, op: tensor.EmptyOp) -> None:
    em.define(op.tensor, op)


def emit_transpose(em: Emission, op: TransposeOp) -> None:
    src = em.buffer(op.inputs[0])
    out = em.define(op.results[0], op)
    perm = list(op.permutation.get_values())
    shape = em.param("shape", "int", src.shape, "transpose input shape")
    perm_name = em.param("perm", "int", perm, "permutation")
    em.call(op, "transpose", f"intvit_nnet::transpose<{src.ctype}, {out.ctype}, {len(perm)}, {src.size}>"
                             f"({src.name}, {out.name}, {shape}, {perm_name});")


def _static_slice(em: Emission, op, shape) -> tuple[str, str, str, str]:
    if op.offsets or op.sizes or op.strides:
        raise op_error(op, "has dynamic offsets, sizes or strides: the HLS target needs static slices")
    return (em.param("shape", "int", shape, "full tensor shape"),
            em.param("offs", "int", op.static_offsets.get_values()),
            em.param("sizes", "int", op.static_sizes.get_values()),
            em.param("strides", "int", op.static_strides.get_values()))


def emit_extract_slice(em: Emission, op: tensor.ExtractSliceOp) -> None:
    src = em.buffer(op.source)
    out = em.define(op.result, op)
    shape, offs, sizes, strides = _static_slice(em, op, src.shape)
    em.call(op, "slice", f"intvit_nnet::extract_slice<{src.ctype}, {out.ctype}, {len(src.shape)}, {src.size}, {out.size}>"
                         f"({src.name}, {out.name}, {shape}, {offs}, {sizes}, {strides});")


def emit_insert_slice(em: Emission, op: tensor.InsertSliceOp) -> None:
    src, dest = em.buffer(op.source), em.buffer(op.dest)
    out = em.define(op.result, op)
    shape, offs, sizes, strides = _static_slice(em, op, dest.shape)
    em.call(op, "slice", f"intvit_nnet::copy<{dest.ctype}, {out.ctype}, {dest.size}>({dest.name}, {out.name});")
    em.call(op, "slice", f"intvit_nnet::insert_slice<{src.ctype}, {out.ctype}, {len(dest.shape)}, {src.size}, {dest.size}>"
                         f"({src.name}, {out.name}, {shape}, {offs}, {sizes}, {strides});")


def constant_ctype(ap_type: str) -> str:
    """The plain C integer type of a constant table (see types.h: why not ap_int)."""
    if ap_type == "float":
        return ap_type
    width = int(ap_type[ap_type.index("<") + 1:-1])
    size = next(s for s in (8, 16, 32, 64) if width <= s)
    return f"{'u' if ap_type.startswith('ap_uint') else ''}int{size}_t"


def emit_constant(em: Emission, op: arith.ConstantOp) -> None:
    from intvit.dialects.resources import resource_array

    typ = op.result.type
    if not isinstance(typ, TensorType):
        raise op_error(op, f"is a scalar constant of type {typ}: the HLS target handles tensor constants")
    ctype = constant_ctype(element_ctype(typ, op))
    if ctype == "float":
        raise op_error(op, "is a float constant: the HLS firmware is integer-only inside the boundary")
    value = op.value
    if isinstance(value, DenseIntOrFPElementsAttr):
        data = np.asarray(value.get_values(), dtype=np.int64)
        array = np.broadcast_to(data.reshape(-1)[0], typ.get_shape()).copy() if data.size == 1 else data
    elif isinstance(value, DenseResourceAttr):
        module = op.get_toplevel_object()
        array = np.asarray(resource_array(value, typ, module), dtype=np.int64)
    else:
        raise op_error(op, f"has an unsupported constant {type(value).__name__}")
    hint = value.resource_handle.data if isinstance(value, DenseResourceAttr) else "dense"
    em.constants[op.result] = (array.reshape(typ.get_shape()), ctype, f"{hint} {list(typ.get_shape())}")
