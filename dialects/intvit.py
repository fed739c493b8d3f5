"""The `intvit` dialect: integer-only Vision Transformer operators (I-ViT, Quasar-ViT).

Each op's semantics is the section of ``shared/design/NUMERICS.md`` named in its docstring and is
implemented bit for bit by :mod:`intvit.runtime.golden`.  Scales are compile-time attributes; at
run time only integers flow, except through the boundary ops ``quantize``/``dequantize``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    BoolAttr,
    FloatAttr,
    IntegerAttr,
    UnitAttr,
    DenseArrayBase,
    IntAttr,
    IntegerType,
    Signedness,
    TensorType,
    i8,
)
from xdsl.ir import Attribute, Dialect, SSAValue, SpacedOpaqueSyntaxAttribute
from xdsl.irdl import (
    ParametrizedAttribute,
    irdl_attr_definition,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    param_def,
    result_def,
    traits_def,
)
from xdsl.dialects.utils import EnumAttribute
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException
from xdsl.utils.str_enum import StrEnum

from intvit.dialects.syntax import Field, KeywordSyntaxOp, set_props
from intvit.runtime.golden import ROUNDING_MODES

MULT_MIN, MULT_MAX = 1 << 30, 1 << 31  # multiplier range [2^30, 2^31)
SHIFT_MIN, SHIFT_MAX = 1, 62
SHIFTMAX_X0_LIMIT = 1 << 16  # -x0 above this lets one exponent exceed 2^31
SHIFTGELU_X0_LIMIT = 1 << 8  # E = -x0 * 2^23 must stay <= 2^31
# Both ends matter: above 2^64, 1/s (or 1.702 s) rounds to 0 or inf in float32, x0 becomes 0 and
# the compiled exponent divides by it (SIGFPE); below 2^-64 a quantize divides to inf.
SCALE_MIN, SCALE_MAX = 2.0**-64, 2.0**64
ACC_MIN, ACC_MAX = -(1 << 31), (1 << 31) - 1


# The modes are defined once, beside their numpy implementation (`golden.ROUNDING_MODES`).
RoundingMode = StrEnum("RoundingMode", {mode.upper(): mode for mode in ROUNDING_MODES})


@irdl_attr_definition
class RoundingModeAttr(EnumAttribute[RoundingMode], SpacedOpaqueSyntaxAttribute):
    """How `round(p / 2^e)` breaks ties (NUMERICS.md, Dyadic requantization table)."""

    name = "intvit.rounding"


class IsqrtMode(StrEnum):
    EXACT = "exact"
    IVIT = "ivit"


@irdl_attr_definition
class IsqrtModeAttr(EnumAttribute[IsqrtMode], SpacedOpaqueSyntaxAttribute):
    """`exact`: floor(sqrt(v)) for every input; `ivit`: the I-ViT code's 2^16-start, 10-step form."""

    name = "intvit.isqrt_mode"


@irdl_attr_definition
class PackingAttr(ParametrizedAttribute):
    """Quasar-ViT row-wise mixed precision of a weight matrix, for backends to read.

    ``row_bits[n]`` is 4 or 8 for output channel ``n``; ``split8`` says 8-bit rows are computed as
    a signed high and an unsigned low 4-bit half (``w = (hi << 4) + lo``); ``factor`` is the number
    of 4-bit products a backend intends to pack into one multiplier (DSP packing).

        #intvit.packing<row_bits = [4, 8, 8], split8 = true, factor = 2>
    """

    name = "intvit.packing"

    row_bits: DenseArrayBase = param_def()
    split8: BoolAttr = param_def()
    factor: IntAttr = param_def()

    @classmethod
    def parse_parameters(cls, parser: AttrParser):
        def key(word: str):
            parser.parse_keyword(word)
            parser.parse_punctuation("=")

        with parser.in_angle_brackets():
            key("row_bits")
            bits = parser.parse_comma_separated_list(
                parser.Delimiter.SQUARE, parser.parse_integer, " in row_bits"
            )
            parser.parse_punctuation(",")
            key("split8")
            split = parser.parse_boolean()
            parser.parse_punctuation(",")
            key("factor")
            factor = parser.parse_integer()
        return (DenseArrayBase.from_list(i8, bits), BoolAttr.from_bool(split), IntAttr(factor))

    def print_parameters(self, printer: Printer) -> None:
        bits = ", ".join(str(b) for b in self.row_bits.get_values())
        split = "true" if self.split8.value.data else "false"
        printer.print_string(f"<row_bits = [{bits}], split8 = {split}, factor = {self.factor.data}>")

    def check(self) -> None:
        """Value checks, run by the verifier of the op carrying the attribute (so they are located)."""
        bad = sorted({b for b in self.row_bits.get_values() if b not in (4, 8)})
        if bad:
            raise VerifyException(f"#intvit.packing row_bits must be 4 or 8, got {bad}")
        if not 1 <= self.factor.data <= 4:
            raise VerifyException(f"#intvit.packing factor must be in [1, 4], got {self.factor.data}")

    @staticmethod
    def get(row_bits, split8: bool = True, factor: int = 1) -> "PackingAttr":
        return PackingAttr(
            DenseArrayBase.from_list(i8, [int(b) for b in row_bits]),
            BoolAttr.from_bool(split8),
            IntAttr(factor),
        )


