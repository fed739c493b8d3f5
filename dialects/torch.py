"""A minimal `torch` dialect: enough of torch-mlir's dialect for xDSL to parse and print what
`torch_mlir.fx.export_and_import` emits for ViTs (value semantics, static shapes).

Types: `!torch.vtensor<[1,3,224,224],f32>`, `!torch.int`, `!torch.float`, `!torch.bool`,
`!torch.none`, `!torch.str`, `!torch.list<T>`.  Ops: every `torch.aten.*` op shares one generic
class (operands, results, attributes; printed `%a, %b : T1, T2 -> R`), plus
`torch.constant.*`, `torch.vtensor.literal`, `torch.prim.ListConstruct`, `torch.prim.ListUnpack`.
Weights stay `dense_resource` blobs.  xDSL's output re-parses in upstream torch-mlir.
"""

from __future__ import annotations

from xdsl.dialects.builtin import (
    ArrayAttr,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import (
    IRDLOperation,
    irdl_attr_definition,
    irdl_op_definition,
    opt_prop_def,
    param_def,
    result_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import AttrParser, Parser
from xdsl.printer import Printer

DYNAMIC = -1


@irdl_attr_definition
class VTensorType(ParametrizedAttribute, TypeAttribute):
    """`!torch.vtensor<[d0,d1,...],dtype>`; `?` (stored as -1) marks a dynamic size."""

    name = "torch.vtensor"
    dims: ArrayAttr[IntAttr] = param_def()
    dtype: Attribute = param_def()

    @property
    def sizes(self) -> list[int]:
        return [d.data for d in self.dims.data]

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        with parser.in_angle_brackets():
            def dim() -> IntAttr:
                if parser.parse_optional_punctuation("?") is not None:
                    return IntAttr(DYNAMIC)
                return IntAttr(parser.parse_integer(allow_boolean=False))

            dims = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, dim)
            parser.parse_punctuation(",")
            dtype = parser.parse_type()
        return (ArrayAttr(dims), dtype)

    def print_parameters(self, printer: Printer) -> None:
        dims = ",".join("?" if d == DYNAMIC else str(d) for d in self.sizes)
        printer.print_string(f"<[{dims}],")
        printer.print_attribute(self.dtype)
        printer.print_string(">")


def _simple_type(type_name: str):
    @irdl_attr_definition
    class _T(ParametrizedAttribute, TypeAttribute):
        name = f"torch.{type_name}"

    _T.__name__ = f"Torch{type_name.capitalize()}Type"
    return _T


IntType, FloatType, BoolType, NoneType, StrType = (_simple_type(n) for n in ("int", "float", "bool", "none", "str"))


@irdl_attr_definition
class ListType(ParametrizedAttribute, TypeAttribute):
    """`!torch.list<int>`, `!torch.list<vtensor>`: the element type is kept as written."""

    name = "torch.list"
    element: StringAttr = param_def()

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        start = parser.pos
        depth = 0
        parser.parse_punctuation("<")
        # The element is written without its `!torch.` prefix; keep its text verbatim.
        while True:
            if parser.parse_optional_punctuation("<") is not None:
                depth += 1
            elif parser.parse_optional_punctuation(">") is not None:
                if depth == 0:
                    break
                depth -= 1
            else:
                parser._consume_token()  # noqa: SLF001 - no public "skip token" in xDSL 0.74
        text = parser.lexer.input.content[start:parser.pos].strip()
        return (StringAttr(text[1:-1].strip()),)

    def print_parameters(self, printer: Printer) -> None:
        printer.print_string(f"<{self.element.data}>")


class TorchOp(IRDLOperation):
    """Shared by all torch ops: generic operands/results, attributes kept as given."""

    operands_ = var_operand_def()
    results_ = var_result_def()


def _parse_operands(parser: Parser):
    if parser._current_token.text.startswith("%"):  # noqa: SLF001
        return parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_unresolved_operand)
    return []


class AtenOp(TorchOp):
    """`torch.aten.<op>[.<overload>] %a, %b : T1, T2 -> R1[, R2]`."""

    @classmethod
    def parse(cls, parser: Parser):
        operands = _parse_operands(parser)
        attrs = parser.parse_optional_attr_dict()
        types = []
        if parser.parse_optional_punctuation(":") is not None:
            if operands:
                types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
            parser.parse_punctuation("->")
        else:
            parser.parse_punctuation("->")
        results = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        resolved = [parser.resolve_operand(o, t) for o, t in zip(operands, types, strict=True)]
        return cls.create(operands=resolved, result_types=results, attributes=attrs)

    def print(self, printer: Printer):
        if self.operands:
            printer.print_string(" ")
            printer.print_list(self.operands, printer.print_ssa_value)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        if self.operands:
            printer.print_list(self.operand_types, printer.print_attribute)
            printer.print_string(" ")
        printer.print_string("-> ")
        printer.print_list(self.result_types, printer.print_attribute)


