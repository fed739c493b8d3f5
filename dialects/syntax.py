"""Keyword-style custom assembly shared by the `intvit` ops.

Every op prints as

    %r = intvit.<op> %a, %b key value key value ... {extra-attrs} : type(%a), type(%b) -> type(%r)

Each op lists its keywords in ``SYNTAX`` (keyword == property name).  Keywords may appear in any
order when parsed and are printed in the listed order; a property equal to its default is elided,
so the printed form is canonical.  One table drives parser, printer and docs, which keeps the
nine ops' syntax consistent without nine hand-written parsers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from xdsl.dialects.builtin import (
    DenseArrayBase,
    FileLineColLoc,
    FloatAttr,
    IntegerAttr,
    UnitAttr,
    f64,
    i64,
)
from xdsl.ir import Attribute
from xdsl.irdl import IRDLOperation
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.mlir_lexer import MLIRTokenKind

Kind = Literal["int", "float", "ints", "flag", "enum", "attr"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    default: object = None
    # For kind == "enum": the attribute class whose `.data` is a StrEnum.
    enum: type | None = None


def format_float(value: float) -> str:
    """Shortest repr that round-trips *and* that MLIR's lexer accepts (it needs a '.')."""
    text = repr(float(value))
    if not math.isfinite(value):
        raise VerifyException(f"non-finite float {value}")
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


def attr_value(kind: Kind, attr: Attribute | None) -> object:
    """Python value of a property, for comparing with defaults and for the golden model."""
    if attr is None:
        return None
    if kind == "int":
        assert isinstance(attr, IntegerAttr)
        return attr.value.data
    if kind == "float":
        assert isinstance(attr, FloatAttr)
        return attr.value.data
    if kind == "ints":
        assert isinstance(attr, DenseArrayBase)
        return tuple(attr.get_values())
    if kind == "flag":
        return True
    if kind == "enum":
        return attr.data.value  # type: ignore[attr-defined]
    return attr


def make_attr(field: Field, value: object) -> Attribute:
    if field.kind == "int":
        return IntegerAttr(int(value), i64)  # type: ignore[arg-type]
    if field.kind == "float":
        return FloatAttr(float(value), f64)  # type: ignore[arg-type]
    if field.kind == "ints":
        return DenseArrayBase.from_list(i64, [int(v) for v in value])  # type: ignore[union-attr]
    if field.kind == "flag":
        return UnitAttr()
    if field.kind == "enum":
        assert field.enum is not None
        return field.enum(field.enum.enum_type(value))  # type: ignore[attr-defined]
    assert isinstance(value, Attribute)
    return value


