"""The llvm-cpu backend.

Part 1: hand-written upstream linalg/arith/tensor modules (GEMMs, requantization with shifts and
clamps, transpose/reshape, reductions, signed division, aliasing results) compiled through
`compile_module`, run by the JIT and by the AOT `.so`, compared bit for bit with numpy; every
GEMM kernel variant (vnni, portable, loops) over awkward shapes; the loader's refusals.

Part 2: the intvit path (mini block): JIT, AOT and the golden model agree; the CLI.
"""

from __future__ import annotations

import ctypes
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from intvit.dialects.context import load_module, parse_module
from intvit.lowering.llvm_cpu.aot import shim_source, write_shared_library
from intvit.lowering.llvm_cpu.gemm_kernels import PARALLEL_MIN_MACS, cpu_has_avx512_vnni, pack_b
from intvit.lowering.llvm_cpu.pipeline import CompileError, compile_module
from intvit.lowering.llvm_cpu.target import compile_intvit
from intvit.lowering.llvm_cpu.loader import ExecutorError, load_so
from intvit.runtime.interpreter import run_module
from intvit.tools.intvit_main import main as intvit_main

MINI = Path(__file__).resolve().parents[1] / "Inputs" / "mini_block.mlir"
VNNI = cpu_has_avx512_vnni()
needs_vnni = pytest.mark.skipif(not VNNI, reason="CPU without avx512_vnni")


def wrap32(x: np.ndarray) -> np.ndarray:
    """int64 -> int32 with two's-complement wrap-around (what i32 arith does)."""
    return ((x.astype(np.int64) + 2**31) % 2**32 - 2**31).astype(np.int32)


def hexdense(arr: np.ndarray) -> str:
    return '"0x' + np.ascontiguousarray(arr).tobytes().hex().upper() + '"'


def trunc_div(a, b):
    a, b = a.astype(np.int64), b.astype(np.int64)
    return np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))


# ---------------------------------------------------------------------------------------------
# hand-written modules: (text, inputs(rng), numpy reference(inputs))
# ---------------------------------------------------------------------------------------------

W = np.random.default_rng(5).integers(-128, 128, (50, 67)).astype(np.int8)   # [n, k] weights
BIAS = np.random.default_rng(6).integers(-50000, 50000, (50,)).astype(np.int32)

GEMM = f"""
func.func @gemm(%a: tensor<37x67xi8>, %q: tensor<2x37x67xi8>, %k: tensor<2x67x50xi8>)
    -> (tensor<37x50xi32>, tensor<2x37x50xi32>) {{
  %w = arith.constant dense<{hexdense(W)}> : tensor<50x67xi8>
  %bias = arith.constant dense<{hexdense(BIAS)}> : tensor<50xi32>
  %e = tensor.empty() : tensor<37x50xi32>
  %init = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                          iterator_types = ["parallel", "parallel"]}}
      ins(%bias : tensor<50xi32>) outs(%e : tensor<37x50xi32>) {{
  ^bb0(%x: i32, %o: i32):
    linalg.yield %x : i32
  }} -> tensor<37x50xi32>
  %lin = linalg.generic {{indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                                         affine_map<(m, n, k) -> (m, n)>],
                         iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%a, %w : tensor<37x67xi8>, tensor<50x67xi8>) outs(%init : tensor<37x50xi32>) {{
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }} -> tensor<37x50xi32>
  %zero = arith.constant 0 : i32
  %e2 = tensor.empty() : tensor<2x37x50xi32>
  %z = linalg.fill ins(%zero : i32) outs(%e2 : tensor<2x37x50xi32>) -> tensor<2x37x50xi32>
  %att = linalg.generic {{indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>,
                                         affine_map<(b, m, n, k) -> (b, m, n)>],
                         iterator_types = ["parallel", "parallel", "parallel", "reduction"]}}
      ins(%q, %k : tensor<2x37x67xi8>, tensor<2x67x50xi8>) outs(%z : tensor<2x37x50xi32>) {{
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }} -> tensor<2x37x50xi32>
  return %lin, %att : tensor<37x50xi32>, tensor<2x37x50xi32>
}}
"""


def gemm_inputs(rng):
    return [rng.integers(-128, 128, (37, 67)).astype(np.int8),
            rng.integers(0, 256, (2, 37, 67)).astype(np.uint8),   # unsigned activations (extui)
            rng.integers(-128, 128, (2, 67, 50)).astype(np.int8)]


def gemm_reference(a, q, k):
    lin = a.astype(np.int64) @ W.T.astype(np.int64) + BIAS
    att = q.astype(np.int64) @ k.astype(np.int64)
    return [wrap32(lin), wrap32(att)]


