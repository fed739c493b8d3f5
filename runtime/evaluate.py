"""`intvit eval`: a model end to end on a target: accuracy and bit-exactness.

import (export, calibrate, quantize) -> compile for the target -> run every test image on the
target and on the golden interpreter -> FP32 accuracy, integer accuracy, the number of output
elements where the target differs from the golden model, and latency per image.  Models without
labels (DeiT with random weights) report agreement with FP32 instead (cosine, top-1 agreement).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from intvit.runtime.interpreter import run_module
from intvit.runtime.model_io import build_named_model, calibration_images
from intvit.runtime.frontend import import_model
from intvit.runtime.targets import compile_for


@dataclass
class EvalData:
    images: np.ndarray  # [N, 1, C, H, W]: one exported-shape input per image
    labels: np.ndarray | None


def eval_data(model_name: str, shape: tuple[int, ...], limit: int | None, seed: int) -> EvalData:
    if model_name == "digits-vit":
        from intvit.runtime.zoo import digits

        _, _, x_test, y_test = digits.load_digits_split()
        n = len(x_test) if limit is None else min(limit, len(x_test))
        return EvalData(x_test[:n, None], y_test[:n])
    n = 8 if limit is None else limit
    rng = np.random.default_rng(seed + 1)
    return EvalData(rng.standard_normal((n, *shape)).astype(np.float32), None)


def _progress(iterable, desc: str, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, unit="img", leave=False)


def _latencies(executable, images, count: int = 200) -> list[float]:
    """Back-to-back calls on the first images (warm caches, outputs preallocated where the
    target takes them): the latency a serving loop sees, not the golden model's cache misses."""
    picks = [images[i % len(images)] for i in range(min(count, max(len(images), 20)))]
    out = executable.output_buffers()
    for x in picks[:5]:
        executable(x, out=out)
    seconds = []
    for x in picks:
        t0 = time.perf_counter()
        executable(x, out=out)
        seconds.append(time.perf_counter() - t0)
    return seconds


def evaluate(model_name: str = "digits-vit", target: str = "llvm-cpu", limit: int | None = None,
             calib: str = "64", seed: int = 0, weights: str | None = None, progress: bool = True,
             rounding: str = "half_even", options: dict | None = None, weight_bits: int = 8,
             act_bits: int = 8, calibration: str = "minmax", size_budget: int | str | None = None) -> dict:
    from intvit.runtime.targets import get_target

    options = get_target(target).select_options(options or {})  # a bad flag fails before the import
    model, shape = build_named_model(model_name, weights, seed)
    data = eval_data(model_name, shape, limit, seed)
    images = calibration_images(model_name, calib, shape, seed)
    t0 = time.perf_counter()
    imported = import_model(model, images[0], images, method=calibration, rounding=rounding,
                            progress=progress, weight_bits=weight_bits, act_bits=act_bits, size_budget=size_budget,
                            seed=seed)
    import_s = time.perf_counter() - t0
    module = imported.module
    executable = compile_for(target, module, **options)

    with torch.no_grad():
        fp32 = np.concatenate([model(torch.from_numpy(x)).numpy() for x in data.images])
    outputs = [executable(x)[0] for x in _progress(data.images, f"{target}", progress)]
    golden = [run_module(module, [x])[0] for x in _progress(data.images, "golden model", progress)]
    seconds = _latencies(executable, data.images)
    out, gold = np.concatenate(outputs), np.concatenate(golden)
    mismatches = int(np.sum(out != gold))
    report = {
        "model": model_name, "target": target, "device": executable.device, "images": int(len(data.images)),
        "fp32_top1": None, "int_top1": None, "golden_top1": None,
        "mismatches": mismatches, "bit_exact": mismatches == 0,
        "latency_ms": float(np.median(seconds) * 1000), "compile_s": executable.compile_s, "import_s": import_s,
        "top1_agreement": float(np.mean(out.argmax(1) == fp32.argmax(1)) * 100),
        "weight_bits": weight_bits, "act_bits": act_bits, "calibration": calibration, "size_budget": size_budget,
        "weight_bytes": weight_bytes(module), "precision": layer_widths(module),
        "cosine": float(np.mean([_cosine(a, b) for a, b in zip(out, fp32)])),
    }
    if data.labels is not None:
        report["fp32_top1"] = float(np.mean(fp32.argmax(1) == data.labels) * 100)
        report["int_top1"] = float(np.mean(out.argmax(1) == data.labels) * 100)
        report["golden_top1"] = float(np.mean(gold.argmax(1) == data.labels) * 100)
    return report


def weight_bytes(module) -> int:
    """Model size: every GEMM weight at its width (4/6/8 bits packed) plus its int32 bias."""
    from intvit.passes.quantize.precision_search import module_weight_bytes

    return module_weight_bytes(module)


def layer_widths(module) -> list[int]:
    """The weight width of every constant-weight GEMM, in program order (the search's choice)."""
    from intvit.dialects import intvit as iv

    return [int(op.attributes["intvit.weight_bits"].value.data) if "intvit.weight_bits" in op.attributes else 8
            for op in module.walk() if isinstance(op, iv.MatmulOp) and op.rhs.owner.name == "arith.constant"]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def format_report(r: dict) -> str:
    device = "" if r.get("device", "cpu") == "cpu" else f" ({r['device']})"
    lines = [f"model {r['model']} on {r['target']}{device}: {r['images']} images"]
    if r["fp32_top1"] is not None:
        lines.append(f"  FP32 top-1          {r['fp32_top1']:.2f}%")
        lines.append(f"  integer top-1       {r['int_top1']:.2f}%  ({r['int_top1'] - r['fp32_top1']:+.2f} pp)")
    lines.append(f"  agreement with FP32 top-1 {r['top1_agreement']:.1f}%, cosine {r['cosine']:.4f}")
    verdict = "bit-exact" if r["bit_exact"] else f"NOT bit-exact: {r['mismatches']} elements differ"
    lines.append(f"  vs golden model     {verdict}")
    lines.append(f"  latency             {r['latency_ms']:.3f} ms/image (median), compile {r['compile_s']:.1f} s")
    if "weight_bits" in r:
        widths = r["precision"] if r.get("size_budget") else f"W{r['weight_bits']}"
        lines.append(f"  precision           {widths} A{r['act_bits']}, calibration {r['calibration']}, "
                     f"weights {r['weight_bytes']} bytes")
    return "\n".join(lines)
