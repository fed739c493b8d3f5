"""An xDSL parser that stamps every operation with its `file:line:col`, so diagnostics can say
where in the source a bad op is (MLIR does the same; xDSL leaves locations unknown)."""

from __future__ import annotations

import re

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import Operation
from xdsl.parser import Parser


def location_of(op: Operation) -> str:
    """The `file:line:col: ` prefix of a diagnostic about `op` ("" where it has no location)."""
    loc = op.location
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}: "
    return ""


class LocatedParser(Parser):
    line_offset: int = 0

    def parse_optional_operation(self):
        start = self._current_token.span.start
        op = super().parse_optional_operation()
        if op is not None and isinstance(op.location, UnknownLoc):
            text = self.lexer.input.content
            line = text.count("\n", 0, start) + 1 + self.line_offset
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            op.location = FileLineColLoc(StringAttr(self.lexer.input.name), IntAttr(line), IntAttr(column))
        return op


_RESOURCE_USE = re.compile(r"dense_resource<([^>\s]+)>")
# xDSL prints the blob entries on one line (`a: "0x..",b: "0x.."`), MLIR one per line.
_RESOURCE_DEF = re.compile(r"([\s,{])([^\s:\",{]+)(\s*:\s*\"0x)")


def uniquify_resource_keys(text: str) -> str:
    """Rename blob keys already present in xDSL's (process-global) resource store.

    xDSL 0.74 keeps `dense_resource` blobs in one store per dialect object, shared by every
    module of the process; parsing a second module with the same keys would rename the uses but
    write the blobs under the old keys.  Renaming in the text first keeps every module's weights.
    """
    if "dense_resource<" not in text:
        return text
    from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
    from xdsl.dialects.builtin import Builtin

    store = Builtin.get_interface(OpAsmDialectInterface)
    taken = {k for k in _RESOURCE_USE.findall(text) if store is not None and store.lookup(k) is not None}
    if not taken:
        return text
    renamed = {}
    for key in taken:
        n = 0
        while store.lookup(f"{key}_r{n}") is not None or f"{key}_r{n}" in renamed.values():
            n += 1
        renamed[key] = f"{key}_r{n}"
    text = _RESOURCE_USE.sub(lambda m: f"dense_resource<{renamed.get(m.group(1), m.group(1))}>", text)
    meta = text.find("{-#")
    if meta < 0:
        return text
    tail = _RESOURCE_DEF.sub(lambda m: m.group(1) + renamed.get(m.group(2), m.group(2)) + m.group(3), text[meta:])
    return text[:meta] + tail


def parse_located(ctx: Context, text: str | bytes, name: str, line_offset: int = 0,
                  implicit_module: bool = True) -> ModuleOp:
    if isinstance(text, bytes):
        text = text.decode()
    text = uniquify_resource_keys(text)
    parser = LocatedParser(ctx, text, name)
    parser.line_offset = line_offset
    return parser.parse_module(implicit_module)
