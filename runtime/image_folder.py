"""ImageNet-style image folders (`intvit eval --data DIR`, `--calib DIR`) and timm's eval preprocessing.

Layout and order are torchvision's `ImageFolder`: one subfolder per class, classes are the sorted
subfolder names (class index = position), files are found by `os.walk` (sorted, links followed)
and kept when their lowercased name ends in one of torchvision's `IMG_EXTENSIONS`.  torchvision
itself is not used (it does not load beside this torch); the rules are copied, and the tests
check them against a reference written independently.

Preprocessing is timm's `transforms_imagenet_eval` for a centre crop, on PIL images as
torchvision's transforms do it:
  1. decode with Pillow, convert to "RGB" (3-channel models) or "L" (1-channel models);
  2. resize with PIL's BICUBIC: the shorter side to `int(size / crop_pct)` and the longer side to
     `int(that * long / short)` (torchvision's `Resize(int)`); a non-square input size uses
     timm's `ResizeKeepRatio` (both sides cover `int(side / crop_pct)`, aspect kept);
  3. centre crop to the model's input size, offsets `int(round((side - crop) / 2))`;
  4. to float32 in [0, 1] (`/ 255`), then `(x - mean) / std` per channel.
Nothing here imports torch, so a bad folder is reported before the model is even built.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# torchvision.datasets.folder.IMG_EXTENSIONS
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
DEFAULT_CROP_PCT = 0.875


class ImageFolderError(ValueError):
    """A folder or image that cannot be evaluated; the message names the path."""


@dataclass(frozen=True)
class Preprocess:
    """Eval preprocessing for an input of `channels` x `height` x `width`."""

    channels: int
    height: int
    width: int
    crop_pct: float = DEFAULT_CROP_PCT
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD

    def __post_init__(self):
        if self.channels not in (1, 3):
            raise ImageFolderError(f"images feed 1- or 3-channel models; this model takes {self.channels} channels")
        if not 0.0 < self.crop_pct <= 1.0:
            raise ImageFolderError(f"--crop-pct must be in (0, 1], got {self.crop_pct}")
        for name, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, self.channels):
                wanted = "1 value" if self.channels == 1 else f"1 or {self.channels} values"
                raise ImageFolderError(f"--{name} needs {wanted} for this {self.channels}-channel model, got {len(values)}")
            if not all(math.isfinite(v) for v in values):
                raise ImageFolderError(f"--{name} values must be finite numbers")
        if any(v <= 0 for v in self.std):
            raise ImageFolderError("--std values must be positive")

    def resize_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) the decoded image is resized to before the centre crop."""
        target_h, target_w = math.floor(self.height / self.crop_pct), math.floor(self.width / self.crop_pct)
        if target_h == target_w:  # torchvision Resize(int): shorter side to the size
            short, long = (width, height) if width <= height else (height, width)
            new_short, new_long = target_h, int(target_h * long / short)
            return (new_short, new_long) if width <= height else (new_long, new_short)
        ratio = min(height / target_h, width / target_w)  # timm ResizeKeepRatio(longest=0)
        return round(width / ratio), round(height / ratio)

    def __call__(self, image) -> np.ndarray:
        """A PIL image -> float32 [channels, height, width]."""
        from PIL import Image

        image = image.convert("RGB" if self.channels == 3 else "L")
        size = self.resize_size(*image.size)
        if size != image.size:
            image = image.resize(size, Image.Resampling.BICUBIC)
        width, height = image.size
        top = int(round((height - self.height) / 2.0))
        left = int(round((width - self.width) / 2.0))
        pixels = np.asarray(image, dtype=np.uint8).reshape(height, width, self.channels)
        crop = pixels[top:top + self.height, left:left + self.width].transpose(2, 0, 1)
        x = crop.astype(np.float32) / np.float32(255.0)
        mean = np.asarray(self.mean, dtype=np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=np.float32).reshape(-1, 1, 1)
        return (x - mean) / std


def default_preprocess(model_name: str, shape: tuple[int, ...], crop_pct: float | None = None,
                       mean: tuple[float, ...] | None = None, std: tuple[float, ...] | None = None) -> Preprocess:
    """The model's own eval preprocessing, with any of crop_pct/mean/std overridden.

    DeiT (and any 3-channel model): timm's defaults, crop 0.875 and ImageNet mean/std.  The
    digits ViT was trained on whole 8x8 images scaled to [0, 1]: crop 1.0, mean 0, std 1.
    Other 1-channel models get the same [0, 1] scaling.
    """
    if len(shape) != 4:
        raise ImageFolderError(f"image folders feed models that take one [1, C, H, W] image; "
                               f"this one takes {list(shape)}")
    channels, height, width = shape[1:]
    if model_name == "digits-vit" or channels != 3:
        defaults = (1.0, (0.0,), (1.0,))
    else:
        defaults = (DEFAULT_CROP_PCT, IMAGENET_MEAN, IMAGENET_STD)
    return Preprocess(channels, height, width,
                      defaults[0] if crop_pct is None else crop_pct,
                      tuple(defaults[1] if mean is None else mean),
                      tuple(defaults[2] if std is None else std))


