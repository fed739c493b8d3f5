"""Run lowered IR (`linalg`/`arith`/`tensor`, what `lower_module` produces) on numpy arrays.

An independent check of the lowering that does not go through MLIR or LLVM: every op is given
its upstream meaning (`runtime.arith_eval`), the golden model is not consulted.  xDSL's own
linalg interpreter walks the iteration space one point at a time over Python lists, minutes for a
DeiT GEMM; here a `linalg.generic` body runs once on whole arrays:

* each operand becomes a view over the iteration space (its indexing map's dims, size 1 on the
  dims it does not use), so every body op is one numpy call on broadcast arrays;
* a reduction whose body is `out = combine(out, f(ins))` with an associative, commutative
  `combine` (addi, max/min, and/or/xor) evaluates `f` on chunks of the whole iteration space and
  reduces with the numpy ufunc (integer wraparound is modular, so the order does not matter);
  any other reduction body runs once per point of the reduction dims, vectorized over the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

import numpy as np
from xdsl.dialects import arith, tensor
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls
from xdsl.interpreters.func import FuncFunctions

from intvit.runtime.arith_eval import EVAL, evaluate, fail, value_dtype
from intvit.runtime.interpreter import (
    DataMovementFunctions,
    InterpreterError,
    check_inputs,
    constant_array,
    find_entry,
)

CHUNK_ELEMENTS = 1 << 22  # iteration points evaluated at once in a reduction (memory bound)
COMBINERS = {
    arith.AddiOp: np.add, arith.MaxSIOp: np.maximum, arith.MinSIOp: np.minimum,
    arith.AndIOp: np.bitwise_and, arith.OrIOp: np.bitwise_or, arith.XOrIOp: np.bitwise_xor,
}


def map_dims(op: Operation, indexing_map) -> list[int | None]:
    """Iteration dim per operand axis (None for a constant 0 index)."""
    dims: list[int | None] = []
    for expr in indexing_map.results:
        if isinstance(expr, AffineDimExpr):
            dims.append(expr.position)
        elif isinstance(expr, AffineConstantExpr) and expr.value == 0:
            dims.append(None)
        else:
            fail(op, f"indexing map {indexing_map} is not a projected permutation")
    used = [d for d in dims if d is not None]
    if len(set(used)) != len(used):
        fail(op, f"indexing map {indexing_map} repeats a dim")
    return dims


def to_iteration(array: np.ndarray, dims: list[int | None], rank: int) -> np.ndarray:
    """A view of `array` over the iteration space: axis d holds dim d, size 1 where unused."""
    array = array[tuple(0 if d is None else slice(None) for d in dims)]
    used = [d for d in dims if d is not None]
    order = sorted(range(len(used)), key=lambda i: used[i])
    array = np.transpose(array, order)
    shape = [1] * rank
    for axis, d in enumerate(sorted(used)):
        shape[d] = array.shape[axis]
    return array.reshape(shape)


def from_iteration(values: np.ndarray, dims: list[int | None], shape: tuple[int, ...]) -> np.ndarray:
    """The output tensor `shape` whose element at `map(point)` is `values[point]`."""
    if None in dims:
        raise InterpreterError("a constant index in an output indexing map is not supported")
    drop = tuple(d for d in range(values.ndim) if d not in dims)
    values = values.reshape([s for d, s in enumerate(values.shape) if d not in drop]) if drop else values
    kept = sorted(dims)
    values = np.transpose(values, [kept.index(d) for d in dims])
    return np.ascontiguousarray(np.broadcast_to(values, shape))


def loop_bounds(op: linalg.GenericOp, arrays: Sequence[np.ndarray], all_dims) -> list[int]:
    rank = len(op.iterator_types.data)
    bounds: list[int | None] = [None] * rank
    for array, dims in zip(arrays, all_dims):
        for size, d in zip(np.shape(array), dims):
            if d is not None:
                if bounds[d] is not None and bounds[d] != size:
                    fail(op, f"operands disagree on the size of d{d}: {bounds[d]} vs {size}")
                bounds[d] = size
    if None in bounds:
        fail(op, "an iteration dim is not bound by any operand")
    return bounds  # type: ignore[return-value]


class BodyRunner:
    """Evaluates a generic's body on arrays; values defined outside come from the interpreter."""

    def __init__(self, interp: Interpreter, op: linalg.GenericOp, bounds: list[int]):
        self.interp, self.op, self.block, self.bounds = interp, op, op.body.block, bounds

    def run(self, block_args: dict[SSAValue, Any], skip: frozenset = frozenset(), offset=None) -> dict:
        env = dict(block_args)
        for body_op in self.block.ops:
            if body_op in skip or isinstance(body_op, linalg.YieldOp):
                continue
            args = tuple(env[v] if v in env else self.interp.get_values((v,))[0] for v in body_op.operands)
            env[body_op.results[0]] = self.eval(body_op, args, offset or {})
        return env

    def eval(self, body_op: Operation, args: tuple, offset: dict[int, Any]):
        if isinstance(body_op, arith.ConstantOp):
            return np.asarray(constant_array(body_op.value, body_op.result.type, None),
                              dtype=value_dtype(body_op.result.type))
        if isinstance(body_op, linalg.IndexOp):
            d = body_op.dim.value.data
            shape = [1] * len(self.bounds)
            index = offset.get(d, np.arange(self.bounds[d]))
            shape[d] = np.size(index)
            return np.reshape(index, shape).astype(np.int64)
        if isinstance(body_op, tensor.ExtractOp):
            return extract(body_op, args[0], args[1:])
        if len(body_op.results) != 1:
            fail(body_op, "has more than one result")
        return evaluate(body_op, args)


