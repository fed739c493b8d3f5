"""Module verification whose every message names `file:line:col`.

xDSL raises some structural errors without a place (a redefined symbol, an empty block); this
finds the op they are about.  It also refuses what MLIR refuses and xDSL lets through: a public
`func.func` without a body (`func.func @f() {}` parses as a declaration in xDSL, and upstream MLIR
then fails on its own internal text)."""

from __future__ import annotations

import re

from xdsl.dialects import func
from xdsl.dialects.builtin import FileLineColLoc, ModuleOp
from xdsl.ir import Operation
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import DiagnosticException, VerifyException

_LOCATED = re.compile(r"^\S+:\d+:\d+: ")


def where(op: Operation) -> str | None:
    loc = op.location
    return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}" if isinstance(loc, FileLineColLoc) else None


def verify_located(module: ModuleOp) -> None:
    try:
        module.verify()
    except DiagnosticException as err:
        message = str(err.args[0]) if err.args else type(err).__name__
        if _LOCATED.match(message):
            raise
        op = culprit(module, message)
        if op is None or where(op) is None:
            raise
        raise VerifyException(f"{where(op)}: error: {message}") from None
    for op in module.walk():
        for region in op.regions:
            if len(region.blocks) > 1 and any(not block.ops for block in region.blocks):
                index = next(i for i, block in enumerate(region.blocks) if not block.ops)
                raise VerifyException(f"{where(op) or '<unknown>'}: error: '{op.name}' op block {index} of its "
                                      f"region is empty; every block needs a terminator")
        if isinstance(op, func.FuncOp) and not op.body.blocks and \
                (op.sym_visibility is None or op.sym_visibility.data == "public"):
            raise VerifyException(
                f"{where(op) or '<unknown>'}: error: 'func.func' op @{op.sym_name.data} has no body; a public "
                f"function needs a block ending in func.return (a declaration is written "
                f"`func.func private @{op.sym_name.data}(...)`)")


def culprit(module: ModuleOp, message: str) -> Operation | None:
    """The located op a placeless verifier message is about."""
    redefined = re.search(r'Redefinition of symbol "([^"]+)"', message)
    if redefined:
        seen = [op for op in module.walk() if getattr(getattr(op, "sym_name", None), "data", None) == redefined.group(1)]
        return seen[1] if len(seen) > 1 else None
    for op in module.walk():
        for region in op.regions:
            if len(region.blocks) == 1 and not region.blocks.first.ops and not op.has_trait(NoTerminator):
                return op
    for op in module.walk():
        if op is module:
            continue
        try:
            op.verify(verify_nested_ops=False)
        except DiagnosticException:
            return op
    return None
