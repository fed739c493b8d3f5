"""What a torch value becomes while `quantize-to-intvit` rewrites a graph, and how to emit it.

A float tensor of the torch graph is represented by one of
  * `QTensor`: an integer SSA value plus its scale (per tensor, or per channel along `axis`);
    `sign` records channels stored negated (LayerNorm with gamma < 0, undone by the next GEMM);
  * `FConst`: a float constant (weights, biases, tokens) not yet quantized: each consumer
    quantizes it the way it needs (per output channel for GEMMs, per tensor for adds);
  * plain Python values for torch scalars and lists.
Requantization is emitted lazily, only when a consumer needs another bit width or a per-tensor
scale, so every requant in the output corresponds to a real change of representation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects import arith, tensor
from xdsl.dialects.linalg.ops import TransposeOp
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    Signedness,
    TensorType,
    i64,
)
from xdsl.ir import Operation, SSAValue

from intvit.dialects import intvit as iv
from intvit.dialects.resources import array_resource
from intvit.runtime.scales import ScaleError, quantize_multiplier


class QuantizeError(ValueError):
    """A graph that cannot be made integer-only; the message names the op and the reason."""


@dataclass
class QTensor:
    value: SSAValue
    scale: np.ndarray  # shape () per tensor, (C,) per channel along `axis`
    bits: int
    axis: int | None = None
    unsigned: bool = False
    sign: np.ndarray | None = None  # +-1 per channel of the last axis, or None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.type.get_shape())  # type: ignore[union-attr]

    @property
    def per_tensor(self) -> bool:
        return self.axis is None


@dataclass
class FConst:
    array: np.ndarray
    name: str = "const"


INT_TYPES = {8: 8, 16: 16, 32: 32}


def container_bits(bits: int) -> int:
    """The storage width of a `bits`-bit value: 4- and 6-bit codes live in int8 (the requant
    saturates them to their range), so every backend keeps its int8 kernels."""
    return next(w for w in (8, 16, 32, 64) if bits <= w)


def int_type(bits: int, unsigned: bool = False) -> IntegerType:
    return IntegerType(container_bits(bits), Signedness.UNSIGNED if unsigned else Signedness.SIGNLESS)


def tensor_type(shape, bits: int, unsigned: bool = False) -> TensorType:
    return TensorType(int_type(bits, unsigned), list(shape))


def symmetric_scale(absmax: float, bits: int) -> float:
    return max(float(absmax) / ((1 << (bits - 1)) - 1), float(np.finfo(np.float32).eps))


@dataclass
class Emitter:
    """Collects the ops of the new function body in order."""

    ops: list[Operation] = field(default_factory=list)
    rounding: str = "half_even"
    counter: int = 0

    def add(self, op: Operation) -> Operation:
        self.ops.append(op)
        return op

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}_{self.counter}"

    # -- constants ---------------------------------------------------------------------------
    def int_constant(self, array: np.ndarray, bits: int, name: str) -> SSAValue:
        typ = tensor_type(array.shape, bits)
        dtype = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}[container_bits(bits)]
        attr = array_resource(self.fresh(name), np.asarray(array).astype(dtype), typ)
        return self.add(arith.ConstantOp(attr, typ)).results[0]

    def quantized_constant(self, const: FConst, bits: int, scale: float | None = None) -> QTensor:
        """A float constant as a per-tensor `bits`-bit tensor (its own absmax scale by default)."""
        if scale is None:
            scale = symmetric_scale(np.max(np.abs(const.array)) if const.array.size else 0.0, bits)
        lim = (1 << (bits - 1)) - 1
        q = np.clip(np.rint(const.array.astype(np.float64) / scale), -lim - 1, lim)
        return QTensor(self.int_constant(q, bits, const.name), np.array(scale), bits)

    # -- requantization ----------------------------------------------------------------------
    def requant(self, q: QTensor, bits: int, scale: float, what: str, twin: int = 0) -> QTensor:
        """Emit `intvit.requant` from q's representation to `bits` bits at per-tensor `scale`
        (with `twin`: PTQ4ViT's twin code, `scale` the fine step, decoded into int8)."""
        ratios = np.atleast_1d(q.scale.astype(np.float64)) / scale
        try:
            pairs = [quantize_multiplier(float(r), what) for r in ratios]
        except ScaleError as err:
            raise QuantizeError(
                f"{what}: cannot requantize from scale {q.scale if q.per_tensor else 'per-channel'} "
                f"to {scale:.6g}: {err}"
            ) from None
        if len(set(pairs)) == 1:
            pairs = pairs[:1]
        axis = -1 if q.axis is None else q.axis
        op = iv.RequantOp(q.value, [m for m, _ in pairs], [e for _, e in pairs], bits,
                          tensor_type(q.shape, bits + twin), self.rounding, axis, twin)
        self.add(op)
        return QTensor(op.output, np.array(scale), bits + twin, sign=q.sign)

    # -- data movement -----------------------------------------------------------------------
    def reshape(self, value: SSAValue, shape) -> SSAValue:
        src = value.type
        assert isinstance(src, TensorType)
        shape = [int(s) for s in shape]
        if list(src.get_shape()) == shape:
            return value
        flat = int(np.prod(shape)) if shape else 1
        elem = src.element_type
        if src.get_num_dims() != 1:
            reassoc = ArrayAttr([ArrayAttr([IntegerAttr(i, i64) for i in range(src.get_num_dims())])])
            value = self.add(
                tensor.CollapseShapeOp.create(
                    operands=[value], result_types=[TensorType(elem, [flat])],
                    properties={"reassociation": reassoc},
                )
            ).results[0]
        if len(shape) == 1:
            return value
        reassoc = ArrayAttr([ArrayAttr([IntegerAttr(i, i64) for i in range(len(shape))])])
        return self.add(
            tensor.ExpandShapeOp(value, [], reassoc, shape, TensorType(elem, shape))
        ).results[0]

    def transpose(self, value: SSAValue, perm) -> SSAValue:
        src = value.type
        assert isinstance(src, TensorType)
        perm = [int(p) for p in perm]
        if perm == list(range(len(perm))):
            return value
        shape = [src.get_shape()[p] for p in perm]
        init = self.add(tensor.EmptyOp([], TensorType(src.element_type, shape))).results[0]
        op = TransposeOp(value, init, DenseArrayBase.from_list(i64, perm))
        return self.add(op).results[0]

    def extract(self, value: SSAValue, offsets, sizes, strides, result_shape) -> SSAValue:
        src = value.type
        assert isinstance(src, TensorType)
        typ = TensorType(src.element_type, list(result_shape))
        return self.add(tensor.ExtractSliceOp(value, offsets, sizes, strides, typ)).results[0]

    def concat(self, values: list[SSAValue], dim: int, result_shape) -> SSAValue:
        first = values[0].type
        assert isinstance(first, TensorType)
        out = self.add(tensor.EmptyOp([], TensorType(first.element_type, list(result_shape)))).results[0]
        offset = 0
        for v in values:
            shape = list(v.type.get_shape())  # type: ignore[union-attr]
            offsets = [0] * len(shape)
            offsets[dim] = offset
            op = tensor.InsertSliceOp.get(v, out, shape, offsets, [1] * len(shape))
            out = self.add(op).results[0]
            offset += shape[dim]
        return out