REQUANT = """
func.func @requant(%x: tensor<7x33xi32>, %m: tensor<33xi64>, %s: tensor<33xi64>) -> (tensor<7x33xi8>, tensor<7x33xi16>) {
  %e8 = tensor.empty() : tensor<7x33xi8>
  %q8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                         affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%x, %m, %s : tensor<7x33xi32>, tensor<33xi64>, tensor<33xi64>) outs(%e8 : tensor<7x33xi8>) {
  ^bb0(%v: i32, %mul: i64, %sh: i64, %o: i8):
    %one = arith.constant 1 : i64
    %w = arith.extsi %v : i32 to i64
    %p = arith.muli %w, %mul : i64
    %sm1 = arith.subi %sh, %one : i64
    %half = arith.shli %one, %sm1 : i64
    %r = arith.addi %p, %half : i64
    %t = arith.shrsi %r, %sh : i64
    %lo = arith.constant -128 : i64
    %hi = arith.constant 127 : i64
    %c1 = arith.maxsi %t, %lo : i64
    %c2 = arith.minsi %c1, %hi : i64
    %y = arith.trunci %c2 : i64 to i8
    linalg.yield %y : i8
  } -> tensor<7x33xi8>
  %e16 = tensor.empty() : tensor<7x33xi16>
  %q16 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<7x33xi32>) outs(%e16 : tensor<7x33xi16>) {
  ^bb0(%v: i32, %o: i16):
    %w = arith.extsi %v : i32 to i64
    %mul = arith.constant 1518500250 : i64
    %p = arith.muli %w, %mul : i64
    %sh = arith.constant 40 : i64
    %t = arith.shrsi %p, %sh : i64
    %lo = arith.constant -32768 : i64
    %hi = arith.constant 32767 : i64
    %c1 = arith.maxsi %t, %lo : i64
    %c2 = arith.minsi %c1, %hi : i64
    %y = arith.trunci %c2 : i64 to i16
    linalg.yield %y : i16
  } -> tensor<7x33xi16>
  return %q8, %q16 : tensor<7x33xi8>, tensor<7x33xi16>
}
"""


def requant_inputs(rng):
    x = rng.integers(-2**31, 2**31, (7, 33), dtype=np.int64).astype(np.int32)
    x[0, :4] = [-2**31, 2**31 - 1, 0, -1]
    return [x, rng.integers(2**30, 2**31, (33,), dtype=np.int64), rng.integers(20, 48, (33,), dtype=np.int64)]


def requant_reference(x, m, s):
    p = x.astype(np.int64) * m
    q8 = np.clip((p + (np.int64(1) << (s - 1))) >> s, -128, 127).astype(np.int8)
    q16 = np.clip((x.astype(np.int64) * 1518500250) >> 40, -32768, 32767).astype(np.int16)
    return [q8, q16]


SHUFFLE = """
func.func @shuffle(%x: tensor<2x3x4x5xi8>) -> (tensor<8x15xi8>, tensor<4x2x15xi16>) {
  %e = tensor.empty() : tensor<2x4x3x5xi8>
  %t = linalg.transpose ins(%x : tensor<2x3x4x5xi8>) outs(%e : tensor<2x4x3x5xi8>) permutation = [0, 2, 1, 3]
  %c = tensor.collapse_shape %t [[0, 1], [2, 3]] : tensor<2x4x3x5xi8> into tensor<8x15xi8>
  %x3 = tensor.expand_shape %c [[0, 1], [2]] output_shape [4, 2, 15] : tensor<8x15xi8> into tensor<4x2x15xi8>
  %e16 = tensor.empty() : tensor<4x2x15xi16>
  %w = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x3 : tensor<4x2x15xi8>) outs(%e16 : tensor<4x2x15xi16>) {
  ^bb0(%v: i8, %o: i16):
    %a = arith.extsi %v : i8 to i16
    %three = arith.constant 3 : i16
    %b = arith.muli %a, %three : i16
    linalg.yield %b : i16
  } -> tensor<4x2x15xi16>
  return %c, %w : tensor<8x15xi8>, tensor<4x2x15xi16>
}
"""


def shuffle_reference(x):
    c = x.transpose(0, 2, 1, 3).reshape(8, 15)
    return [c, c.reshape(4, 2, 15).astype(np.int16) * 3]


REDUCE = """
func.func @reduce(%x: tensor<6x50xi32>) -> (tensor<6xi64>, tensor<50xi32>, tensor<i64>) {
  %z64 = arith.constant 0 : i64
  %e = tensor.empty() : tensor<6xi64>
  %f = linalg.fill ins(%z64 : i64) outs(%e : tensor<6xi64>) -> tensor<6xi64>
  %rows = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                          iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<6x50xi32>) outs(%f : tensor<6xi64>) {
  ^bb0(%v: i32, %acc: i64):
    %w = arith.extsi %v : i32 to i64
    %s = arith.addi %acc, %w : i64
    linalg.yield %s : i64
  } -> tensor<6xi64>
  %lowest = arith.constant -2147483648 : i32
  %e2 = tensor.empty() : tensor<50xi32>
  %f2 = linalg.fill ins(%lowest : i32) outs(%e2 : tensor<50xi32>) -> tensor<50xi32>
  %cols = linalg.reduce ins(%x : tensor<6x50xi32>) outs(%f2 : tensor<50xi32>) dimensions = [0]
    (%in: i32, %init: i32) {
      %m = arith.maxsi %in, %init : i32
      linalg.yield %m : i32
    }
  %e3 = tensor.empty() : tensor<i64>
  %f3 = linalg.fill ins(%z64 : i64) outs(%e3 : tensor<i64>) -> tensor<i64>
  %all = linalg.reduce ins(%rows : tensor<6xi64>) outs(%f3 : tensor<i64>) dimensions = [0]
    (%in: i64, %init: i64) {
      %s = arith.addi %in, %init : i64
      linalg.yield %s : i64
    }
  return %rows, %cols, %all : tensor<6xi64>, tensor<50xi32>, tensor<i64>
}
"""


