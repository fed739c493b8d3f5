"""`arith`/`math` semantics on numpy arrays: the scalar ops of lowered IR, applied elementwise.

One function per op, used both on whole tensors (an `arith` op outside a generic) and on the
iteration-space arrays of a `linalg.generic` body (`runtime.lowered_interpreter`).  Values are
numpy arrays of the IR type read as signed (signless `iN` -> `intN`, `i1` -> bool, `index` ->
int64); the unsigned ops reinterpret the bits.  What MLIR leaves undefined (division by zero,
signed division overflow, an out-of-range float-to-int conversion) is refused, never guessed.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import arith, math
from xdsl.dialects.builtin import FileLineColLoc, IndexType, IntegerType, TensorType
from xdsl.ir import Attribute, Operation

from intvit.runtime.interpreter import InterpreterError, numpy_dtype


def value_dtype(typ: Attribute) -> np.dtype:
    """The numpy dtype holding values of `typ` (a scalar type or a tensor of it)."""
    if isinstance(typ, TensorType):
        typ = typ.element_type
    if isinstance(typ, IndexType):
        return np.dtype(np.int64)
    if isinstance(typ, IntegerType):
        w = typ.width.data
        if w > 64:
            raise InterpreterError(f"no numpy dtype for {typ} (at most 64 bits run)")
        return numpy_dtype(IntegerType(w)) if w != 1 else np.dtype(np.bool_)
    return numpy_dtype(typ)


def int_width(typ: Attribute) -> int | None:
    """Bits of an integer type held in a wider numpy container (i9 in int16), else None."""
    if isinstance(typ, TensorType):
        typ = typ.element_type
    if isinstance(typ, IntegerType) and typ.width.data not in (1, 8, 16, 32, 64):
        return typ.width.data
    return None


def wrap(values: np.ndarray, bits: int) -> np.ndarray:
    """Two's complement wraparound to `bits` (the semantics of an odd-width iN)."""
    half = np.int64(1) << np.int64(bits - 1)
    return (((values.astype(np.int64) + half) & (2 * half - 1)) - half).astype(values.dtype)


def where(op: Operation) -> str:
    loc = op.location
    return f"{loc.filename.data}:{loc.line.data}:{loc.column.data}: " if isinstance(loc, FileLineColLoc) else ""


def fail(op: Operation, message: str):
    raise InterpreterError(f"{where(op)}error: '{op.name}' {message}")


def unsigned(a: np.ndarray, bits: int | None = None) -> np.ndarray:
    """The bits of `a` read as unsigned; an odd width is masked into int64."""
    if bits is not None:
        return a.astype(np.int64) & ((np.int64(1) << np.int64(bits)) - 1)
    return a.view(np.dtype(f"uint{a.dtype.itemsize * 8}")) if a.dtype.kind == "i" else a


def _u(op, a):
    return unsigned(a, int_width(op.operands[0].type))


