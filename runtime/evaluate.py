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

from intvit.runtime.precision_report import format_widths, search_summary
from intvit.runtime.interpreter import run_module
from intvit.runtime.model_io import (build_named_model, calibration_images, check_model_arguments,
                                     single_image_shape)
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


def folder_eval_data(data_dir: str, model: torch.nn.Module, shape: tuple[int, ...], limit: int | None,
                     preprocess) -> EvalData:
    """An image folder's images (decoded lazily) with the labels its subfolders give."""
    from intvit.runtime.image_folder import load_folder

    with torch.no_grad():
        outputs = int(model(torch.zeros(shape)).shape[-1])
    images = load_folder(data_dir, preprocess, limit, outputs)
    return EvalData(images, images.labels)  # type: ignore[arg-type]


def _progress(iterable, desc: str, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, unit="img", leave=False)


def _latencies(executable, images, count: int = 200) -> list[float]:
    """Back-to-back calls on the first images (warm caches, outputs preallocated where the
    target takes them): the latency a serving loop sees, not the golden model's cache misses."""
    distinct = [images[i] for i in range(min(len(images), 20))]  # decoded once, reused
    picks = [distinct[i % len(distinct)] for i in range(min(count, max(len(images), 20)))]
    out = executable.output_buffers()
    for x in picks[:5]:
        executable(x, out=out)
    seconds = []
    for x in picks:
        t0 = time.perf_counter()
        executable(x, out=out)
        seconds.append(time.perf_counter() - t0)
    return seconds


class Batches:
    """Single-image inputs (`[1, ...]` each; an array or a lazy image folder) seen as inputs of
    `batch` images, built on access so a large folder is decoded one batch at a time; the last
    batch is padded with zero images (their outputs are dropped)."""

    def __init__(self, images, batch: int):
        self.images, self.batch, self.count = images, batch, len(images)
        self.padding = -self.count % batch

    def __len__(self) -> int:
        return (self.count + self.padding) // self.batch

    def __getitem__(self, index: int) -> np.ndarray:
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = index * self.batch
        flat = np.concatenate([np.asarray(self.images[i]) for i in range(start, min(start + self.batch, self.count))])
        if len(flat) < self.batch:
            flat = np.concatenate([flat, np.zeros((self.batch - len(flat), *flat.shape[1:]), flat.dtype)])
        return flat

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def batches_of(images, batch: int) -> tuple[Batches, int]:
    """(the batches of `images`, the number of padding images in the last one)."""
    batches = Batches(images, batch)
    return batches, batches.padding


def _run_batches(fn, batches, count: int, batch: int) -> np.ndarray:
    """The first output of every batch, concatenated, padding dropped."""
    outs = [fn(b)[0] for b in batches]
    out = np.concatenate(outs)
    if any(len(o) != batch for o in outs):
        raise ValueError(f"the model's output {list(out.shape[1:])} does not lead with the batch: "
                         f"--batch needs a model whose output's first axis is the batch")
    return out[:count]


