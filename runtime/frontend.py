"""The model-level frontend: `torch.nn.Module` -> calibrated, quantized `intvit` module.

    export (torch-mlir fx, no decompositions) -> parse (xDSL torch dialect) -> import-torch
      -> calibrate (float ATen on sample inputs) -> quantize-to-intvit

Each step is the pass of the same name, so `intvit-opt` can replay any part of it on a file.
"""

from __future__ import annotations

import importlib.util
import math
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


@dataclass(frozen=True)
class PrecisionSearch:
    """Mixed precision by search (`assign-precision{policy=search}`) on the calibrated torch IR:
    within `size_budget` (BYTES, or `wN` for the size of all-N-bit weights) or within the cycles
    per frame that `fps_budget` allows on the hls-cpp target's accelerator model (`part`,
    `freq_mhz`; None: `intvit estimate`'s defaults), per `granularity` (layer or row)."""
    size_budget: int | str | None = None
    fps_budget: float | None = None
    granularity: str = "layer"
    part: str | None = None
    freq_mhz: float | None = None

    def apply(self, module: ModuleOp) -> None:
        """Record the chosen widths (or rows) on the calibrated torch IR's GEMMs."""
        from intvit.passes.assign_precision import AssignPrecisionPass

        if self.fps_budget is not None:
            self.search_cycles(module)
            return
        spec = str(self.size_budget)
        by_width = int(spec[1:]) if spec[:1] in ("w", "W") and spec[1:].isdigit() else 0
        AssignPrecisionPass(policy="search", size_budget=0 if by_width else int(spec),
                            budget_bits=by_width, granularity=self.granularity).apply(make_context(), module)

    def accelerator(self) -> dict:
        """The FPGA the FPS budget is on: `part`/`freq_mhz`, else `intvit estimate`'s defaults."""
        from intvit.runtime.targets import TARGETS

        hls = TARGETS["hls-cpp"]
        defaults = hls.estimate_defaults()
        return {"part": self.part or hls.default_part, "freq_mhz": self.freq_mhz or defaults["freq_mhz"],
                "dsp_util": defaults["dsp_util"], "lut_util": defaults["lut_util"], **hls.tiling_defaults()}

    def estimated_fps(self, module: ModuleOp) -> float:
        """`intvit estimate`'s frames per second for the quantized module, on this accelerator."""
        from intvit.runtime.targets import TARGETS

        return TARGETS["hls-cpp"].estimate(module, **self.accelerator())["fps"]

    def search_cycles(self, module: ModuleOp) -> None:
        from intvit.passes.quantize.precision_search import SearchError, assign_for_cycles
        from intvit.runtime.targets import TARGETS

        accelerator = self.accelerator()
        model = TARGETS["hls-cpp"].cycle_model(**accelerator)
        try:
            assign_for_cycles(module, math.floor(accelerator["freq_mhz"] * 1e6 / self.fps_budget), model,
                              self.granularity)
        except SearchError as err:
            raise FrontendError(f"--fps-budget {self.fps_budget:g}: {err}") from None