def reduce_reference(x):
    rows = x.astype(np.int64).sum(axis=1)
    return [rows, x.max(axis=0), np.array(rows.sum(), np.int64)]


DIVIDE = """
func.func @divide(%a: tensor<64xi32>, %b: tensor<64xi32>, %c: tensor<64xi64>) -> (tensor<64xi32>, tensor<64xi32>, tensor<64xi64>) {
  %e = tensor.empty() : tensor<64xi32>
  %q, %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>,
                                            affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                           iterator_types = ["parallel"]}
      ins(%a, %b : tensor<64xi32>, tensor<64xi32>) outs(%e, %e : tensor<64xi32>, tensor<64xi32>) {
  ^bb0(%x: i32, %y: i32, %o1: i32, %o2: i32):
    %d = arith.divsi %x, %y : i32
    %m = arith.remsi %x, %y : i32
    linalg.yield %d, %m : i32, i32
  } -> (tensor<64xi32>, tensor<64xi32>)
  %e64 = tensor.empty() : tensor<64xi64>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%c : tensor<64xi64>) outs(%e64 : tensor<64xi64>) {
  ^bb0(%x: i64, %o: i64):
    %seven = arith.constant -7 : i64
    %d = arith.floordivsi %x, %seven : i64
    %t = arith.divsi %x, %seven : i64
    %s = arith.addi %d, %t : i64
    linalg.yield %s : i64
  } -> tensor<64xi64>
  return %q, %r, %f : tensor<64xi32>, tensor<64xi32>, tensor<64xi64>
}
"""


def divide_inputs(rng):
    a = rng.integers(-2**31 + 1, 2**31, (64,), dtype=np.int64).astype(np.int32)
    b = rng.integers(-1000, 1000, (64,)).astype(np.int32)
    b[b == 0] = 3
    b[:4] = [1, -1, 2**31 - 1, -(2**31)]
    a[4:8] = [-7, 7, -6, 6]
    b[4:8] = [2, 2, -4, -4]
    return [a, b, rng.integers(-2**62, 2**62, (64,), dtype=np.int64)]