def evaluate(model_name: str = "digits-vit", target: str = "llvm-cpu", limit: int | None = None,
             calib: str = "64", seed: int = 0, weights: str | None = None, progress: bool = True,
             rounding: str = "half_even", options: dict | None = None, compat: str = "none",
             input_shape: tuple[int, ...] | None = None, batch: int | None = None,
             data_dir: str | None = None, preprocess: dict | None = None, report_dir: str | None = None,
             weight_bits: int = 8, act_bits: int = 8, calibration: str = "minmax",
             search=None) -> dict:
    """`batch` N: the model is imported and compiled at batch N (calibrated per image, as at
    batch 1) and the test images run N at a time; the last batch is padded with zero images.
    `data_dir`: an image folder to evaluate (labels from its subfolders); `preprocess`:
    crop_pct/mean/std overrides for image folders; `report_dir`: write the per-layer error report.
    `weight_bits`/`act_bits`/`calibration`/`search` (a `frontend.PrecisionSearch`): the quantization recipe."""
    from intvit.runtime.image_folder import default_preprocess, scan_image_folder
    from intvit.runtime.targets import get_target

    options = get_target(target).select_options(options or {})  # a bad flag fails before the import
    check_model_arguments(model_name, weights, calib, batch)
    if data_dir is not None:
        scan_image_folder(data_dir)  # layout errors before the model is built
    if report_dir is not None and batch not in (None, 1):
        raise ValueError("--report compares each image with the FP32 model at batch 1: drop --batch")
    model, shape = build_named_model(model_name, weights, seed, input_shape, batch)
    single = single_image_shape(shape)
    data = (eval_data(model_name, single, limit, seed) if data_dir is None else
            folder_eval_data(data_dir, model, single, limit,
                             default_preprocess(model_name, single, **(preprocess or {}))))
    images = calibration_images(model_name, calib, single, seed, preprocess)
    t0 = time.perf_counter()
    imported = import_model(model, np.zeros(shape, np.float32), images, method=calibration, rounding=rounding,
                            progress=progress, compat=compat, keep_torch=report_dir is not None,
                            weight_bits=weight_bits, act_bits=act_bits, search=search, seed=seed)
    import_s = time.perf_counter() - t0
    module = imported.module
    executable = compile_for(target, module, **options)

    with torch.no_grad():
        fp32 = np.concatenate([model(torch.from_numpy(x)).numpy() for x in data.images])
    batches, padding = batches_of(data.images, shape[0])
    count = len(data.images)
    out = _run_batches(executable, _progress(batches, f"{target}", progress), count, shape[0])
    gold = _run_batches(lambda b: run_module(module, [b]), _progress(batches, "golden model", progress), count,
                        shape[0])
    seconds = _latencies(executable, batches)
    mismatches = int(np.sum(out != gold))
    report = {
        "model": model_name, "target": target, "device": executable.device, "images": int(count),
        "batch": int(shape[0]), "padded_images": int(padding),
        "fp32_top1": None, "int_top1": None, "golden_top1": None,
        "mismatches": mismatches, "bit_exact": mismatches == 0,
        "latency_ms": float(np.median(seconds) * 1000 / shape[0]),
        "batch_latency_ms": float(np.median(seconds) * 1000),
        "compile_s": executable.compile_s, "import_s": import_s,
        "top1_agreement": float(np.mean(out.argmax(1) == fp32.argmax(1)) * 100),
        "weight_bits": weight_bits, "act_bits": act_bits, "calibration": calibration,
        **search_summary(module, search),
        "cosine": float(np.mean([_cosine(a, b) for a, b in zip(out, fp32)])),
    }
    if data.labels is not None:
        report["fp32_top1"] = float(np.mean(fp32.argmax(1) == data.labels) * 100)
        report["int_top1"] = float(np.mean(out.argmax(1) == data.labels) * 100)
        report["golden_top1"] = float(np.mean(gold.argmax(1) == data.labels) * 100)
    if data_dir is not None:
        report["data"] = str(data_dir)
    if report_dir is not None:
        from intvit.runtime.report import write_error_report

        report["report"] = write_error_report(report_dir, imported.torch_module, module, data.images, report,
                                              model=model, progress=progress)
    return report


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def format_report(r: dict) -> str:
    device = "" if r.get("device", "cpu") == "cpu" else f" ({r['device']})"
    batch = r.get("batch", 1)
    padded = f", last batch padded with {r['padded_images']} zero images (outputs dropped)" \
        if r.get("padded_images") else ""
    lines = [f"model {r['model']} on {r['target']}{device}: {r['images']} images"
             + (f" in batches of {batch}{padded}" if batch > 1 else "")]
    if r["fp32_top1"] is not None:
        lines.append(f"  FP32 top-1          {r['fp32_top1']:.2f}%")
        lines.append(f"  integer top-1       {r['int_top1']:.2f}%  ({r['int_top1'] - r['fp32_top1']:+.2f} pp)")
    lines.append(f"  agreement with FP32 top-1 {r['top1_agreement']:.1f}%, cosine {r['cosine']:.4f}")
    verdict = "bit-exact" if r["bit_exact"] else f"NOT bit-exact: {r['mismatches']} elements differ"
    lines.append(f"  vs golden model     {verdict}")
    per_batch = f"{r['batch_latency_ms']:.3f} ms/batch of {batch}, " if batch > 1 else ""
    lines.append(f"  latency             {per_batch}{r['latency_ms']:.3f} ms/image (median), "
                 f"compile {r['compile_s']:.1f} s")
    if "weight_bits" in r:
        widths = format_widths(r["precision"]) if r.get("granularity") else f"W{r['weight_bits']}"
        lines.append(f"  precision           {widths} A{r['act_bits']}, calibration {r['calibration']}, "
                     f"weights {r['weight_bytes']} bytes")
    if r.get("fps_budget"):
        lines.append(f"  FPGA estimate       {r['fps_estimate']:.1f} FPS (budget {r['fps_budget']:g})")
    return "\n".join(lines)
