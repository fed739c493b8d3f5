"""`convert-intvit-to-linalg`: every `intvit` op becomes `linalg` on tensors with integer
`arith` bodies (requant through the `intvit_helper.apply_scale` scalar helper, expanded later by
`expand-intvit-helpers`).  Data-movement ops the frontend left in upstream dialects pass through.

Patterns are grouped by op family (`lowering/patterns/*.py`, each with a `populate_*`); the pass
walks each function in order so a producer is lowered before its consumers, and tracks which
values hold unsigned data (`ui8` Shiftmax output): upstream arith is signless, so storage
becomes `i8` and consumers read it with `extui`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import AnyFloat, FunctionType, IntegerType, ModuleOp, Signedness, TensorType
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.dialects.intvit import Intvit
from intvit.lowering.builders import Lowerer
from intvit.lowering.patterns.common import Ctx, is_unsigned, signless
from intvit.lowering.patterns.elementwise import populate_elementwise
from intvit.lowering.patterns.matmul import populate_matmul
from intvit.lowering.patterns.nonlinear import populate_nonlinear
from intvit.lowering.patterns.norm import populate_norm
from intvit.dialects.located_parser import location_of


def lowering_table() -> dict:
    table: dict = {}
    for populate in (populate_elementwise, populate_matmul, populate_nonlinear, populate_norm):
        populate(table)
    return table


SUPPORTED_FLOATS = ("f16", "f32", "f64")


def _check_supported(op: Operation) -> None:
    """Static shapes; signless or unsigned integers (upstream arith rejects `si`); f16/f32/f64."""
    for value in (*op.operands, *op.results):
        typ = value.type
        if not isinstance(typ, TensorType):
            continue
        if any(d < 0 for d in typ.get_shape()):
            raise PassFailedException(
                f"{location_of(op)}error: convert-intvit-to-linalg: '{op.name}' has a dynamic shape "
                f"{typ}; only static shapes are supported"
            )
        elem = typ.element_type
        if isinstance(elem, IntegerType):
            ok = elem.signedness.data != Signedness.SIGNED
        else:
            ok = isinstance(elem, AnyFloat) and str(elem) in SUPPORTED_FLOATS
        if not ok:
            raise PassFailedException(
                f"{location_of(op)}error: convert-intvit-to-linalg: '{op.name}' has unsupported element "
                f"type {elem}; use signless (iN) or unsigned (uiN) integers and f16/f32/f64 floats"
            )


def lower_function(fn: func.FuncOp, table: dict) -> None:
    block = fn.body.blocks.first
    if block is None:
        return
    unsigned = set()
    for arg in block.args:  # unsigned arguments: signless storage, remembered as unsigned
        if isinstance(arg.type, TensorType) and is_unsigned(arg):
            unsigned.add(arg)
            arg._type = signless(arg.type)  # noqa: SLF001 - xDSL 0.74 has no public type setter
    for op in list(block.ops):
        if type(op) in table:
            _check_supported(op)
            ctx = Ctx(Lowerer(lambda new, at=op: block.insert_op_before(new, at)), unsigned)
            try:
                new_value = table[type(op)](ctx, op)
            except PassFailedException:
                raise
            except Exception as err:  # a pattern that cannot handle this form
                raise PassFailedException(
                    f"{location_of(op)}error: convert-intvit-to-linalg: cannot lower '{op.name}': {err}"
                ) from None
            if is_unsigned(op.results[0]):
                unsigned.add(new_value)
            op.results[0].replace_all_uses_with(new_value)
            block.erase_op(op)
        elif op.name.startswith("intvit."):
            raise PassFailedException(f"{location_of(op)}error: convert-intvit-to-linalg: no lowering for '{op.name}'")
        elif not isinstance(op, func.ReturnOp) and any(v in unsigned for v in op.operands):
            raise PassFailedException(
                f"{location_of(op)}error: convert-intvit-to-linalg: unsigned tensor flows into '{op.name}'; "
                f"requantize it to a signed type first"
            )
    ret = block.last_op
    if isinstance(ret, func.ReturnOp):
        fn.function_type = FunctionType.from_lists([a.type for a in block.args], [v.type for v in ret.operands])


@dataclass(frozen=True)
class ConvertIntvitToLinalgPass(ModulePass):
    """Lower every intvit op to linalg.generic on tensors with integer arith bodies."""

    name = "convert-intvit-to-linalg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from intvit.dialects.resources import declare_resource_dialect

        declare_resource_dialect(ctx)
        table = lowering_table()
        for fn in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            lower_function(fn, table)
        leftover = [o for o in op.walk() if o.dialect_name() == Intvit.name]
        if leftover:
            raise PassFailedException(f"{location_of(leftover[0])}error: '{leftover[0].name}' was not lowered")