def has_image_extension(name: str) -> bool:
    return name.lower().endswith(IMG_EXTENSIONS)


def find_classes(root: str | Path) -> list[str]:
    root = Path(root)
    if not root.exists():
        raise ImageFolderError(f"{root}: no such folder")
    if not root.is_dir():
        raise ImageFolderError(f"{root}: not a folder")
    classes = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
    if not classes:
        loose = any(has_image_extension(p.name) for p in root.iterdir())
        hint = " (the images lie directly in it: put each class in its own subfolder)" if loose else ""
        raise ImageFolderError(f"{root}: no class subfolders{hint}; expected DIR/<class>/<image>.jpg")
    return classes


@dataclass(frozen=True)
class ImageFolder:
    root: Path
    classes: list[str]
    samples: list[tuple[Path, int]]  # (file, class index), in ImageFolder order

    def interleaved(self, limit: int | None = None) -> list[tuple[Path, int]]:
        """The first image of every class, then the second, ...: a `--limit` still spans the classes."""
        by_class: list[list[tuple[Path, int]]] = [[] for _ in self.classes]
        for path, label in self.samples:
            by_class[label].append((path, label))
        order = [s for rank in range(max(map(len, by_class))) for s in
                 (c[rank] for c in by_class if rank < len(c))]
        return order if limit is None else order[:limit]


def scan_image_folder(root: str | Path) -> ImageFolder:
    """Classes and image files of `root`; every class must hold at least one image."""
    root = Path(root)
    classes = find_classes(root)
    samples: list[tuple[Path, int]] = []
    empty = []
    for index, name in enumerate(classes):
        found = 0
        for dirpath, _, filenames in sorted(os.walk(root / name, followlinks=True)):
            for filename in sorted(filenames):
                if has_image_extension(filename):
                    samples.append((Path(dirpath) / filename, index))
                    found += 1
        if not found:
            empty.append(name)
    if empty:
        listed = ", ".join(empty[:5]) + (f" and {len(empty) - 5} more" if len(empty) > 5 else "")
        raise ImageFolderError(f"{root}: no image files ({', '.join(IMG_EXTENSIONS)}) for the class(es) {listed}")
    return ImageFolder(root, classes, samples)


def open_image(path: Path):
    """Decode one file fully (Pillow), with a one-line error that names it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()
            return image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ImageFolderError(f"{path}: cannot read the image ({type(err).__name__}: {err})") from None


def check_readable(paths: list[Path]) -> None:
    """Open each file's header (no full decode): non-images fail here, before any model work."""
    from PIL import Image, UnidentifiedImageError

    for path in paths:
        try:
            with Image.open(path) as image:
                image.size  # noqa: B018 - the header is parsed on open; size proves it
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
            raise ImageFolderError(f"{path}: cannot read the image ({type(err).__name__}: {err})") from None


class FolderImages:
    """A lazy sequence of preprocessed images shaped like the model input ([1, C, H, W] each):
    decoded on access, so a 50,000-image folder never sits in memory."""

    def __init__(self, samples: list[tuple[Path, int]], preprocess: Preprocess):
        self.paths = [p for p, _ in samples]
        self.labels = np.asarray([label for _, label in samples], dtype=np.int64)
        self.preprocess = preprocess

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return np.stack([self[i] for i in range(*index.indices(len(self)))])
        return self.preprocess(open_image(self.paths[index]))[None]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None):
        out = self[:]
        return out if dtype is None else out.astype(dtype)


def load_folder(root: str | Path, preprocess: Preprocess, limit: int | None = None,
                num_classes: int | None = None) -> FolderImages:
    """The (interleaved, limited) images of `root`, checked: class count against the model's
    `num_classes` outputs, and every chosen file's header readable."""
    if limit is not None and limit < 1:
        raise ImageFolderError(f"--limit must be at least 1, got {limit}")
    folder = scan_image_folder(root)
    if num_classes is not None and len(folder.classes) != num_classes:
        raise ImageFolderError(
            f"{folder.root}: {len(folder.classes)} class subfolders ({_listed(folder.classes)}), "
            f"but the model has {num_classes} outputs; labels are the sorted subfolder names, one per output")
    chosen = folder.interleaved(limit)
    check_readable([p for p, _ in chosen])
    return FolderImages(chosen, preprocess)


def is_image_folder(root: str | Path) -> bool:
    root = Path(root)
    return root.is_dir() and any(entry.is_dir() for entry in os.scandir(root))


def _listed(names: list[str], limit: int = 4) -> str:
    return ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
