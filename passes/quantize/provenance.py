"""Which float tensor of the torch graph each intvit result stands for: the `intvit.ref` attribute.

`quantize-to-intvit` tags every intvit op whose result represents a torch value with

    intvit.ref = {value = K : i64, name = "linear_3", scale = array<f64: ...>}

`value`: the torch value's position in the converted function (its arguments, then every op
result in order; `torch_values` enumerates them the same way); `name`: a readable label (the
ATen op and its occurrence); `scale`: the float value of one integer step, one entry per tensor
or one per channel of the last axis, negative for channels stored negated (LayerNorm gamma < 0).
So `int * scale` approximates the FP32 tensor element for element (the per-layer error report,
`runtime/error_report.py`, compares exactly that).  The attribute is discardable: passes that
rebuild an op may drop it, and nothing but reports reads it.

A torch value is represented by the intvit op that computes it (GEMM accumulator, Shiftmax,
ShiftGELU, LayerNorm, residual add, quantize) and by every requant that re-encodes it for a
consumer (the GEMM inputs, the int16 residual operands, the logits).  Pure data movement between
them is looked through when it is the identity on elements (the patch embedding's
reshape/transpose round trip), and never tagged itself.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import DenseArrayBase, DictionaryAttr, IntegerAttr, StringAttr, TensorType, f64, i64
from xdsl.dialects.linalg.ops import TransposeOp
from xdsl.ir import Block, Operation, SSAValue

from intvit.dialects import intvit as iv
from intvit.passes.quantize.qtensor import QTensor

REF = "intvit.ref"
RESHAPES = (tensor.CollapseShapeOp, tensor.ExpandShapeOp, tensor.ReshapeOp)


def torch_values(block: Block) -> list[SSAValue]:
    """The function's values in the order `value = K` counts them."""
    return [*block.args, *(r for op in block.ops for r in op.results)]


def value_names(block: Block) -> dict[SSAValue, str]:
    names: dict[SSAValue, str] = {}
    for i, arg in enumerate(block.args):
        names[arg] = "input" if len(block.args) == 1 else f"input_{i}"
    seen: Counter[str] = Counter()
    for op in block.ops:
        if not op.name.startswith("torch.aten."):
            continue
        kind = op.name.split(".")[2]
        base = f"{kind}_{seen[kind]}"
        seen[kind] += 1
        for j, r in enumerate(op.results):
            names[r] = base if len(op.results) == 1 else f"{base}.{j}"
    return names


def _shape(value: SSAValue) -> list[int] | None:
    typ = value.type
    if isinstance(typ, TensorType):
        return list(typ.get_shape())
    sizes = getattr(typ, "sizes", None)
    return None if sizes is None else [int(s) for s in sizes]


def _movement_root(value: SSAValue) -> tuple[SSAValue, list[Operation]]:
    """Follow reshapes and transposes back to the value they move; the ops, source first."""
    chain: list[Operation] = []
    while isinstance(value.owner, (*RESHAPES, TransposeOp)):
        chain.append(value.owner)
        value = value.owner.operands[0]
    return value, chain[::-1]


def _is_identity(root: SSAValue, chain: list[Operation]) -> bool:
    shape = _shape(root)
    index = np.arange(int(np.prod(shape))).reshape(shape)
    moved = index
    for op in chain:
        out_shape = _shape(op.results[0])
        if isinstance(op, TransposeOp):
            moved = np.transpose(moved, op.permutation.get_values())
        else:
            moved = moved.reshape(out_shape)
    return moved.shape == index.shape and bool(np.all(moved == index))


def _requant_scale(op: iv.RequantOp, source: QTensor) -> np.ndarray:
    """The output scale a requant realizes: `s_in / (m / 2^e)` (one value: its output is per tensor)."""
    m = np.asarray(op.prop("multiplier"), dtype=np.float64)
    e = np.asarray(op.prop("shift"), dtype=np.float64)
    return np.atleast_1d(np.median(np.atleast_1d(source.scale) / (m / np.exp2(e))))


class Provenance:
    """Tags intvit ops with the torch value they stand for, one torch op at a time."""

    def __init__(self, block: Block):
        self.index = {v: k for k, v in enumerate(torch_values(block))}
        self.names = value_names(block)

    def record_argument(self, arg: SSAValue, env: dict) -> None:
        self._tag_result(arg, env[arg])

    def record(self, op: Operation, env: dict, new_ops: list[Operation]) -> None:
        """After `op` was converted (its results in `env`, `new_ops` emitted for it)."""
        for result in op.results:
            q = env.get(result)
            if isinstance(q, QTensor):
                self._tag_result(result, q)
        sources = self._operand_values(op)
        for new in new_ops:
            if isinstance(new, iv.RequantOp) and REF not in new.attributes:
                for value in sources:
                    q = env.get(value)
                    if isinstance(q, QTensor) and q.value == new.input:
                        self._tag(new, value, _requant_scale(new, q), q)
                        break

    @staticmethod
    def _operand_values(op: Operation) -> list[SSAValue]:
        values = []
        for v in op.operands:
            values.append(v)
            if isinstance(v.owner, Operation) and v.owner.name == "torch.prim.ListConstruct":
                values.extend(v.owner.operands)
        return values

    def _tag_result(self, torch_value: SSAValue, q: QTensor) -> None:
        root, chain = _movement_root(q.value)
        owner = root.owner
        if not (isinstance(owner, Operation) and owner.name.startswith("intvit.")) or REF in owner.attributes:
            return
        if _shape(root) != _shape(torch_value) or (chain and not _is_identity(root, chain)):
            return
        self._tag(owner, torch_value, np.atleast_1d(q.scale), q)

    def _tag(self, op: Operation, torch_value: SSAValue, scale: np.ndarray, q: QTensor) -> None:
        if q.axis is not None and q.axis not in (-1, len(_shape(torch_value) or []) - 1):
            return  # a per-channel scale on another axis: no layout this attribute can express
        scale = np.asarray(scale, dtype=np.float64).ravel()
        if q.sign is not None:
            scale = scale * np.asarray(q.sign, dtype=np.float64).ravel()
        op.attributes[REF] = DictionaryAttr({
            "value": IntegerAttr(self.index[torch_value], i64),
            "name": StringAttr(self.names.get(torch_value, f"value_{self.index[torch_value]}")),
            "scale": DenseArrayBase.from_list(f64, [float(s) for s in scale]),
        })
