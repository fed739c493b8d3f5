"""`intvit eval --report DIR`: compare (`error_report`), then render (`report_render`)."""

from __future__ import annotations

from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from intvit.runtime.error_report import collect_errors, module_labels
from intvit.runtime.report_render import render


def write_error_report(folder: str, torch_module: ModuleOp, module: ModuleOp, images, summary: dict,
                       model=None, progress: bool = False) -> dict:
    """Compare, render, and return what the `--json` of eval shows about the report."""
    labels = None
    if model is not None and len(images):
        try:
            labels = module_labels(model, images[0], torch_module)
        except Exception:  # noqa: BLE001 - names are a convenience; the graph's own names remain
            labels = None
    rows = collect_errors(torch_module, module, images, labels, progress)
    lines = [f"{summary.get('images', len(images))} images, target {summary.get('target')}"]
    if summary.get("fp32_top1") is not None:
        lines.append(f"top-1: FP32 {summary['fp32_top1']:.2f}%, integer {summary['int_top1']:.2f}%")
    lines.append("SQNR = 10 log10(sum x^2 / sum (x - q s)^2) over all images; cosine likewise; clipping = FP32 "
                 "values outside [lo s, hi s] of the tensor's codes")
    files = render(Path(folder), f"Per-layer quantization error: {summary.get('model', 'model')}", lines, rows,
                   len(images))
    worst = min(rows, key=lambda r: r.sqnr_db)
    return {"dir": str(folder), "tensors": len(rows), "files": files,
            "worst_tensor": worst.name, "worst_sqnr_db": worst.sqnr_db}
