"""Evaluate torch-dialect IR in floating point with PyTorch's own ATen kernels.

Calibration needs the value of every tensor in the *imported IR* (not of the nn.Module, whose
intermediate tensors have no names in the IR).  Each `torch.aten.<op>.<overload>` dispatches to
`torch.ops.aten.<op>.<overload>` with its operands in schema order, so every ATen op the exporter
can emit is evaluated exactly as PyTorch would, with no per-op numpy re-implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    FloatAttr,
    Float32Type,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Operation, SSAValue

from intvit.dialects.resources import resource_array


class TorchEvalError(RuntimeError):
    pass


def op_attr(op: Operation, name: str) -> Attribute | None:
    value = op.properties.get(name)
    return op.attributes.get(name) if value is None else value


def literal_array(op: Operation) -> np.ndarray:
    """The constant of a `torch.vtensor.literal` as a numpy array (float32 weights, mostly)."""
    value = op_attr(op, "value")
    if isinstance(value, DenseResourceAttr):
        return resource_array(value)
    if isinstance(value, DenseIntOrFPElementsAttr):
        typ = value.type
        assert isinstance(typ, TensorType)
        data = np.asarray(value.get_values())
        if isinstance(typ.element_type, Float32Type):  # xDSL hands back Python floats (float64)
            data = data.astype(np.float32)
        shape = tuple(typ.get_shape())
        return np.broadcast_to(data, shape).copy() if data.size == 1 else data.reshape(shape)
    raise TorchEvalError(f"{op.name}: unsupported literal {value}")


def scalar_constant(op: Operation) -> Any:
    kind = op.name.rsplit(".", 1)[-1]
    if kind == "none":
        return None
    value = op_attr(op, "value")
    if isinstance(value, IntegerAttr):
        return bool(value.value.data) if kind == "bool" else int(value.value.data)
    if isinstance(value, FloatAttr):
        return float(value.value.data)
    if isinstance(value, StringAttr):
        return value.data
    raise TorchEvalError(f"{op.name}: unsupported constant {value}")


def aten_kernel(name: str) -> Callable:
    """`torch.aten.add.Tensor` -> torch.ops.aten.add.Tensor; no overload -> `.default`."""
    parts = name.split(".")[2:]
    packet = getattr(torch.ops.aten, parts[0], None)
    if packet is None:
        raise TorchEvalError(f"unknown ATen op {name}")
    overload = parts[1] if len(parts) > 1 else "default"
    kernel = getattr(packet, overload, None)
    if kernel is None:
        raise TorchEvalError(f"unknown ATen overload {name}")
    return kernel


def evaluate(module_or_func: Operation, inputs: Sequence[np.ndarray],
             observe: Callable[[SSAValue, Any], None] | None = None) -> list[Any]:
    """Run the single function of a torch-dialect module; call `observe(value, result)` for
    every SSA result (tensors as numpy arrays).  Returns the function's results."""
    fn = _the_function(module_or_func)
    block = fn.regions[0].blocks.first
    assert block is not None
    env: dict[SSAValue, Any] = {}
    for arg, value in zip(block.args, inputs, strict=True):
        env[arg] = torch.from_numpy(np.ascontiguousarray(value))
        if observe:
            observe(arg, np.asarray(value))
    with torch.no_grad():
        for op in block.ops:
            if op.name in ("func.return", "torch.return"):
                return [_to_numpy(env[v]) for v in op.operands]
            results = _run_op(op, [env[v] for v in op.operands])
            for res, value in zip(op.results, results, strict=True):
                env[res] = value
                if observe:
                    observe(res, _to_numpy(value))
    raise TorchEvalError("function has no return")


def evaluate_traced(module_or_func: Operation, inputs: Sequence[np.ndarray],
                    keep: Callable[[Operation], bool]) -> tuple[list[Any], dict[Operation, tuple[list[Any], Any]]]:
    """Like `evaluate`, but with autograd on and torch tensors out: returns the function's
    results and, for every op `keep` selects, its (arguments, result) as live torch values, so
    the caller can backpropagate a loss to those results (`result.grad` after `backward`)."""
    fn = _the_function(module_or_func)
    block = fn.regions[0].blocks.first
    assert block is not None
    env: dict[SSAValue, Any] = {}
    kept: dict[Operation, tuple[list[Any], Any]] = {}
    for arg, value in zip(block.args, inputs, strict=True):
        env[arg] = torch.from_numpy(np.ascontiguousarray(value)).requires_grad_(True)
    for op in block.ops:
        if op.name in ("func.return", "torch.return"):
            return [env[v] for v in op.operands], kept
        args = [env[v] for v in op.operands]
        results = list(_run_op(op, args))
        if keep(op) and len(results) == 1 and isinstance(results[0], torch.Tensor):
            results[0].retain_grad()
            kept[op] = (args, results[0])
        for res, value in zip(op.results, results, strict=True):
            env[res] = value
    raise TorchEvalError("function has no return")


def _the_function(op: Operation) -> Operation:
    if isinstance(op, ModuleOp):
        funcs = [o for o in op.ops if o.name == "func.func"]
        if len(funcs) != 1:
            raise TorchEvalError(f"expected one function in the torch module, found {len(funcs)}")
        return funcs[0]
    return op


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, (list, tuple)):
        return [_to_numpy(v) for v in value]
    return value


def run_op(op: Operation, args: list[Any]) -> list[Any]:
    """One op on torch values (what `evaluate` does per op): replays a layer on new operands."""
    return list(_run_op(op, args))


def _run_op(op: Operation, args: list[Any]) -> Iterator[Any] | list[Any]:
    name = op.name
    if name == "torch.vtensor.literal":
        return [torch.from_numpy(literal_array(op))]
    if name.startswith("torch.constant."):
        return [scalar_constant(op)]
    if name == "torch.prim.ListConstruct":
        return [list(args)]
    if name == "torch.prim.ListUnpack":
        return list(args[0])
    if name.startswith("torch.aten."):
        kernel = aten_kernel(name)
        positional, keywords = list(args), {}
        schema_args = kernel._schema.arguments
        if len(schema_args) == len(args):  # the IR lists keyword-only arguments in schema order too
            positional = [a for a, s in zip(args, schema_args) if not s.kwarg_only]
            keywords = {s.name: a for a, s in zip(args, schema_args) if s.kwarg_only}
        try:
            out = kernel(*positional, **keywords)
        except TorchEvalError:
            raise
        except Exception as err:
            raise TorchEvalError(f"{name} failed in calibration: {err}") from None
        if len(op.results) == 1:
            return [out]
        return list(out)
    raise TorchEvalError(f"cannot evaluate {name}")
