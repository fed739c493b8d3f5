"""Named models for the CLI: build or load a model, choose calibration data, write IR files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from xdsl.dialects.builtin import ModuleOp

from intvit.dialects.context import module_text
from intvit.runtime.frontend import FrontendError, ImportResult, import_model, load_user_model

DEIT_PRESETS = ("deit-tiny", "deit-small", "deit-base")


def parse_input_shape(text: str) -> tuple[int, ...]:
    """`--input-shape 1,3,224,224` -> (1, 3, 224, 224): positive integers, batch first."""
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    if not text.strip() or not all(p.isdigit() for p in parts):
        raise FrontendError(f"--input-shape {text!r}: expected positive integers separated by commas, "
                            f"batch first (e.g. 1,3,224,224)")
    shape = tuple(int(p) for p in parts)
    if not 2 <= len(shape) <= 8 or min(shape) < 1:
        raise FrontendError(f"--input-shape {text!r}: needs 2 to 8 sizes, each at least 1 (batch first, "
                            f"e.g. 1,3,224,224)")
    return shape


def check_batch(batch: int | None) -> None:
    if batch is not None and not 1 <= batch <= 4096:
        raise FrontendError(f"--batch {batch}: must be between 1 and 4096")


def _with_batch(shape: tuple[int, ...], batch: int | None) -> tuple[int, ...]:
    """`--batch` wins over the leading size of `--input-shape` or `example_input_shape`."""
    return shape if batch is None else (batch, *shape[1:])


def build_named_model(name: str, weights: str | None = None, seed: int = 0,
                      input_shape: tuple[int, ...] | None = None,
                      batch: int | None = None) -> tuple[torch.nn.Module, tuple[int, ...]]:
    """The model and the shape (batch included) it is exported at.  `batch` replaces the
    leading size of the model's shape (1 for the zoo models, `input_shape` or the model's
    `example_input_shape` for a model file)."""
    from intvit.runtime.zoo import vit

    check_batch(batch)
    if weights is not None and not Path(weights).is_file():
        raise FrontendError(f"--weights: no checkpoint file {weights}")
    if name == "digits-vit":
        from intvit.runtime.zoo import digits

        model = digits.load_trained() if weights is None else vit.build_model("digits-vit")
        shape = _zoo_shape(name, (1, 1, 8, 8), input_shape)
    elif name in DEIT_PRESETS:
        torch.manual_seed(seed)
        model = vit.build_model(name)
        shape = _zoo_shape(name, (1, 3, 224, 224), input_shape)
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
    return model.eval(), _with_batch(shape, batch)


def _zoo_shape(name: str, shape: tuple[int, ...], input_shape: tuple[int, ...] | None) -> tuple[int, ...]:
    if input_shape is not None and tuple(input_shape[1:]) != shape[1:]:
        raise FrontendError(f"--input-shape {','.join(map(str, input_shape))}: {name} takes "
                            f"{','.join(map(str, ('N', *shape[1:])))}")
    return shape if input_shape is None else (input_shape[0], *shape[1:])


def check_model_arguments(name: str, weights: str | None = None, calib: str | None = None,
                          batch: int | None = None) -> None:
    """The cheap checks of an import, run before any model is built, exported or calibrated."""
    check_batch(batch)
    if ":" in name:
        path = name.rpartition(":")[0]
        if path and not Path(path).is_file():
            raise FrontendError(f"no such model file: {path}")
    elif name != "digits-vit" and name not in DEIT_PRESETS:
        raise FrontendError(f"unknown model '{name}' (digits-vit, {', '.join(DEIT_PRESETS)}, or FILE.py:ClassName)")
    if weights is not None and not Path(weights).is_file():
        raise FrontendError(f"--weights: no checkpoint file {weights}")
    if calib is not None:
        check_calib(calib)


def check_calib(calib: str) -> None:
    if calib.isdigit():
        if int(calib) < 1:
            raise FrontendError("--calib needs at least one image")
        return
    path = Path(calib)
    if not path.is_dir():
        raise FrontendError(f"--calib {calib}: neither a count nor a folder (.npy images or class subfolders)")
    if not any(path.glob("*.npy")):
        from intvit.runtime.image_folder import is_image_folder, scan_image_folder

        if not is_image_folder(path):
            raise FrontendError(f"--calib {calib}: no .npy files and no class subfolders of images in the folder")
        scan_image_folder(path)  # a class without images fails here, before the import


def check_writable(output: str) -> None:
    """Fail before the import on an output file that could not be written."""
    import os

    path = Path(output)
    if path.is_dir():
        raise FrontendError(f"cannot write {output}: it is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FrontendError(f"cannot write {output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise FrontendError(f"cannot write {output}: permission denied")


def calibration_images(name: str, calib: str, shape: tuple[int, ...], seed: int = 0,
                       preprocess: dict | None = None) -> list[np.ndarray]:
    """N images, a folder of .npy images, or an image folder (DIR/<class>/<image>) read with the
    model's eval preprocessing (`image_folder.default_preprocess`; `preprocess` overrides its
    crop_pct/mean/std)."""
    path = Path(calib)
    if not calib.isdigit():
        if not path.is_dir():
            raise FrontendError(f"--calib {calib}: neither a count nor a folder (.npy images or class subfolders)")
        if not any(path.glob("*.npy")):
            return folder_calibration_images(name, path, shape, preprocess)
        images = [np.load(p, allow_pickle=False).astype(np.float32) for p in sorted(path.glob("*.npy"))]
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


def single_image_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Calibration runs image by image (batch 1), whatever the export batch, so the scales
    and with them every integer output are the same at every batch."""
    return (1, *shape[1:])


def folder_calibration_images(name: str, path: Path, shape: tuple[int, ...],
                              preprocess: dict | None = None) -> list[np.ndarray]:
    from intvit.runtime.image_folder import default_preprocess, is_image_folder, load_folder

    if not is_image_folder(path):
        raise FrontendError(f"--calib {path}: no .npy files and no class subfolders of images in the folder")
    return list(load_folder(path, default_preprocess(name, shape, **(preprocess or {}))))


def import_named_model(name: str, weights: str | None = None, calib: str = "32", seed: int = 0,
                       method: str = "minmax", percentile: float = 99.99, rounding: str = "half_even",
                       emit: str = "intvit", progress: bool = False,
                       input_shape: tuple[int, ...] | None = None, batch: int | None = None,
                       compat: str = "none", weight_bits: int = 8, act_bits: int = 8,
                       search=None) -> tuple[ImportResult, dict]:
    check_model_arguments(name, weights, calib, batch)
    model, shape = build_named_model(name, weights, seed, input_shape, batch)
    images = calibration_images(name, calib, single_image_shape(shape), seed)
    example = np.zeros(shape, np.float32)
    result = import_model(model, example, images, method=method, percentile=percentile, rounding=rounding,
                          stop_after_torch=emit == "torch", progress=progress, compat=compat,
                          weight_bits=weight_bits, act_bits=act_bits, search=search, seed=seed)
    info = {"input_shape": list(shape), "batch": shape[0], "calibration_images": len(images),
            "weight_bits": weight_bits, "act_bits": act_bits, "calibration": method}
    if emit != "torch":
        from intvit.runtime.precision_report import search_summary

        info.update(search_summary(result.module, search))
    return result, info


def write_module(module: ModuleOp, path: str) -> None:
    Path(path).write_text(module_text(module))
