"""Run `intvit` IR on numpy arrays with xDSL's interpreter framework.

Every intvit op delegates to :mod:`intvit.runtime.golden`, so a whole program computes exactly
what NUMERICS.md specifies; this is the model-level reference every backend is compared with.
Tensor values are numpy arrays of the IR element type (not xDSL's list-based ShapedArray), which
keeps whole ViTs fast enough to run on a test split.  Data movement that the frontend leaves in
upstream dialects (reshapes, transposes, slices, concats, constants) is interpreted here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.dialects import arith, func, tensor
from xdsl.dialects.linalg.ops import TransposeOp
from xdsl.dialects.builtin import ModuleOp, Signedness, TensorType
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls
from xdsl.interpreters.func import FuncFunctions
from xdsl.ir import Attribute

from intvit.dialects import intvit as iv
from intvit.dialects.resources import constant_array, numpy_dtype
from intvit.runtime import golden


class InterpreterError(RuntimeError):
    """A program that cannot be run: wrong inputs, or an op the interpreter does not know."""


def to_result(values: np.ndarray, typ: Attribute) -> np.ndarray:
    """Cast exact golden values into the result type, refusing any value that would wrap."""
    assert isinstance(typ, TensorType)
    dtype = numpy_dtype(typ.element_type)
    if dtype.kind in "iu":
        elem = typ.element_type
        w = elem.width.data  # type: ignore[union-attr]
        unsigned = elem.signedness.data == Signedness.UNSIGNED  # type: ignore[union-attr]
        lo, hi = (0, (1 << w) - 1) if unsigned else (-(1 << (w - 1)), (1 << (w - 1)) - 1)
        if values.size and (values.min() < lo or values.max() > hi):
            raise InterpreterError(f"value out of range of {elem}: [{values.min()}, {values.max()}]")
    return np.asarray(values).astype(dtype).reshape(typ.get_shape())


def _axis(op) -> int:
    return op.prop("axis")


@register_impls
class IntvitFunctions(InterpreterFunctions):
    @impl(iv.QuantizeOp)
    def run_quantize(self, interp: Interpreter, op: iv.QuantizeOp, args: tuple[Any, ...]):
        return (to_result(golden.quantize(args[0], op.prop("scale"), op.prop("bits")), op.output.type),)

    @impl(iv.DequantizeOp)
    def run_dequantize(self, interp: Interpreter, op: iv.DequantizeOp, args: tuple[Any, ...]):
        out = golden.dequantize(args[0], op.prop("scale"))
        return (np.asarray(out).astype(numpy_dtype(op.output.type.element_type)),)  # type: ignore[union-attr]

    @impl(iv.RequantOp)
    def run_requant(self, interp: Interpreter, op: iv.RequantOp, args: tuple[Any, ...]):
        if op.prop("twin"):
            unsigned = iv.is_unsigned(op.input.type)  # type: ignore[arg-type]
            out = golden.twin_requant(args[0], op.prop("multiplier")[0], op.prop("shift")[0], op.prop("bits"),
                                      op.prop("twin"), op.prop("rounding"), unsigned)
            return (to_result(out, op.output.type),)
        out = golden.requant(args[0], op.prop("multiplier"), op.prop("shift"), op.prop("bits"),
                             op.prop("rounding"), _axis(op))
        return (to_result(out, op.output.type),)

    @impl(iv.AddOp)
    def run_add(self, interp: Interpreter, op: iv.AddOp, args: tuple[Any, ...]):
        out = golden.add(args[0], args[1], op.prop("lhs_multiplier"), op.prop("lhs_shift"),
                         op.prop("rhs_multiplier"), op.prop("rhs_shift"), op.prop("bits"),
                         op.prop("rounding"))
        return (to_result(out, op.output.type),)

    @impl(iv.MatmulOp)
    def run_matmul(self, interp: Interpreter, op: iv.MatmulOp, args: tuple[Any, ...]):
        bias = args[2] if len(args) > 2 else None
        out = golden.matmul(args[0], args[1], bias, transpose_rhs=bool(op.prop("transpose_rhs")))
        return (to_result(out, op.output.type),)

    @impl(iv.ShiftmaxOp)
    def run_shiftmax(self, interp: Interpreter, op: iv.ShiftmaxOp, args: tuple[Any, ...]):
        out = golden.shiftmax(args[0], op.prop("scale"), op.prop("bits"), _axis(op),
                              saturate=bool(op.prop("saturate")))
        return (to_result(out, op.output.type),)

    @impl(iv.ShiftgeluOp)
    def run_shiftgelu(self, interp: Interpreter, op: iv.ShiftgeluOp, args: tuple[Any, ...]):
        out = golden.shiftgelu(args[0], op.prop("scale"), _axis(op),
                               paper_shifts=bool(op.prop("paper_shifts")),
                               ivit_constant=bool(op.prop("ivit_constant")))
        return (to_result(out, op.output.type),)

    @impl(iv.IsqrtOp)
    def run_isqrt(self, interp: Interpreter, op: iv.IsqrtOp, args: tuple[Any, ...]):
        src = np.asarray(args[0])  # unsigned by the verifier
        out = golden.isqrt(src.astype(np.uint64), op.prop("iterations"), op.prop("mode"))
        return (np.asarray(out).astype(src.dtype).reshape(src.shape),)

    @impl(iv.LayernormOp)
    def run_layernorm(self, interp: Interpreter, op: iv.LayernormOp, args: tuple[Any, ...]):
        const = op.prop("const_channels")
        out = golden.layernorm(
            args[0], np.asarray(op.prop("bias"), dtype=np.int64), _axis(op),
            isqrt_iterations=op.prop("isqrt_iterations"), isqrt_mode=op.prop("isqrt_mode"),
            const_channels=None if const is None else np.asarray(const, dtype=bool),
        )
        return (to_result(out, op.output.type),)


@register_impls
class DataMovementFunctions(InterpreterFunctions):
    """Upstream ops that only move data: the frontend keeps these outside the intvit dialect."""

    @impl(arith.ConstantOp)
    def run_constant(self, interp: Interpreter, op: arith.ConstantOp, args: tuple[Any, ...]):
        module = op.get_toplevel_object()
        return (constant_array(op.value, op.result.type, module if isinstance(module, ModuleOp) else None),)

    @impl(tensor.CollapseShapeOp)
    def run_collapse(self, interp: Interpreter, op: tensor.CollapseShapeOp, args: tuple[Any, ...]):
        return (np.reshape(args[0], op.result.type.get_shape()),)  # type: ignore[union-attr]

    @impl(tensor.ExpandShapeOp)
    def run_expand(self, interp: Interpreter, op: tensor.ExpandShapeOp, args: tuple[Any, ...]):
        return (np.reshape(args[0], op.result.type.get_shape()),)  # type: ignore[union-attr]

    @impl(tensor.ReshapeOp)
    def run_reshape(self, interp: Interpreter, op: tensor.ReshapeOp, args: tuple[Any, ...]):
        return (np.reshape(args[0], op.result.type.get_shape()),)  # type: ignore[union-attr]

    @impl(TransposeOp)
    def run_transpose(self, interp: Interpreter, op: TransposeOp, args: tuple[Any, ...]):
        perm = op.permutation.get_values()
        return (np.ascontiguousarray(np.transpose(args[0], perm)),)

    @impl(tensor.EmptyOp)
    def run_empty(self, interp: Interpreter, op: tensor.EmptyOp, args: tuple[Any, ...]):
        typ = op.tensor.type
        return (np.zeros(typ.get_shape(), numpy_dtype(typ.element_type)),)  # type: ignore[union-attr]

    @impl(tensor.ExtractSliceOp)
    def run_extract_slice(self, interp: Interpreter, op: tensor.ExtractSliceOp, args: tuple[Any, ...]):
        if op.offsets or op.sizes or op.strides:
            raise InterpreterError("tensor.extract_slice with dynamic offsets is not supported")
        offs, sizes, strides = (op.static_offsets.get_values(), op.static_sizes.get_values(),
                                op.static_strides.get_values())
        index = tuple(slice(o, o + s * st, st) for o, s, st in zip(offs, sizes, strides))
        return (np.reshape(args[0][index], op.result.type.get_shape()),)  # type: ignore[union-attr]

    @impl(tensor.InsertSliceOp)
    def run_insert_slice(self, interp: Interpreter, op: tensor.InsertSliceOp, args: tuple[Any, ...]):
        if op.offsets or op.sizes or op.strides:
            raise InterpreterError("tensor.insert_slice with dynamic offsets is not supported")
        src, dest = args[0], np.array(args[1], copy=True)
        offs, sizes, strides = (op.static_offsets.get_values(), op.static_sizes.get_values(),
                                op.static_strides.get_values())
        index = tuple(slice(o, o + s * st, st) for o, s, st in zip(offs, sizes, strides))
        dest[index] = np.reshape(src, dest[index].shape)
        return (dest,)


def find_entry(module: ModuleOp, entry: str | None = None) -> func.FuncOp:
    funcs = [op for op in module.walk() if isinstance(op, func.FuncOp) and op.body.blocks]
    if entry is not None:
        for f in funcs:
            if f.sym_name.data == entry:
                return f
        raise InterpreterError(f"no function @{entry}; the module defines "
                               f"{', '.join('@' + f.sym_name.data for f in funcs) or 'none'}")
    public = [f for f in funcs if f.sym_visibility is None or f.sym_visibility.data == "public"]
    if len(public) == 1:
        return public[0]
    for name in ("main", "forward"):
        for f in public:
            if f.sym_name.data == name:
                return f
    raise InterpreterError(
        f"cannot choose an entry among {', '.join('@' + f.sym_name.data for f in public) or 'no functions'}; "
        "pass --entry NAME"
    )


def check_inputs(fn: func.FuncOp, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    types = fn.function_type.inputs.data
    if len(inputs) != len(types):
        raise InterpreterError(f"@{fn.sym_name.data} takes {len(types)} inputs, got {len(inputs)}")
    checked = []
    for i, (value, typ) in enumerate(zip(inputs, types)):
        value = np.asarray(value)
        if isinstance(typ, TensorType):
            want_shape, want_dtype = tuple(typ.get_shape()), numpy_dtype(typ.element_type)
            if value.shape != want_shape or value.dtype != want_dtype:
                raise InterpreterError(
                    f"input {i} of @{fn.sym_name.data}: expected {want_dtype}{list(want_shape)} "
                    f"({typ}), got {value.dtype}{list(value.shape)}"
                )
        checked.append(value)
    return checked


def random_arrays(sigs, seed: int) -> list[np.ndarray]:
    """Seeded arrays for (shape, dtype) pairs: N(0, 1) floats, full-range integers."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape, dtype in sigs:
        dtype = np.dtype(dtype)
        if dtype.kind == "f":
            arrays.append(rng.standard_normal(shape).astype(dtype))
        else:
            info = np.iinfo(dtype)
            arrays.append(rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True))
    return arrays


