"""The llvm-cpu kernels for non-GEMM ops (`ewise_kernels`) and the fused GEMM epilogues
(`gemm_epilogue`): every variant equals the plain `convert-linalg-to-loops` form and the golden
model bit for bit, on shapes with vector tails, row reductions, table lookups, divisions in a
masked tail, strided outputs and batched GEMMs; and the rewrites happen where they should.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import parse_module
from intvit.lowering.llvm_cpu.pipeline import compile_module
from intvit.lowering.llvm_cpu.target import lower_module
from intvit.runtime.interpreter import random_inputs, run_module, find_entry
from intvit.dialects.context import module_text

MINI = Path(__file__).resolve().parents[1] / "Inputs" / "mini_block.mlir"
VARIANTS = [dict(elementwise="vector"), dict(elementwise="scalar"), dict(elementwise="vector", epilogue=False),
            dict(elementwise="vector", threads=1)]


def lowered(text: str) -> str:
    return module_text(lower_module(parse_module(text)))


def check_all_variants(text: str, seeds=(0, 1, 2)):
    """intvit text: every kernel variant equals the loop form and the golden model."""
    module = parse_module(text)
    low = lowered(text)
    reference = compile_module(low, elementwise="loops", epilogue=False)
    compiled = {repr(v): compile_module(low, **v) for v in VARIANTS}
    for seed in seeds:
        inputs = random_inputs(find_entry(module, None), seed)
        golden = run_module(module, inputs)
        loops = reference(*inputs)
        for out, want in zip(loops, golden):
            np.testing.assert_array_equal(out.view(want.dtype) if out.dtype != want.dtype else out, want)
        for name, c in compiled.items():
            for got, want in zip(c(*inputs), loops):
                assert got.tobytes() == want.tobytes(), name
    return compiled


T = 23  # rows and channels with 16-lane tails


OPS = {
    "requant_per_channel": f"""
func.func @main(%x: tensor<2x{T}x37xi32>) -> tensor<2x{T}x37xi8> {{
  %r = intvit.requant %x multiplier {[1073741824 + 7919 * i for i in range(37)]} shift {[31 + i % 20 for i in range(37)]} bits 8 : tensor<2x{T}x37xi32> -> tensor<2x{T}x37xi8>
  func.return %r : tensor<2x{T}x37xi8>
}}""",
    "shiftmax8": f"""
func.func @main(%x: tensor<3x{T}x{T}xi8>) -> tensor<3x{T}x{T}xui8> {{
  %r = intvit.shiftmax %x scale 0.011 bits 8 : tensor<3x{T}x{T}xi8> -> tensor<3x{T}x{T}xui8>
  func.return %r : tensor<3x{T}x{T}xui8>
}}""",
    "shiftmax16_input": f"""
func.func @main(%x: tensor<{T}x40xi16>) -> tensor<{T}x40xui16> {{
  %r = intvit.shiftmax %x scale 0.0009 bits 16 : tensor<{T}x40xi16> -> tensor<{T}x40xui16>
  func.return %r : tensor<{T}x40xui16>
}}""",
    "shiftgelu8": f"""
func.func @main(%x: tensor<{T}x50xi8>) -> tensor<{T}x50xi16> {{
  %r = intvit.shiftgelu %x scale 0.03 bits 16 : tensor<{T}x50xi8> -> tensor<{T}x50xi16>
  func.return %r : tensor<{T}x50xi16>
}}""",
    "shiftgelu16_divides": f"""
func.func @main(%x: tensor<{T}x21xi16>) -> tensor<{T}x21xi32> {{
  %r = intvit.shiftgelu %x scale 0.004 bits 24 : tensor<{T}x21xi16> -> tensor<{T}x21xi32>
  func.return %r : tensor<{T}x21xi32>
}}""",
    "layernorm": f"""
func.func @main(%x: tensor<{T}x19xi16>) -> tensor<{T}x19xi32> {{
  %r = intvit.layernorm %x bias {[i * 37 - 300 for i in range(19)]} const_channels {[int(i == 4) for i in range(19)]} : tensor<{T}x19xi16> -> tensor<{T}x19xi32>
  func.return %r : tensor<{T}x19xi32>
}}""",
    "isqrt_tail": """
