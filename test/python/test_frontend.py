"""Model-level numbers: the digits ViT (accuracy vs FP32, bit-exact llvm-cpu), DeiT-Tiny with
random weights (agreement with FP32, bit-exact llvm-cpu), and the frontend's diagnostics."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from intvit.runtime.evaluate import evaluate
from intvit.runtime.frontend import FrontendError, import_model
from intvit.runtime.interpreter import run_module
from intvit.runtime.model_io import import_named_model
from intvit.tools.intvit_main import main as intvit_main


@pytest.fixture(scope="session")
def digits_report():
    return evaluate("digits-vit", "llvm-cpu", progress=False)


def test_digits_integer_accuracy_within_one_point_of_fp32(digits_report):
    r = digits_report
    assert r["images"] == 450
    assert r["fp32_top1"] >= 95.0
    assert r["int_top1"] >= r["fp32_top1"] - 1.0
    assert r["golden_top1"] == r["int_top1"]


def test_digits_llvm_cpu_is_bit_exact_on_the_test_split(digits_report):
    assert digits_report["mismatches"] == 0 and digits_report["bit_exact"]


@pytest.fixture(scope="session")
def deit_tiny():
    result, info = import_named_model("deit-tiny", calib="8", seed=0)
    return result.module


def test_deit_tiny_imports_and_agrees_with_fp32(deit_tiny):
    from intvit.runtime.model_io import build_named_model

    model, _ = build_named_model("deit-tiny", seed=0)
    rng = np.random.default_rng(11)
    cosines = []
    for _ in range(3):
        x = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
        (out,) = run_module(deit_tiny, [x])
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        cosines.append(float((out * ref).sum() / (np.linalg.norm(out) * np.linalg.norm(ref))))
    # random weights give near-uniform logits; measured cosine ~0.95 (see README)
    assert min(cosines) > 0.9


def test_deit_tiny_llvm_cpu_is_bit_exact(deit_tiny):
    from intvit.lowering.llvm_cpu.target import compile_intvit

    compiled, seconds = compile_intvit(deit_tiny)
    x = np.random.default_rng(3).standard_normal((1, 3, 224, 224)).astype(np.float32)
    (out,) = compiled(x)
    (gold,) = run_module(deit_tiny, [x])
    np.testing.assert_array_equal(out, gold)


def test_ir_is_integer_only_between_the_boundary_ops(deit_tiny):
    names = {op.name for op in deit_tiny.walk()}
    assert {"intvit.quantize", "intvit.dequantize", "intvit.layernorm", "intvit.shiftmax",
            "intvit.shiftgelu", "intvit.matmul", "intvit.add", "intvit.requant"} <= names
    assert sum(op.name == "intvit.quantize" for op in deit_tiny.walk()) == 1
    assert not any(n.startswith("torch.") for n in names)


class Unsupported(torch.nn.Module):
    def forward(self, x):
        return torch.sigmoid(x)


class NotExportable(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # data-dependent control flow
            return x
        return -x


@pytest.mark.parametrize("module, message", [
    (Unsupported(), "unsupported torch op 'torch.aten.sigmoid'"),
    (NotExportable(), "torch-mlir could not export NotExportable"),
])
def test_frontend_diagnostics(module, message):
    from xdsl.utils.exceptions import PassFailedException

    from intvit.passes.torch_export import ExportError

    x = np.zeros((1, 4), np.float32)
    with pytest.raises((PassFailedException, ExportError), match=message):
        import_model(module, x, [x])


def test_calibration_data_of_the_wrong_shape():
    with pytest.raises(FrontendError, match=r"calibration sample of shape \[1, 5\]"):
        import_model(torch.nn.GELU(), np.zeros((1, 4), np.float32), [np.zeros((1, 5), np.float32)])


def test_cli_import_writes_intvit_and_torch_ir(tmp_path, capsys):
    out = tmp_path / "digits.mlir"
    assert intvit_main(["import", "--model", "digits-vit", "--calib", "8", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["calibration_images"] == 8 and "intvit.layernorm" in out.read_text()
    assert "dialect_resources" in out.read_text()
    assert intvit_main(["run", str(out), "--random", "0", "--target", "llvm-cpu", "--check"]) == 0
    torch_out = tmp_path / "digits.torch.mlir"
    assert intvit_main(["import", "--model", "digits-vit", "--emit", "torch", "-o", str(torch_out)]) == 0
    assert "torch.aten.layer_norm" in torch_out.read_text()


@pytest.mark.parametrize("argv, message", [
    (["import", "--model", "resnet50", "-o", "x.mlir"], "unknown model 'resnet50'"),
    (["import", "--model", "digits-vit", "--weights", "/nonexistent.pt", "-o", "x.mlir"], "no checkpoint file"),
    (["import", "--model", "missing.py:Net", "-o", "x.mlir"], "no such model file: missing.py"),
    (["import", "--model", "digits-vit", "--calib", "0", "-o", "x.mlir"], "--calib needs at least one image"),
])
def test_cli_import_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert intvit_main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_import_user_module(tmp_path, capsys):
    src = tmp_path / "net.py"
    src.write_text(
        "import torch\n"
        "class Net(torch.nn.Module):\n"
        "    example_input_shape = (1, 6, 8)\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        torch.manual_seed(0)\n"
        "        self.norm = torch.nn.LayerNorm(8)\n"
        "        self.fc = torch.nn.Linear(8, 3)\n"
        "    def forward(self, x):\n"
        "        return self.fc(torch.nn.functional.gelu(self.norm(x)))\n"
    )
    out = tmp_path / "net.mlir"
    assert intvit_main(["import", "--model", f"{src}:Net", "--calib", "4", "-o", str(out)]) == 0
    assert "intvit.shiftgelu" in out.read_text()
