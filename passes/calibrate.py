"""`calibrate{inputs=calib.npy method=minmax|percentile percentile=99.99}`: record activation ranges.

Runs the torch-dialect function in float (PyTorch's ATen kernels, `passes/torch_eval.py`) on
each calibration sample and writes `intvit.absmax = array<f64: ...>` on every op (one entry per
result) and `intvit.arg_absmax` on the function: exactly the ranges `quantize-to-intvit` turns
into scales.  `minmax` (default) takes the largest |x| seen; `percentile` averages, over the
samples, the given percentile of |x| (robust to outliers, as TensorRT's calibrators do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, ModuleOp, f64
from xdsl.ir import SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.passes.torch_eval import TorchEvalError, evaluate

ABSMAX = "intvit.absmax"
ARG_ABSMAX = "intvit.arg_absmax"


def _statistic(value, method: str, percentile: float) -> float:
    arr = np.abs(np.asarray(value, dtype=np.float64))
    if arr.size == 0:
        return 0.0
    return float(arr.max() if method == "minmax" else np.percentile(arr, percentile))


METHODS = ("minmax", "percentile", "ptq4vit")


def calibrate_function(fn: func.FuncOp, samples: Sequence[Sequence[np.ndarray]], method: str = "minmax",
                       percentile: float = 99.99, progress: bool = False, weight_bits: int = 8,
                       act_bits: int = 8, seed: int = 0, sensitivities: bool = True) -> None:
    """Annotate `fn` with the ranges observed over `samples` (each a tuple of inputs); `ptq4vit`
    also runs PTQ4ViT's Hessian-guided search for `weight_bits`/`act_bits` (ranges as minmax),
    and with `sensitivities` the 4/6/8-bit weight searches a precision search reads (3x the work)."""
    if method not in METHODS:
        raise ValueError(f"unknown calibration method '{method}' (one of {', '.join(METHODS)})")
    if method == "ptq4vit":
        from intvit.passes.quantize.ptq4vit import SearchConfig, search_function

        calibrate_function(fn, samples, "minmax", percentile, progress)
        search_function(fn, samples, SearchConfig(weight_bits, act_bits, seed=seed, all_widths=sensitivities),
                        progress)
        return
    if not samples:
        raise ValueError("calibration needs at least one sample")
    stats: dict[SSAValue, list[float]] = {}

    def observe(value: SSAValue, result) -> None:
        if isinstance(result, np.ndarray) and result.dtype.kind == "f":
            stats.setdefault(value, []).append(_statistic(result, method, percentile))

    iterator = samples
    if progress:
        from tqdm import tqdm

        iterator = tqdm(samples, desc="calibrate", unit="img", leave=False)
    for sample in iterator:
        evaluate(fn, list(sample), observe)

    def reduce(value: SSAValue) -> float:
        seen = stats.get(value)
        if not seen:
            return 0.0
        return float(max(seen) if method == "minmax" else np.mean(seen))

    block = fn.body.blocks.first
    assert block is not None
    fn.attributes[ARG_ABSMAX] = DenseArrayBase.from_list(f64, [reduce(a) for a in block.args])
    for op in block.ops:
        if op.results and op.name.startswith("torch.aten."):
            op.attributes[ABSMAX] = DenseArrayBase.from_list(f64, [reduce(r) for r in op.results])
        elif op.name == "torch.prim.ListUnpack":
            op.attributes[ABSMAX] = DenseArrayBase.from_list(f64, [reduce(r) for r in op.results])


def load_samples(path: str, fn: func.FuncOp) -> list[tuple[np.ndarray, ...]]:
    """A .npy holding N samples stacked on a new leading axis, for a one-argument function."""
    data = np.load(path, allow_pickle=False)
    args = fn.function_type.inputs.data
    if len(args) != 1:
        raise ValueError(f"calibration from a file needs a one-argument function, @{fn.sym_name.data} has {len(args)}")
    shape = tuple(int(s) for s in getattr(args[0], "sizes", ()))
    if tuple(data.shape[1:]) != shape:
        raise ValueError(f"calibration data {path} has samples of shape {list(data.shape[1:])}, "
                         f"@{fn.sym_name.data} takes {list(shape)}")
    return [(np.ascontiguousarray(s, dtype=np.float32),) for s in data]


@dataclass(frozen=True)
class CalibratePass(ModulePass):
    """Run the float torch IR on calibration inputs and annotate every op with its range."""

    name = "calibrate"

    inputs: str = ""
    method: str = "minmax"
    percentile: float = 99.99
    weight_bits: int = 8
    act_bits: int = 8

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.method not in METHODS:
            raise PassFailedException(f"calibrate: unknown method '{self.method}' (one of {', '.join(METHODS)})")
        for what, bits in (("weight-bits", self.weight_bits), ("act-bits", self.act_bits)):
            if bits not in (4, 6, 8):
                raise PassFailedException(f"calibrate: {what} must be 4, 6 or 8, got {bits}")
        if not self.inputs:
            raise PassFailedException("calibrate: give the calibration samples with inputs=PATH.npy")
        for fn in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            try:
                calibrate_function(fn, load_samples(self.inputs, fn), self.method, self.percentile,
                                   weight_bits=self.weight_bits, act_bits=self.act_bits)
            except (ValueError, OSError, TorchEvalError) as err:
                raise PassFailedException(f"calibrate: {err}") from None