func.func @main(%x: tensor<37xui64>) -> tensor<37xui64> {
  %r = intvit.isqrt %x : tensor<37xui64> -> tensor<37xui64>
  func.return %r : tensor<37xui64>
}""",
    "add_and_boundaries": f"""
func.func @main(%a: tensor<{T}x33xf32>, %b: tensor<{T}x33xf32>) -> tensor<{T}x33xf32> {{
  %qa = intvit.quantize %a scale 0.01 bits 16 : tensor<{T}x33xf32> -> tensor<{T}x33xi16>
  %qb = intvit.quantize %b scale 0.02 bits 16 : tensor<{T}x33xf32> -> tensor<{T}x33xi16>
  %s = intvit.add %qa, %qb lhs_multiplier 1288490189 lhs_shift 31 rhs_multiplier 1717986918 rhs_shift 30 bits 16 rounding half_away : tensor<{T}x33xi16>, tensor<{T}x33xi16> -> tensor<{T}x33xi16>
  %f = intvit.dequantize %s scale 0.03 : tensor<{T}x33xi16> -> tensor<{T}x33xf32>
  func.return %f : tensor<{T}x33xf32>
}}""",
}


@pytest.mark.parametrize("case", list(OPS))
def test_op_kernels_equal_loops_and_golden(case):
    compiled = check_all_variants(OPS[case])
    stats = compiled[repr(VARIANTS[0])].elementwise
    assert stats["left"] == 0 and stats["vector"] + stats["row_kernels"] >= 1, stats


ROW_CHAINS = {  # op -> generics fused into one row kernel (the rest run as their own kernels)
    "layernorm": 5,          # fill, row sum, mean, fill, sum of squares (isqrt is heavy: alone)
    "shiftmax8": 7,          # fill, row max, exp lookup, fill, sum of exp, factor, output
    "shiftgelu8": 3,         # fill, row max, output
}


@pytest.mark.parametrize("case", list(ROW_CHAINS))
def test_row_generics_fuse(case):
    compiled = compile_module(lowered(OPS[case]))
    stats = compiled.elementwise
    assert stats["row_kernels"] == 1 and stats["row_members"] == ROW_CHAINS[case], stats
    assert compile_module(lowered(OPS[case]), elementwise="scalar").elementwise["row_members"] == ROW_CHAINS[case]


CROSS_ROW = """
func.func @f(%a: tensor<48x48xi32>) -> tensor<48x48xi64> {
  %e = tensor.empty() : tensor<48x48xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%a : tensor<48x48xi32>) outs(%e : tensor<48x48xi32>) {
  ^bb0(%v: i32, %o: i32):
    %one = arith.constant 1 : i32
    %w = arith.addi %v, %one : i32
    linalg.yield %w : i32
  } -> tensor<48x48xi32>
  %zero = arith.constant 0 : i64
  %es = tensor.empty() : tensor<48xi64>
  %z = linalg.fill ins(%zero : i64) outs(%es : tensor<48xi64>) -> tensor<48xi64>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]} ins(%x : tensor<48x48xi32>) outs(%z : tensor<48xi64>) {
  ^bb0(%v: i32, %acc: i64):
    %w = arith.extsi %v : i32 to i64
    %t = arith.addi %acc, %w : i64
    linalg.yield %t : i64
  } -> tensor<48xi64>
  %e2 = tensor.empty() : tensor<48x48xi64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%x, %s : tensor<48x48xi32>, tensor<48xi64>) outs(%e2 : tensor<48x48xi64>) {
  ^bb0(%p: i32, %q: i64, %o: i64):
    %w = arith.extsi %p : i32 to i64
    %d = arith.subi %w, %q : i64
    linalg.yield %d : i64
  } -> tensor<48x48xi64>
  return %y : tensor<48x48xi64>
}
"""


def test_a_cross_row_read_is_not_fused():
    """y[i, j] = x[i, j] - rowsum(x)[j] needs the sums of other rows: x, its init and its row
    sums fuse, the last generic must not join them."""
    a = np.random.default_rng(2).integers(-1000, 1000, (48, 48)).astype(np.int32)
    compiled = compile_module(CROSS_ROW)
    assert (compiled.elementwise["row_kernels"], compiled.elementwise["row_members"]) == (1, 3), compiled.elementwise
    x = (a + 1).astype(np.int64)
    np.testing.assert_array_equal(compiled(a)[0], x - x.sum(axis=1)[None, :])


def test_division_in_a_masked_tail_does_not_trap():
    """37 elements: the last chunk has 5 live lanes; the dead ones must not divide by zero."""
    text = """