class KeywordSyntaxOp(IRDLOperation):
    """Base of every intvit op: keyword syntax, located verifier messages, property accessors."""

    SYNTAX: ClassVar[tuple[Field, ...]] = ()

    # -- properties as Python values ---------------------------------------------------------
    def prop(self, name: str) -> object:
        field = next(f for f in self.SYNTAX if f.name == name)
        value = attr_value(field.kind, self.properties.get(name))
        return field.default if value is None else value

    # -- diagnostics ---------------------------------------------------------------------------
    def location_prefix(self) -> str:
        loc = self.location
        if isinstance(loc, FileLineColLoc):
            return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}: "
        return ""

    def verify_(self) -> None:
        try:
            self.verify_semantics()
        except VerifyException as err:
            raise VerifyException(
                f"{self.location_prefix()}error: '{self.name}' op {err}"
            ) from None

    def verify_semantics(self) -> None:  # overridden per op
        pass

    # -- custom syntax -------------------------------------------------------------------------
    @classmethod
    def parse(cls, parser: Parser):
        start = parser.pos
        operands = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_unresolved_operand, " in operand list"
        )
        props: dict[str, Attribute] = {}
        by_name = {f.name: f for f in cls.SYNTAX}
        while (key := parser.parse_optional_keyword_in(by_name.keys() - props.keys())) is not None:
            props[key] = cls._parse_value(parser, by_name[key])
        cls._reject_stray_keyword(parser, props)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_type, " in operand types"
        )
        parser.parse_punctuation("->")
        result_types = parser.parse_comma_separated_list(
            parser.Delimiter.NONE, parser.parse_type, " in result types"
        )
        if len(types) != len(operands):
            parser.raise_error(
                f"'{cls.name}' has {len(operands)} operands but {len(types)} operand types",
                start,
                parser.pos,
            )
        resolved = [parser.resolve_operand(o, t) for o, t in zip(operands, types, strict=True)]
        op = cls.create(
            operands=resolved,
            result_types=result_types,
            properties=props,
            attributes=attrs,
        )
        cls.fix_operand_segments(op)
        return op

    @classmethod
    def fix_operand_segments(cls, op: IRDLOperation) -> None:
        """Ops with optional operands override this to record segment sizes."""

    @classmethod
    def _reject_stray_keyword(cls, parser: Parser, props: dict[str, Attribute]) -> None:
        """A word where the keywords end is a repeated or unknown keyword: say which, and what
        is allowed (xDSL alone would report "Expected ':'")."""
        token = parser._current_token
        if token.kind != MLIRTokenKind.BARE_IDENT:
            return
        word = token.text
        allowed = [f.name for f in cls.SYNTAX if f.name not in props]
        if word in props:
            parser.raise_error(f"'{cls.name}' keyword '{word}' is given twice; each keyword may appear once", token.span)
        parser.raise_error(f"'{cls.name}' has no keyword '{word}'; expected "
                           f"{', '.join(repr(a) for a in allowed) + ' or ' if allowed else ''}':' and the types",
                           token.span)

    @staticmethod
    def _parse_value(parser: Parser, field: Field) -> Attribute:
        if field.kind == "int":
            return IntegerAttr(parser.parse_integer(), i64)
        if field.kind == "float":
            token = parser._current_token
            value = parser.parse_optional_number()
            if value is None:
                parser.raise_error(f"'{field.name}' needs a finite number such as 0.05 or 1.0e-3, got "
                                   f"'{token.text}' (nan and inf are not scales)", token.span)
            return FloatAttr(float(value), f64)
        if field.kind == "ints":
            values = parser.parse_comma_separated_list(
                parser.Delimiter.SQUARE, parser.parse_integer, " in integer list"
            )
            # i64 storage: an out-of-range multiplier must reach the verifier, not wrap silently
            return DenseArrayBase.from_list(i64, values)
        if field.kind == "flag":
            return UnitAttr()
        if field.kind == "enum":
            assert field.enum is not None
            choices = [m.value for m in field.enum.enum_type]  # type: ignore[attr-defined]
            word = parser.parse_keyword_in(choices, f" for '{field.name}'")
            return field.enum(field.enum.enum_type(word))  # type: ignore[attr-defined]
        return parser.parse_attribute()

    def print(self, printer: Printer):
        printer.print_string(" ")
        printer.print_list(self.operands, printer.print_ssa_value)
        for field in self.SYNTAX:
            attr = self.properties.get(field.name)
            if attr is None:
                continue
            value = attr_value(field.kind, attr)
            if field.default is not None and value == field.default:
                continue
            printer.print_string(f" {field.name}")
            if field.kind == "flag":
                continue
            printer.print_string(" ")
            if field.kind == "int":
                printer.print_string(str(value))
            elif field.kind == "float":
                printer.print_string(format_float(value))  # type: ignore[arg-type]
            elif field.kind == "ints":
                printer.print_string("[" + ", ".join(str(v) for v in value) + "]")  # type: ignore[union-attr]
            elif field.kind == "enum":
                printer.print_string(str(value))
            else:
                printer.print_attribute(attr)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_list(self.operand_types, printer.print_attribute)
        printer.print_string(" -> ")
        printer.print_list(self.result_types, printer.print_attribute)


def set_props(fields: Sequence[Field], values: dict[str, object]) -> dict[str, Attribute]:
    """Build a property dict from Python values (None and defaults are left out)."""
    by_name = {f.name: f for f in fields}
    props: dict[str, Attribute] = {}
    for name, value in values.items():
        field = by_name[name]
        if value is None or value is False or (field.default is not None and value == field.default):
            continue
        props[name] = make_attr(field, value)
    return props
