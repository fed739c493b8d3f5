"""Issue 11 (frontend and CLI): batch N, any model file with --input-shape, errors at the user's
source line, and failing before the expensive work."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from intvit.runtime.frontend import import_model
from intvit.runtime.interpreter import run_module
from intvit.runtime.model_io import calibration_images, import_named_model, write_module
from intvit.tools.intvit_main import main as intvit_main


# -- batch N -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_batches():
    """digits-vit at batch 1 and 4 with percentile calibration (a statistic that would change if
    images were calibrated in groups of 4)."""
    one, _ = import_named_model("digits-vit", calib="8", method="percentile")
    four, info = import_named_model("digits-vit", calib="8", method="percentile", batch=4)
    assert info["input_shape"] == [4, 1, 8, 8] and info["calibration_images"] == 8
    return one.module, four.module


def test_digits_batch_4_equals_batch_1_per_image_interpreter_and_llvm_cpu(digits_batches):
    from intvit.runtime.targets import compile_for
    from intvit.runtime.zoo import digits

    one, four = digits_batches
    x = digits.load_digits_split()[2][:8]  # [8, 1, 8, 8]
    want = np.concatenate([run_module(one, [x[i:i + 1]])[0] for i in range(8)])
    interpreted = np.concatenate([run_module(four, [x[i:i + 4]])[0] for i in (0, 4)])
    np.testing.assert_array_equal(interpreted, want)
    so = compile_for("llvm-cpu", four)
    compiled = np.concatenate([so(x[i:i + 4])[0] for i in (0, 4)])
    np.testing.assert_array_equal(compiled, want)


def test_compile_batch_is_checked_not_rebatched(digits_batches, tmp_path, capsys):
    from intvit.runtime.runner import check_batch_of

    one, four = digits_batches
    path = tmp_path / "d1.mlir"
    write_module(one, str(path))
    t0 = time.perf_counter()
    assert intvit_main(["compile", str(path), "--batch", "4", "-o", str(tmp_path / "d.so")]) == 1
    assert time.perf_counter() - t0 < 10  # refused after parsing, before compiling
    err = capsys.readouterr().err
    assert "not batch 4" in err and "intvit import --batch 4" in err and "Traceback" not in err
    check_batch_of(four, 4, "four")  # the batch it was imported at passes


def test_deit_shaped_model_imports_at_batch_2_and_matches_batch_1():
    from intvit.runtime.zoo import vit

    torch.manual_seed(0)
    model = vit.build_model("deit-tiny", num_classes=10, img_size=32, embed_dim=48, depth=1, num_heads=3).eval()
    images = calibration_images("deit-tiny", "4", (1, 3, 32, 32))
    one = import_model(model, images[0], images).module
    two = import_model(model, np.zeros((2, 3, 32, 32), np.float32), images).module
    x = np.random.default_rng(5).standard_normal((2, 3, 32, 32)).astype(np.float32)
    (out,) = run_module(two, [x])
    want = np.concatenate([run_module(one, [x[i:i + 1]])[0] for i in range(2)])
    np.testing.assert_array_equal(out, want)


def test_eval_runs_in_batches_and_pads_the_last(capsys):
    assert intvit_main(["eval", "--target", "interpreter", "--limit", "7", "--batch", "3", "--calib", "2"]) == 0
    out = capsys.readouterr().out
    assert "7 images in batches of 3, last batch padded with 2 zero images (outputs dropped)" in out
    assert "ms/batch of 3" in out and "bit-exact" in out


# -- a model file of one's own ----------------------------------------------------------------
NET = """import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.norm = torch.nn.LayerNorm(8)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, x):
        y = torch.nn.functional.gelu(self.norm(x))
        return self.fc(y)


class Odd(Net):
    def forward(self, x):
        y = self.fc(self.norm(x))
        return torch.cumsum(y, dim=-1)
