"""The GEMM kernels of a compiled model, timed alone: `bench` reports their share of the int8
unit's measured peak from these, not from the whole model's time.

Every distinct GEMM the llvm-cpu compile rewrote (its `gemms` records: batch, M, N, K, operand
signedness, B layout, whether B was a compile-time constant) is rebuilt as a standalone
`linalg.generic` module with random operands, compiled with the same kernel variant and thread
count, checked against numpy, and timed into preallocated outputs; the call overhead of an empty
kernel is subtracted.  Fused epilogues are not part of these modules: this is the GEMM alone.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from intvit.lowering.target import median_seconds


def _type(shape, elem: str) -> str:
    return f"tensor<{'x'.join(map(str, shape))}x{elem}>"


def gemm_module(rec: dict, rng) -> tuple[str, list[np.ndarray], np.ndarray]:
    """(MLIR text, inputs, numpy reference) of the GEMM one record describes."""
    batch, m, n, k = list(rec["batch"]), rec["m"], rec["n"], rec["k"]
    a_dtype = np.uint8 if rec["a_unsigned"] else np.int8
    b_dtype = np.uint8 if rec["b_unsigned"] else np.int8
    a = rng.integers(0 if rec["a_unsigned"] else -128, 128 if not rec["a_unsigned"] else 256,
                     (*batch, m, k)).astype(a_dtype)
    b_batch = batch if rec["b_batched"] else []
    b_shape = (*b_batch, n, k) if rec["b_nk"] else (*b_batch, k, n)
    b = rng.integers(0 if rec["b_unsigned"] else -128, 256 if rec["b_unsigned"] else 128, b_shape).astype(b_dtype)
    nb = len(batch)
    dims = [f"d{i}" for i in range(nb + 3)]
    bd, dm, dn, dk = dims[:nb], dims[nb], dims[nb + 1], dims[nb + 2]
    bb = bd if rec["b_batched"] else []
    b_idx = [*bb, dn, dk] if rec["b_nk"] else [*bb, dk, dn]
    maps = [f"affine_map<({', '.join(dims)}) -> ({', '.join(x)})>" for x in ([*bd, dm, dk], b_idx, [*bd, dm, dn])]
    iters = ", ".join(['"parallel"'] * (nb + 2) + ['"reduction"'])
    ta, tb, tc = _type(a.shape, "i8"), _type(b.shape, "i8"), _type((*batch, m, n), "i32")
    ea = "extui" if rec["a_unsigned"] else "extsi"
    eb = "extui" if rec["b_unsigned"] else "extsi"
    if rec["prepacked"]:
        weight = '"0x' + b.tobytes().hex().upper() + '"'
        head = f"func.func @gemm(%a: {ta}) -> {tc} {{\n  %b = arith.constant dense<{weight}> : {tb}\n"
        inputs = [a.view(np.int8)]
    else:
        head = f"func.func @gemm(%a: {ta}, %b: {tb}) -> {tc} {{\n"
        inputs = [a.view(np.int8), b.view(np.int8)]
    text = head + f"""  %z = arith.constant 0 : i32
  %e = tensor.empty() : {tc}
  %f = linalg.fill ins(%z : i32) outs(%e : {tc}) -> {tc}
  %r = linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{iters}]}}
      ins(%a, %b : {ta}, {tb}) outs(%f : {tc}) {{
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.{ea} %x : i8 to i32
    %1 = arith.{eb} %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }} -> {tc}
  return %r : {tc}
}}
"""
    a64, b64 = a.astype(np.int64), b.astype(np.int64)
    if rec["b_nk"]:
        b64 = np.swapaxes(b64, -1, -2)
    ref = np.matmul(a64, b64)
    return text, inputs, ((ref + 2**31) % 2**32 - 2**31).astype(np.int32)



EMPTY = """func.func @gemm(%a: tensor<1xi8>) -> tensor<1xi32> {
  %e = tensor.empty() : tensor<1xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a : tensor<1xi8>) outs(%e : tensor<1xi32>) {
  ^bb0(%x: i8, %o: i32):
    %0 = arith.extsi %x : i8 to i32
    linalg.yield %0 : i32
  } -> tensor<1xi32>
  return %r : tensor<1xi32>
}
"""


def time_gemm_kernels(records: list[dict], threads: int | None, repeat: int = 30, seed: int = 0) -> dict:
    """{"gemm_ms": summed kernel time of the model's GEMMs, "gemm_macs", "shapes": [...]}."""
    from intvit.lowering.llvm_cpu.aot import load_so, write_shared_library
    from intvit.lowering.llvm_cpu.pipeline import compile_module

    keys = ("batch", "m", "n", "k", "variant", "prepacked", "b_nk", "a_unsigned", "b_unsigned", "b_batched")
    counts = Counter(tuple((key, tuple(r[key]) if key == "batch" else r[key]) for key in keys) for r in records)
    rng = np.random.default_rng(seed)
    shapes, total_s, total_macs = [], 0.0, 0
    with tempfile.TemporaryDirectory() as tmp:
        empty = load_so(write_shared_library(compile_module(EMPTY, threads=threads), Path(tmp) / "empty.so"))
        x, out = np.zeros(1, np.int8), [np.zeros(1, np.int32)]
        overhead = median_seconds(lambda: empty(x, out=out), repeat * 3)
        for i, (key, count) in enumerate(sorted(counts.items())):
            rec = dict(key)
            text, inputs, ref = gemm_module(rec, rng)
            compiled = compile_module(text, gemm=rec["variant"], threads=threads, epilogue=False)
            lib = load_so(write_shared_library(compiled, Path(tmp) / f"gemm{i}.so"))
            buf = [np.empty(ref.shape, np.int32)]
            lib(*inputs, out=buf)
            if not np.array_equal(buf[0], ref):
                raise AssertionError(f"GEMM kernel {rec} differs from numpy")
            seconds = max(median_seconds(lambda: lib(*inputs, out=buf), repeat) - overhead, 1e-9)
            macs = int(np.prod(rec["batch"] or [1])) * rec["m"] * rec["n"] * rec["k"]
            shapes.append({**{k: (list(v) if k == "batch" else v) for k, v in key}, "count": count,
                           "us": seconds * 1e6, "gops": 2 * macs / seconds / 1e9})
            total_s += count * seconds
            total_macs += count * macs
    return {"gemm_ms": total_s * 1000, "gemm_macs": total_macs, "shapes": shapes, "call_overhead_us": overhead * 1e6}