# ---------------------------------------------------------------------------------------------
# Type helpers shared by the verifiers


def _tensor(value: SSAValue | Attribute, what: str) -> TensorType:
    typ = value if isinstance(value, Attribute) else value.type
    if not isinstance(typ, TensorType):
        raise VerifyException(f"{what} must be a ranked tensor, got {typ}")
    return typ


def int_tensor(value: SSAValue | Attribute, what: str, max_width: int = 64) -> TensorType:
    typ = _tensor(value, what)
    elem = typ.element_type
    if not isinstance(elem, IntegerType):
        raise VerifyException(f"{what} must have an integer element type, got {elem}")
    if elem.width.data > max_width:
        raise VerifyException(
            f"{what} element type {elem} is wider than the {max_width} bits allowed"
        )
    return typ


def is_unsigned(typ: TensorType) -> bool:
    return typ.element_type.signedness.data == Signedness.UNSIGNED  # type: ignore[union-attr]


def width(typ: TensorType) -> int:
    return typ.element_type.width.data  # type: ignore[union-attr]


def value_range(typ: TensorType) -> tuple[int, int]:
    w = width(typ)
    return (0, (1 << w) - 1) if is_unsigned(typ) else (-(1 << (w - 1)), (1 << (w - 1)) - 1)


def check_bits(bits: int, lo: int = 2, hi: int = 32) -> None:
    if not lo <= bits <= hi:
        raise VerifyException(f"bits = {bits} is out of range [{lo}, {hi}]")


def check_signed_result(typ: TensorType, bits: int) -> None:
    if is_unsigned(typ):
        raise VerifyException(f"result element type {typ.element_type} must be signed or signless")
    if width(typ) < bits:
        raise VerifyException(
            f"result element type {typ.element_type} cannot hold {bits}-bit values"
        )


def same_shape(expected: TensorType, actual: TensorType, what: str) -> None:
    if expected.get_shape() != actual.get_shape():
        raise VerifyException(
            f"{what} shape {list(actual.get_shape())} does not match {list(expected.get_shape())}"
        )


def normalize_axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise VerifyException(f"axis {axis} is out of range for rank {rank}")
    return axis % rank


def check_scale(scale: float, what: str = "scale") -> None:
    if not (np.isfinite(scale) and SCALE_MIN <= scale <= SCALE_MAX):
        raise VerifyException(f"{what} must be finite and in [2^-64, 2^64], got {scale}")


def check_multipliers(mults, shifts, what: str) -> None:
    for m in mults:
        if not MULT_MIN <= m < MULT_MAX:
            raise VerifyException(f"{what}multiplier {m} is outside [2^30, 2^31)")
    for e in shifts:
        if not SHIFT_MIN <= e <= SHIFT_MAX:
            raise VerifyException(f"{what}shift {e} is outside [1, 62]")