func.func @f(%a: tensor<37xi64>, %b: tensor<37xi64>) -> tensor<37xi64> {
  %e = tensor.empty() : tensor<37xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]} ins(%a, %b : tensor<37xi64>, tensor<37xi64>) outs(%e : tensor<37xi64>) {
  ^bb0(%x: i64, %y: i64, %o: i64):
    %q = arith.divsi %x, %y : i64
    %m = arith.remsi %x, %y : i64
    %s = arith.addi %q, %m : i64
    linalg.yield %s : i64
  } -> tensor<37xi64>
  return %r : tensor<37xi64>
}
"""
    rng = np.random.default_rng(3)
    a = rng.integers(-2**40, 2**40, 37)
    b = rng.integers(1, 1000, 37) * rng.choice([-1, 1], 37)
    compiled = compile_module(text)
    assert compiled.elementwise["vector"] == 1
    q = np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))
    np.testing.assert_array_equal(compiled(a, b)[0], q + (a - q * b))


def test_mini_block_every_variant():
    check_all_variants(MINI.read_text())


GEMM_REQUANT = """
func.func @main(%x: tensor<1x29x40xi8>, %q: tensor<1x3x29x16xi8>, %k: tensor<1x3x16x29xi8>)
    -> (tensor<1x31x50xi16>, tensor<1x3x29x29xi8>) {{
  %w = arith.constant dense<{w}> : tensor<50x40xi8>
  %b = arith.constant dense<{b}> : tensor<50xi32>
  %acc = intvit.matmul %x, %w, %b transpose_rhs : tensor<1x29x40xi8>, tensor<50x40xi8>, tensor<50xi32> -> tensor<1x29x50xi32>
  %r = intvit.requant %acc multiplier {mult} shift {shift} bits 16 rounding {mode} : tensor<1x29x50xi32> -> tensor<1x29x50xi16>
  %pad = arith.constant dense<5> : tensor<1x2x50xi16>
  %e = tensor.empty() : tensor<1x31x50xi16>
  %top = tensor.insert_slice %pad into %e[0, 0, 0] [1, 2, 50] [1, 1, 1] : tensor<1x2x50xi16> into tensor<1x31x50xi16>
  %cat = tensor.insert_slice %r into %top[0, 2, 0] [1, 29, 50] [1, 1, 1] : tensor<1x29x50xi16> into tensor<1x31x50xi16>
  %s = intvit.matmul %q, %k : tensor<1x3x29x16xi8>, tensor<1x3x16x29xi8> -> tensor<1x3x29x29xi32>
  %p = intvit.requant %s multiplier [1288490189] shift [36] bits 8 rounding {mode} : tensor<1x3x29x29xi32> -> tensor<1x3x29x29xi8>
  func.return %cat, %p : tensor<1x31x50xi16>, tensor<1x3x29x29xi8>
}}
"""


def gemm_requant(mode: str) -> str:
    rng = np.random.default_rng(11)
    w = rng.integers(-128, 128, (50, 40)).tolist()
    b = rng.integers(-20000, 20000, 50).tolist()
    mult = [int(v) for v in rng.integers(2**30, 2**31, 50)]
    shift = [int(v) for v in rng.integers(20, 40, 50)]
    return GEMM_REQUANT.format(w=w, b=b, mult=mult, shift=shift, mode=mode)


@pytest.mark.parametrize("mode", ["half_even", "half_up", "half_away", "double_round", "floor"])
def test_fused_epilogues_are_exact(mode):
    text = gemm_requant(mode)  # the requant writes into a strided slice of the padded result
    compiled = check_all_variants(text, seeds=(0, 5))
    fused = compiled[repr(VARIANTS[0])].gemms
    assert [g["epilogue"] for g in fused] == [True, True], fused
    unfused = compiled[repr(VARIANTS[2])].gemms
    assert [g["epilogue"] for g in unfused] == [False, False]


def test_epilogue_needs_a_private_accumulator():
    """C read by two consumers (here returned as well): the GEMM keeps its store, nothing fuses."""
    text = """
