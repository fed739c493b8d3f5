"""A `linalg.generic` body, op for op, as C++ statements with MLIR's exact integer semantics.

Signless integers live in signed C types (`int8_t` ... `int64_t`, `bool` for i1, `int64_t` for
index); every operation whose meaning depends on signedness or on wrap-around goes through the
`iv::` helpers of `intvit_cuda.h` (wrapping add/sub/mul through unsigned types, truncating
`divsi`, arithmetic `shrsi`, unsigned compares), so no C++ undefined behaviour is reachable.
Floats appear only at the quantize/dequantize boundary (IEEE, no FMA contraction: the build
flags pass `-fmad=false` / `-ffp-contract=off`).
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import arith
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import Float32Type, Float64Type, FloatAttr, IndexType, IntegerAttr, IntegerType
from xdsl.ir import Attribute, Block, Operation, SSAValue

from intvit.lowering.target import TargetError
from intvit.passes.quantize_to_intvit import location_of


def ctype(t: Attribute, where: Operation | None = None) -> str:
    if isinstance(t, IntegerType):
        w = t.width.data
        if w == 1:
            return "bool"
        if w in (8, 16, 32, 64):
            return f"int{w}_t"
    if isinstance(t, IndexType):
        return "int64_t"
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    raise TargetError(f"{located(where)}cuda-dp4a: element type {t} is not supported "
                      "(integers of 1, 8, 16, 32, 64 bits, index, f32, f64)")


def located(op: Operation | None) -> str:
    """`file:line:col: error: ` of an op where the parser recorded one."""
    if op is None:
        return ""
    where = location_of(op)
    return f"{where}error: " if where else f"'{op.name}': "


def int_literal(value: int, t: Attribute) -> str:
    width = 64 if isinstance(t, IndexType) else t.width.data
    if width == 1:
        return "true" if value & 1 else "false"
    value &= (1 << width) - 1
    if value >= 1 << (width - 1):
        value -= 1 << width
    c = ctype(t)
    if width == 64:
        if value == -(1 << 63):
            return "(-INT64_C(9223372036854775807) - 1)"
        return f"INT64_C({value})"
    if value == -(1 << 31):
        return "(int32_t)(-2147483647 - 1)"
    return f"({c}){value}"


def int_width(t: Attribute) -> int:
    return 64 if isinstance(t, IndexType) else t.width.data


def float_literal(value: float, t: Attribute) -> str:
    text = float(value).hex()
    if text in ("inf", "-inf", "nan"):
        text = {"inf": "INFINITY", "-inf": "(-INFINITY)", "nan": "NAN"}[text]
        return f"({ctype(t)}){text}"
    return f"{text}f" if isinstance(t, Float32Type) else text


def constant_literal(op: arith.ConstantOp) -> str:
    v, t = op.value, op.result.type
    if isinstance(v, IntegerAttr):
        return int_literal(int(v.value.data), t)
    if isinstance(v, FloatAttr):
        return float_literal(float(v.value.data), t)
    raise TargetError(f"{located(op)}cuda-dp4a: constant {v} is not a scalar")


BINARY = {"arith.addi": "addi", "arith.subi": "subi", "arith.muli": "muli", "arith.divsi": "divsi",
          "arith.remsi": "remsi", "arith.divui": "divui", "arith.remui": "remui", "arith.floordivsi": "floordivsi",
          "arith.ceildivsi": "ceildivsi", "arith.shli": "shli", "arith.shrui": "shrui", "arith.shrsi": "shrsi",
          "arith.maxsi": "maxsi", "arith.minsi": "minsi", "arith.maxui": "maxui", "arith.minui": "minui"}
BITWISE = {"arith.andi": "&", "arith.ori": "|", "arith.xori": "^"}
FLOAT_BINARY = {"arith.addf": "+", "arith.subf": "-", "arith.mulf": "*", "arith.divf": "/"}
CMPI = {0: "{a} == {b}", 1: "{a} != {b}", 2: "{a} < {b}", 3: "{a} <= {b}", 4: "{a} > {b}", 5: "{a} >= {b}",
        6: "iv::ult({a}, {b})", 7: "iv::ule({a}, {b})", 8: "iv::ugt({a}, {b})", 9: "iv::uge({a}, {b})"}
# combiners a row kernel may reduce in any order (associative and commutative, also wrapping)
COMBINERS = {"arith.addi", "arith.muli", "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui",
             "arith.andi", "arith.ori", "arith.xori"}


def combine_expr(name: str, t: Attribute, a: str, b: str) -> str:
    if name in BITWISE:
        return f"({ctype(t)})({a} {BITWISE[name]} {b})"
    return f"iv::{BINARY[name]}<{ctype(t)}>({a}, {b})"


def identity_literal(name: str, t: Attribute) -> str:
    w = t.width.data
    value = {"arith.addi": 0, "arith.ori": 0, "arith.xori": 0, "arith.maxui": 0, "arith.muli": 1,
             "arith.andi": -1, "arith.minui": -1, "arith.maxsi": -(1 << (w - 1)),
             "arith.minsi": (1 << (w - 1)) - 1}[name]
    return int_literal(value, t)


class BodyTranslator:
    """Translate one block; `names` maps values already known (block arguments, captured
    constants) to C expressions; `extract(op, indices)` renders a `tensor.extract` of a tensor
    captured from outside the body; `index(dim)` renders `linalg.index`."""

    def __init__(self, names: dict[SSAValue, str], extract: Callable[[Operation, list[str]], str],
                 index: Callable[[int], str], prefix: str = "v"):
        self.names = dict(names)
        self.extract = extract
        self.index = index
        self.prefix = prefix
        self.lines: list[str] = []
        self.count = 0

    def name(self, value: SSAValue) -> str:
        if value in self.names:
            return self.names[value]
        owner = value.owner
        if isinstance(owner, arith.ConstantOp):
            return constant_literal(owner)
        raise TargetError(f"{located(owner if isinstance(owner, Operation) else None)}cuda-dp4a: "
                          "a generic body reads a value defined outside it that is not a constant")

    def define(self, op: Operation, expr: str) -> None:
        var = f"{self.prefix}{self.count}"
        self.count += 1
        self.lines.append(f"const {ctype(op.results[0].type, op)} {var} = {expr};")
        self.names[op.results[0]] = var

    def run(self, ops: list[Operation], roots: list[SSAValue]) -> list[str]:
        """Translate the ops of `ops` that `roots` need (body ops are pure); returns the statements."""
        needed: set[SSAValue] = set(roots)
        live = []
        for op in reversed(ops):
            if any(r in needed for r in op.results):
                live.append(op)
                needed.update(op.operands)
        for op in reversed(live):
            self.op(op)
        return self.lines

    def op(self, op: Operation) -> None:
        n = op.name
        ops = [self.name(v) for v in op.operands] if n not in ("tensor.extract",) else []
        t = op.results[0].type if op.results else None
        if n == "arith.constant":
            self.define(op, constant_literal(op))
        elif n in BINARY:
            if isinstance(t, IntegerType) and t.width.data == 1:
                raise TargetError(f"{located(op)}cuda-dp4a: {n} on i1 is not supported")
            self.define(op, f"iv::{BINARY[n]}<{ctype(t, op)}>({ops[0]}, {ops[1]})")
        elif n in BITWISE:
            self.define(op, f"({ctype(t, op)})({ops[0]} {BITWISE[n]} {ops[1]})")
        elif n == "arith.cmpi":
            self.define(op, CMPI[op.predicate.value.data].format(a=ops[0], b=ops[1]))
        elif n == "arith.select":
            self.define(op, f"({ops[0]} ? {ops[1]} : {ops[2]})")
        else:
            self.cast_or_float(op, n, ops, t)

    def cast_or_float(self, op: Operation, n: str, ops: list[str], t) -> None:
        src = op.operands[0].type if op.operands else None
        if n in ("arith.extsi", "arith.extui", "arith.trunci"):
            c, s = ctype(t, op), ctype(src, op)
            if n == "arith.extsi" and s == "bool":
                self.define(op, f"iv::extsi1<{c}>({ops[0]})")
            elif n == "arith.extui" and s == "bool":
                self.define(op, f"({c})({ops[0]} ? 1 : 0)")
            elif n == "arith.trunci" and c == "bool":
                self.define(op, f"iv::trunc1<{s}>({ops[0]})")
            else:
                self.define(op, f"iv::{n[6:]}<{c}, {s}>({ops[0]})")
        elif n in ("arith.index_cast", "arith.index_castui"):
            c, s = ctype(t, op), ctype(src, op)
            wc, ws = int_width(t), int_width(src)
            fn = "trunci" if wc < ws else ("extui" if n.endswith("ui") else "extsi")
            self.define(op, ops[0] if wc == ws else f"iv::{fn}<{c}, {s}>({ops[0]})")
        elif n == "tensor.extract":
            self.define(op, self.extract(op, [self.name(v) for v in op.operands[1:]]))
        elif n == "linalg.index":
            self.define(op, self.index(op.dim.value.data))
        elif n in FLOAT_BINARY:
            self.define(op, f"({ctype(t, op)})({ops[0]} {FLOAT_BINARY[n]} {ops[1]})")
        elif n in ("arith.extf", "arith.truncf"):
            self.define(op, f"({ctype(t, op)}){ops[0]}")
        elif n in ("arith.maxnumf", "arith.minnumf", "math.roundeven"):
            self.define(op, f"iv::{n.split('.')[1]}({', '.join(ops)})")
        elif n == "arith.negf":
            self.define(op, f"(-{ops[0]})")
        elif n == "arith.fptosi":
            self.define(op, f"({ctype(t, op)}){ops[0]}")
        elif n == "arith.sitofp":
            self.define(op, f"({ctype(t, op)}){ops[0]}")
        elif n == "arith.uitofp":
            self.define(op, f"({ctype(t, op)})(iv::U<{ctype(src, op)}>::t){ops[0]}")
        else:
            raise TargetError(f"{located(op)}cuda-dp4a: no CUDA translation for '{n}' in a linalg.generic body")


def body_ops(block: Block) -> tuple[list[Operation], list[SSAValue]]:
    ops = list(block.ops)
    yield_op = ops[-1]
    if not isinstance(yield_op, linalg.YieldOp):
        raise TargetError(f"{located(yield_op)}cuda-dp4a: generic body does not end in linalg.yield")
    return ops[:-1], list(yield_op.operands)