"""
CUMSUM_LINE = 19


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "odd.py"
    path.write_text(NET)
    assert NET.splitlines()[CUMSUM_LINE - 1].strip().startswith("return torch.cumsum")
    return path


def test_input_shape_and_batch_for_a_model_file(model_file, tmp_path, capsys):
    out = tmp_path / "net.mlir"
    argv = ["import", "--model", f"{model_file}:Net", "--input-shape", "1,6,8", "--batch", "2", "--calib", "3",
            "-o", str(out), "--json"]
    assert intvit_main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["input_shape"] == [2, 6, 8] and report["batch"] == 2  # --batch wins over the leading size
    assert "tensor<2x6x8xf32>" in out.read_text()
    assert intvit_main(["import", "--model", f"{model_file}:Net", "--input-shape", "3,6,8", "--calib", "3",
                        "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["batch"] == 3  # without --batch the leading size is the batch


def test_unsupported_op_is_reported_at_the_users_line(model_file, tmp_path, capsys):
    argv = ["import", "--model", f"{model_file}:Odd", "--input-shape", "1,6,8", "-o", str(tmp_path / "o.mlir")]
    assert intvit_main(argv) == 1
    first, second = capsys.readouterr().err.splitlines()[:2]
    assert first == (f"{model_file}:{CUMSUM_LINE}: error: import-torch: unsupported torch op 'torch.aten.cumsum' "
                     f"(no integer-only rule for it)")
    assert second.startswith("<torch-mlir>:") and second.endswith("note: 'torch.aten.cumsum' in the torch dialect")


# -- fail before the expensive work ---------------------------------------------------------------
@pytest.mark.parametrize("argv, message", [
    (["import", "--model", "digits-vit", "-o", "/nonexistent/dir/o.mlir"],
     "cannot write /nonexistent/dir/o.mlir: folder /nonexistent/dir does not exist"),
    (["import", "--model", "deit-tiny", "--weights", "/nonexistent/w.pt", "-o", "o.mlir"],
     "--weights: no checkpoint file /nonexistent/w.pt"),
    (["import", "--model", "deit-tiny", "--calib", "/nonexistent/calib", "-o", "o.mlir"],
     "--calib /nonexistent/calib: neither a count nor a folder (.npy images or class subfolders)"),
    (["import", "--model", "deit-tiny", "--input-shape", "1,3,x,224", "-o", "o.mlir"],
     "--input-shape '1,3,x,224': expected positive integers separated by commas"),
    (["import", "--model", "deit-tiny", "--input-shape", "1,0,224,224", "-o", "o.mlir"],
     "each at least 1"),
    (["import", "--model", "deit-tiny", "--batch", "0", "-o", "o.mlir"], "--batch 0: must be between 1 and 4096"),
    (["eval", "--model", "deit-tiny", "--weights", "/nonexistent/w.pt"], "no checkpoint file /nonexistent/w.pt"),
    (["eval", "--model", "deit-tiny", "--input-shape", "7"], "needs 2 to 8 sizes"),
    (["bench", "--model", "deit-tiny", "--calib", "/nonexistent/calib"], "neither a count nor a folder"),
])
def test_bad_arguments_fail_at_once(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t0 = time.perf_counter()
    assert intvit_main(argv) == 1
    elapsed = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert elapsed < 2.0, f"took {elapsed:.1f} s: the check ran after building or exporting the model"
    assert not (tmp_path / "o.mlir").exists()


def test_zoo_model_refuses_an_input_shape_it_cannot_take(capsys, tmp_path):
    assert intvit_main(["import", "--model", "digits-vit", "--input-shape", "1,3,8,8", "-o",
                        str(tmp_path / "o.mlir")]) == 1
    assert "digits-vit takes N,1,8,8" in capsys.readouterr().err


def test_compat_ivit_switch_reaches_both_ops(model_file, tmp_path):
    out = tmp_path / "net.mlir"
    argv = ["import", "--model", f"{model_file}:Net", "--input-shape", "1,6,8", "--calib", "2", "-o", str(out)]
    assert intvit_main(argv) == 0
    assert "ivit_constant" not in out.read_text() and "isqrt_mode ivit" not in out.read_text()
    assert intvit_main(argv + ["--compat", "ivit"]) == 0
    text = out.read_text()
    assert "bits 16 ivit_constant" in text and "isqrt_mode ivit" in text
