"""An xDSL parser that stamps every operation with its `file:line:col`, so diagnostics can say
where in the source a bad op is (MLIR does the same; xDSL leaves locations unknown)."""

from __future__ import annotations

import re
import sys
from bisect import bisect_right

from xdsl.context import Context
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, ModuleOp, StringAttr, UnknownLoc
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.utils.exceptions import DiagnosticException, ParseError, VerifyException


class SourceError(DiagnosticException):
    """A located diagnostic about the source text itself (encoding, nesting depth)."""


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins: one pass over the text, then every location is a bisect
    (counting newlines from the file start per op made a 2 MB file take 22 s)."""
    return [0, *(m.end() for m in re.finditer("\n", text))]


def location_of(op: Operation) -> str:
    """The `file:line:col: ` prefix of a diagnostic about `op` ("" where it has no location)."""
    loc = op.location
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}: "
    return ""


class LocatedParser(Parser):
    line_offset: int = 0
    _line_starts: list[int] | None = None

    def line_column(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.lexer.input.content)
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1 + self.line_offset, offset - self._line_starts[index] + 1

    def parse_optional_operation(self):
        start = self._current_token.span.start
        try:
            op = super().parse_optional_operation()
        except ParseError:
            raise
        except (VerifyException, ValueError, OverflowError) as err:
            # An attribute rejected while it is built (an integer out of range for its type):
            # xDSL raises it without a place; the op being parsed is the place.
            message = str(err.args[0]) if err.args else type(err).__name__
            self.raise_error(message, start, max(self._current_token.span.start, start + 1))
        if op is not None and isinstance(op.location, UnknownLoc):
            line, column = self.line_column(start)
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


def decode_source(data: bytes, name: str, line_offset: int = 0) -> str:
    """UTF-8 text, or a located error naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1 + line_offset
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise SourceError(f"{name}:{line}:{column}: error: byte 0x{data[err.start]:02x} at byte offset "
                          f"{err.start} is not UTF-8 ({err.reason}); MLIR source must be UTF-8") from None


def parse_located(ctx: Context, text: str | bytes, name: str, line_offset: int = 0,
                  implicit_module: bool = True) -> ModuleOp:
    if isinstance(text, bytes):
        text = decode_source(text, name, line_offset)
    text = uniquify_resource_keys(text)
    parser = LocatedParser(ctx, text, name)
    parser.line_offset = line_offset
    try:
        return parser.parse_module(implicit_module)
    except RecursionError:
        line, column = parser.line_column(parser._current_token.span.start)
        raise SourceError(f"{name}:{line}:{column}: error: regions nested too deeply for the parser "
                          f"(Python recursion limit {sys.getrecursionlimit()})") from None