def divide_reference(a, b, c):
    q = trunc_div(a, b)
    return [q.astype(np.int32), (a.astype(np.int64) - q * b).astype(np.int32),
            c // -7 + trunc_div(c, np.full_like(c, -7))]


ALIAS = """
func.func @alias(%x: tensor<4x4xi32>, %y: tensor<3xi8>) -> (tensor<4x4xi32>, tensor<4x4xi32>, tensor<4xi32>, tensor<3xi8>) {
  %c = arith.constant dense<[1, -2, 3, -4]> : tensor<4xi32>
  return %x, %x, %c, %y : tensor<4x4xi32>, tensor<4x4xi32>, tensor<4xi32>, tensor<3xi8>
}
"""

MODULES = {
    "gemm": (GEMM, gemm_inputs, gemm_reference),
    "requant": (REQUANT, requant_inputs, requant_reference),
    "shuffle": (SHUFFLE, lambda rng: [rng.integers(-128, 128, (2, 3, 4, 5)).astype(np.int8)], shuffle_reference),
    "reduce": (REDUCE, lambda rng: [rng.integers(-2**31, 2**31, (6, 50), dtype=np.int64).astype(np.int32)],
               reduce_reference),
    "divide": (DIVIDE, divide_inputs, divide_reference),
    "alias": (ALIAS, lambda rng: [rng.integers(-9, 9, (4, 4)).astype(np.int32), np.array([1, -1, 127], np.int8)],
              lambda x, y: [x, x, np.array([1, -2, 3, -4], np.int32), y]),
}


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every hand-written module compiled once: name -> (JIT CompiledModule, loaded .so)."""
    out = tmp_path_factory.mktemp("llvm_cpu")
    models = {}
    for name, (text, _, _) in MODULES.items():
        compiled = compile_module(text)
        models[name] = (compiled, load_so(write_shared_library(compiled, out / f"{name}.so")))
    return models


def assert_same(outputs, expected):
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        want = np.asarray(want)
        assert got.shape == want.shape and got.dtype == want.dtype, (got.dtype, got.shape, want.dtype, want.shape)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(MODULES))
def test_jit_and_so_equal_numpy(built, name):
    _, make_inputs, reference = MODULES[name]
    jit, lib = built[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    for _ in range(3):
        inputs = make_inputs(rng)
        expected = reference(*inputs)
        from_jit, from_so = jit(*inputs), lib(*inputs)
        assert_same(from_jit, expected)
        assert_same(from_so, expected)
        for a, b in zip(from_jit, from_so):
            assert a.tobytes() == b.tobytes()


def test_gemms_become_kernels(built):
    jit, _ = built["gemm"]
    lin = next(g for g in jit.gemms if g["batch"] == [])
    att = next(g for g in jit.gemms if g["batch"] == [2])
    assert lin["prepacked"] and lin["init"] == "bias"          # constant weights packed, bias fused
    assert not att["prepacked"] and att["init"] == "zero"      # dynamic B packed per call, fill fused
    assert {g["variant"] for g in jit.gemms} == {"vnni" if VNNI else "portable"}
    if VNNI:
        assert "llvm.x86.avx512.vpdpbusd.512" in str(jit.llvm_module)


def test_inputs_need_not_be_contiguous(built):
    jit, lib = built["shuffle"]
    base = np.random.default_rng(1).integers(-128, 128, (5, 4, 3, 2)).astype(np.int8)
    x = base.transpose(3, 2, 1, 0)  # a non-contiguous view
    assert_same(jit(x), shuffle_reference(np.ascontiguousarray(x)))
    assert_same(lib(x), shuffle_reference(np.ascontiguousarray(x)))


# ---------------------------------------------------------------------------------------------
# GEMM kernels: every variant, awkward shapes (M % 6, N % 16, K % 4 remainders, batches, both
# B layouts, signed/unsigned operands, bias/zero/accumulate init, constant or dynamic B)
# ---------------------------------------------------------------------------------------------


def gemm_case(m, n, k, batch=(), b_nk=False, b_batched=False, a_u=False, b_u=False, init="bias",
              const_b=False, seed=0):
    rng = np.random.default_rng(seed)
    nb = len(batch)
    dims = [f"d{i}" for i in range(nb + 3)]
    bd, dm, dn, dk = dims[:nb], dims[nb], dims[nb + 1], dims[nb + 2]
    space = ", ".join(dims)

    def ty(shape, elem):
        return f"tensor<{'x'.join(map(str, shape))}x{elem}>"

    ashape, cshape = (*batch, m, k), (*batch, m, n)
    bshape = (*(batch if b_batched else ()), *((n, k) if b_nk else (k, n)))
    bmap = [*(bd if b_batched else []), *((dn, dk) if b_nk else (dk, dn))]
    a = rng.integers(0 if a_u else -128, 256 if a_u else 128, ashape).astype(np.uint8 if a_u else np.int8)
    b = rng.integers(0 if b_u else -128, 256 if b_u else 128, bshape).astype(np.uint8 if b_u else np.int8)
    bias = rng.integers(-10**6, 10**6, (n,)).astype(np.int32)
    c0 = rng.integers(-10**6, 10**6, cshape).astype(np.int32)
    args = [f"%a: {ty(ashape, 'i8')}"] + ([] if const_b else [f"%b: {ty(bshape, 'i8')}"])
    body = []
    if const_b:
        body.append(f"%b = arith.constant dense<{hexdense(b)}> : {ty(bshape, 'i8')}")
    rank = nb + 2
    out_space = "(" + ", ".join(dims[:rank]) + ")"
    par = ", ".join(['"parallel"'] * rank)
    if init == "bias":
        body += [f"%bias = arith.constant dense<{hexdense(bias)}> : tensor<{n}xi32>",
                 f"%e = tensor.empty() : {ty(cshape, 'i32')}",
                 f"%init = linalg.generic {{indexing_maps = [affine_map<{out_space} -> ({dims[rank - 1]})>, "
                 f"affine_map<{out_space} -> {out_space}>], iterator_types = [{par}]}} "
                 f"ins(%bias : tensor<{n}xi32>) outs(%e : {ty(cshape, 'i32')}) {{\n"
                 f"  ^bb0(%x: i32, %o: i32):\n    linalg.yield %x : i32\n  }} -> {ty(cshape, 'i32')}"]
    elif init == "zero":
        body += ["%z = arith.constant 0 : i32", f"%e = tensor.empty() : {ty(cshape, 'i32')}",
                 f"%init = linalg.fill ins(%z : i32) outs(%e : {ty(cshape, 'i32')}) -> {ty(cshape, 'i32')}"]
    else:
        args.append(f"%c0: {ty(cshape, 'i32')}")
        body.append(f"%init = arith.addi %c0, %c0 : {ty(cshape, 'i32')}")
    ea, eb = ("extui" if a_u else "extsi"), ("extui" if b_u else "extsi")
    iters = ", ".join(['"parallel"'] * rank + ['"reduction"'])
    body.append(
        f"%r = linalg.generic {{indexing_maps = [affine_map<({space}) -> ({', '.join([*bd, dm, dk])})>, "
        f"affine_map<({space}) -> ({', '.join(bmap)})>, affine_map<({space}) -> ({', '.join([*bd, dm, dn])})>], "
        f"iterator_types = [{iters}]}} ins(%a, %b : {ty(ashape, 'i8')}, {ty(bshape, 'i8')}) "
        f"outs(%init : {ty(cshape, 'i32')}) {{\n  ^bb0(%x: i8, %y: i8, %acc: i32):\n"
        f"    %0 = arith.{ea} %x : i8 to i32\n    %1 = arith.{eb} %y : i8 to i32\n"
        f"    %2 = arith.muli %0, %1 : i32\n    %3 = arith.addi %acc, %2 : i32\n"
        f"    linalg.yield %3 : i32\n  }} -> {ty(cshape, 'i32')}")
    text = (f"func.func @g({', '.join(args)}) -> {ty(cshape, 'i32')} {{\n  " + "\n  ".join(body)
            + f"\n  return %r : {ty(cshape, 'i32')}\n}}\n")
    inputs = [a.view(np.int8)] + ([] if const_b else [b.view(np.int8)]) + ([c0 // 2] if init == "c" else [])
    bkn = np.swapaxes(b.astype(np.int64), -1, -2) if b_nk else b.astype(np.int64)
    ref = a.astype(np.int64) @ bkn
    ref = ref + bias if init == "bias" else ref + (c0 // 2) * 2 if init == "c" else ref
    return text, inputs, wrap32(ref)


GEMM_CASES = {
    "deit-mlp-like": dict(m=13, n=48, k=24, b_nk=True, const_b=True),
    "tails-everywhere": dict(m=7, n=33, k=5, const_b=True, init="zero"),
    "k-smaller-than-4": dict(m=5, n=17, k=3, b_nk=True, init="c"),
    "one-by-one": dict(m=1, n=1, k=1, const_b=True),
    "wide-n": dict(m=6, n=130, k=9, b_nk=True, a_u=True),
    "batched-attention": dict(m=11, n=19, k=16, batch=(1, 3), b_batched=True, init="zero"),
    "batched-av-unsigned": dict(m=9, n=20, k=13, batch=(2,), b_batched=True, a_u=True, init="zero"),
    "shared-weights-batch": dict(m=4, n=16, k=8, batch=(3,), b_nk=True, const_b=True),
    "unsigned-b": dict(m=6, n=18, k=7, b_u=True, a_u=True),
    "extremes": dict(m=8, n=32, k=64, b_nk=True, init="c", seed=3),
    # AMX-sized (K a multiple of 64): full 32 x 32 blocks, row and column edge tiles, batches
    "amx-blocks-and-edges": dict(m=45, n=50, k=128, b_nk=True, const_b=True),
    "amx-attention": dict(m=37, n=37, k=64, batch=(1, 3), b_batched=True, init="zero"),
    "amx-runtime-b-kn": dict(m=33, n=64, k=192, init="c", seed=5),
}


def expected_variant(case: str, variant: str) -> str:
    c = GEMM_CASES[case]
    expect = variant
    if expect == "amx" and (c.get("a_u") or c.get("b_u") or c["k"] % 64):
        expect = "vnni"  # AMX takes s8 x s8 with K a multiple of 64
    if c.get("b_u") and expect == "vnni":
        expect = "portable"
    return expect


@pytest.mark.parametrize("variant", ["amx", "vnni"])
@pytest.mark.parametrize("case", list(GEMM_CASES))
def test_gemm_kernels_lower_on_any_host(case, variant):
    """The AMX and VNNI kernels are generated, parsed, verified and lowered to the LLVM
    dialect on every host (running them is `test_gemm_kernels_are_exact`'s part)."""
    from intvit.lowering.llvm_cpu.pipeline import lower_to_llvm

    text, _, _ = gemm_case(**GEMM_CASES[case])
    low = lower_to_llvm(text, gemm=variant, threads=1)
    assert low.gemm == variant
    assert [g["variant"] for g in low.gemms] == [expected_variant(case, variant)]
    intrinsic = {"amx": "llvm.x86.tdpbssd.internal", "vnni": "llvm.x86.avx512.vpdpbusd.512",
                 "portable": "llvm.func"}  # an unsigned B: neither unit's kernel
    assert intrinsic[expected_variant(case, variant)] in str(low.module)


@pytest.mark.parametrize("variant", ["amx", "vnni", "portable", "loops"])
@pytest.mark.parametrize("case", list(GEMM_CASES))
def test_gemm_kernels_are_exact(case, variant):
    from intvit.lowering.llvm_cpu.gemm_kernels import amx_ready

    if variant == "vnni" and not VNNI:
        pytest.skip("CPU without avx512_vnni")
    if variant == "amx" and not amx_ready():
        pytest.skip("no usable AMX-INT8 (CPU or kernel)")
    text, inputs, ref = gemm_case(**GEMM_CASES[case])
    if case == "extremes":  # saturating corners: -128 * -128 sums, i32 wrap-around in the accumulator
        inputs[0][...] = -128
        inputs[1][...] = -128
        inputs[2][...] = 2**31 - 1 - 2**20
        ref = wrap32(np.full(ref.shape, 64 * 128 * 128, np.int64) + inputs[2].astype(np.int64) * 2)
    compiled = compile_module(text, gemm=variant)
    (out,) = compiled(*inputs)
    np.testing.assert_array_equal(out, ref)
    if variant == "loops":
        assert compiled.gemms == []
    else:
        assert len(compiled.gemms) == 1
        assert compiled.gemms[0]["variant"] == expected_variant(case, variant)


THREAD_CASES = {  # each above gemm_kernels.PARALLEL_MIN_MACS, so that its blocks really split
    "deit-qkv-like": dict(m=77, n=144, k=96, b_nk=True, const_b=True),      # row tail and panel-group tail
    "attention-scores": dict(m=67, n=70, k=80, batch=(1, 3), b_batched=True, init="zero"),
    "accumulate-onto-c": dict(m=130, n=64, k=130, init="c"),
}


@pytest.mark.parametrize("case", list(THREAD_CASES))
def test_threaded_kernels_equal_single_threaded(case):
    from intvit.lowering.llvm_cpu.openmp import find_libomp

    if find_libomp() is None:
        pytest.skip("libomp not installed (apt-get install libomp-dev)")
    text, inputs, ref = gemm_case(**THREAD_CASES[case])
    single = compile_module(text, threads=1)
    threaded = compile_module(text, threads=2)
    assert single.libomp is None and threaded.libomp is not None
    c = THREAD_CASES[case]
    assert c["m"] * c["n"] * c["k"] * int(np.prod(c.get("batch", (1,)))) >= PARALLEL_MIN_MACS
    np.testing.assert_array_equal(single(*inputs)[0], ref)
    np.testing.assert_array_equal(threaded(*inputs)[0], ref)


def test_parallel_kernels_mark_their_blocks():
    from intvit.lowering.llvm_cpu.gemm_kernels import Gemm, Plan, kernel_text

    g = Gemm(batch=(), m=29, n=144, k=40, a_unsigned=False, b_unsigned=False, b_nk=True,
             a_strides=(40, 1), b_strides=(40, 1), c_strides=(144, 1), b_batched=False)
    serial = kernel_text(Plan(g, ((29, 40), (144, 40), (29, 144)), "portable", False, "c"))
    parallel = kernel_text(Plan(g, ((29, 40), (144, 40), (29, 144)), "portable", False, "c", parallel=True))
    # each thread takes one contiguous share of the blocks: the full row tiles, then the row tail
    assert "omp.parallel" not in serial and parallel.count("omp.parallel") == 2
    assert parallel.count("@__kmpc_bound_thread_num") == 2


def test_thread_count_errors(monkeypatch):
    with pytest.raises(CompileError, match="threads must be >= 1"):
        compile_module(ALIAS, threads=0)
    monkeypatch.setenv("INTVIT_LIBOMP", "/nonexistent/libomp.so")
    with pytest.raises(CompileError, match="need LLVM's OpenMP runtime libomp"):
        compile_module(ALIAS, threads=2)
    assert compile_module(ALIAS).libomp is None  # the default falls back to one thread


NAMED = """
func.func @named(%a: tensor<13x24xi8>, %b: tensor<24x20xi8>, %q: tensor<2x13x24xi8>, %k: tensor<2x24x20xi8>)
    -> (tensor<13x20xi32>, tensor<2x13x20xi32>) {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<13x20xi32>
  %z = linalg.fill ins(%zero : i32) outs(%e : tensor<13x20xi32>) -> tensor<13x20xi32>
  %r = linalg.matmul ins(%a, %b : tensor<13x24xi8>, tensor<24x20xi8>) outs(%z : tensor<13x20xi32>) -> tensor<13x20xi32>
  %e2 = tensor.empty() : tensor<2x13x20xi32>
  %z2 = linalg.fill ins(%zero : i32) outs(%e2 : tensor<2x13x20xi32>) -> tensor<2x13x20xi32>
  %r2 = linalg.batch_matmul ins(%q, %k : tensor<2x13x24xi8>, tensor<2x24x20xi8>) outs(%z2 : tensor<2x13x20xi32>)
      -> tensor<2x13x20xi32>
  return %r, %r2 : tensor<13x20xi32>, tensor<2x13x20xi32>
}
"""


@pytest.mark.parametrize("variant", ["vnni", "portable"])
def test_named_matmuls_reach_the_kernels(variant):
    rng = np.random.default_rng(4)
    shapes = [(13, 24), (24, 20), (2, 13, 24), (2, 24, 20)]
    inputs = [rng.integers(-128, 128, s).astype(np.int8) for s in shapes]
    compiled = compile_module(NAMED, gemm=variant)  # vnni builds on any host
    assert [(g["variant"], g["init"]) for g in compiled.gemms] == [(variant, "zero")] * 2
    if variant == "vnni" and not VNNI:
        pytest.skip("CPU without avx512_vnni: compiled, not run")
    a, b, q, k = (x.astype(np.int64) for x in inputs)
    assert_same(compiled(*inputs), [wrap32(a @ b), wrap32(q @ k)])


def test_packing_layout_and_correction():
    b = np.arange(-40, 40, dtype=np.int64).astype(np.int8).reshape(5, 16)  # [k, n]
    panels, corr = pack_b(b, b_nk=False, ks=4)
    assert panels.shape == (1, 2, 64) and corr.shape == (1, 16)
    assert panels[0, 0, 4 * 3 + 2] == b[2, 3] and panels[0, 1, 4 * 3] == b[4, 3] and panels[0, 1, 4 * 3 + 1] == 0
    np.testing.assert_array_equal(corr[0], 128 * b.astype(np.int64).sum(axis=0))
    panels_nk, corr_nk = pack_b(np.ascontiguousarray(b.T), b_nk=True, ks=4)
    np.testing.assert_array_equal(panels, panels_nk)
    np.testing.assert_array_equal(corr, corr_nk)


def test_unknown_or_unavailable_variant_is_a_compile_error():
    with pytest.raises(CompileError, match="unknown GEMM variant"):
        compile_module(ALIAS, gemm="fast")


# ---------------------------------------------------------------------------------------------
# refusals: wrong inputs, broken artifacts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, message", [
    (lambda: [np.zeros((6, 49), np.int32)], r"expected int32\[6, 50\], got int32\[6, 49\]"),
    (lambda: [np.zeros((6, 50), np.int64)], r"expected int32\[6, 50\], got int64\[6, 50\]"),
    (lambda: [np.zeros((6, 50), np.float32)], r"expected int32\[6, 50\], got float32\[6, 50\]"),
    (lambda: [np.zeros(300, np.int32)], r"expected int32\[6, 50\], got int32\[300\]"),
    (lambda: [np.zeros((6, 50), np.int32)] * 2, "takes 1 inputs, got 2"),
    (lambda: [[[1, 2], [3]]], "input 0"),
])
def test_wrong_inputs_raise_before_the_call(built, bad, message):
    jit, lib = built["reduce"]
    with pytest.raises(ExecutorError, match=message):
        jit(*bad())
    with pytest.raises(ExecutorError, match=message):
        lib(*bad())


