"""The lowered-IR interpreter (`runtime/lowered_interpreter.py`) against the golden model.

Every op's lit input and the digits ViT are lowered (convert-intvit-to-linalg,
expand-intvit-helpers), the lowered linalg/arith/tensor IR is interpreted op by op on numpy, and
its outputs must equal the golden interpreter's on the intvit IR bit for bit: an independent check
of the lowering that goes through neither MLIR nor LLVM."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import parse_module
from intvit.lowering.lower import lower_module
from intvit.runtime.golden import ROUNDING_MODES
from intvit.runtime.interpreter import InterpreterError, find_entry, random_inputs, run_module
from intvit.runtime.lowered_interpreter import run_lowered_module
from intvit.dialects.context import module_text
from intvit.tools.intvit_main import main as intvit_main

TEST = Path(__file__).resolve().parents[1]
SOURCES = [TEST / "dialects" / "intvit" / "ops.mlir", TEST / "lowering" / "convert-intvit-to-linalg.mlir",
           TEST / "lowering" / "expand-intvit-helpers.mlir", TEST / "Inputs" / "mini_block.mlir"]


def _cases():
    for path in SOURCES:
        text = path.read_text()
        modes = ROUNDING_MODES if "@ROUNDING@" in text else ("",)
        for mode in modes:
            for i, chunk in enumerate(text.replace("@ROUNDING@", mode).split("// -----")):
                for name in re.findall(r"^func\.func @([^(]+)\(", chunk, re.MULTILINE):
                    yield pytest.param(chunk, name, id=f"{path.name}:{i}:{name}{':' + mode if mode else ''}")


def assert_bits_equal(got: np.ndarray, want: np.ndarray) -> None:
    """Signless results are read as the golden's (possibly unsigned) type of the same width."""
    assert got.shape == want.shape and got.dtype.itemsize == want.dtype.itemsize, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got.view(want.dtype), want)


def golden_and_lowered(module, inputs, entry=None):
    want = run_module(module, inputs, entry)
    lowered = parse_module(module_text(lower_module(module.clone())))
    return want, run_lowered_module(lowered, inputs, entry)


@pytest.mark.parametrize("chunk, name", list(_cases()))
def test_lowered_lit_case_equals_golden(chunk: str, name: str):
    module = parse_module(chunk, "case.mlir")
    if not re.search(r"intvit\.[a-z]", chunk):
        pytest.skip("no intvit op for the golden model to run")
    checked = 0
    for seed in range(3):
        inputs = random_inputs(find_entry(module, name), seed)
        try:
            want = run_module(module, inputs, name)
        except InterpreterError:  # full-range random inputs may leave a result type: not this test's point
            continue
        lowered = parse_module(module_text(lower_module(module.clone())))
        for got, w in zip(run_lowered_module(lowered, inputs, name), want):
            assert_bits_equal(got, w)
        checked += 1
    if not checked:
        pytest.skip("the golden model refuses every random input of this case")


@pytest.fixture(scope="module")
def digits():
    from intvit.runtime.model_io import import_named_model

    result, _ = import_named_model("digits-vit", calib="2", seed=0)
    return result.module


def test_lowered_digits_vit_equals_golden(digits):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, *find_entry(digits).function_type.inputs.data[0].get_shape()[1:])).astype(np.float32)
    for image in x:
        want, got = golden_and_lowered(digits, [image[None]])
        assert_bits_equal(got[0], want[0])


def test_intvit_run_interprets_lowered_ir(tmp_path):
    """`intvit run lowered.mlir` (no --target) runs the lowered IR instead of refusing it."""
    source = TEST / "Inputs" / "mini_block.mlir"
    lowered = tmp_path / "lowered.mlir"
    lowered.write_text(module_text(lower_module(parse_module(source.read_text(), str(source)))))
    x = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    for path, name in ((source, "golden.npy"), (lowered, "lowered.npy")):
        assert intvit_main(["run", str(path), "--input", str(tmp_path / "x.npy"), "-o", str(tmp_path / name)]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "lowered.npy"), np.load(tmp_path / "golden.npy"))


def elementwise(op: str) -> str:
    return f"""
  %{op} = linalg.generic {{indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
      iterator_types = ["parallel"]}} ins(%a, %b : tensor<4xi32>, tensor<4xi32>) outs(%e : tensor<4xi32>) {{
  ^bb0(%x: i32, %y: i32, %o: i32):
    %0 = arith.{op} %x, %y : i32
    linalg.yield %0 : i32
  }} -> tensor<4xi32>"""


LOWERED_DIVISION = f"""
func.func @f(%a: tensor<4xi32>, %b: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {{
  %e = tensor.empty() : tensor<4xi32>
  {''.join(elementwise(op) for op in ("divsi", "remsi", "shrsi", "shrui"))}
  func.return %divsi, %remsi, %shrsi, %shrui : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}}
"""


def test_arith_division_and_shifts_follow_mlir():
    """divsi/remsi truncate toward zero (numpy floors), shrsi is arithmetic, shrui logical."""
    module = parse_module(LOWERED_DIVISION)
    a = np.array([7, -7, 7, -2**31], np.int32)
    b = np.array([2, 2, -2, 4], np.int32)
    q, r, s, u = run_lowered_module(module, [a, b])
    assert q.tolist() == [3, -3, -3, -2**29] and r.tolist() == [1, -1, 1, 0]
    # a shift by -2 (>= the width as unsigned) is poison in MLIR: lane 2 is not compared
    assert s[[0, 1, 3]].tolist() == [1, -2, -2**27] and u[[0, 1, 3]].tolist() == [1, (2**32 - 7) >> 2, 2**27]
    with pytest.raises(InterpreterError, match=r"'arith.divsi' divides by zero"):
        run_lowered_module(module, [a, np.array([1, 0, 1, 1], np.int32)])


LOWERED_REDUCTIONS = """
func.func @f(%a: tensor<3x5xi8>) -> (tensor<3xi32>, tensor<3xi32>) {
  %e = tensor.empty() : tensor<3xi32>
  %c0 = arith.constant 0 : i32
  %z = linalg.fill ins(%c0 : i32) outs(%e : tensor<3xi32>) -> tensor<3xi32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"]} ins(%a : tensor<3x5xi8>) outs(%z : tensor<3xi32>) {
  ^bb0(%x: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.addi %acc, %0 : i32
    linalg.yield %1 : i32
  } -> tensor<3xi32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
      iterator_types = ["parallel", "reduction"]} ins(%a : tensor<3x5xi8>) outs(%z : tensor<3xi32>) {
  ^bb0(%x: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %i = linalg.index 1 : index
    %k = arith.index_cast %i : index to i32
    %1 = arith.muli %acc, %k : i32
    %2 = arith.addi %1, %0 : i32
    linalg.yield %2 : i32
  } -> tensor<3xi32>
  func.return %s, %p : tensor<3xi32>, tensor<3xi32>
}
"""


def test_reductions_any_body():
    """A combine-form reduction (chunked ufunc) and a general body (one step per point)."""
    module = parse_module(LOWERED_REDUCTIONS)
    a = np.arange(15, dtype=np.int8).reshape(3, 5) - 7
    s, p = run_lowered_module(module, [a])
    assert s.tolist() == a.astype(np.int64).sum(axis=1).tolist()
    want = []
    for row in a.astype(np.int64):
        acc = 0
        for k, x in enumerate(row):
            acc = acc * k + x
        want.append(acc)
    assert p.tolist() == want
