"""Image folders: torchvision ImageFolder's class order and extensions, timm's eval preprocessing
(checked against a reference computed here by hand), grayscale/RGB, and bad folders."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from intvit.runtime.image_folder import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    ImageFolderError,
    Preprocess,
    default_preprocess,
    load_folder,
    open_image,
    scan_image_folder,
)


def shape_image(kind: str, size=(40, 30), mode="RGB", seed=0) -> Image.Image:
    """A drawn shape on a noisy background (so resizing has detail to get wrong)."""
    rng = np.random.default_rng(seed)
    w, h = size
    bg = rng.integers(0, 80, (h, w, 3), dtype=np.uint8)
    img = Image.fromarray(bg, "RGB")
    draw = ImageDraw.Draw(img)
    box = (w // 5, h // 5, 4 * w // 5, 4 * h // 5)
    fill = tuple(int(v) for v in rng.integers(120, 256, 3))
    if kind == "circle":
        draw.ellipse(box, fill=fill)
    elif kind == "square":
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([(box[0], box[3]), ((box[0] + box[2]) // 2, box[1]), (box[2], box[3])], fill=fill)
    return img.convert(mode)


@pytest.fixture
def shapes(tmp_path):
    """Classes `C_tri`, `a_circle`, `b_square` (sorted: uppercase first), a nested subfolder,
    upper-case extensions, and files that are not images by extension."""
    root = tmp_path / "shapes"
    for cls, kind in (("b_square", "square"), ("a_circle", "circle"), ("C_tri", "tri")):
        (root / cls / "more").mkdir(parents=True)
        shape_image(kind, seed=1).save(root / cls / "x1.png")
        shape_image(kind, seed=2).save(root / cls / "X0.JPG", quality=95)
        shape_image(kind, seed=3, mode="L").save(root / cls / "more" / "g.png")
        (root / cls / "notes.txt").write_text("not an image")
        shape_image(kind, seed=4).save(root / cls / "anim.gif")  # not in IMG_EXTENSIONS
    return root


def test_class_order_and_files_follow_imagefolder(shapes):
    folder = scan_image_folder(shapes)
    assert folder.classes == ["C_tri", "a_circle", "b_square"]
    names = [(p.relative_to(shapes).as_posix(), label) for p, label in folder.samples]
    # per class: os.walk order (the class folder, then `more/`), files sorted within each folder
    assert names[:3] == [("C_tri/X0.JPG", 0), ("C_tri/x1.png", 0), ("C_tri/more/g.png", 0)]
    assert [label for _, label in names] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert not any(n.endswith((".txt", ".gif")) for n, _ in names)


def test_limit_takes_images_round_robin_over_classes(shapes):
    images = load_folder(shapes, Preprocess(3, 8, 8), limit=4)
    assert images.labels.tolist() == [0, 1, 2, 0]
    assert [p.name for p in images.paths] == ["X0.JPG", "X0.JPG", "X0.JPG", "x1.png"]
    assert images[0].shape == (1, 3, 8, 8) and images[0].dtype == np.float32
    assert np.asarray(images).shape == (4, 1, 3, 8, 8)


def reference(path, crop_w: int, crop_h: int, resized: tuple[int, int], offset: tuple[int, int], mode: str,
              mean, std) -> np.ndarray:
    """By hand: PIL decode + convert, PIL bicubic resize to the given size, numpy crop at the
    given offset, /255, normalize."""
    img = Image.open(path).convert(mode)
    img = img.resize(resized, Image.Resampling.BICUBIC)
    arr = np.asarray(img, dtype=np.float64)
    arr = arr[..., None] if arr.ndim == 2 else arr
    top, left = offset
    arr = arr[top:top + crop_h, left:left + crop_w] / 255.0
    out = (arr - np.asarray(mean)) / np.asarray(std)
    return out.transpose(2, 0, 1)


def test_deit_preprocessing_matches_the_reference(tmp_path):
    # 52x37: shorter side 37 -> int(16 / 0.875) = 18, longer int(18 * 52 / 37) = 25;
    # crop offsets round((18 - 16) / 2) = 1 and round((25 - 16) / 2) = round(4.5) = 4 (half to even)
    path = tmp_path / "img.png"
    shape_image("circle", size=(52, 37), seed=5).save(path)
    prep = default_preprocess("deit-tiny", (1, 3, 16, 16))
    assert (prep.crop_pct, prep.mean, prep.std) == (0.875, IMAGENET_MEAN, IMAGENET_STD)
    assert prep.resize_size(52, 37) == (25, 18)
    got = prep(open_image(path))
    want = reference(path, 16, 16, (25, 18), (1, 4), "RGB", IMAGENET_MEAN, IMAGENET_STD)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    # a portrait JPEG: the width is the shorter side
    jpg = tmp_path / "tall.jpg"
    shape_image("tri", size=(30, 47), seed=6).save(jpg, quality=90)
    assert prep.resize_size(30, 47) == (18, 28)
    want = reference(jpg, 16, 16, (18, 28), (6, 1), "RGB", IMAGENET_MEAN, IMAGENET_STD)
    np.testing.assert_allclose(prep(open_image(jpg)), want, rtol=0, atol=1e-5)


def test_overrides_grayscale_and_rgb_conversion(tmp_path):
    rgb, gray = tmp_path / "rgb.png", tmp_path / "gray.png"
    shape_image("square", size=(20, 20), seed=7).save(rgb)
    shape_image("square", size=(20, 20), seed=8, mode="L").save(gray)
    one = default_preprocess("digits-vit", (1, 1, 8, 8))
    assert (one.crop_pct, one.mean, one.std) == (1.0, (0.0,), (1.0,))
    # an RGB file feeding a 1-channel model goes through PIL's "L" (ITU-R 601-2 luma)
    np.testing.assert_allclose(one(open_image(rgb)),
                               reference(rgb, 8, 8, (8, 8), (0, 0), "L", (0.0,), (1.0,)), atol=1e-6)
    three = default_preprocess("deit-tiny", (1, 3, 8, 8), crop_pct=0.5, mean=(0.5,), std=(0.25, 0.5, 1.0))
    out = three(open_image(gray))
    want = reference(gray, 8, 8, (16, 16), (4, 4), "RGB", (0.5,), (0.25, 0.5, 1.0))
    np.testing.assert_allclose(out, want, atol=1e-5)
    # a grayscale file replicated into three equal channels before normalization
    np.testing.assert_allclose(out[0] * 0.25, out[1] * 0.5, atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    (dict(crop_pct=0.0), "--crop-pct must be in (0, 1]"),
    (dict(crop_pct=1.5), "--crop-pct must be in (0, 1]"),
    (dict(mean=(0.1, 0.2)), "--mean needs 1 or 3 values for this 3-channel model, got 2"),
    (dict(std=(0.0,)), "--std values must be positive"),
    (dict(std=(float("nan"),)), "--std values must be finite numbers"),
])
def test_bad_preprocessing_options(kwargs, message):
    with pytest.raises(ImageFolderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        default_preprocess("deit-tiny", (1, 3, 224, 224), **kwargs)


def test_bad_folders(tmp_path, shapes):
    with pytest.raises(ImageFolderError, match="no such folder"):
        scan_image_folder(tmp_path / "missing")
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(ImageFolderError, match="not a folder"):
        scan_image_folder(tmp_path / "file.png")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageFolderError, match="no class subfolders; expected DIR/<class>/<image>.jpg"):
        scan_image_folder(tmp_path / "empty")
    loose = tmp_path / "loose"
    loose.mkdir()
    shape_image("circle").save(loose / "a.png")
    with pytest.raises(ImageFolderError, match="the images lie directly in it"):
        scan_image_folder(loose)
    (shapes / "d_empty").mkdir()
    with pytest.raises(ImageFolderError, match="no image files .* for the class\\(es\\) d_empty"):
        scan_image_folder(shapes)
    (shapes / "d_empty").rmdir()
    with pytest.raises(ImageFolderError, match="3 class subfolders \\(C_tri, a_circle, b_square\\), but the model has 10 outputs"):
        load_folder(shapes, Preprocess(3, 8, 8), num_classes=10)
    (shapes / "a_circle" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n but not really")
    with pytest.raises(ImageFolderError, match="broken.png: cannot read the image"):
        load_folder(shapes, Preprocess(3, 8, 8))


@pytest.fixture
def no_import(monkeypatch):
    """Any bad folder must be reported before the model import (export, calibrate, quantize)."""
    import intvit.runtime.evaluate as evaluate_module

    def fail(*args, **kwargs):
        raise AssertionError("the model import ran before the bad input was reported")

    monkeypatch.setattr(evaluate_module, "import_model", fail)


@pytest.mark.parametrize("case, message", [
    ("missing", "missing: no such folder"),
    ("empty", "empty: no class subfolders"),
    ("three_classes", "3 class subfolders (C_tri, a_circle, b_square), but the model has 10 outputs"),
    ("broken", "broken.png: cannot read the image"),
    ("crop_without_folder", "--crop-pct/--mean/--std apply to image folders"),
    ("bad_mean", "--mean needs 1 value for this 1-channel model, got 3"),
    ("calib_empty", "--calib"),
])
def test_eval_reports_bad_folders_before_the_import(case, message, tmp_path, shapes, no_import, capsys):
    from intvit.tools.intvit_main import main

    (tmp_path / "empty").mkdir()
    digits_like = tmp_path / "digits"
    for label in range(10):
        (digits_like / str(label)).mkdir(parents=True)
        shape_image("square", size=(8, 8), seed=label, mode="L").save(digits_like / str(label) / "a.png")
    args = {
        "missing": ["--data", str(tmp_path / "missing")],
        "empty": ["--data", str(tmp_path / "empty")],
        "three_classes": ["--data", str(shapes)],
        "broken": ["--data", str(digits_like)],
        "crop_without_folder": ["--crop-pct", "0.9"],
        "bad_mean": ["--data", str(digits_like), "--mean", "0.1,0.2,0.3"],
        "calib_empty": ["--data", str(digits_like), "--calib", str(tmp_path / "empty")],
    }[case]
    if case == "broken":
        (digits_like / "3" / "broken.png").write_bytes(b"not a png")
    rc = main(["eval", "--model", "digits-vit", "--target", "interpreter", *args])
    err = capsys.readouterr().err
    assert rc == 1
    assert message in err and err.startswith("intvit eval: error:"), err
    assert "Traceback" not in err
