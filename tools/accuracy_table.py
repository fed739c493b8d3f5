"""The accuracy table of issue 14: digits ViT, test split, every (weights, activations) width
with minmax, percentile and ptq4vit calibration, plus mixed precision by search at the size of
the all-W6 model; every row compiled for llvm-cpu and checked bit for bit against the golden
model.  Calibration uses the first `--calib` images of the train split only.

    python -m intvit.tools.accuracy_table [--limit N] [--calib 32] [--split test|train] [--json OUT.json]

Besides top-1 each cell reports its fidelity to the FP32 model (top-1 agreement, logit cosine):
on 450 images one image is 0.22 pp, so accuracy alone cannot rank two methods that differ by a
few images; `--split train` evaluates on the train images the calibration did not use, a second
sample for the same comparison.

The model is exported once; each calibration runs once (ptq4vit's gradients are collected once
and its search rerun per width), then every row quantizes a copy, compiles it and evaluates it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np
import torch
from xdsl.dialects import func

ROWS = [(8, 8), (6, 6), (4, 8), (4, 6)]
METHODS = ("minmax", "percentile", "ptq4vit")


def the_function(module):
    return next(op for op in module.ops if isinstance(op, func.FuncOp))


def evaluate_module(module, images, labels, fp32: np.ndarray) -> dict:
    from intvit.runtime.precision_report import layer_widths, weight_bytes
    from intvit.runtime.interpreter import run_module
    from intvit.runtime.targets import compile_for

    exe = compile_for("llvm-cpu", module)
    out = np.concatenate([exe(x)[0] for x in images])
    gold = np.concatenate([run_module(module, [x])[0] for x in images])
    cosine = np.sum(out * fp32, 1) / (np.linalg.norm(out.astype(np.float64), axis=1) * np.linalg.norm(fp32, axis=1))
    return {"int_top1": float(np.mean(out.argmax(1) == labels) * 100), "bit_exact": bool(np.array_equal(out, gold)),
            "top1_agreement": float(np.mean(out.argmax(1) == fp32.argmax(1)) * 100), "cosine": float(np.mean(cosine)),
            "correct": (out.argmax(1) == labels).astype(int).tolist(),
            "mismatches": int(np.sum(out != gold)), "weight_bytes": weight_bytes(module),
            "precision": layer_widths(module)}


def quantized(ctx, calibrated, weight_bits: int, act_bits: int, budget: str | None = None,
              granularity: str = "layer"):
    from intvit.passes.assign_precision import AssignPrecisionPass
    from intvit.passes.quantize_to_intvit import QuantizeToIntvitPass

    module = calibrated.clone()
    if budget:
        AssignPrecisionPass(policy="search", budget_bits=int(budget[1:]), granularity=granularity).apply(ctx, module)
    QuantizeToIntvitPass(weight_bits=weight_bits, act_bits=act_bits).apply(ctx, module)
    module.verify()
    return module


MIXED = {"mixed<=W6": "layer", "mixed-rows<=W6": "row"}  # the searches at the all-W6 size


def split_images(split: str, calib: int) -> tuple[np.ndarray, np.ndarray]:
    """The test split, or the train images after the first `calib` (the calibration images)."""
    from intvit.runtime.zoo import digits

    x_train, y_train, x_test, y_test = digits.load_digits_split()
    return (x_test, y_test) if split == "test" else (x_train[calib:], y_train[calib:])


def build_table(limit: int | None, calib: int, log=print, split: str = "test") -> list[dict]:
    from intvit.dialects.context import make_context
    from intvit.passes.calibrate import calibrate_function
    from intvit.passes.import_torch import ImportTorchPass
    from intvit.passes.quantize.ptq4vit import SearchConfig, collect, record
    from intvit.passes.torch_export import export_to_torch_mlir, parse_torch_module
    from intvit.runtime.model_io import build_named_model, calibration_images

    model, shape = build_named_model("digits-vit", None, 0)
    x_test, y_test = split_images(split, calib)
    n = len(x_test) if limit is None else min(limit, len(x_test))
    images, labels = x_test[:n, None], y_test[:n]
    with torch.no_grad():
        fp32 = np.concatenate([model(torch.from_numpy(x)).numpy() for x in images])
    fp32_top1 = float(np.mean(fp32.argmax(1) == labels) * 100)
    samples = [(s.astype(np.float32),) for s in calibration_images("digits-vit", str(calib), shape, 0)]
    ctx = make_context()
    base = parse_torch_module(export_to_torch_mlir(model.eval(), torch.from_numpy(samples[0][0])))
    ImportTorchPass().apply(ctx, base)
    calibrated = {}
    for method in ("minmax", "percentile"):
        calibrated[method] = base.clone()
        calibrate_function(the_function(calibrated[method]), samples, method)
    ptq = calibrated["minmax"].clone()
    layers = collect(the_function(ptq), samples, progress=False)
    rows = []

    def add(wb, ab, method, module, t0):
        row = {"weights": wb, "acts": ab, "calibration": method, "fp32_top1": fp32_top1, "images": n, "split": split,
               **evaluate_module(module, images, labels, fp32), "seconds": time.perf_counter() - t0}
        rows.append(row)
        log(json.dumps(row))

    # the rows the targets name first (W6A6, the search at its size), then the rest
    jobs = [(6, 6, m) for m in METHODS] + [(mixed, 6, "ptq4vit") for mixed in MIXED] \
        + [(wb, ab, m) for wb, ab in ROWS if (wb, ab) != (6, 6) for m in METHODS]
    for wb, ab, method in jobs:
        t0 = time.perf_counter()
        mixed = wb in MIXED
        if method == "ptq4vit":
            with torch.no_grad():
                for layer in layers:
                    record(layer, SearchConfig(6 if mixed else wb, ab, all_widths=mixed))
        module = quantized(ctx, ptq if method == "ptq4vit" else calibrated[method], 6 if mixed else wb, ab,
                           budget="w6" if mixed else None, granularity=MIXED.get(wb, "layer"))
        add(wb, ab, method, module, t0)
    return rows


def _cell_table(rows: list[dict], title: str, cell) -> list[str]:
    lines = [f"| W/A ({title}) | minmax | percentile | ptq4vit | bit-exact (llvm-cpu vs golden) |", "|---|---|---|---|---|"]
    for wb, ab in ROWS:
        cells = {r["calibration"]: r for r in rows if r["weights"] == wb and r["acts"] == ab}
        exact = all(c["bit_exact"] for c in cells.values())
        lines.append(f"| W{wb}A{ab} | " + " | ".join(cell(cells[m]) for m in METHODS) + f" | {'all' if exact else 'NO'} |")
    for r in rows:
        if r["weights"] in MIXED:
            what = "4/6/8-bit layers" if MIXED[r["weights"]] == "layer" else "4/8-bit rows"
            lines.append(f"| mixed {what} (search, <= all-W6 size) A6 | | | {cell(r)} | {'yes' if r['bit_exact'] else 'NO'} |")
    return lines


def _widths(precision: list) -> str:
    return "[" + ", ".join(str(w) if isinstance(w, int) else f"{w['rows_8bit']}/{w['rows_4bit'] + w['rows_8bit']} rows 8-bit"
                           for w in precision) + "]"


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test (McNemar's exact test) on the images two methods disagree on."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired(rows: list[dict]) -> list[str]:
    """ptq4vit against minmax, image by image: which images only one of them gets right."""
    lines = ["| W/A | only ptq4vit right | only minmax right | exact sign test p |", "|---|---|---|---|"]
    for wb, ab in ROWS:
        cells = {r["calibration"]: r for r in rows if r["weights"] == wb and r["acts"] == ab}
        a, b = np.array(cells["ptq4vit"]["correct"]), np.array(cells["minmax"]["correct"])
        wins, losses = int(np.sum((a == 1) & (b == 0))), int(np.sum((a == 0) & (b == 1)))
        lines.append(f"| W{wb}A{ab} | {wins} | {losses} | {sign_test(wins, losses):.2f} |")
    return lines


def markdown(rows: list[dict]) -> str:
    lines = _cell_table(rows, "top-1", lambda r: f"{r['int_top1']:.2f}%")
    lines += [""] + _cell_table(rows, "agreement with FP32 top-1 / logit cosine",
                                lambda r: f"{r['top1_agreement']:.2f}% / {r['cosine']:.4f}")
    lines += [""] + paired(rows)
    for r in rows:
        if r["weights"] in MIXED:
            lines.append(f"\n{r['weights']} ({MIXED[r['weights']]}): weights per GEMM {_widths(r['precision'])} "
                         f"({r['weight_bytes']} bytes)")
    lines.append(f"\nFP32: {rows[0]['fp32_top1']:.2f}% on {rows[0]['images']} {rows[0]['split']} images")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--limit", type=int, help="evaluate the first N images of the split (default: all)")
    p.add_argument("--calib", type=int, default=32, help="calibration images from the train split")
    p.add_argument("--split", choices=["test", "train"], default="test",
                   help="test: the 450 test images; train: the train images the calibration did not use")
    p.add_argument("--json", metavar="OUT.json", help="also write the rows as JSON")
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # the search's GEMMs and the per-op float evaluation are small
    rows = build_table(args.limit, args.calib, log=lambda s: print(s, file=sys.stderr, flush=True), split=args.split)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    print(markdown(rows))
    return 0 if all(r["bit_exact"] for r in rows) else 2


if __name__ == "__main__":
    sys.exit(main())