def test_unsigned_data_passes_by_bit_pattern(built):
    jit, lib = built["gemm"]
    a, q, k = gemm_inputs(np.random.default_rng(0))
    assert q.dtype == np.uint8
    assert_same(lib(a, q, k), gemm_reference(a, q, k))
    with pytest.raises(ExecutorError, match=r"expected int8\[2, 37, 67\], got uint16"):
        jit(a, q.astype(np.uint16), k)


def test_missing_and_corrupt_artifacts(tmp_path, built):
    good = Path(built["reduce"][1].path)
    meta = json.loads(Path(str(good) + ".json").read_text())
    unhashed = json.dumps({k: v for k, v in meta.items() if k != "sha256"})
    with pytest.raises(ExecutorError, match="no compiled model"):
        load_so(tmp_path / "nothere.so")
    fake = tmp_path / "fake.so"
    fake.write_bytes(b"\x7fELF this is not a shared object")
    with pytest.raises(ExecutorError, match="has no sidecar"):
        load_so(fake)
    sidecar = Path(str(fake) + ".json")
    sidecar.write_text(unhashed)
    with pytest.raises(ExecutorError, match="not a loadable shared library: no ELF header"):
        load_so(fake)
    for broken, message in [("{broken", "corrupt sidecar"), ("[1, 2]", "corrupt sidecar"),
                            ('{"entry": "intvit_reduce"}', "corrupt sidecar"),
                            ('{"entry": "x; rm", "inputs": [], "outputs": []}', "not a C identifier"),
                            ('{"entry": "f", "inputs": [{"shape": [2], "dtype": "object"}], "outputs": []}',
                             "unsupported dtype"),
                            ('{"abi": "other-v9", "entry": "f", "inputs": [], "outputs": []}', "ABI")]:
        sidecar.write_text(broken)
        with pytest.raises(ExecutorError, match=message):
            load_so(fake)
    # truncated: dlopen would SIGBUS on it; the ELF check refuses it first
    truncated = tmp_path / "truncated.so"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    Path(str(truncated) + ".json").write_text(unhashed)
    with pytest.raises(ExecutorError, match="not a loadable shared library: truncated"):
        load_so(truncated)
    # one flipped byte: the digest in the sidecar no longer matches
    flipped = tmp_path / "flipped.so"
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped.write_bytes(bytes(data))
    Path(str(flipped) + ".json").write_text(json.dumps(meta))
    with pytest.raises(ExecutorError, match="does not match its sidecar"):
        load_so(flipped)
    # a relocatable object instead of a shared object
    obj = tmp_path / "object.so"
    built["reduce"][0].engine.dump_to_object_file(str(obj))
    Path(str(obj) + ".json").write_text(unhashed)
    with pytest.raises(ExecutorError, match="not a shared object"):
        load_so(obj)
    # a real library whose sidecar names another entry point, or needs a CPU feature we lack
    copy = tmp_path / "copy.so"
    copy.write_bytes(good.read_bytes())
    Path(str(copy) + ".json").write_text(json.dumps({**meta, "entry": "intvit_nothing"}))
    with pytest.raises(ExecutorError, match="cannot load"):
        load_so(copy)
    Path(str(copy) + ".json").write_text(json.dumps({**meta, "cpu_features": ["no_such_cpu_flag"]}))
    with pytest.raises(ExecutorError, match="lacks: no_such_cpu_flag"):
        load_so(copy)
    Path(str(copy) + ".json").write_text(json.dumps(meta))
    assert_same(load_so(copy)(np.ones((6, 50), np.int32)), reduce_reference(np.ones((6, 50), np.int32)))


