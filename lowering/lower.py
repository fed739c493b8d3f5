"""`lower_module`: intvit -> integer-only linalg/arith, the input every target compiles."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import make_context


def lower_module(module: ModuleOp) -> ModuleOp:
    """intvit -> integer-only linalg/arith, in place; a module with no intvit op is only checked."""
    from intvit.lowering.convert_intvit_to_linalg import ConvertIntvitToLinalgPass
    from intvit.lowering.expand_intvit_helpers import ExpandIntvitHelpersPass
    from intvit.lowering.verify_integer_only import VerifyIntegerOnlyPass

    ctx = make_context()
    for p in (ConvertIntvitToLinalgPass(), ExpandIntvitHelpersPass(), VerifyIntegerOnlyPass()):
        p.apply(ctx, module)
    return module


def has_intvit_ops(module: ModuleOp) -> bool:
    return any(op.dialect_name() == "intvit" for op in module.walk())