def import_model(model: torch.nn.Module, example: np.ndarray, calibration: list[np.ndarray],
                 method: str = "minmax", percentile: float = 99.99, rounding: str = "half_even",
                 softmax_bits: int = 8, isqrt: str = "exact", stop_after_torch: bool = False,
                 progress: bool = False, compat: str = "none", keep_torch: bool = False,
                 weight_bits: int = 8, act_bits: int = 8, search: PrecisionSearch | None = None,
                 seed: int = 0) -> ImportResult:
    """Export `model` at the shape of `example` (batch included) and quantize it with the
    ranges seen on `calibration`: inputs shaped like `example`, or single images (batch 1) when
    `example` is a batch of N > 1.  Then the model is calibrated at batch 1 and the ranges are
    carried over to the batch-N export, so every scale, and every image's integer output, is the
    one batch 1 gives.  `keep_torch`: also return the calibrated torch-dialect module (what the
    per-layer error report runs in float)."""
    from intvit.passes.calibrate import calibrate_function
    from intvit.passes.quantize_to_intvit import QuantizeToIntvitPass

    timings: dict[str, float] = {}
    module = _export_and_parse(model, example, timings)
    if stop_after_torch:
        return ImportResult(module, module, timings)
    single = (1, *example.shape[1:])
    rebatch = example.shape[0] != 1 and all(s.shape == single for s in calibration)
    for sample in calibration:
        if sample.shape != example.shape and not rebatch:
            raise FrontendError(f"calibration sample of shape {list(sample.shape)}; the model was exported "
                                f"for {list(example.shape)}")
    calibrated = _export_and_parse(model, np.zeros(single, np.float32), timings) if rebatch else module
    t0 = time.perf_counter()
    fn = next(op for op in calibrated.ops if isinstance(op, func.FuncOp))
    calibrate_function(fn, [(s.astype(np.float32),) for s in calibration], method, percentile, progress,
                       sensitivities=search is not None,
                       weight_bits=weight_bits, act_bits=act_bits, seed=seed)
    if rebatch:
        copy_calibration(fn, next(op for op in module.ops if isinstance(op, func.FuncOp)), example.shape[0])
    timings["calibrate_s"] = time.perf_counter() - t0
    if search is not None:
        search.apply(module)
    t0 = time.perf_counter()
    torch_module = module.clone() if keep_torch else None
    QuantizeToIntvitPass(rounding=rounding, softmax_bits=softmax_bits, isqrt=isqrt, compat=compat,
                         provenance=keep_torch, weight_bits=weight_bits, act_bits=act_bits).apply(make_context(), module)
    module.verify()
    timings["quantize_s"] = time.perf_counter() - t0
    return ImportResult(torch_module, module, timings)


def _export_and_parse(model: torch.nn.Module, example: np.ndarray, timings: dict[str, float]) -> ModuleOp:
    from intvit.passes.import_torch import ImportTorchPass
    from intvit.passes.torch_export import export_to_torch_mlir, parse_torch_module

    t0 = time.perf_counter()
    text = export_to_torch_mlir(model.eval(), torch.from_numpy(np.ascontiguousarray(example)))
    timings["export_s"] = timings.get("export_s", 0.0) + time.perf_counter() - t0
    t0 = time.perf_counter()
    module = parse_torch_module(text)
    ImportTorchPass().apply(make_context(), module)
    timings["parse_s"] = timings.get("parse_s", 0.0) + time.perf_counter() - t0
    return module


def copy_calibration(source: func.FuncOp, target: func.FuncOp, batch: int) -> None:
    """Carry the ranges of the batch-1 function over to the same graph exported at `batch`;
    refuse when the two graphs differ (a model whose ops depend on the batch size)."""
    from intvit.passes.calibrate import ABSMAX, ARG_ABSMAX

    src_ops, dst_ops = list(source.body.block.ops), list(target.body.block.ops)
    for i, (a, b) in enumerate(zip(src_ops, dst_ops)):
        if a.name != b.name or len(a.results) != len(b.results):
            raise FrontendError(f"the graph exported at batch {batch} differs from batch 1 at op {i} "
                                f"('{b.name}' vs '{a.name}'): the model's ops depend on the batch size, so "
                                f"batch 1's calibration does not apply; import at batch 1")
        for name, value in a.attributes.items():  # ranges and PTQ4ViT's searched steps and widths
            if name == ABSMAX or name.startswith("intvit."):
                b.attributes[name] = value
    if len(src_ops) != len(dst_ops):
        raise FrontendError(f"the graph exported at batch {batch} has {len(dst_ops)} ops, at batch 1 "
                            f"{len(src_ops)}: the model's ops depend on the batch size; import at batch 1")
    target.attributes[ARG_ABSMAX] = source.attributes[ARG_ABSMAX]
