"""The intvit interpreter runs whole programs exactly as the golden model, and `intvit run` is a
well-behaved CLI around it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import load_module, parse_module
from intvit.runtime import golden
from intvit.runtime.interpreter import InterpreterError, random_inputs, find_entry, run_module
from intvit.tools.intvit_main import main as intvit_main

INPUTS = Path(__file__).resolve().parents[1] / "Inputs"
MINI = INPUTS / "mini_block.mlir"


def mini_block_reference(x: np.ndarray) -> np.ndarray:
    """The same program as mini_block.mlir, op by op through the golden model."""
    module = load_module(MINI)
    consts = {}
    for op in module.walk():
        if op.name == "arith.constant":
            consts[op.result.name_hint] = np.asarray(op.value.get_values()).reshape(op.result.type.get_shape())
    wq, bq, w2 = consts["wq"].astype(np.int64), consts["bq"], consts["w2"].astype(np.int64)
    bias = [0, 100, -100, 2000, -2000, 30000, -30000, 7]
    q = golden.quantize(x, 0.025, 8)
    ln = golden.layernorm(q, np.array(bias, dtype=np.int64))
    lq = golden.requant(ln, [1518500250], [53], 8)
    acc = golden.matmul(lq, wq, bq, transpose_rhs=True)
    s8 = golden.requant(acc, [1288490189], [40], 8, "half_up")
    g = golden.shiftgelu(s8, 0.05)
    g8 = golden.requant(g, [1431655765], [38], 8)
    r = golden.add(g8, lq, 1073741824, 30, 1610612736, 31, 8)
    logits = golden.matmul(r, w2, transpose_rhs=True)
    return golden.dequantize(logits, 0.001)


def test_mini_block_matches_golden_chain():
    x = np.random.default_rng(3).standard_normal((5, 8)).astype(np.float32)
    (out,) = run_module(load_module(MINI), [x])
    assert out.dtype == np.float32 and out.shape == (5, 4)
    np.testing.assert_array_equal(out, mini_block_reference(x))


def test_every_op_result_has_its_ir_type():
    text = """
    func.func @f(%a: tensor<3x4xi32>) -> (tensor<3x4xi8>, tensor<3x4xui8>, tensor<3x4xui64>) {
      %r = intvit.requant %a multiplier [1073741824] shift [33] bits 8 : tensor<3x4xi32> -> tensor<3x4xi8>
      %p = intvit.shiftmax %r scale 0.1 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
      %sq = arith.constant dense<[[0, 1, 3, 4], [15, 16, 17, 99], [4294967295, 1000000, 81, 80]]> : tensor<3x4xui64>
      %v = intvit.isqrt %sq : tensor<3x4xui64> -> tensor<3x4xui64>
      func.return %r, %p, %v : tensor<3x4xi8>, tensor<3x4xui8>, tensor<3x4xui64>
    }
    """
    a = np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 1000
    r, p, v = run_module(parse_module(text), [a])
    assert (r.dtype, p.dtype, v.dtype) == (np.int8, np.uint8, np.uint64)
    np.testing.assert_array_equal(r, golden.requant(a, [1 << 30], [33], 8))
    np.testing.assert_array_equal(p, golden.shiftmax(r, 0.1, 8))
    np.testing.assert_array_equal(v.ravel(), [0, 1, 1, 2, 3, 4, 4, 9, 65535, 1000, 9, 8])


def test_wrong_inputs_are_refused_with_the_expected_type():
    module = load_module(MINI)
    with pytest.raises(InterpreterError, match=r"expected float32\[5, 8\]"):
        run_module(module, [np.zeros((5, 7), np.float32)])
    with pytest.raises(InterpreterError, match="takes 1 inputs, got 2"):
        run_module(module, [np.zeros((5, 8), np.float32)] * 2)
    with pytest.raises(InterpreterError, match="no function @nope"):
        run_module(module, [np.zeros((5, 8), np.float32)], entry="nope")


def test_random_inputs_follow_the_signature():
    fn = find_entry(load_module(MINI))
    (x,) = random_inputs(fn, 0)
    assert x.shape == (5, 8) and x.dtype == np.float32
    np.testing.assert_array_equal(x, random_inputs(fn, 0)[0])


def test_cli_run_writes_the_result(tmp_path, capsys):
    x = np.random.default_rng(1).standard_normal((5, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out.npy"
    assert intvit_main(["run", str(MINI), "--input", str(tmp_path / "x.npy"), "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["outputs"][0]["shape"] == [5, 4] and report["written"] == [str(out)]
    np.testing.assert_array_equal(np.load(out), mini_block_reference(x))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "missing.mlir", "--random", "0"], "No such file or directory: missing.mlir"),
        (["run", str(MINI), "--input", "nothere.npy"], "No such file or directory"),
        (["run", str(MINI), "--random", "0", "--entry", "g"], "no function @g"),
    ],
)
def test_cli_run_failures_are_diagnostics(argv, message, capsys):
    assert intvit_main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_run_reports_bad_ir_with_location(tmp_path, capsys):
    bad = tmp_path / "bad.mlir"
    bad.write_text(
        "func.func @f(%a: tensor<4xi32>) -> tensor<4xi8> {\n"
        "  %0 = intvit.requant %a multiplier [1073741824] shift [70] bits 8 : tensor<4xi32> -> tensor<4xi8>\n"
        "  func.return %0 : tensor<4xi8>\n}\n"
    )
    assert intvit_main(["run", str(bad), "--random", "0"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:3: error: 'intvit.requant' op shift 70 is outside [1, 62]" in err
