"""An xDSL parser that stamps every operation with its `file:line:col`, so diagnostics can say
where in the source a bad op is (MLIR does the same; xDSL leaves locations unknown)."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.parser import Parser


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


def parse_located(ctx: Context, text: str | bytes, name: str, line_offset: int = 0,
                  implicit_module: bool = True) -> ModuleOp:
    if isinstance(text, bytes):
        text = text.decode()
    parser = LocatedParser(ctx, text, name)
    parser.line_offset = line_offset
    return parser.parse_module(implicit_module)