def extract(op: Operation, table: np.ndarray, indices: Sequence[np.ndarray]) -> np.ndarray:
    index = np.broadcast_arrays(*[np.asarray(i, dtype=np.int64) for i in indices])
    for axis, i in enumerate(index):
        if i.size and (i.min() < 0 or i.max() >= table.shape[axis]):
            fail(op, f"index {int(i.min() if i.min() < 0 else i.max())} is out of bounds for dimension "
                     f"{axis} of size {table.shape[axis]}")
    return table[tuple(index)]


def reduction_form(op: linalg.GenericOp) -> list[tuple[Operation, Any]] | None:
    """[(combiner op, ufunc)] per output when every output is `combine(out_arg, f(ins))`."""
    block: Block = op.body.block
    n_in = len(op.inputs)
    out_args = block.args[n_in:]
    yielded = block.last_op.operands  # type: ignore[union-attr]
    form = []
    for arg, value in zip(out_args, yielded):
        combiner = value.owner
        ufunc = COMBINERS.get(type(combiner))
        uses = list(arg.uses)
        if ufunc is None or len(uses) != 1 or uses[0].operation is not combiner:
            return None
        if value_dtype(arg.type) == np.bool_ or len(list(value.uses)) != 1:
            return None
        form.append((combiner, ufunc))
    combiners = {c for c, _ in form}
    for body_op in block.ops:  # f(ins) must not read a combined value
        if body_op not in combiners and any(v.owner in combiners for v in body_op.operands) \
                and not isinstance(body_op, linalg.YieldOp):
            return None
    return form


def run_generic(interp: Interpreter, op: linalg.GenericOp, args: tuple) -> tuple:
    maps = [m.data for m in op.indexing_maps.data]
    all_dims = [map_dims(op, m) for m in maps]
    bounds = loop_bounds(op, args, all_dims)
    rank = len(bounds)
    views = [to_iteration(np.asarray(a), dims, rank) for a, dims in zip(args, all_dims)]
    n_in = len(op.inputs)
    block = op.body.block
    runner = BodyRunner(interp, op, bounds)
    reduced = [i for i, t in enumerate(op.iterator_types.data) if t.data.value == "reduction"]
    if not reduced:
        env = runner.run(dict(zip(block.args, views)))
        results = [env[v] for v in block.last_op.operands]  # type: ignore[union-attr]
    else:
        form = reduction_form(op)
        run = run_reduction if form is not None else run_reduction_pointwise
        results = run(runner, views, n_in, reduced, form)
    target = [1 if d in reduced else b for d, b in enumerate(bounds)]
    return tuple(
        from_iteration(np.broadcast_to(r, target), dims, out.type.get_shape()).astype(value_dtype(out.type), copy=False)
        for r, dims, out in zip(results, all_dims[n_in:], op.results)
    )


