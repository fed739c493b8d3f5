"""Named models for the CLI: build or load a model, choose calibration data, write IR files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from xdsl.dialects.builtin import ModuleOp
from xdsl.printer import Printer

from intvit.runtime.frontend import FrontendError, ImportResult, import_model, load_user_model

DEIT_PRESETS = ("deit-tiny", "deit-small", "deit-base")


def build_named_model(name: str, weights: str | None = None, seed: int = 0,
                      input_shape: tuple[int, ...] | None = None) -> tuple[torch.nn.Module, tuple[int, ...]]:
    """The model and the shape (batch 1 included) it is exported at."""
    from intvit.runtime.zoo import vit

    if name == "digits-vit":
        from intvit.runtime.zoo import digits

        model = digits.load_trained() if weights is None else vit.build_model("digits-vit")
        shape = (1, 1, 8, 8)
    elif name in DEIT_PRESETS:
        torch.manual_seed(seed)
        model = vit.build_model(name)
        shape = (1, 3, 224, 224)
    elif ":" in name:
        model = load_user_model(name)
        if input_shape is None:
            input_shape = getattr(model, "example_input_shape", None)
        if input_shape is None:
            raise FrontendError(f"{name}: give --input-shape (e.g. 1,3,32,32) or set `example_input_shape` on the model")
        shape = tuple(input_shape)
    else:
        raise FrontendError(f"unknown model '{name}' (digits-vit, {', '.join(DEIT_PRESETS)}, or FILE.py:ClassName)")
    if weights is not None:
        vit.load_checkpoint(model, weights)
    return model.eval(), shape


def calibration_images(name: str, calib: str, shape: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    path = Path(calib)
    if not calib.isdigit():
        if not path.is_dir():
            raise FrontendError(f"--calib {calib}: neither a count nor a folder of .npy images")
        images = [np.load(p, allow_pickle=False).astype(np.float32) for p in sorted(path.glob("*.npy"))]
        if not images:
            raise FrontendError(f"--calib {calib}: no .npy files in the folder")
        out = []
        for p, img in zip(sorted(path.glob("*.npy")), images):
            img = img.reshape((1, *img.shape)) if img.ndim == len(shape) - 1 else img
            if tuple(img.shape) != shape:
                raise FrontendError(f"calibration image {p} has shape {list(img.shape)}, the model takes {list(shape)}")
            out.append(img)
        return out
    count = int(calib)
    if count < 1:
        raise FrontendError("--calib needs at least one image")
    if name == "digits-vit":
        from intvit.runtime.zoo import digits

        x_train = digits.load_digits_split()[0]
        return [x_train[i:i + 1] for i in range(min(count, len(x_train)))]
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]


def import_named_model(name: str, weights: str | None = None, calib: str = "32", seed: int = 0,
                       method: str = "minmax", percentile: float = 99.99, rounding: str = "half_even",
                       emit: str = "intvit", progress: bool = False,
                       input_shape: tuple[int, ...] | None = None, weight_bits: int = 8, act_bits: int = 8,
                       size_budget: int | str | None = None) -> tuple[ImportResult, dict]:
    model, shape = build_named_model(name, weights, seed, input_shape)
    images = calibration_images(name, calib, shape, seed)
    result = import_model(model, images[0], images, method=method, percentile=percentile, rounding=rounding,
                          stop_after_torch=emit == "torch", progress=progress, weight_bits=weight_bits,
                          act_bits=act_bits, size_budget=size_budget, seed=seed)
    return result, {"input_shape": list(shape), "calibration_images": len(images), "weight_bits": weight_bits,
                    "act_bits": act_bits, "calibration": method}


def module_text(module: ModuleOp) -> str:
    """The module with its `{-# dialect_resources #-}` section (the weight blobs)."""
    from io import StringIO

    from xdsl.dialects.builtin import Builtin

    out = StringIO()
    printer = Printer(stream=out)
    printer.print_op(module)
    printer.print_metadata([Builtin])
    out.write("\n")
    return out.getvalue()


def write_module(module: ModuleOp, path: str) -> None:
    Path(path).write_text(module_text(module))
