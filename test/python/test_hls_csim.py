"""hls-cpp: every op family in C simulation against the golden model (one g++ build of
test/Inputs/hls_ops.mlir, run on random and extreme inputs), the generated testbench (plain and
under ASan/UBSan), compile-time refusals, and the digits ViT whole: 0 mismatches and equal to
llvm-cpu's outputs, with and without assign-precision.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import make_context, parse_module
from intvit.lowering.hls import csim
from intvit.lowering.hls.target import HlsCppTarget
from intvit.lowering.target import TargetError
from intvit.passes.assign_precision import AssignPrecisionPass
from intvit.runtime.interpreter import random_inputs, run_module

INPUTS = Path(__file__).resolve().parents[1] / "Inputs"


def load(text: str):
    return parse_module(text, make_context())


@pytest.fixture(scope="session")
def ops(tmp_path_factory):
    module = load((INPUTS / "hls_ops.mlir").read_text())
    exe = HlsCppTarget().build(module, tmp_path_factory.mktemp("hls_ops"))
    return module, exe


def extreme_inputs(module, kind: str) -> list[np.ndarray]:
    """All-max, all-min, zeros, or alternating max/min for integers; specials for floats."""
    out = []
    for arr in random_inputs(module.body.block.first_op, 0):
        if arr.dtype.kind == "f":
            specials = np.array([np.inf, -np.inf, np.nan, 0.0125, -0.0125, 0.0375, 1e30, -0.0, 3.2, -3.2],
                                dtype=np.float32)
            out.append(np.resize(specials, arr.shape).astype(arr.dtype))
            continue
        info = np.iinfo(arr.dtype)
        fill = {"max": info.max, "min": info.min, "zero": 0}.get(kind)
        if fill is None:
            flat = np.where(np.arange(arr.size) % 2 == 0, info.max, info.min)
            out.append(flat.reshape(arr.shape).astype(arr.dtype))
        else:
            out.append(np.full(arr.shape, fill, dtype=arr.dtype))
    return out


def check_all_outputs(module, exe, inputs):
    want = run_module(module, inputs)
    got = exe(*inputs)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_array_equal(g, np.asarray(w).astype(g.dtype), err_msg=f"output {i}")


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_op_random(ops, seed):
    module, exe = ops
    check_all_outputs(module, exe, random_inputs(module.body.block.first_op, seed))


@pytest.mark.parametrize("kind", ["max", "min", "zero", "alternating"])
def test_every_op_extreme(ops, kind):
    module, exe = ops
    check_all_outputs(module, exe, extreme_inputs(module, kind))


def test_rounding_ties_in_every_mode(ops):
    """x * m / 2^e exactly on .5 ties (m = 2^30, e = 31: x / 2): the five modes must differ as specified."""
    module, exe = ops
    inputs = random_inputs(module.body.block.first_op, 9)
    inputs[0] = np.resize(np.array([1, -1, 3, -3, 5, -5, 0, 2], dtype=np.int32), (3, 8))
    check_all_outputs(module, exe, inputs)


def test_device_and_kernels(ops):
    module, exe = ops
    assert exe.device == "csim" and exe.target == "hls-cpp"
    kernels = exe.info["kernels"]
    for family in ("requant", "add", "dense", "batch_matmul", "dense_packed", "shiftmax", "shiftgelu",
                   "layernorm", "isqrt", "quantize", "dequantize", "transpose", "slice"):
        assert kernels.get(family, 0) > 0, family
    assert kernels["dense_packed"] == 4


def test_testbench_passes_and_under_sanitizers(ops):
    """The generated <top>_test.cpp reads tb_data, compares exactly, writes the results log."""
    _, exe = ops
    prj = Path(exe.artifact)
    for sanitize in (False, True):
        tb = csim.build_testbench(prj, "intvit_ops", False, sanitize=sanitize)
        proc = subprocess.run([str(tb)], cwd=prj, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "2 samples, 0 mismatches" in proc.stdout
        assert "runtime error" not in proc.stderr
    assert len((prj / "tb_data" / "csim_results.log").read_text().splitlines()) == 2 * 30


def test_testbench_catches_a_wrong_golden_vector(ops, tmp_path):
    import shutil

    _, exe = ops
    prj = Path(exe.artifact)
    tb = prj / "csim" / "intvit_ops_test"
    if not tb.exists():
        tb = csim.build_testbench(prj, "intvit_ops", False)
    bad = tmp_path / "tb_data"
    shutil.copytree(prj / "tb_data", bad)
    gold = (bad / "tb_output_0.dat").read_text().split("\n")
    first = gold[0].split()
    first[0] = str(int(first[0]) + 1)
    gold[0] = " ".join(first)
    (bad / "tb_output_0.dat").write_text("\n".join(gold))
    proc = subprocess.run([str(tb), str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "1 mismatches" in proc.stdout


REFUSED = [
    ("%y = intvit.isqrt %x mode ivit : tensor<4xui64> -> tensor<4xui64>", "tensor<4xui64>", "tensor<4xui64>",
     "isqrt mode 'ivit'"),
    ("%a = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<4xi32> -> tensor<4xi8>\n"
     "  %a2 = tensor.expand_shape %a [[0, 1]] output_shape [1, 4] : tensor<4xi8> into tensor<1x4xi8>\n"
     "  %w = arith.constant dense<1> : tensor<2x4xi8>\n"
     "  %y = intvit.matmul %a2, %w transpose_rhs packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 3>"
     " : tensor<1x4xi8>, tensor<2x4xi8> -> tensor<1x2xi32>", "tensor<4xi32>", "tensor<1x2xi32>",
     "takes activations of at most 6 bits, but its lhs holds 8-bit values (run assign-precision{act-bits=6}"),
    ("%y = arith.addi %x, %x : tensor<4xi32>", "tensor<4xi32>", "tensor<4xi32>", "op 'arith.addi' has no HLS kernel"),
]


@pytest.mark.parametrize("body,arg,res,message", REFUSED)
def test_refused_at_compile_time(tmp_path, body, arg, res, message):
    module = load(f"func.func @f(%x: {arg}) -> {res} {{\n  {body}\n  func.return %y : {res}\n}}")
    with pytest.raises(TargetError, match=None) as err:
        HlsCppTarget().compile(module, tmp_path / "prj")
    assert message in str(err.value)
    assert not (tmp_path / "prj").exists()  # refused before writing anything


@pytest.mark.parametrize("options,message", [
    ({"part": "xc9999"}, "unknown part 'xc9999'"),
    ({"clock_ns": 0.5}, "--clock-ns 0.5 is out of range"),
    ({"clock_ns": 500.0}, "--clock-ns 500.0 is out of range"),
    ({"top": "class"}, "'class' is not a valid C++ identifier: it is a C++ keyword"),
    ({"top": "9lives"}, "starts with a digit"),
    ({"top": "my__top"}, "C++ reserves"),
    ({"top": "main"}, "already uses that name"),
])
def test_bad_options(tmp_path, options, message):
    module = load("func.func @f(%x: tensor<4xi32>) -> tensor<4xi8> {\n"
                  "  %y = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<4xi32> -> tensor<4xi8>\n"
                  "  func.return %y : tensor<4xi8>\n}")
    with pytest.raises(TargetError) as err:
        HlsCppTarget().compile(module, tmp_path / "prj", **options)
    assert message in str(err.value)


def test_packing_factor_above_one_needs_dsp48e2(tmp_path):
    module = load("func.func @f(%x: tensor<4xi32>) -> tensor<1x2xi32> {\n"
                  "  %a = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<4xi32> -> tensor<4xi8>\n"
                  "  %a2 = tensor.expand_shape %a [[0, 1]] output_shape [1, 4] : tensor<4xi8> into tensor<1x4xi8>\n"
                  "  %w = arith.constant dense<1> : tensor<2x4xi8>\n"
                  "  %y = intvit.matmul %a2, %w transpose_rhs packing #intvit.packing<row_bits = [4, 8], split8 = true, "
                  "factor = 2> : tensor<1x4xi8>, tensor<2x4xi8> -> tensor<1x2xi32>\n"
                  "  func.return %y : tensor<1x2xi32>\n}")
    with pytest.raises(TargetError, match="needs DSP48E2"):
        HlsCppTarget().compile(module, tmp_path / "prj", part="xc7z020clg400-1")
    HlsCppTarget().compile(module, tmp_path / "ok", part="xczu9eg-ffvb1156-2-e")


# -- the digits ViT whole -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def digits_module():
    from intvit.runtime.frontend import import_model
    from intvit.runtime.model_io import build_named_model, calibration_images

    model, shape = build_named_model("digits-vit", None, 0)
    calib = calibration_images("digits-vit", "4", shape, 0)
    return import_model(model, calib[0], calib, progress=False).module


def _digits_images(n: int = 16) -> list[np.ndarray]:
    from intvit.runtime.evaluate import eval_data

    return list(eval_data("digits-vit", (1, 1, 8, 8), n, 0).images)


@pytest.mark.parametrize("precision", [None, {"ratio_4bit": 0.5},
                                       {"ratio_4bit": 0.5, "factor": 3, "act_bits": 6}],
                         ids=["int8", "ratio0.5", "ratio0.5-factor3-a6"])
def test_digits_csim_bit_exact_and_equal_to_llvm_cpu(digits_module, tmp_path, precision):
    from intvit.runtime.targets import compile_for

    module = digits_module.clone()
    if precision:
        AssignPrecisionPass(**precision).apply(make_context(), module)
        assert "packing" in str(module)
    (tmp_path / "hls").mkdir()
    (tmp_path / "cpu").mkdir()
    hls = compile_for("hls-cpp", module, tmp_path / "hls")
    cpu = compile_for("llvm-cpu", module, tmp_path / "cpu")
    mismatches = 0
    for x in _digits_images():
        golden = run_module(module, [x])[0]
        out = hls(x)[0]
        mismatches += int(np.sum(out != golden))
        np.testing.assert_array_equal(out, cpu(x)[0])
    assert mismatches == 0
    packed = hls.info["kernels"].get("dense_packed", 0)
    assert (packed > 0) == bool(precision)


def test_large_model_weights_from_txt(tmp_path):
    """Above the size threshold C simulation reads weights/*.txt (the .h keep the initializers for
    synthesis): forced here with a threshold of 0 on the matmul lit case."""
    text = (Path(__file__).resolve().parents[1] / "targets" / "hls-cpp" / "matmul.mlir").read_text()
    module = load(text)
    exe = HlsCppTarget().build(module, tmp_path, weights_txt_elements=0)
    assert exe.info["load_weights"]
    weights = sorted(p.name for p in (tmp_path / "model" / "firmware" / "weights").iterdir())
    assert any(n.endswith(".txt") for n in weights) and any(n.endswith(".h") for n in weights)
    for seed in range(3):
        check_all_outputs(module, exe, random_inputs(module.body.block.first_op, seed))
