"""A minimal `torch` dialect: enough of torch-mlir's dialect for xDSL to parse and print what
`torch_mlir.fx.export_and_import` emits for ViTs (value semantics, static shapes).

Types: `!torch.vtensor<[1,3,224,224],f32>`, `!torch.int`, `!torch.float`, `!torch.bool`,
`!torch.none`, `!torch.str`, `!torch.list<T>`.  Ops: every `torch.aten.*` op shares one generic
class (operands, results, attributes; printed `%a, %b : T1, T2 -> R`), plus
`torch.constant.*`, `torch.vtensor.literal`, `torch.prim.ListConstruct`, `torch.prim.ListUnpack`.
Weights stay `dense_resource` blobs (`resource_to_numpy` decodes one).  xDSL's output, printed
with its `{-# dialect_resources #-}` section, re-parses in upstream torch-mlir
(`torch_mlir.ir.Module.parse` in a context where `torch_mlir.dialects.torch.register_dialect`
ran).

`ATEN_OP_NAMES` lists every ATen op that the zoo models (digits-vit, DeiT-Tiny/Small/Base)
export to under each exporter setting of `passes/torch_export.py`, plus common ones.  An ATen op
outside that list still parses: `load_aten_ops(ctx, text)` registers the generic class under
each `torch.aten.*` (and `torch.prims.*`) name the text uses, so unsupported ops reach
`import-torch`, which names them with their location, instead of failing in the parser.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    ArrayAttr,
    BFloat16Type,
    DenseResourceAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
    f64,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, ParametrizedAttribute, TypeAttribute
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

# Every ATen op the zoo exports (digits-vit and DeiT under the three exporter settings of
# passes/torch_export.py: "composite", "raw", "torch"), the ones quantize-to-intvit has rules for, and
# common ones a user model may contain.  Others parse too, through `load_aten_ops`.
ATEN_OP_NAMES = """
add.Tensor add.Scalar sub.Tensor sub.Scalar mul.Tensor mul.Scalar div.Tensor div.Scalar rsub.Scalar
linear matmul mm bmm addmm conv2d convolution layer_norm native_layer_norm var_mean.correction
mean.dim sum.dim_IntList rsqrt sqrt exp pow.Tensor_Scalar gelu relu silu sigmoid tanh softmax.int
_softmax log_softmax.int scaled_dot_product_attention reshape view _unsafe_view flatten.using_ints
unflatten.int permute transpose.int t select.int slice.Tensor unbind.int expand cat stack squeeze.dim
unsqueeze clone contiguous detach alias lift_fresh_copy dropout identity max.dim amax argmax
embedding index_select.default mean batch_norm adaptive_avg_pool2d avg_pool2d max_pool2d
to.dtype _to_copy broadcast_to expand_as neg abs erf clamp hardtanh where.self masked_fill.Scalar
native_dropout split.Tensor chunk
""".split()


# `torch.prims.*` ops share the generic class too ("raw" exports squeeze through prims).
PRIMS_OP_NAMES = "squeeze convert_element_type collapse split_dim view_of".split()


@cache
def aten_op_class(op_name: str) -> type[AtenOp]:
    """The generic op class for `torch.aten.<op_name>`; a full name (`torch.aten.gelu`,
    `torch.prims.squeeze`) is taken as it is."""
    full = op_name if op_name.startswith(("torch.aten.", "torch.prims.")) else f"torch.aten.{op_name}"
    cls = type(f"Torch_{full.removeprefix('torch.').replace('.', '_')}", (AtenOp,), {"name": full})
    return irdl_op_definition(cls)


ATEN_OPS = [aten_op_class(n) for n in ATEN_OP_NAMES] + [aten_op_class(f"torch.prims.{n}") for n in PRIMS_OP_NAMES]

_ATEN_NAME = re.compile(r"(?<![\w.%#$])torch\.(?:aten|prims)\.[A-Za-z_][\w.]*\w")


def load_aten_ops(ctx: Context, text: str) -> list[str]:
    """Register in `ctx` a generic class for each `torch.aten.*` / `torch.prims.*` op of `text`
    that the dialect does not list; returns the names added.  Needs the `torch` dialect
    registered in `ctx` (as `intvit.dialects.context.make_context` does)."""
    added = []
    for name in sorted(set(_ATEN_NAME.findall(text))):
        if ctx.get_optional_op(name) is None:
            ctx.load_op(aten_op_class(name))
            added.append(name)
    return added


class ResourceError(ValueError):
    """A `dense_resource` that names no blob, or a blob that does not fit its type."""


def _numpy_dtype(element: Attribute) -> np.dtype:
    if isinstance(element, IntegerType):
        width = element.width.data
        if width == 1:
            return np.dtype(np.bool_)
        if width not in (8, 16, 32, 64):
            raise ResourceError(f"no numpy dtype for {element}")
        unsigned = element.signedness.data == Signedness.UNSIGNED
        return np.dtype(f"{'u' if unsigned else 'i'}{width // 8}")
    floats = {Float16Type: np.float16, Float32Type: np.float32, Float64Type: np.float64}
    for typ, dtype in floats.items():
        if isinstance(element, typ):
            return np.dtype(dtype)
    raise ResourceError(f"no numpy dtype for {element}")


def _find_resource(module: Operation, key: str) -> DenseResourceAttr:
    for op in module.walk():
        for value in (*op.properties.values(), *op.attributes.values()):
            if isinstance(value, DenseResourceAttr) and value.resource_handle.data == key:
                return value
    raise ResourceError(f"no dense_resource<{key}> in the module")


def resource_to_numpy(attr_or_handle: DenseResourceAttr | LiteralOp | str,
                      module: Operation | None = None) -> np.ndarray:
    """Decode a `dense_resource` blob into a (writable, native byte order) numpy array.

    `attr_or_handle` is the attribute, a `torch.vtensor.literal` holding one, or the resource
    key (then `module` is searched for the attribute, which carries shape and element type).
    xDSL keeps the blobs of every parsed module in the builtin dialect's resource store as
    `"0x<hex>"`: 4 bytes of alignment (little-endian), then the raw little-endian data.
    bf16 blobs come back as float32 (numpy has no bfloat16).
    """
    if isinstance(attr_or_handle, LiteralOp):
        attr_or_handle = attr_or_handle.value  # type: ignore[assignment]
    if isinstance(attr_or_handle, str):
        if module is None:
            raise ResourceError(f"dense_resource<{attr_or_handle}>: pass the module to find its type")
        attr_or_handle = _find_resource(module, attr_or_handle)
    if not isinstance(attr_or_handle, DenseResourceAttr):
        raise ResourceError(f"not a dense_resource: {attr_or_handle}")
    attr = attr_or_handle
    key = attr.resource_handle.data
    typ = attr.type
    from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
    from xdsl.dialects.builtin import Builtin

    store = Builtin.get_interface(OpAsmDialectInterface)
    blob = store.lookup(key) if store is not None else None
    if not blob:
        raise ResourceError(f"dense_resource<{key}> has no blob in the dialect_resources section")
    raw = bytes.fromhex(blob[2:])
    if len(raw) < 4:
        raise ResourceError(f"dense_resource<{key}>: blob shorter than its 4-byte alignment header")
    raw = raw[4:]
    if not isinstance(typ, TensorType):
        raise ResourceError(f"dense_resource<{key}> has type {typ}, expected a ranked tensor")
    shape = tuple(int(d) for d in typ.get_shape())
    element = typ.element_type
    if isinstance(element, BFloat16Type):
        half = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        data = half.view(np.float32)
    else:
        dtype = _numpy_dtype(element)
        data = np.frombuffer(raw, dtype=dtype.newbyteorder("<"))
    count = int(np.prod(shape, dtype=np.int64))
    if data.size != count:
        raise ResourceError(f"dense_resource<{key}> holds {data.size} elements, its type {typ} needs {count}")
    return data.astype(data.dtype.newbyteorder("="), copy=True).reshape(shape)


Torch = Dialect(
    "torch",
    [*ATEN_OPS, *CONSTANT_OPS, ListConstructOp, ListUnpackOp, LiteralOp],
    [VTensorType, IntType, FloatType, BoolType, NoneType, StrType, ListType],
)