@pytest.mark.parametrize("variant", ["vnni", "amx"])
def test_cross_compiled_library_refuses_a_cpu_without_the_unit(tmp_path, variant):
    """`--gemm vnni|amx` builds on any host (LLVM compiles for the unit's features); the library
    lists them in its sidecar and refuses, with the missing ones named, to run on a CPU without
    them (the loader before dlopen, the JIT before its first call, the C entry point with 2);
    where the unit is there it runs, bit-exact."""
    from intvit.lowering.llvm_cpu.gemm_kernels import amx_ready
    from intvit.lowering.llvm_cpu.pipeline import GEMM_FEATURES, missing_features

    text, inputs, ref = gemm_case(**GEMM_CASES["amx-blocks-and-edges"])
    compiled = compile_module(text, gemm=variant, threads=1)
    assert compiled.gemm == variant and [g["variant"] for g in compiled.gemms] == [variant]
    so = write_shared_library(compiled, tmp_path / "model.so")
    meta = json.loads(Path(str(so) + ".json").read_text())
    assert meta["gemm"] == variant and set(GEMM_FEATURES[variant]) <= set(meta["cpu_features"])
    disassembly = subprocess.run(["objdump", "-d", str(so)], capture_output=True, text=True).stdout
    assert {"vnni": "vpdpbusd", "amx": "tdpbssd"}[variant] in disassembly
    missing = missing_features(variant)
    if not missing and (variant != "amx" or amx_ready()):
        np.testing.assert_array_equal(load_so(so)(*inputs)[0], ref)
        np.testing.assert_array_equal(compiled(*inputs)[0], ref)
        return
    if missing:
        with pytest.raises(ExecutorError, match="compiled for CPU features this machine lacks: .*" + missing[-1]):
            load_so(so)
    with pytest.raises(ExecutorError, match="lacks|tile state"):
        compiled(*inputs)
    lib = ctypes.CDLL(str(so))  # past the loader: the entry point checks the CPU itself
    entry = getattr(lib, meta["entry"])
    entry.restype = ctypes.c_int
    out = np.empty(ref.shape, np.int32)
    assert entry(*[ctypes.c_void_p(a.ctypes.data) for a in (*inputs, out)]) == 2


