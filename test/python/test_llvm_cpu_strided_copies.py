"""llvm-cpu: a copy into a strided view (the class token's slot at batch N > 1) compiles to loops,
not to a call of `memrefCopy` (a C runner symbol the JIT and the .so do not link)."""

from __future__ import annotations

import numpy as np
from torch_mlir import ir

from intvit.lowering.llvm_cpu.pipeline import compile_module
from intvit.lowering.llvm_cpu.strided_copies import strided_copies_to_linalg

COPIES = """
func.func @f(%a: memref<2x1x4xi16>, %b: memref<2x3x4xi16>, %c: memref<1x1x4xi16>) {
  %s = memref.subview %b[0, 0, 0] [2, 1, 4] [1, 1, 1] : memref<2x3x4xi16> to memref<2x1x4xi16, strided<[12, 4, 1]>>
  memref.copy %a, %s : memref<2x1x4xi16> to memref<2x1x4xi16, strided<[12, 4, 1]>>
  %t = memref.subview %b[0, 0, 0] [1, 1, 4] [1, 1, 1] : memref<2x3x4xi16> to memref<1x1x4xi16, strided<[12, 4, 1]>>
  memref.copy %c, %t : memref<1x1x4xi16> to memref<1x1x4xi16, strided<[12, 4, 1]>>
  return
}
"""


def test_only_the_non_contiguous_copy_is_rewritten():
    with ir.Context():
        module = ir.Module.parse(COPIES)
        assert strided_copies_to_linalg(module) == 1  # [1,1,4] into a row is contiguous: memcpy stays
        text = str(module)
    assert text.count("memref.copy") == 1 and "linalg.copy" in text


INSERT = """
func.func @main(%cls: tensor<2x1x4xi16>, %rest: tensor<2x3x4xi16>) -> tensor<2x3x4xi16> {
  %r = tensor.insert_slice %cls into %rest[0, 0, 0] [2, 1, 4] [1, 1, 1] : tensor<2x1x4xi16> into tensor<2x3x4xi16>
  return %r : tensor<2x3x4xi16>
}
"""


def test_insert_into_a_strided_slot_runs_and_is_exact():
    rng = np.random.default_rng(0)
    cls = rng.integers(-1000, 1000, (2, 1, 4)).astype(np.int16)
    rest = rng.integers(-1000, 1000, (2, 3, 4)).astype(np.int16)
    want = rest.copy()
    want[:, :1] = cls
    (got,) = compile_module(INSERT, threads=1)(cls, rest)
    np.testing.assert_array_equal(got, want)
