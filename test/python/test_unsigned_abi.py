"""Unsigned source types through the llvm-cpu C ABI: a `ui8` Shiftmax probability of 1.0 (128)
comes back from the `.so` as uint8 128, not int8 -128; the C prototype says `uint8_t` and the
sidecar `uint8`; a `ui8` matmul input is taken as uint8."""

from __future__ import annotations

import json

import numpy as np

from intvit.dialects.context import parse_module
from intvit.lowering.llvm_cpu.aot import load_so
from intvit.lowering.llvm_cpu.target import LlvmCpuTarget
from intvit.runtime.interpreter import run_module

SOURCE = """
func.func @main(%s: tensor<4x1xi8>, %a: tensor<2x8xui8>, %w: tensor<8x3xi8>) -> (tensor<4x1xui8>, tensor<2x3xi32>) {
  %p = intvit.shiftmax %s scale 0.5 bits 8 : tensor<4x1xi8> -> tensor<4x1xui8>
  %y = intvit.matmul %a, %w : tensor<2x8xui8>, tensor<8x3xi8> -> tensor<2x3xi32>
  func.return %p, %y : tensor<4x1xui8>, tensor<2x3xi32>
}
"""


def test_unsigned_results_and_inputs_keep_their_type(tmp_path):
    module = parse_module(SOURCE)
    so = tmp_path / "m.so"
    LlvmCpuTarget().compile(module, so, threads=1)
    meta = json.loads((tmp_path / "m.so.json").read_text())
    assert [s["dtype"] for s in meta["inputs"]] == ["int8", "uint8", "int8"]
    assert [s["dtype"] for s in meta["outputs"]] == ["uint8", "int32"]
    shim = next(tmp_path.rglob("*.c"), None)
    if shim is not None:  # the shim source is kept beside the library when the linker leaves it
        assert "const uint8_t *in1" in shim.read_text() and "uint8_t *out0" in shim.read_text()
    lib = load_so(so)
    s = np.array([[100], [-100], [0], [7]], np.int8)  # one class per row: probability 1.0 = 2^7
    a = np.full((2, 8), 200, np.uint8)
    w = np.arange(24, dtype=np.int8).reshape(8, 3) - 12
    probs, y = lib(s, a, w)
    want_probs, want_y = run_module(module, [s, a, w])
    assert probs.dtype == np.uint8 and probs.ravel().tolist() == [128] * 4
    np.testing.assert_array_equal(probs, want_probs)
    np.testing.assert_array_equal(y, want_y)


def test_c_prototype_names_unsigned_types():
    from intvit.lowering.llvm_cpu.aot import shim_source
    from intvit.lowering.llvm_cpu.pipeline import parse_tensor_type

    text = shim_source("main", [parse_tensor_type("tensor<2x8xui8>")],
                       [parse_tensor_type("tensor<2x4xui16>"), parse_tensor_type("tensor<3xi32>")])
    assert "const uint8_t *in0, uint16_t *out0, int32_t *out1" in text
