"""The llvm-cpu backend: JIT and AOT agree with each other and with the golden model; bad
inputs, missing or corrupt artifacts and non-integer-only IR give clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import load_module, parse_module
from intvit.lowering.aot import load_so, shim_source, write_shared_library
from intvit.lowering.llvm_cpu import CompileError, ExecutorError, compile_module
from intvit.lowering.llvm_cpu_target import compile_intvit
from intvit.runtime.interpreter import run_module
from intvit.tools.intvit_main import main as intvit_main

MINI = Path(__file__).resolve().parents[1] / "Inputs" / "mini_block.mlir"


@pytest.fixture(scope="session")
def mini(tmp_path_factory):
    module = load_module(MINI)
    compiled, _ = compile_intvit(module)
    so = write_shared_library(compiled, tmp_path_factory.mktemp("aot") / "mini.so", source=str(MINI))
    return module, compiled, so


def test_jit_aot_and_golden_agree(mini):
    module, compiled, so = mini
    library = load_so(so)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = (rng.standard_normal((5, 8)) * rng.uniform(0.1, 4)).astype(np.float32)
        (jit,), (aot,), (gold,) = compiled(x), library(x), run_module(module, [x])
        np.testing.assert_array_equal(jit, aot)
        np.testing.assert_array_equal(jit, gold)


def test_sidecar_documents_the_c_abi(mini):
    _, compiled, so = mini
    meta = json.loads(Path(str(so) + ".json").read_text())
    assert meta["entry"] == "intvit_main" and meta["abi"] == "intvit-c-v1"
    assert meta["inputs"] == [{"shape": [5, 8], "dtype": "float32"}]
    assert meta["outputs"] == [{"shape": [5, 4], "dtype": "float32"}]
    assert "int intvit_main(const float *in0, float *out0)" in shim_source(compiled.name, compiled.inputs, compiled.outputs)


@pytest.mark.parametrize("bad, message", [
    (lambda: [np.zeros((5, 7), np.float32)], r"expected float32\[5, 8\], got float32\[5, 7\]"),
    (lambda: [np.zeros((5, 8), np.float64)], r"expected float32\[5, 8\], got float64\[5, 8\]"),
    (lambda: [], "takes 1 inputs, got 0"),
])
def test_wrong_inputs_are_refused_before_the_call(mini, bad, message):
    _, compiled, so = mini
    with pytest.raises(ExecutorError, match=message):
        compiled(*bad())
    with pytest.raises(ExecutorError, match=message.replace("@main", "")):
        load_so(so)(*bad())


def test_missing_and_corrupt_artifacts(tmp_path, mini):
    with pytest.raises(ExecutorError, match="no compiled model"):
        load_so(tmp_path / "nothere.so")
    fake = tmp_path / "fake.so"
    fake.write_bytes(b"not an ELF file")
    with pytest.raises(ExecutorError, match="has no sidecar"):
        load_so(fake)
    Path(str(fake) + ".json").write_text(Path(str(mini[2]) + ".json").read_text())
    with pytest.raises(ExecutorError, match="cannot load"):
        load_so(fake)
    Path(str(fake) + ".json").write_text("{broken")
    with pytest.raises(ExecutorError, match="corrupt sidecar"):
        load_so(fake)


def test_float_ir_is_refused_by_the_backend():
    text = """func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = tensor.empty() : tensor<4xf32>
      %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xf32>) {
      ^bb0(%a: f32, %b: f32):
        %m = arith.mulf %a, %a : f32
        linalg.yield %m : f32
      } -> tensor<4xf32>
      func.return %1 : tensor<4xf32>
    }"""
    from xdsl.utils.exceptions import PassFailedException

    with pytest.raises(PassFailedException, match="verify-integer-only: float value"):
        compile_intvit(parse_module(text))


def test_invalid_upstream_text_is_a_compile_error():
    with pytest.raises(CompileError, match="upstream MLIR rejected"):
        compile_module("func.func @f(%x: tensor<4xi8>) -> tensor<4xi8> { func.return %y : tensor<4xi8> }")


def test_cli_compile_then_run_so_with_check(tmp_path, capsys):
    so = tmp_path / "model.so"
    assert intvit_main(["compile", str(MINI), "--target", "llvm-cpu", "-o", str(so), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["entry"] == "intvit_main" and so.is_file()
    assert intvit_main(["run", str(so), "--random", "4", "--check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["check"]["bit_exact"] and report["target"] == "llvm-cpu"


def test_cli_run_llvm_cpu_check_and_diagnostics(tmp_path, capsys):
    assert intvit_main(["run", str(MINI), "--target", "llvm-cpu", "--random", "1", "--check"]) == 0
    assert "bit-exact: 0 of 20 elements differ" in capsys.readouterr().out
    assert intvit_main(["run", str(tmp_path / "none.so"), "--random", "1"]) == 1
    assert "no compiled model" in capsys.readouterr().err
    assert intvit_main(["compile", str(MINI), "--target", "cuda-dp4a", "-o", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "target 'cuda-dp4a' is not available" in err and "Traceback" not in err


def test_check_reports_the_first_mismatch():
    from intvit.runtime.runner import compare

    module = load_module(MINI)
    x = np.ones((5, 8), np.float32)
    gold = run_module(module, [x])
    bad = [gold[0].copy()]
    bad[0][2, 3] += 1
    result = compare(bad, gold, module, None)
    assert not result["bit_exact"] and result["first"]["index"] == [2, 3]
    assert "produced by 'intvit.dequantize'" in result["message"] and "mini_block.mlir:" in result["message"]