def chunks(bounds: list[int], reduced: list[int]):
    """Slices of the first reduction dim so that each chunk has at most CHUNK_ELEMENTS points."""
    first = reduced[0]
    per_step = max(1, prod(bounds) // bounds[first])
    step = max(1, CHUNK_ELEMENTS // per_step)
    for start in range(0, bounds[first], step):
        yield first, slice(start, min(start + step, bounds[first]))


def run_reduction(runner: BodyRunner, views, n_in: int, reduced: list[int], form) -> list[np.ndarray]:
    """`out = combine(out, f(ins))`: f on chunks of the iteration space, reduced with the ufunc."""
    block = runner.block
    skip = frozenset(c for c, _ in form)
    accs = [np.asarray(v) for v in views[n_in:]]
    for dim, part in chunks(runner.bounds, reduced):
        ins = [v if v.shape[dim] == 1 else v[(slice(None),) * dim + (part,)] for v in views[:n_in]]
        env = runner.run(dict(zip(block.args[:n_in], ins)), skip,
                         {dim: np.arange(runner.bounds[dim])[part]})
        shape = list(runner.bounds)
        shape[dim] = part.stop - part.start
        new = []
        for acc, (combiner, ufunc), arg in zip(accs, form, block.args[n_in:]):
            other = next(v for v in combiner.operands if v is not arg)
            f = env[other] if other in env else runner.interp.get_values((other,))[0]
            f = np.broadcast_to(np.asarray(f, dtype=acc.dtype), shape)
            with np.errstate(over="ignore"):
                part_red = ufunc.reduce(f, axis=tuple(reduced), keepdims=True, dtype=acc.dtype)
                new.append(ufunc(acc, part_red).astype(acc.dtype, copy=False))
        accs = new
    return accs


def run_reduction_pointwise(runner: BodyRunner, views, n_in: int, reduced: list[int], _form) -> list[np.ndarray]:
    """Any reduction body: one step per point of the reduction dims, vectorized over the rest."""
    block = runner.block
    accs = [np.asarray(v) for v in views[n_in:]]
    for point in np.ndindex(*[runner.bounds[d] for d in reduced]):
        index = [slice(None)] * len(runner.bounds)
        for d, i in zip(reduced, point):
            index[d] = slice(i, i + 1)
        ins = [v[tuple(slice(None) if v.shape[d] == 1 else s for d, s in enumerate(index))] for v in views[:n_in]]
        env = runner.run(dict(zip(block.args, ins + accs)), offset={d: np.array([i]) for d, i in zip(reduced, point)})
        accs = [np.asarray(env[v] if v in env else dict(zip(block.args, ins + accs))[v])
                for v in block.last_op.operands]  # type: ignore[union-attr]
    return accs


@register_impls
class LinalgFunctions(InterpreterFunctions):
    @impl(linalg.GenericOp)
    def run_generic(self, interp: Interpreter, op: linalg.GenericOp, args: tuple[Any, ...]):
        return run_generic(interp, op, args)

    @impl(linalg.FillOp)
    def run_fill(self, interp: Interpreter, op: linalg.FillOp, args: tuple[Any, ...]):
        out = op.results[0].type
        return (np.full(out.get_shape(), args[0], dtype=value_dtype(out)),)  # type: ignore[union-attr]

    @impl(tensor.ExtractOp)
    def run_extract(self, interp: Interpreter, op: tensor.ExtractOp, args: tuple[Any, ...]):
        return (extract(op, args[0], args[1:]),)


def _arith_functions() -> InterpreterFunctions:
    """`arith`/`math` ops on whole values (outside a generic), from the same table as bodies."""
    namespace = {}
    for cls in EVAL:
        namespace[f"run_{cls.__name__}"] = impl(cls)(lambda self, interp, op, args: (evaluate(op, args),))
    return register_impls(type("LoweredArithFunctions", (InterpreterFunctions,), namespace))()


def run_lowered_module(module, inputs: Sequence[np.ndarray], entry: str | None = None) -> list[np.ndarray]:
    """Execute lowered IR's entry function on `inputs` (unsigned arrays are read as their bits)."""
    fn = find_entry(module, entry)
    inputs = [_as_signless(np.asarray(x), t) for x, t in zip(inputs, fn.function_type.inputs.data)]
    args = check_inputs(fn, inputs)
    interp = Interpreter(module)
    for functions in (FuncFunctions(), DataMovementFunctions(), LinalgFunctions(), _arith_functions()):
        interp.register_implementations(functions)
    try:
        results = interp.call_op(fn.sym_name.data, tuple(args))
    except NotImplementedError as err:
        raise InterpreterError(f"the interpreter cannot run this program: {err}") from None
    except InterpreterError as err:  # drop the module dump xDSL attaches as notes
        raise InterpreterError(str(err)) from None
    return [np.asarray(r) for r in results]


def _as_signless(value: np.ndarray, typ) -> np.ndarray:
    try:
        want = value_dtype(typ)
    except InterpreterError:
        return value
    if value.dtype.kind == "u" and want.kind == "i" and value.dtype.itemsize == want.itemsize:
        return value.view(want)
    return value
