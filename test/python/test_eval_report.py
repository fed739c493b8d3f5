"""`intvit eval --data DIR --calib DIR --report DIR` on generated image folders: the digits test
split written as PNG/JPEG files (labels from the folder names), and the per-layer error report
checked against numbers computed here independently."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from PIL import Image

from intvit.runtime.zoo import digits
from intvit.tools.intvit_main import main as intvit_main

PER_CLASS = 3
LIMIT = 20  # round robin over the classes: the first 2 files of every class


def write_digits(root, x, y, per_class: int) -> None:
    """8x8 digits as files: mostly grayscale PNG, some RGB PNG (same gray in each channel) and
    some JPEG, so the loader's decoding and channel conversion are on the path."""
    counts = dict.fromkeys(range(10), 0)
    for img, label in zip(x, y):
        label = int(label)
        if counts[label] == per_class:
            continue
        k = counts[label]
        counts[label] += 1
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.rint(img[0] * 255.0).astype(np.uint8)  # digits are pixel/16 in [0, 1]
        if (k + label) % 3 == 1:
            Image.fromarray(np.stack([pixels] * 3, -1), "RGB").save(folder / f"img{k}.png")
        elif (k + label) % 3 == 2:
            Image.fromarray(pixels, "L").save(folder / f"img{k}.jpg", quality=95)
        else:
            Image.fromarray(pixels, "L").save(folder / f"img{k}.png")


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    x_train, y_train, x_test, y_test = digits.load_digits_split()
    write_digits(root / "test", x_test, y_test, PER_CLASS)
    write_digits(root / "calib", x_train, y_train, 1)
    return root


@pytest.fixture(scope="module")
def report(evaluated):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = intvit_main(["eval", "--model", "digits-vit", "--target", "interpreter",
                          "--data", str(evaluated / "test"), "--limit", str(LIMIT),
                          "--calib", str(evaluated / "calib"), "--report", str(evaluated / "report"), "--json"])
    assert rc == 0, buf.getvalue()
    return json.loads(buf.getvalue().strip().splitlines()[-1])


def test_eval_on_an_image_folder_uses_its_labels(report, evaluated):
    assert report["images"] == LIMIT and report["data"] == str(evaluated / "test")
    # labels come from the sorted folder names; a wrong class order would score about 10%
    assert report["fp32_top1"] >= 85.0
    assert report["int_top1"] >= report["fp32_top1"] - 10.0
    assert report["bit_exact"]


def chosen_images(root) -> list[np.ndarray]:
    """The evaluated inputs, decoded here without the loader: files sorted per class, the first
    LIMIT / 10 of each (8x8 already: no resize; digits preprocessing is x / 255)."""
    images = []
    for label in range(10):
        files = sorted((root / str(label)).iterdir())[:LIMIT // 10]
        images += [np.asarray(Image.open(f).convert("L"), dtype=np.float64) / 255.0 for f in files]
    return images


def sqnr(x: np.ndarray, q: np.ndarray) -> float:
    return 10 * math.log10(float(np.sum(x * x)) / float(np.sum((x - q) ** 2)))


def test_report_files_and_rows(report, evaluated):
    folder = evaluated / "report"
    assert report["report"]["tensors"] > 40
    for name in ("report.md", "report.html", "report.json", "sqnr.png", "hist_01.png"):
        assert (folder / name).stat().st_size > 500, name
    rows = json.loads((folder / "report.json").read_text())["tensors"]
    assert len(rows) == report["report"]["tensors"]
    ops = {r["op"] for r in rows}
    assert {"quantize", "requant", "matmul", "shiftmax", "shiftgelu", "layernorm", "add"} <= ops
    for r in rows:
        assert r["sqnr_db"] is not None and math.isfinite(r["sqnr_db"]), r
        assert 0.0 <= r["clip_rate"] <= 1.0
        # every tensor is compared with the FP32 value it stands for: a wrong pairing (another
        # layer, a transposed layout) would not stay this close
        assert r["cosine"] > 0.95, r
    md = (folder / "report.md").read_text()
    assert "![per-tensor SQNR and clipping rate](sqnr.png)" in md and "hist_01.png" in md
    assert md.count("\n| ") == len(rows) + 1
    html = (folder / "report.html").read_text()
    assert html.count("<tr>") == len(rows) + 1 and '<img src="sqnr.png"' in html
    assert any(r["tensor"].startswith("blocks.0.attn") for r in rows)  # names from the nn.Module


def test_report_numbers_match_an_independent_computation(report, evaluated):
    rows = json.loads((evaluated / "report" / "report.json").read_text())["tensors"]
    images = chosen_images(evaluated / "test")
    # the input tensor: quantize with its scale by hand
    row = next(r for r in rows if r["tensor"] == "input")
    s = row["scale"]
    x = np.concatenate([i.ravel() for i in images])
    q = np.clip(np.rint(x / s), -(2 ** (row["bits"] - 1)), 2 ** (row["bits"] - 1) - 1) * s
    assert row["sqnr_db"] == pytest.approx(sqnr(x, q), rel=1e-6)  # the loader divides in float32
    assert row["clip_rate"] == float(np.mean((x < -128 * s) | (x > 127 * s)))
    # the logits: FP32 from the nn.Module itself (not the torch IR the report evaluates)
    out = next(r for r in rows if r["output"])
    model = digits.load_trained()
    with torch.no_grad():
        logits = np.concatenate([model(torch.from_numpy(i[None, None].astype(np.float32))).numpy() for i in images])
    assert out["fp32_min"] == pytest.approx(float(logits.min()), abs=1e-4)
    assert out["fp32_max"] == pytest.approx(float(logits.max()), abs=1e-4)
    assert out["clip_rate"] == float(np.mean((logits < out["range"][0]) | (logits > out["range"][1])))


def test_ranges_from_bits_and_from_a_twin_requant():
    """The histogram/clipping ranges: the op's `bits` (a 6-bit code in an i8 container), and
    PTQ4ViT's twin form (`twin T` on a requant: R1 with the fine step, R2 with 2^T times it)."""
    from xdsl.dialects.builtin import IntegerAttr, IntegerType, Signedness, TensorType, i64
    from xdsl.utils.test_value import create_ssa_value

    from intvit.dialects import intvit as iv
    from intvit.runtime.error_report import quant_ranges

    src = create_ssa_value(TensorType(IntegerType(8, Signedness.UNSIGNED), [4]))
    op = iv.RequantOp(src, [1 << 30], [31], 6, TensorType(IntegerType(8), [4]))
    (plain,) = quant_ranges(op, np.array([0.5]))
    assert (plain.lo.item(), plain.hi.item()) == (-16.0, 15.5) and plain.label == "i6 range"
    op.properties["twin"] = IntegerAttr(3, i64)
    fine, coarse = quant_ranges(op, np.array([0.5]))
    assert (fine.lo.item(), fine.hi.item()) == (0.0, 15.5)  # unsigned input (post-Shiftmax): [0, L s]
    assert (coarse.lo.item(), coarse.hi.item()) == (0.0, 124.0)  # [0, L 2^T s]
    signed = iv.RequantOp(create_ssa_value(TensorType(IntegerType(16), [4])), [1 << 30], [31], 6,
                          TensorType(IntegerType(16), [4]))
    signed.properties["twin"] = IntegerAttr(2, i64)
    fine, coarse = quant_ranges(signed, np.array([-0.5]))  # a negated channel swaps the ends
    assert (fine.lo.item(), fine.hi.item()) == (0.0, 15.5) and (coarse.lo.item(), coarse.hi.item()) == (-62.0, 0.0)
