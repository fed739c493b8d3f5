"""ShiftGELU with I-ViT's folded constant (`ivit_constant`, `quantize-to-intvit{compat=ivit}`):
`x0` from `float32(s * float32(1.702))` as I-ViT's float32 PyTorch code computes it, honoured by
the golden model, the interpreter and the llvm-cpu lowering bit for bit; ours stays the default."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from intvit.dialects.context import parse_module
from intvit.lowering.llvm_cpu.pipeline import compile_module
from intvit.lowering.llvm_cpu.target import lower_module
from intvit.runtime import golden
from intvit.runtime.interpreter import run_module
from intvit.dialects.context import module_text
from intvit.runtime.scales import shiftgelu_x0

SCALE = 0.008640353567898273  # a float32 value where the two forms part (issue 11)


def ivit_reference_x0(scale: float) -> int:
    """I-ViT's IntGELU: `scaling_factor * 1.702` on a float32 tensor, `floor(-1 / s)`."""
    s = torch.tensor(scale, dtype=torch.float32) * 1.702
    return int(torch.floor(-1.0 / s).item())


def test_x0_of_both_forms_at_the_scale_where_they_part():
    assert shiftgelu_x0(SCALE) == -69
    assert shiftgelu_x0(SCALE, ivit_constant=True) == -68 == ivit_reference_x0(SCALE)


def test_ivit_constant_matches_the_reference_on_many_scales():
    rng = np.random.default_rng(0)
    scales = np.float32(rng.uniform(1 / 400, 0.5, 3000)).astype(np.float64)
    for s in scales:
        assert shiftgelu_x0(float(s), ivit_constant=True) == ivit_reference_x0(float(s)), s


MODULE = """
func.func @main(%a: tensor<16x64xi8>, %b: tensor<16x21xi16>)
    -> (tensor<16x64xi16>, tensor<16x21xi32>, tensor<16x64xi16>, tensor<16x21xi32>) {
  %y = intvit.shiftgelu %a scale SCALE bits 16 : tensor<16x64xi8> -> tensor<16x64xi16>
  %z = intvit.shiftgelu %b scale SCALE bits 24 : tensor<16x21xi16> -> tensor<16x21xi32>
  %yi = intvit.shiftgelu %a scale SCALE bits 16 ivit_constant : tensor<16x64xi8> -> tensor<16x64xi16>
  %zi = intvit.shiftgelu %b scale SCALE bits 24 ivit_constant : tensor<16x21xi16> -> tensor<16x21xi32>
  func.return %y, %z, %yi, %zi : tensor<16x64xi16>, tensor<16x21xi32>, tensor<16x64xi16>, tensor<16x21xi32>
}
""".replace("SCALE", repr(SCALE))


def test_golden_interpreter_and_llvm_cpu_agree_bit_for_bit():
    """Both forms in one module (one compile): the 8-bit table path and the dividing 16-bit path."""
    rng = np.random.default_rng(3)
    inputs = [rng.integers(-128, 128, (16, 64)).astype(np.int8), rng.integers(-300, 300, (16, 21)).astype(np.int16)]
    module = parse_module(MODULE)
    want = [golden.shiftgelu(x, SCALE, ivit_constant=ivit) for ivit in (False, True) for x in inputs]
    interpreted = run_module(module, inputs)
    compiled = compile_module(module_text(lower_module(module.clone())))(*inputs)
    for w, i, c in zip(want, interpreted, compiled, strict=True):
        np.testing.assert_array_equal(i, w)
        np.testing.assert_array_equal(c, w)
    for ours, ivit in zip(want[:2], want[2:]):  # the switch changes both paths at this scale
        assert not np.array_equal(ours, ivit)


def test_table_equals_the_golden_model_with_the_ivit_constant():
    table = golden.shiftgelu_sigmoid_table(SCALE, ivit_constant=True)
    v = np.arange(-128, 128, dtype=np.int64)
    for m in (-128, -3, 0, 57, 127):
        row = np.append(v[v <= m], m)
        want = golden.shiftgelu(row[None, :], SCALE, ivit_constant=True)[0]
        np.testing.assert_array_equal(row * table[m + 128, row + 128], want)