def _s(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Back from `unsigned`: a same-size view, or (odd widths) int64 that `evaluate` wraps."""
    return a.view(like.dtype) if a.dtype.itemsize == like.dtype.itemsize and a.dtype.kind == "u" else a


def _nonzero_divisor(op, b):
    if np.any(b == 0):
        fail(op, "divides by zero (undefined in MLIR; the compiled code would trap)")


def _signed_div_overflow(op, a, b):
    if a.dtype.kind == "i" and np.any((a == np.iinfo(a.dtype).min) & (b == -1)):
        fail(op, f"overflows: {np.iinfo(a.dtype).min} / -1 (undefined in MLIR)")


def divsi(op, a, b):
    _nonzero_divisor(op, b)
    _signed_div_overflow(op, a, b)
    q = a // b
    return q + ((a - q * b != 0) & ((a < 0) != (b < 0))).astype(q.dtype)  # floor -> toward zero


def remsi(op, a, b):
    return a - divsi(op, a, b) * b


def floordivsi(op, a, b):
    _nonzero_divisor(op, b)
    _signed_div_overflow(op, a, b)
    return a // b


def ceildivsi(op, a, b):
    return -floordivsi(op, -a, b)


def divui(op, a, b):
    _nonzero_divisor(op, b)
    return _s(_u(op, a) // _u(op, b), a)


def remui(op, a, b):
    _nonzero_divisor(op, b)
    return _s(_u(op, a) % _u(op, b), a)


def shrui(op, a, b):
    return _s(_u(op, a) >> _u(op, b), a)


CMPI = {
    "eq": np.equal, "ne": np.not_equal, "slt": np.less, "sle": np.less_equal, "sgt": np.greater,
    "sge": np.greater_equal,
}
CMPI_PREDICATES = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]


def cmpi(op, a, b):
    name = CMPI_PREDICATES[op.predicate.value.data]
    if name[0] == "u":
        return CMPI["s" + name[1:]](_u(op, a), _u(op, b))
    return CMPI[name](a, b)


def extsi(op, a):
    out = value_dtype(op.result.type)
    return -(a.astype(out)) if a.dtype == np.bool_ else a.astype(out)


def extui(op, a):
    return _u(op, a).astype(value_dtype(op.result.type))


def trunci(op, a):
    out = value_dtype(op.result.type)
    return (a & 1).astype(np.bool_) if out == np.bool_ else a.astype(out)


def fptosi(op, a):
    out = value_dtype(op.result.type)
    info = np.iinfo(out)
    if not np.all(np.isfinite(a)) or np.any(np.trunc(a) < info.min) or np.any(np.trunc(a) > info.max):
        fail(op, f"converts a value outside {out} (undefined in MLIR)")
    return a.astype(out)


def cast(op, a):
    return a.astype(value_dtype(op.result.type))


def select(op, c, a, b):
    return np.where(c, a, b).astype(a.dtype, copy=False)


BINARY = {
    arith.AddiOp: np.add, arith.SubiOp: np.subtract, arith.MuliOp: np.multiply,
    arith.AndIOp: np.bitwise_and, arith.OrIOp: np.bitwise_or, arith.XOrIOp: np.bitwise_xor,
    arith.ShLIOp: np.left_shift, arith.ShRSIOp: np.right_shift,
    arith.MaxSIOp: np.maximum, arith.MinSIOp: np.minimum,
    arith.AddfOp: np.add, arith.SubfOp: np.subtract, arith.MulfOp: np.multiply, arith.DivfOp: np.divide,
    arith.MaxnumfOp: np.fmax, arith.MinnumfOp: np.fmin, arith.MaximumfOp: np.maximum,
    arith.MinimumfOp: np.minimum,
}
EVAL = {
    arith.DivSIOp: divsi, arith.RemSIOp: remsi, arith.FloorDivSIOp: floordivsi,
    arith.CeilDivSIOp: ceildivsi, arith.DivUIOp: divui, arith.RemUIOp: remui, arith.ShRUIOp: shrui,
    arith.MaxUIOp: lambda op, a, b: _s(np.maximum(_u(op, a), _u(op, b)), a),
    arith.MinUIOp: lambda op, a, b: _s(np.minimum(_u(op, a), _u(op, b)), a),
    arith.CmpiOp: cmpi, arith.SelectOp: select, arith.ExtSIOp: extsi, arith.ExtUIOp: extui,
    arith.TruncIOp: trunci, arith.IndexCastOp: cast, arith.ExtFOp: cast, arith.TruncFOp: cast,
    arith.SIToFPOp: cast, arith.UIToFPOp: lambda op, a: _u(op, a).astype(value_dtype(op.result.type)),
    arith.FPToSIOp: fptosi, arith.NegfOp: lambda op, a: -a, math.RoundEvenOp: lambda op, a: np.rint(a),
    math.FloorOp: lambda op, a: np.floor(a), math.CeilOp: lambda op, a: np.ceil(a),
    math.AbsFOp: lambda op, a: np.abs(a),
}
EVAL.update({cls: (lambda ufunc: lambda op, a, b: ufunc(a, b))(f) for cls, f in BINARY.items()})


def evaluate(op: Operation, args: tuple) -> np.ndarray:
    """Apply `op` to numpy operands (any broadcastable shapes); wraps like the hardware does."""
    fn = EVAL.get(type(op))
    if fn is None:
        fail(op, "is not supported by the lowered-IR interpreter")
    operands = [np.asarray(a, dtype=value_dtype(v.type)) if not isinstance(a, np.ndarray) else a
                for a, v in zip(args, op.operands)]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = np.asarray(fn(op, *operands)).astype(value_dtype(op.results[0].type), copy=False)
    bits = int_width(op.results[0].type)
    return out if bits is None else wrap(out, bits)