def constant_bounds(value: SSAValue) -> tuple[int, int]:
    """(min, max) of a bias defined by an `arith.constant` (dense or dense_resource); (0, 0) when
    the values are not known at compile time (the add then wraps, NUMERICS: matmul)."""
    from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr

    owner = getattr(value, "owner", None)
    attr = getattr(owner, "value", None) if getattr(owner, "name", "") == "arith.constant" else None
    values = None
    if isinstance(attr, DenseIntOrFPElementsAttr):
        values = np.asarray(attr.get_values(), dtype=np.int64)
    elif isinstance(attr, DenseResourceAttr):
        values = resource_int32(attr)
    if values is None or not values.size:
        return 0, 0
    return int(values.min()), int(values.max())


def resource_int32(attr) -> np.ndarray | None:
    """An i32 `dense_resource` blob (4 alignment bytes, little-endian data), or None if absent."""
    from xdsl.dialect_interfaces.op_asm import OpAsmDialectInterface
    from xdsl.dialects.builtin import Builtin

    store = Builtin.get_interface(OpAsmDialectInterface)
    blob = store.lookup(attr.resource_handle.data) if store is not None else None
    if not blob:
        return None
    return np.frombuffer(bytes.fromhex(blob[2:])[4:], dtype="<i4").astype(np.int64)


