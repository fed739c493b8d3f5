"""The state one firmware emission builds: buffers, parameters, weights and the top's body.

Every tensor is a flat row-major array (`static` inside the top function, so HLS maps it to
BRAM/URAM and C simulation keeps it off the stack); reshapes alias their operand's array.  The
per-family emit functions (`emit_*.py`) append calls into `intvit_nnet` and register the
constants they need: small per-op tables (requant `(m, e)`, LayerNorm biases) go to
`parameters.h`, weight tensors to `weights/<name>.h` (or `.txt` for large models).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import FileLineColLoc, IntegerType, Signedness, TensorType
from xdsl.ir import Operation, SSAValue

from intvit.lowering.target import TargetError


def location_of(op: Operation) -> str:
    loc = op.location
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}: "
    return ""


def op_error(op: Operation, message: str) -> TargetError:
    return TargetError(f"{location_of(op)}error: hls-cpp: '{op.name}' {message}")


def element_ctype(typ: TensorType, op: Operation | None = None) -> str:
    elem = typ.element_type
    if isinstance(elem, IntegerType):
        w = elem.width.data
        if not 2 <= w <= 64:
            raise op_error(op, f"has an element type {elem} the HLS types do not take") if op else TargetError(str(elem))
        return f"ap_uint<{w}>" if elem.signedness.data == Signedness.UNSIGNED else f"ap_int<{w}>"
    if str(elem) == "f32":
        return "float"
    if op is not None:
        raise op_error(op, f"has element type {elem}: only integers (and f32 at the quantize/dequantize boundary)")
    raise TargetError(f"unsupported element type {elem}")


@dataclass
class Buffer:
    name: str
    shape: tuple[int, ...]
    ctype: str

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1


@dataclass
class Weight:
    name: str
    ctype: str
    values: np.ndarray
    comment: str = ""


@dataclass
class Emission:
    top: str
    buffers: dict[SSAValue, Buffer] = field(default_factory=dict)
    declared: list[Buffer] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    weights: list[Weight] = field(default_factory=list)
    families: dict[str, int] = field(default_factory=dict)
    counter: int = 0
    part: str = ""
    dsp_kind: str = "DSP48E2"
    # arith.constant results, materialized as a weight array on their first unpacked use
    constants: dict[SSAValue, tuple[np.ndarray, str, str]] = field(default_factory=dict)

    def constant_value(self, value: SSAValue) -> np.ndarray | None:
        found = self.constants.get(value)
        return None if found is None else found[0]

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def buffer(self, value: SSAValue) -> Buffer:
        if value not in self.buffers and value in self.constants:
            array, ctype, comment = self.constants[value]
            name = self.weight("w", ctype, array, comment)
            self.buffers[value] = Buffer(name, tuple(array.shape), ctype)
        if value not in self.buffers:
            raise TargetError(f"hls-cpp: value {value} is used before it is defined")
        return self.buffers[value]

    def define(self, value: SSAValue, op: Operation) -> Buffer:
        typ = value.type
        if not isinstance(typ, TensorType):
            raise op_error(op, f"produces {typ}: the HLS target handles ranked tensors only")
        buf = Buffer(self.fresh("v"), tuple(typ.get_shape()), element_ctype(typ, op))
        self.buffers[value] = buf
        self.declared.append(buf)
        return buf

    def alias(self, value: SSAValue, source: Buffer) -> None:
        typ = value.type
        assert isinstance(typ, TensorType)
        self.buffers[value] = Buffer(source.name, tuple(typ.get_shape()), source.ctype)

    def param(self, prefix: str, ctype: str, values, comment: str = "") -> str:
        name = self.fresh(prefix)
        flat = [int(v) for v in np.asarray(values).reshape(-1)]
        body = ", ".join(str(v) for v in flat)
        note = f"  // {comment}" if comment else ""
        self.params.append(f"static const {ctype} {name}[{len(flat)}] = {{{body}}};{note}")
        return name

    def weight(self, prefix: str, ctype: str, values: np.ndarray, comment: str = "") -> str:
        name = self.fresh(prefix)
        self.weights.append(Weight(name, ctype, np.asarray(values, dtype=np.int64).reshape(-1), comment))
        return name

    def call(self, op: Operation, family: str, line: str) -> None:
        self.families[family] = self.families.get(family, 0) + 1
        where = location_of(op).rstrip(": ")
        self.body.append(f"    // {op.name}{' at ' + where if where else ''}")
        self.body.append(f"    {line}")


def three_axis_view(shape: tuple[int, ...], axis: int) -> tuple[int, int, int]:
    """[OUTER, C, INNER] of a row-major shape around `axis` (the kernels' row layout)."""
    axis %= max(len(shape), 1)
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return outer, int(shape[axis]), inner