def random_inputs(fn: func.FuncOp, seed: int) -> list[np.ndarray]:
    """Seeded inputs matching the entry's argument types."""
    sigs = []
    for typ in fn.function_type.inputs.data:
        if not isinstance(typ, TensorType):
            raise InterpreterError(f"cannot make a random value of type {typ}")
        sigs.append((tuple(typ.get_shape()), numpy_dtype(typ.element_type)))
    return random_arrays(sigs, seed)


def run_module(module: ModuleOp, inputs: Sequence[np.ndarray], entry: str | None = None,
               listeners: Sequence[Interpreter.Listener] = ()) -> list[np.ndarray]:
    """Execute the entry function of `module` on `inputs`; return its results as numpy arrays.
    `listeners` see every op and its results (the per-layer error report records them)."""
    fn = find_entry(module, entry)
    args = check_inputs(fn, inputs)
    interp = Interpreter(module, listeners=tuple(listeners))
    interp.register_implementations(FuncFunctions())
    interp.register_implementations(IntvitFunctions())
    interp.register_implementations(DataMovementFunctions())
    try:
        results = interp.call_op(fn.sym_name.data, tuple(args))
    except NotImplementedError as err:
        raise InterpreterError(f"the interpreter cannot run this program: {err}") from None
    except (ValueError, OverflowError, golden.ScaleError) as err:
        raise InterpreterError(str(err)) from None
    return [np.asarray(r) for r in results]