def max_safe_k(products: tuple[int, ...], b_lo: int, b_hi: int) -> int:
    return min((ACC_MAX - max(b_hi, 0)) // max(max(products), 1), (ACC_MIN - min(b_lo, 0)) // min(min(products), -1))


def exp_x0(scale: float) -> int:
    """`x0 = floor(-(1/s))` with `1/s` rounded to float32 (NUMERICS.md, Shiftmax)."""
    return int(np.floor(-np.float32(1.0 / scale)))


ROUNDING = Field("rounding", "enum", "half_even", RoundingModeAttr)


# ---------------------------------------------------------------------------------------------
# Boundary ops


@irdl_op_definition
class QuantizeOp(KeywordSyntaxOp):
    """`q = sat_b(RNE(x / scale))`, symmetric, zero point 0 (NUMERICS.md, Quantization conventions).

    The model's entry: the only op that reads a float tensor.
    """

    name = "intvit.quantize"
    SYNTAX: ClassVar = (Field("scale", "float"), Field("bits", "int"))
    input = operand_def()
    scale = opt_prop_def(FloatAttr)
    bits = opt_prop_def(IntegerAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, x: SSAValue, scale: float, bits: int, result_type: Attribute):
        super().__init__(
            operands=[x], result_types=[result_type], properties=set_props(self.SYNTAX, dict(scale=scale, bits=bits))
        )

    def verify_semantics(self) -> None:
        src = _tensor(self.input, "input")
        if not isinstance(src.element_type, AnyFloat):
            raise VerifyException(f"input must have a float element type, got {src.element_type}")
        out = int_tensor(self.output, "result", 32)
        if self.scale is None or self.bits is None:
            raise VerifyException("requires 'scale' and 'bits'")
        check_scale(self.prop("scale"))
        check_bits(self.prop("bits"))
        check_signed_result(out, self.prop("bits"))
        same_shape(src, out, "result")


@irdl_op_definition
class DequantizeOp(KeywordSyntaxOp):
    """`x = q * scale` in float32: the model's exit (logits), the only other float-producing op."""

    name = "intvit.dequantize"
    SYNTAX: ClassVar = (Field("scale", "float"),)
    input = operand_def()
    scale = opt_prop_def(FloatAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, q: SSAValue, scale: float, result_type: Attribute):
        super().__init__(operands=[q], result_types=[result_type], properties=set_props(self.SYNTAX, dict(scale=scale)))

    def verify_semantics(self) -> None:
        src = int_tensor(self.input, "input", 32)
        out = _tensor(self.output, "result")
        if not isinstance(out.element_type, AnyFloat):
            raise VerifyException(f"result must have a float element type, got {out.element_type}")
        if self.scale is None:
            raise VerifyException("requires 'scale'")
        check_scale(self.prop("scale"))
        same_shape(src, out, "result")


# ---------------------------------------------------------------------------------------------
# Dyadic arithmetic


@irdl_op_definition
class RequantOp(KeywordSyntaxOp):
    """`sat_b(round(z * m / 2^e))` with `p = z*m` exact in int64 (NUMERICS.md, Dyadic requantization).

    `multiplier`/`shift` hold one value (per-tensor) or one per channel of `axis` (per-channel).
    `twin T` (T >= 1, per tensor) makes it PTQ4ViT's twin uniform quantizer: a `bits`-bit code is
    a flag plus `bits - 1` value bits over two ranges whose steps differ by `2^T`; the result is
    the code decoded exactly into units of the fine step (`runtime/golden.py: twin_requant`).
    """

    name = "intvit.requant"
    SYNTAX: ClassVar = (
        Field("multiplier", "ints"),
        Field("shift", "ints"),
        Field("axis", "int", -1),
        Field("bits", "int"),
        Field("twin", "int", 0),
        ROUNDING,
    )
    input = operand_def()
    multiplier = opt_prop_def(DenseArrayBase)
    shift = opt_prop_def(DenseArrayBase)
    axis = opt_prop_def(IntegerAttr)
    bits = opt_prop_def(IntegerAttr)
    twin = opt_prop_def(IntegerAttr)
    rounding = opt_prop_def(RoundingModeAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, x: SSAValue, multiplier, shift, bits: int, result_type: Attribute,
                 rounding: str = "half_even", axis: int = -1, twin: int = 0):
        props = dict(multiplier=list(multiplier), shift=list(shift), bits=bits, rounding=rounding, axis=axis,
                     twin=twin)
        super().__init__(operands=[x], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        src = int_tensor(self.input, "input", 32)
        out = int_tensor(self.output, "result", 32)
        if self.multiplier is None or self.shift is None or self.bits is None:
            raise VerifyException("requires 'multiplier', 'shift' and 'bits'")
        same_shape(src, out, "result")
        bits = self.prop("bits")
        check_bits(bits)
        check_signed_result(out, bits)
        mults, shifts = self.prop("multiplier"), self.prop("shift")
        if len(mults) != len(shifts):
            raise VerifyException(
                f"has {len(mults)} multipliers but {len(shifts)} shifts"
            )
        check_multipliers(mults, shifts, "")
        axis = normalize_axis(self.prop("axis"), src.get_num_dims())
        channels = src.get_shape()[axis]
        if len(mults) not in (1, channels):
            raise VerifyException(
                f"per-channel requant has {len(mults)} (multiplier, shift) pairs but "
                f"axis {axis} has {channels} channels (allowed: 1 or {channels})"
            )
        self._verify_twin(out, bits, mults, shifts)

    def _verify_twin(self, out: TensorType, bits: int, mults, shifts) -> None:
        twin = self.prop("twin")
        if twin == 0:
            return
        if twin < 0:
            raise VerifyException(f"twin = {twin} must be >= 1 (0 or absent: a plain requant)")
        if len(mults) != 1:
            raise VerifyException("a twin requant is per tensor: one (multiplier, shift) pair")
        if shifts[0] + twin > 62:
            raise VerifyException(f"shift {shifts[0]} + twin {twin} exceeds 62")
        if bits - 1 + twin > width(out) - 1:
            raise VerifyException(
                f"result element type {out.element_type} cannot hold the decoded twin code "
                f"(2^{bits - 1} - 1) << {twin}: needs {bits + twin} bits"
            )


@irdl_op_definition
class AddOp(KeywordSyntaxOp):
    """Residual add: each input is requantized to the output scale with its own `(m, e)`, the
    two exact results are added, then `sat_b` (NUMERICS.md, end of Dyadic requantization)."""

    name = "intvit.add"
    SYNTAX: ClassVar = (
        Field("lhs_multiplier", "int"),
        Field("lhs_shift", "int"),
        Field("rhs_multiplier", "int"),
        Field("rhs_shift", "int"),
        Field("bits", "int"),
        ROUNDING,
    )
    lhs = operand_def()
    rhs = operand_def()
    lhs_multiplier = opt_prop_def(IntegerAttr)
    lhs_shift = opt_prop_def(IntegerAttr)
    rhs_multiplier = opt_prop_def(IntegerAttr)
    rhs_shift = opt_prop_def(IntegerAttr)
    bits = opt_prop_def(IntegerAttr)
    rounding = opt_prop_def(RoundingModeAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue, rhs: SSAValue, lhs_scale: tuple[int, int],
                 rhs_scale: tuple[int, int], bits: int, result_type: Attribute,
                 rounding: str = "half_even"):
        props = dict(lhs_multiplier=lhs_scale[0], lhs_shift=lhs_scale[1], rhs_multiplier=rhs_scale[0],
                     rhs_shift=rhs_scale[1], bits=bits, rounding=rounding)
        super().__init__(operands=[lhs, rhs], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        lhs = int_tensor(self.lhs, "lhs", 32)
        rhs = int_tensor(self.rhs, "rhs", 32)
        out = int_tensor(self.output, "result", 32)
        names = ("lhs_multiplier", "lhs_shift", "rhs_multiplier", "rhs_shift", "bits")
        if any(self.properties.get(n) is None for n in names):
            raise VerifyException(f"requires {', '.join(repr(n) for n in names)}")
        same_shape(lhs, rhs, "rhs")
        same_shape(lhs, out, "result")
        bits = self.prop("bits")
        check_bits(bits)
        check_signed_result(out, bits)
        check_multipliers([self.prop("lhs_multiplier")], [self.prop("lhs_shift")], "lhs_")
        check_multipliers([self.prop("rhs_multiplier")], [self.prop("rhs_shift")], "rhs_")


@irdl_op_definition
class MatmulOp(KeywordSyntaxOp):
    """`A (int8/uint8) x W (int8, or int4 rows) -> int32 (+ int32 bias)`, exact int32 accumulation
    (NUMERICS.md, Integer matmul and mixed precision).

    `lhs: [..., M, K]`; `rhs: [K, N]`, or `[N, K]` with `transpose_rhs` (the `nn.Linear` layout, a
    row is an output channel), or batched with the same leading dims as `lhs`; `bias: [N]`.
    `packing` is the Quasar-ViT row-wise precision annotation (one entry per output channel).
    """

    name = "intvit.matmul"
    SYNTAX: ClassVar = (Field("transpose_rhs", "flag"), Field("packing", "attr"))
    lhs = operand_def()
    rhs = operand_def()
    bias = opt_operand_def()
    transpose_rhs = opt_prop_def(UnitAttr)
    packing = opt_prop_def(PackingAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue, rhs: SSAValue, bias: SSAValue | None, result_type: Attribute,
                 transpose_rhs: bool = False, packing: PackingAttr | None = None):
        props = set_props(self.SYNTAX, dict(transpose_rhs=transpose_rhs, packing=packing))
        super().__init__(operands=[lhs, rhs, [bias] if bias is not None else []],
                         result_types=[result_type], properties=props)

    def out_channels(self) -> int:
        shape = self.rhs.type.get_shape()  # type: ignore[union-attr]
        return shape[-2] if self.prop("transpose_rhs") else shape[-1]

    def verify_semantics(self) -> None:
        lhs = int_tensor(self.lhs, "lhs")
        rhs = int_tensor(self.rhs, "rhs")
        out = int_tensor(self.output, "result")
        if width(lhs) != 8:
            raise VerifyException(f"lhs element type must be i8 or ui8, got {lhs.element_type}")
        if width(rhs) != 8 or is_unsigned(rhs):
            raise VerifyException(f"rhs element type must be i8 (int4 rows are stored as i8), got {rhs.element_type}")
        if width(out) != 32 or is_unsigned(out):
            raise VerifyException(f"result element type must be i32, got {out.element_type}")
        ls, rs = lhs.get_shape(), rhs.get_shape()
        if len(ls) < 2 or len(rs) < 2:
            raise VerifyException(f"lhs and rhs need rank >= 2, got ranks {len(ls)} and {len(rs)}")
        if len(rs) != 2 and rs[:-2] != ls[:-2]:
            raise VerifyException(
                f"batched rhs dims {list(rs[:-2])} do not match lhs batch dims {list(ls[:-2])}"
            )
        k_rhs, n = (rs[-1], rs[-2]) if self.prop("transpose_rhs") else (rs[-2], rs[-1])
        if ls[-1] != k_rhs:
            raise VerifyException(
                f"contraction mismatch: lhs has K = {ls[-1]} but rhs has K = {k_rhs}"
            )
        expected = (*ls[:-1], n)
        if tuple(out.get_shape()) != expected:
            raise VerifyException(f"result shape {list(out.get_shape())} should be {list(expected)}")
        if self.bias is not None:
            bias = int_tensor(self.bias, "bias")
            if width(bias) != 32 or bias.get_shape() != (n,):
                raise VerifyException(f"bias must be tensor<{n}xi32>, got {bias}")
        if self.packing is not None:
            self.packing.check()
            rows = len(self.packing.row_bits.get_values())
            if rows != n:
                raise VerifyException(
                    f"packing has {rows} row_bits entries but the weight has {n} output channels"
                )
        self.check_accumulator(lhs, ls[-1])

    def check_accumulator(self, lhs: TensorType, k: int) -> None:
        """Reject a matmul whose int32 accumulator can leave int32 for some input: K products of
        the operand ranges (int4 rows when every packed row is 4-bit) plus the bias, when the
        bias is a constant.  A bias that is not a constant is added with int32 wraparound."""
        a_lo, a_hi = value_range(lhs)
        w_lo, w_hi = (-8, 7) if self.packing is not None and set(self.packing.row_bits.get_values()) == {4} \
            else (-128, 127)
        products = (a_lo * w_lo, a_lo * w_hi, a_hi * w_lo, a_hi * w_hi)
        b_lo, b_hi = constant_bounds(self.bias) if self.bias is not None else (0, 0)
        lo, hi = k * min(products) + b_lo, k * max(products) + b_hi
        if lo < ACC_MIN or hi > ACC_MAX:
            raise VerifyException(
                f"the int32 accumulator can overflow: K = {k} products of {lhs.element_type} x "
                f"int{8 if w_hi == 127 else 4} weights plus the bias span [{lo}, {hi}], outside "
                f"[-2^31, 2^31 - 1] (K <= {max_safe_k(products, b_lo, b_hi)} fits)"
            )


# ---------------------------------------------------------------------------------------------
# Integer non-linearities


@irdl_op_definition
class ShiftmaxOp(KeywordSyntaxOp):
    """Integer softmax along `axis` with `n = 15` (NUMERICS.md, Shiftmax).

    Output scale `2^-(bits-1)`; values in `[0, 2^(bits-1)]`, so the result needs `bits` unsigned or
    `bits + 1` signed bits, unless `saturate` clamps `2^(bits-1)` to `2^(bits-1) - 1`.
    """

    name = "intvit.shiftmax"
    SYNTAX: ClassVar = (Field("scale", "float"), Field("axis", "int", -1), Field("bits", "int"),
                        Field("saturate", "flag"))
    input = operand_def()
    scale = opt_prop_def(FloatAttr)
    axis = opt_prop_def(IntegerAttr)
    bits = opt_prop_def(IntegerAttr)
    saturate = opt_prop_def(UnitAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, x: SSAValue, scale: float, bits: int, result_type: Attribute, axis: int = -1,
                 saturate: bool = False):
        props = dict(scale=scale, bits=bits, axis=axis, saturate=saturate)
        super().__init__(operands=[x], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        src = int_tensor(self.input, "input", 32)
        out = int_tensor(self.output, "result", 32)
        if self.scale is None or self.bits is None:
            raise VerifyException("requires 'scale' and 'bits'")
        same_shape(src, out, "result")
        normalize_axis(self.prop("axis"), src.get_num_dims())
        bits = self.prop("bits")
        if bits not in (8, 16):
            raise VerifyException(f"bits = {bits} must be 8 or 16")
        check_scale(self.prop("scale"))
        x0 = exp_x0(self.prop("scale"))
        if -x0 > SHIFTMAX_X0_LIMIT:
            raise VerifyException(
                f"input scale {self.prop('scale')} is too small: x0 = {x0} < -2^16 lets an exponent "
                f"exceed 2^31"
            )
        needed = bits if (is_unsigned(out) or self.prop("saturate")) else bits + 1
        if width(out) < needed:
            raise VerifyException(
                f"result element type {out.element_type} cannot hold 2^{bits - 1} "
                f"(needs ui{bits}, i{bits + 1} or wider, or 'saturate')"
            )


@irdl_op_definition
class ShiftgeluOp(KeywordSyntaxOp):
    """Integer GELU `x * sigmoid(1.702 x)` with `n = 23` along the feature `axis`
    (NUMERICS.md, ShiftGELU).  Output scale `scale * 2^-7`, `|out| <= 2^7 * max|x|`, so the result
    needs `bits >= input bits + 8`.  `paper_shifts` applies 1.702 as `x+(x>>1)+(x>>3)+(x>>4)`;
    `ivit_constant` folds it as I-ViT's code does, `x0` from `float32(s * float32(1.702))`.
    """

    name = "intvit.shiftgelu"
    SYNTAX: ClassVar = (Field("scale", "float"), Field("axis", "int", -1), Field("bits", "int"),
                        Field("paper_shifts", "flag"), Field("ivit_constant", "flag"))
    input = operand_def()
    scale = opt_prop_def(FloatAttr)
    axis = opt_prop_def(IntegerAttr)
    bits = opt_prop_def(IntegerAttr)
    paper_shifts = opt_prop_def(UnitAttr)
    ivit_constant = opt_prop_def(UnitAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, x: SSAValue, scale: float, bits: int, result_type: Attribute, axis: int = -1,
                 paper_shifts: bool = False, ivit_constant: bool = False):
        props = dict(scale=scale, bits=bits, axis=axis, paper_shifts=paper_shifts, ivit_constant=ivit_constant)
        super().__init__(operands=[x], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        src = int_tensor(self.input, "input", 16)
        out = int_tensor(self.output, "result", 32)
        if self.scale is None or self.bits is None:
            raise VerifyException("requires 'scale' and 'bits'")
        same_shape(src, out, "result")
        normalize_axis(self.prop("axis"), src.get_num_dims())
        if is_unsigned(src):
            raise VerifyException(f"input element type {src.element_type} must be signed or signless")
        bits = self.prop("bits")
        check_bits(bits)
        if bits < width(src) + 8:
            raise VerifyException(
                f"bits = {bits} cannot hold x * sigmoid for {src.element_type} input "
                f"(needs >= {width(src) + 8})"
            )
        check_signed_result(out, bits)
        check_scale(self.prop("scale"))
        if self.prop("paper_shifts") and self.prop("ivit_constant"):
            raise VerifyException("'ivit_constant' and 'paper_shifts' exclude each other: the paper's "
                                  "shifts apply 1.702 at run time, so there is no folded constant")
        factor = float(np.float32(1.702)) if self.prop("ivit_constant") else 1.702
        scale = self.prop("scale") if self.prop("paper_shifts") else float(np.float32(self.prop("scale") * factor))
        x0 = exp_x0(scale)
        if -x0 > SHIFTGELU_X0_LIMIT:
            raise VerifyException(
                f"input scale {self.prop('scale')} is too small: x0 = {x0} < -256 lets the sigmoid "
                f"exponent exceed 2^31"
            )


def isqrt_required_iterations(bits: int) -> int:
    """Fixed Newton steps proven enough for every `bits`-wide input (see runtime.golden)."""
    from intvit.runtime.golden import isqrt_required_iterations as required

    return required(bits)


@irdl_op_definition
class IsqrtOp(KeywordSyntaxOp):
    """`floor(sqrt(v))`, exact for every unsigned 32/64-bit `v` (NUMERICS.md, Integer square root).

    Without `iterations` Newton runs until it stops decreasing; with it, exactly that many
    `x = min(x, (x + v/x) >> 1)` steps, which the verifier checks are enough for the input width.
    `mode ivit` reproduces the I-ViT code (start 2^16, 10 steps), wrong outside ~[2^15, 2^45].
    """

    name = "intvit.isqrt"
    SYNTAX: ClassVar = (Field("mode", "enum", "exact", IsqrtModeAttr), Field("iterations", "int"))
    input = operand_def()
    mode = opt_prop_def(IsqrtModeAttr)
    iterations = opt_prop_def(IntegerAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, v: SSAValue, result_type: Attribute, mode: str = "exact",
                 iterations: int | None = None):
        props = dict(mode=mode, iterations=iterations)
        super().__init__(operands=[v], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        src = int_tensor(self.input, "input")
        out = int_tensor(self.output, "result")
        if src != out:
            raise VerifyException(f"result type {out} must equal the input type {src}")
        if width(src) not in (32, 64):
            raise VerifyException(f"input element type {src.element_type} must be 32 or 64 bits wide")
        if not is_unsigned(src):
            raise VerifyException(
                f"input element type {src.element_type} must be unsigned (ui32 or ui64): a square "
                f"root of a negative value has no integer result"
            )
        iterations = self.prop("iterations")
        if self.prop("mode") == "ivit":
            if iterations is not None and iterations != 10:
                raise VerifyException("mode ivit always runs 10 iterations; drop 'iterations'")
            return
        if iterations is not None:
            needed = isqrt_required_iterations(width(src))
            if iterations < needed:
                raise VerifyException(
                    f"iterations = {iterations} is not enough for {width(src)}-bit inputs "
                    f"(needs >= {needed})"
                )


@irdl_op_definition
class LayernormOp(KeywordSyntaxOp):
    """I-LayerNorm over `axis` (NUMERICS.md, I-LayerNorm): RNE mean, int64 sum of squares, exact
    `isqrt`, `out = sat32(((y * floor(2^31 / max(k, 1))) >> 1) + bias)`.

    Output scale per channel `sqrt(C) / 2^30 * gamma`; `bias = floor((beta/gamma) * 2^30/sqrt(C))`.
    Channels flagged in `const_channels` (gamma == 0) output exactly `bias`.
    """

    name = "intvit.layernorm"
    SYNTAX: ClassVar = (
        Field("bias", "ints"),
        Field("axis", "int", -1),
        Field("const_channels", "ints"),
        Field("isqrt_mode", "enum", "exact", IsqrtModeAttr),
        Field("isqrt_iterations", "int"),
    )
    input = operand_def()
    bias = opt_prop_def(DenseArrayBase)
    axis = opt_prop_def(IntegerAttr)
    const_channels = opt_prop_def(DenseArrayBase)
    isqrt_mode = opt_prop_def(IsqrtModeAttr)
    isqrt_iterations = opt_prop_def(IntegerAttr)
    output = result_def()
    traits = traits_def(Pure())

    def __init__(self, x: SSAValue, bias, result_type: Attribute, axis: int = -1,
                 const_channels=None, isqrt_mode: str = "exact", isqrt_iterations: int | None = None):
        const = None if const_channels is None or not any(const_channels) else [int(bool(c)) for c in const_channels]
        props = dict(bias=list(bias), axis=axis, const_channels=const, isqrt_mode=isqrt_mode,
                     isqrt_iterations=isqrt_iterations)
        super().__init__(operands=[x], result_types=[result_type], properties=set_props(self.SYNTAX, props))

    def verify_semantics(self) -> None:
        # int16 is the residual stream; wider inputs would overflow the int64 sum of squares.
        src = int_tensor(self.input, "input", 16)
        out = int_tensor(self.output, "result", 32)
        if self.bias is None:
            raise VerifyException("requires 'bias'")
        same_shape(src, out, "result")
        if width(out) != 32 or is_unsigned(out):
            raise VerifyException(f"result element type must be i32, got {out.element_type}")
        axis = normalize_axis(self.prop("axis"), src.get_num_dims())
        channels = src.get_shape()[axis]
        bias = self.prop("bias")
        if len(bias) != channels:
            raise VerifyException(f"bias has {len(bias)} entries but axis {axis} has {channels} channels")
        const = self.prop("const_channels")
        if const is not None:
            if len(const) != channels:
                raise VerifyException(
                    f"const_channels has {len(const)} entries but axis {axis} has {channels} channels"
                )
            if any(c not in (0, 1) for c in const):
                raise VerifyException("const_channels entries must be 0 or 1")
        if self.prop("isqrt_mode") == "ivit":
            if self.prop("isqrt_iterations") is not None:
                raise VerifyException("isqrt_mode ivit always runs 10 iterations; drop 'isqrt_iterations'")
        elif (iters := self.prop("isqrt_iterations")) is not None:
            needed = isqrt_required_iterations(64)
            if iters < needed:
                raise VerifyException(
                    f"isqrt_iterations = {iters} is not enough for the 64-bit variance (needs >= {needed})"
                )


INTVIT_OPS = [
    QuantizeOp,
    DequantizeOp,
    RequantOp,
    AddOp,
    MatmulOp,
    ShiftmaxOp,
    ShiftgeluOp,
    IsqrtOp,
    LayernormOp,
]

Intvit = Dialect("intvit", INTVIT_OPS, [RoundingModeAttr, IsqrtModeAttr, PackingAttr])
