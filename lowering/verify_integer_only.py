"""`verify-integer-only`: fail, with the op's location, if a float survives outside the boundary.

Allowed floats: the function's float arguments and results (the image in, the logits out),
everything inside a `linalg.generic` marked `intvit.boundary` (what `intvit.quantize` and
`intvit.dequantize` lower to), and the `tensor.empty` inits used only by such generics.  Any other
float type (scalar, tensor, memref, vector) or float op, and any `intvit` op left unlowered, is an
error: a compiled model must touch integers only.  `intvit_helper` ops are integer-only and
allowed (a backend may consume them before `expand-intvit-helpers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import AnyFloat, ContainerType, ModuleOp
from xdsl.dialects.linalg.ops import GenericOp
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.lowering.patterns.elementwise import BOUNDARY
from intvit.dialects.located_parser import location_of


def _is_float(typ: Attribute) -> bool:
    """A float scalar, or a tensor/memref/vector/complex of floats."""
    if isinstance(typ, ContainerType):
        typ = typ.get_element_type()
    return isinstance(typ, AnyFloat)


def _is_boundary(op: Operation | None) -> bool:
    """Only a `linalg.generic` can be a boundary: marking any other op does not exempt it."""
    return isinstance(op, GenericOp) and BOUNDARY in op.attributes


def _inside_boundary(op: Operation) -> bool:
    parent = op.parent_op()
    while parent is not None:
        if _is_boundary(parent):
            return True
        parent = parent.parent_op()
    return False


def first_violation(module: ModuleOp) -> tuple[Operation, str] | None:
    for op in module.walk():
        if op.dialect_name() in ("intvit",):
            return op, f"'{op.name}' was not lowered"
        if isinstance(op, (func.FuncOp, func.ReturnOp)) or _is_boundary(op) or _inside_boundary(op):
            continue
        uses = [u.operation for r in op.results for u in r.uses]
        if op.name == "tensor.empty" and uses and all(_is_boundary(u) for u in uses):
            continue  # the init tensor of a boundary generic
        for value in (*op.operands, *op.results):
            if _is_float(value.type):
                return op, f"float value of type {value.type} in '{op.name}' outside the quantize/dequantize boundary"
    return None


@dataclass(frozen=True)
class VerifyIntegerOnlyPass(ModulePass):
    """Check that no float type or op survives outside the quantize/dequantize boundary."""

    name = "verify-integer-only"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        found = first_violation(op)
        if found is not None:
            bad, why = found
            raise PassFailedException(f"{location_of(bad)}error: verify-integer-only: {why}")
