"""The model-level frontend: `torch.nn.Module` -> calibrated, quantized `intvit` module.

    export (torch-mlir fx, no decompositions) -> parse (xDSL torch dialect) -> import-torch
      -> calibrate (float ATen on sample inputs) -> quantize-to-intvit

Each step is the pass of the same name, so `intvit-opt` can replay any part of it on a file.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import make_context


class FrontendError(RuntimeError):
    pass


@dataclass
class ImportResult:
    torch_module: ModuleOp | None
    module: ModuleOp
    timings: dict[str, float] = field(default_factory=dict)


def load_user_model(spec: str) -> torch.nn.Module:
    """`path/to/file.py:ClassName` -> an instance (constructed with no arguments, eval mode)."""
    path, _, cls_name = spec.rpartition(":")
    if not path or not cls_name:
        raise FrontendError(f"expected FILE.py:ClassName, got '{spec}'")
    if not Path(path).is_file():
        raise FrontendError(f"no such model file: {path}")
    mod_spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    assert mod_spec is not None and mod_spec.loader is not None
    module = importlib.util.module_from_spec(mod_spec)
    try:
        mod_spec.loader.exec_module(module)
    except Exception as err:
        raise FrontendError(f"cannot import {path}: {type(err).__name__}: {err}") from None
    cls = getattr(module, cls_name, None)
    if cls is None:
        raise FrontendError(f"{path} defines no '{cls_name}'")
    try:
        return cls().eval()
    except Exception as err:
        raise FrontendError(f"cannot construct {cls_name}(): {type(err).__name__}: {err}") from None


def import_model(model: torch.nn.Module, example: np.ndarray, calibration: list[np.ndarray],
                 method: str = "minmax", percentile: float = 99.99, rounding: str = "half_even",
                 softmax_bits: int = 8, isqrt: str = "exact", stop_after_torch: bool = False,
                 progress: bool = False, weight_bits: int = 8, act_bits: int = 8,
                 size_budget: int | str | None = None, seed: int = 0) -> ImportResult:
    """Export `model` at the shape of `example` (batch included) and quantize it with the
    ranges seen on `calibration` (a list of inputs shaped like `example`)."""
    from intvit.passes.calibrate import calibrate_function
    from intvit.passes.import_torch import ImportTorchPass
    from intvit.passes.quantize_to_intvit import QuantizeToIntvitPass
    from intvit.passes.torch_export import export_to_torch_mlir, parse_torch_module

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    text = export_to_torch_mlir(model.eval(), torch.from_numpy(np.ascontiguousarray(example)))
    timings["export_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    module = parse_torch_module(text)
    ctx = make_context()
    ImportTorchPass().apply(ctx, module)
    timings["parse_s"] = time.perf_counter() - t0
    if stop_after_torch:
        return ImportResult(module, module, timings)
    for sample in calibration:
        if sample.shape != example.shape:
            raise FrontendError(f"calibration sample of shape {list(sample.shape)}; the model was exported "
                                f"for {list(example.shape)}")
    t0 = time.perf_counter()
    fn = next(op for op in module.ops if isinstance(op, func.FuncOp))
    calibrate_function(fn, [(s.astype(np.float32),) for s in calibration], method, percentile, progress,
                       weight_bits=weight_bits, act_bits=act_bits, seed=seed)
    timings["calibrate_s"] = time.perf_counter() - t0
    if size_budget is not None:
        from intvit.passes.assign_precision import AssignPrecisionPass

        spec = str(size_budget)
        by_width = int(spec[1:]) if spec[:1] in ("w", "W") and spec[1:].isdigit() else 0
        AssignPrecisionPass(policy="search", size_budget=0 if by_width else int(spec),
                            budget_bits=by_width).apply(ctx, module)
    t0 = time.perf_counter()
    QuantizeToIntvitPass(rounding=rounding, softmax_bits=softmax_bits, isqrt=isqrt, weight_bits=weight_bits,
                         act_bits=act_bits).apply(ctx, module)
    module.verify()
    timings["quantize_s"] = time.perf_counter() - t0
    return ImportResult(None, module, timings)