@irdl_op_definition
class ListConstructOp(TorchOp):
    """`torch.prim.ListConstruct %a, %b : (T1, T2) -> !torch.list<T>`."""

    name = "torch.prim.ListConstruct"

    @classmethod
    def parse(cls, parser: Parser):
        operands = _parse_operands(parser)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")
        result = parser.parse_type()
        resolved = [parser.resolve_operand(o, t) for o, t in zip(operands, types, strict=True)]
        return cls.create(operands=resolved, result_types=[result])

    def print(self, printer: Printer):
        if self.operands:
            printer.print_string(" ")
            printer.print_list(self.operands, printer.print_ssa_value)
        printer.print_string(" : (")
        printer.print_list(self.operand_types, printer.print_attribute)
        printer.print_string(") -> ")
        printer.print_attribute(self.result_types[0])


@irdl_op_definition
class ListUnpackOp(AtenOp):
    """`torch.prim.ListUnpack %l : !torch.list<vtensor> -> T1, T2, ...`."""

    name = "torch.prim.ListUnpack"


@irdl_op_definition
class LiteralOp(TorchOp):
    """`torch.vtensor.literal(dense_resource<blob> : tensor<...>) : !torch.vtensor<[...],f32>`."""

    name = "torch.vtensor.literal"
    value = opt_prop_def(Attribute)

    @classmethod
    def parse(cls, parser: Parser):
        with parser.in_parens():
            value = parser.parse_attribute()
        parser.parse_punctuation(":")
        result = parser.parse_type()
        return cls.create(result_types=[result], properties={"value": value})

    def print(self, printer: Printer):
        printer.print_string("(")
        printer.print_attribute(self.value)
        printer.print_string(") : ")
        printer.print_attribute(self.result_types[0])


def _constant(kind: str):
    result_type = {"int": IntType, "float": FloatType, "bool": BoolType, "none": NoneType, "str": StrType}[kind]

    class _Const(IRDLOperation):
        name = f"torch.constant.{kind}"
        value = opt_prop_def(Attribute)
        result = result_def(result_type)

        @classmethod
        def parse(cls, parser: Parser):
            if kind == "int":
                value = IntegerAttr(parser.parse_integer(allow_boolean=False), i64)
            elif kind == "float":
                value = FloatAttr(parser.parse_float(), f64)
            elif kind == "bool":
                value = IntegerAttr(1 if parser.parse_boolean() else 0, i1)
            elif kind == "str":
                value = StringAttr(parser.parse_str_literal())
            else:
                value = None
            props = {} if value is None else {"value": value}
            return cls.create(result_types=[result_type()], properties=props)

        def print(self, printer: Printer):
            v = self.value
            if isinstance(v, FloatAttr):
                # MLIR's float syntax needs a '.' or an exponent with digits: %.17e always has both.
                printer.print_string(f" {v.value.data:.17e}")
            elif isinstance(v, IntegerAttr) and isinstance(v.type, IntegerType) and v.type.width.data == 1:
                printer.print_string(" true" if v.value.data else " false")
            elif isinstance(v, IntegerAttr):
                printer.print_string(f" {v.value.data}")
            elif isinstance(v, StringAttr):
                printer.print_string(" ")
                printer.print_string_literal(v.data)

    _Const.__name__ = f"Constant{kind.capitalize()}Op"
    return irdl_op_definition(_Const)


CONSTANT_OPS = [_constant(k) for k in ("int", "float", "bool", "none", "str")]

# Every ATen op the zoo exports, the ones quantize-to-intvit has rules for, and common ones a
# user model may contain (so that they parse and import-torch can name them in a diagnostic).
ATEN_OP_NAMES = """
add.Tensor add.Scalar sub.Tensor sub.Scalar mul.Tensor mul.Scalar div.Tensor div.Scalar rsub.Scalar
linear matmul mm bmm addmm conv2d convolution layer_norm native_layer_norm var_mean.correction
mean.dim sum.dim_IntList rsqrt sqrt exp pow.Tensor_Scalar gelu relu silu sigmoid tanh softmax.int
_softmax log_softmax.int scaled_dot_product_attention reshape view _unsafe_view flatten.using_ints
unflatten.int permute transpose.int t select.int slice.Tensor unbind.int expand cat stack squeeze.dim
unsqueeze clone contiguous detach alias lift_fresh_copy dropout identity max.dim amax argmax
embedding index_select.default mean batch_norm adaptive_avg_pool2d avg_pool2d max_pool2d
""".split()


def _aten_op(op_name: str):
    cls = type(f"Aten_{op_name.replace('.', '_')}", (AtenOp,), {"name": f"torch.aten.{op_name}"})
    return irdl_op_definition(cls)


ATEN_OPS = [_aten_op(n) for n in ATEN_OP_NAMES]

Torch = Dialect(
    "torch",
    [*ATEN_OPS, *CONSTANT_OPS, ListConstructOp, ListUnpackOp, LiteralOp],
    [VTensorType, IntType, FloatType, BoolType, NoneType, StrType, ListType],
)
