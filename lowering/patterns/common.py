"""What every lowering pattern shares: operand access with intvit's signedness, result types."""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects.builtin import IntegerType, Signedness, TensorType
from xdsl.ir import SSAValue
from xdsl.utils.exceptions import DiagnosticException

from intvit.lowering.builders import Lowerer


class LoweringError(DiagnosticException):
    pass


def signless(typ: TensorType) -> TensorType:
    """Upstream arith works on signless integers: `ui8` storage becomes `i8` (same bits)."""
    elem = typ.element_type
    if isinstance(elem, IntegerType) and elem.signedness.data != Signedness.SIGNLESS:
        return TensorType(IntegerType(elem.width.data), typ.get_shape())
    return typ


def is_unsigned(value: SSAValue) -> bool:
    elem = value.type.element_type  # type: ignore[union-attr]
    return isinstance(elem, IntegerType) and elem.signedness.data == Signedness.UNSIGNED


@dataclass
class Ctx:
    """Per-op lowering state: the Lowerer and which operand values carry unsigned data."""

    lw: Lowerer
    unsigned: set[SSAValue] = field(default_factory=set)

    def operand_unsigned(self, value: SSAValue) -> bool:
        return value in self.unsigned or is_unsigned(value)


def shape_of(value: SSAValue) -> list[int]:
    return list(value.type.get_shape())  # type: ignore[union-attr]


def elem_of(value: SSAValue) -> IntegerType:
    return value.type.element_type  # type: ignore[union-attr,return-value]