func.func @main(%x: tensor<7x24xi8>, %w: tensor<24x18xi8>) -> (tensor<7x18xi32>, tensor<7x18xi8>) {
  %acc = intvit.matmul %x, %w : tensor<7x24xi8>, tensor<24x18xi8> -> tensor<7x18xi32>
  %r = intvit.requant %acc multiplier [1288490189] shift [36] bits 8 : tensor<7x18xi32> -> tensor<7x18xi8>
  func.return %acc, %r : tensor<7x18xi32>, tensor<7x18xi8>
}
"""
    compiled = check_all_variants(text)
    assert [g["epilogue"] for g in compiled[repr(VARIANTS[0])].gemms] == [False]


def test_kernel_text_is_vector_and_parallel():
    from torch_mlir import ir, passmanager

    from intvit.lowering.llvm_cpu.pipeline import BUFFERIZE, add_wrapper, entry_signature, rewrite_non_gemm

    low = lowered(OPS["shiftmax8"].replace(f"{T}x{T}", "64x64"))
    ctx = ir.Context()
    module = ir.Module.parse(low, ctx)
    name, ins, outs = entry_signature(module, None)
    with ctx:
        add_wrapper(module, name, ins, outs)
        passmanager.PassManager.parse(f"builtin.module({BUFFERIZE})").run(module.operation)
        stats = rewrite_non_gemm(module, parallel=True)
        text = str(module)
    assert stats["left"] == 0 and stats["parallel"] >= 1 and stats["row_kernels"] == 1
    assert "vector.gather" in text            # the exp table lookup
    assert "vector.reduction <maxsi>" in text and "vector.reduction <add>" in text
    assert "omp.parallel" in text and "linalg.generic" not in text


def test_bench_times_each_gemm_alone_and_checks_it():
    """`bench`'s GEMM-kernel timing rebuilds every recorded GEMM standalone and checks it
    against numpy before timing (here two tiny ones; no timing is asserted)."""
    from intvit.lowering.llvm_cpu.gemm_bench import time_gemm_kernels
    from intvit.lowering.llvm_cpu.gemm_kernels import cpu_has_avx512_vnni

    # timing runs the kernels, so the variant must be one this host executes
    base = dict(variant="vnni" if cpu_has_avx512_vnni() else "portable", b_unsigned=False)
    records = [dict(base, batch=[], m=9, n=20, k=16, prepacked=True, b_nk=True, a_unsigned=False, b_batched=False),
               dict(base, batch=[2], m=7, n=11, k=13, prepacked=False, b_nk=False, a_unsigned=True, b_batched=True)]
    out = time_gemm_kernels(records * 2, threads=1, repeat=2)
    assert [s["count"] for s in out["shapes"]] == [2, 2]
    assert out["gemm_macs"] == 2 * (9 * 20 * 16 + 2 * 7 * 11 * 13) and out["gemm_ms"] > 0


def test_preallocated_outputs_are_checked(tmp_path):
    from intvit.lowering.llvm_cpu.aot import write_shared_library
    from intvit.lowering.llvm_cpu.loader import ExecutorError, load_so

    compiled = compile_module(lowered(OPS["isqrt_tail"]))
    lib = load_so(write_shared_library(compiled, tmp_path / "isqrt.so"))
    x = np.arange(37, dtype=np.uint64) ** 2
    buf = [np.empty(37, np.int64)]  # the C ABI is signless: unsigned storage travels as int64
    assert lib(x.view(np.int64), out=buf)[0] is buf[0]
    np.testing.assert_array_equal(buf[0], np.arange(37))
    with pytest.raises(ExecutorError, match="writable C-contiguous"):
        lib(x.view(np.int64), out=[np.empty(36, np.int64)])


KT = """
func.func @scores(%q: tensor<2x37x64xi8>, %k: tensor<2x37x64xi8>) -> tensor<2x37x37xi32> {
  %e = tensor.empty() : tensor<2x64x37xi8>
  %kt = linalg.transpose ins(%k : tensor<2x37x64xi8>) outs(%e : tensor<2x64x37xi8>) permutation = [0, 2, 1]
  %z = arith.constant 0 : i32
  %ec = tensor.empty() : tensor<2x37x37xi32>
  %c = linalg.fill ins(%z : i32) outs(%ec : tensor<2x37x37xi32>) -> tensor<2x37x37xi32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>,
                                        affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<2x37x64xi8>, tensor<2x64x37xi8>) outs(%c : tensor<2x37x37xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<2x37x37xi32>
  return %s : tensor<2x37x37xi32>
}
"""


@pytest.mark.parametrize("gemm", ["vnni", "portable"])
def test_transposed_copy_folds_into_the_gemm(gemm):
    """K^T is not copied: the GEMM reads K as a B stored [n, k]; nothing is left to loops."""
    from intvit.lowering.llvm_cpu.gemm_kernels import cpu_has_avx512_vnni

    rng = np.random.default_rng(9)
    q, k = (rng.integers(-128, 128, (2, 37, 64)).astype(np.int8) for _ in range(2))
    compiled = compile_module(KT, gemm=gemm)  # vnni builds on any host
    assert [g["b_nk"] for g in compiled.gemms] == [True]
    assert compiled.elementwise["left"] == 0 and compiled.elementwise["vector"] == 0
    if gemm == "vnni" and not cpu_has_avx512_vnni():
        pytest.skip("CPU without avx512_vnni: compiled, not run")
    ref = q.astype(np.int64) @ np.swapaxes(k, 1, 2).astype(np.int64)
    np.testing.assert_array_equal(compiled(q, k)[0], ref)


UNKNOWN_CONSUMER = """
func.func @f(%a: tensor<7x24xi8>, %w: tensor<24x18xi8>) -> tensor<7x18xi32> {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<7x18xi32>
  %c = linalg.fill ins(%z : i32) outs(%e : tensor<7x18xi32>) -> tensor<7x18xi32>
  %g = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : tensor<7x24xi8>, tensor<24x18xi8>) outs(%c : tensor<7x18xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<7x18xi32>
  %e2 = tensor.empty() : tensor<7x18xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]} ins(%g : tensor<7x18xi32>) outs(%e2 : tensor<7x18xi32>) {
  ^bb0(%v: i32, %o: i32):
    %l = math.ctlz %v : i32
    linalg.yield %l : i32
  } -> tensor<7x18xi32>
  return %r : tensor<7x18xi32>
}
"""


def test_a_consumer_the_translator_does_not_know_stays_unfused():
    """`math.ctlz` has no translation: the GEMM keeps its own store and the consumer runs as loops."""
    rng = np.random.default_rng(4)
    a = rng.integers(-128, 128, (7, 24)).astype(np.int8)
    w = rng.integers(-128, 128, (24, 18)).astype(np.int8)
    compiled = compile_module(UNKNOWN_CONSUMER)
    assert [g["epilogue"] for g in compiled.gemms] == [False] and compiled.elementwise["left"] == 1
    acc = (a.astype(np.int64) @ w.astype(np.int64)).astype(np.int32)
    bits = np.array([32 - int(v).bit_length() if v >= 0 else 0 for v in acc.ravel()]).reshape(acc.shape)
    np.testing.assert_array_equal(compiled(a, w)[0], bits)