def test_nonzero_status_is_an_error(tmp_path):
    src = tmp_path / "two.c"
    src.write_text("int intvit_two(const void *in0, void *out0) { return 2; }\n")
    so = tmp_path / "two.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    Path(str(so) + ".json").write_text(json.dumps({"abi": "intvit-c-v1", "entry": "intvit_two",
                                                   "inputs": [{"shape": [2], "dtype": "int8"}],
                                                   "outputs": [{"shape": [2], "dtype": "int32"}]}))
    with pytest.raises(ExecutorError, match="returned 2: this CPU lacks"):
        load_so(so)(np.zeros(2, np.int8))


def test_c_abi_shim_and_sidecar(built):
    jit, lib = built["gemm"]
    meta = json.loads(Path(str(lib.path) + ".json").read_text())
    assert meta["abi"] == "intvit-c-v1" and meta["entry"] == "intvit_gemm"
    assert meta["inputs"] == [{"shape": [37, 67], "dtype": "int8"}, {"shape": [2, 37, 67], "dtype": "int8"},
                              {"shape": [2, 67, 50], "dtype": "int8"}]
    assert meta["outputs"] == [{"shape": [37, 50], "dtype": "int32"}, {"shape": [2, 37, 50], "dtype": "int32"}]
    assert meta["gemm"] == jit.gemm
    src = shim_source(jit.name, jit.inputs, jit.outputs, ["avx512_vnni"])
    assert ("int intvit_gemm(const int8_t *in0, const int8_t *in1, const int8_t *in2, int32_t *out0, "
            "int32_t *out1)") in src
    assert 'if (!__builtin_cpu_supports("avx512vnni")) return 2;' in src
    # the plain C entry point, called directly through ctypes with raw pointers
    rng = np.random.default_rng(9)
    inputs = gemm_inputs(rng)
    outs = [np.full((37, 50), 7, np.int32), np.full((2, 37, 50), 7, np.int32)]
    so = ctypes.CDLL(str(lib.path))
    so.intvit_gemm.restype = ctypes.c_int
    assert so.intvit_gemm(*[ctypes.c_void_p(x.ctypes.data) for x in (*inputs, *outs)]) == 0
    assert_same(outs, gemm_reference(*inputs))
    if meta["workspace_cache"]:  # temporaries come from the library's cache; releasing it is harmless
        so.intvit_gemm_release()
        assert_same(lib(*inputs), gemm_reference(*inputs))


def test_so_is_reentrant_across_threads(built):
    """The workspace cache is shared by threads (locked); each call owns its temporaries."""
    from concurrent.futures import ThreadPoolExecutor

    _, lib = built["gemm"]
    cases = [gemm_inputs(np.random.default_rng(100 + i)) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda inputs: [lib(*inputs) for _ in range(5)], cases))
    for inputs, runs in zip(cases, results):
        for outputs in runs:
            assert_same(outputs, gemm_reference(*inputs))


def test_invalid_upstream_text_is_a_compile_error():
    with pytest.raises(CompileError, match="upstream MLIR rejected"):
        compile_module("func.func @f(%x: tensor<4xi8>) -> tensor<4xi8> { func.return %y : tensor<4xi8> }")
    with pytest.raises(CompileError, match="expected one public function"):
        compile_module(ALIAS + ALIAS.replace("@alias", "@other"))


# ---------------------------------------------------------------------------------------------
# part 2: the intvit path
# ---------------------------------------------------------------------------------------------


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
    with pytest.raises(ExecutorError, match=message):
        load_so(so)(*bad())


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


def test_cli_compile_then_run_so_with_check(tmp_path, capsys):
    so = tmp_path / "model.so"
    assert intvit_main(["compile", str(MINI), "--target", "llvm-cpu", "-o", str(so), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["entry"] == "intvit_main" and so.is_file()
    assert intvit_main(["run", str(so), "--random", "4", "--check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["check"]["bit_exact"] and report["target"] == "llvm-cpu"


def test_cli_run_llvm_cpu_check_and_diagnostics(tmp_path, capsys, monkeypatch):
    assert intvit_main(["run", str(MINI), "--target", "llvm-cpu", "--random", "1", "--check"]) == 0
    assert "bit-exact: 0 of 20 elements differ" in capsys.readouterr().out
    assert intvit_main(["run", str(tmp_path / "none.so"), "--random", "1"]) == 1
    assert "no compiled model" in capsys.readouterr().err
    from intvit.runtime import targets

    # a name accepted before its backend exists (none today: register one for the test)
    monkeypatch.setitem(targets.PLANNED, "npu-int8", "the NPU backend is not built yet")
    assert intvit_main(["compile", str(MINI), "--target", "npu-int8", "-o", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "target 'npu-int8' is not available: the NPU backend is not built yet" in err and "Traceback" not in err


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
