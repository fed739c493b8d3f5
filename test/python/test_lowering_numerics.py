"""Every op, lowered to linalg/arith and compiled by the llvm-cpu backend, equals the golden
model bit for bit: random shapes (odd and prime sizes), every rounding mode, extreme values,
per-channel scales.  Every lowered module is also valid upstream MLIR."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intvit.dialects.context import parse_module
from intvit.lowering.llvm_cpu_target import compile_intvit, lower_module
from intvit.runtime.interpreter import random_inputs, find_entry, run_module
from intvit.runtime.model_io import module_text
from intvit.runtime.scales import quantize_multiplier

SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MODES = ["half_even", "half_up", "half_away", "double_round", "floor"]
dims = st.sampled_from([1, 2, 3, 5, 7, 13])


def t(shape, elem):
    return f"tensor<{'x'.join(map(str, shape))}x{elem}>"


def check(text: str, inputs: list[np.ndarray] | None = None, seed: int = 0) -> None:
    module = parse_module(text)
    if inputs is None:
        inputs = random_inputs(find_entry(module), seed)
    compiled, _ = compile_intvit(module)
    got = compiled(*inputs)
    want = run_module(module, inputs)
    for g_, w_ in zip(got, want, strict=True):
        assert g_.dtype == w_.dtype or (g_.dtype.kind == w_.dtype.kind == "i") or w_.dtype.kind == "u"
        np.testing.assert_array_equal(g_.view(w_.dtype) if g_.dtype.itemsize == w_.dtype.itemsize else g_, w_)


def extreme(shape, dtype, rng):
    info = np.iinfo(dtype)
    x = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    flat = x.reshape(-1)
    flat[: min(2, flat.size)] = [info.min, info.max][: min(2, flat.size)]
    return x


@SETTINGS
@given(m=dims, n=dims, mode=st.sampled_from(MODES), ratio=st.floats(2.0**-30, 64.0), bits=st.sampled_from([4, 8, 16]),
       per_channel=st.booleans(), seed=st.integers(0, 2**31))
def test_requant(m, n, mode, ratio, bits, per_channel, seed):
    rng = np.random.default_rng(seed)
    pairs = [quantize_multiplier(float(r)) for r in (rng.uniform(0.5, 2.0, n) * ratio if per_channel else [ratio])]
    mults = ", ".join(str(p[0]) for p in pairs)
    shifts = ", ".join(str(p[1]) for p in pairs)
    out = "i8" if bits <= 8 else "i16"
    text = f"""func.func @f(%a: {t([m, n], 'i32')}) -> {t([m, n], out)} {{
      %r = intvit.requant %a multiplier [{mults}] shift [{shifts}] bits {bits} rounding {mode} : {t([m, n], 'i32')} -> {t([m, n], out)}
      func.return %r : {t([m, n], out)}
    }}"""
    check(text, [extreme((m, n), np.int32, rng)])


@SETTINGS
@given(n=dims, mode=st.sampled_from(MODES), ra=st.floats(0.01, 4.0), rb=st.floats(0.01, 4.0), seed=st.integers(0, 2**31))
def test_add(n, mode, ra, rb, seed):
    (ma, ea), (mb, eb) = quantize_multiplier(ra), quantize_multiplier(rb)
    ty = t([3, n], "i16")
    text = f"""func.func @f(%a: {ty}, %b: {ty}) -> {ty} {{
      %s = intvit.add %a, %b lhs_multiplier {ma} lhs_shift {ea} rhs_multiplier {mb} rhs_shift {eb} bits 16 rounding {mode} : {ty}, {ty} -> {ty}
      func.return %s : {ty}
    }}"""
    rng = np.random.default_rng(seed)
    check(text, [extreme((3, n), np.int16, rng), extreme((3, n), np.int16, rng)])


@SETTINGS
@given(b=st.sampled_from([1, 2]), m=dims, k=dims, n=dims, transpose=st.booleans(), bias=st.booleans(),
       seed=st.integers(0, 2**31))
def test_matmul(b, m, k, n, transpose, bias, seed):
    lhs, rhs = t([b, m, k], "i8"), t([n, k] if transpose else [k, n], "i8")
    args = f"%x: {lhs}, %w: {rhs}" + (f", %b: {t([n], 'i32')}" if bias else "")
    ops = "%x, %w" + (", %b" if bias else "")
    types = f"{lhs}, {rhs}" + (f", {t([n], 'i32')}" if bias else "")
    flag = " transpose_rhs" if transpose else ""
    out = t([b, m, n], "i32")
    text = f"""func.func @f({args}) -> {out} {{
      %y = intvit.matmul {ops}{flag} : {types} -> {out}
      func.return %y : {out}
    }}"""
    rng = np.random.default_rng(seed)
    inputs = [extreme((b, m, k), np.int8, rng), extreme((n, k) if transpose else (k, n), np.int8, rng)]
    if bias:
        inputs.append(rng.integers(-(2**24), 2**24, size=n, dtype=np.int32))
    check(text, inputs)


@SETTINGS
@given(rows=dims, cols=dims, scale=st.floats(0.01, 0.5), bits=st.sampled_from([8, 16]), seed=st.integers(0, 2**31))
def test_shiftmax_feeding_unsigned_matmul(rows, cols, scale, bits, seed):
    s, p = t([1, rows, cols], "i8"), t([1, rows, cols], f"ui{bits}")
    text = f"""func.func @f(%s: {s}) -> {p} {{
      %p = intvit.shiftmax %s scale {scale!r} bits {bits} : {s} -> {p}
      func.return %p : {p}
    }}"""
    check(text, seed=seed)
    if bits == 8:
        v, o = t([1, cols, 4], "i8"), t([1, rows, 4], "i32")
        text2 = f"""func.func @f(%s: {s}, %v: {v}) -> {o} {{
          %p = intvit.shiftmax %s scale {scale!r} bits 8 : {s} -> {p}
          %y = intvit.matmul %p, %v : {p}, {v} -> {o}
          func.return %y : {o}
        }}"""
        check(text2, seed=seed)


@SETTINGS
@given(rows=dims, cols=dims, scale=st.floats(0.004, 0.5), paper=st.booleans(), seed=st.integers(0, 2**31))
def test_shiftgelu(rows, cols, scale, paper, seed):
    x, y = t([rows, cols], "i8"), t([rows, cols], "i16")
    flag = " paper_shifts" if paper else ""
    text = f"""func.func @f(%x: {x}) -> {y} {{
      %y = intvit.shiftgelu %x scale {scale!r} bits 16{flag} : {x} -> {y}
      func.return %y : {y}
    }}"""
    check(text, seed=seed)


@pytest.mark.parametrize("elem, mode, iterations", [("i64", "exact", None), ("i32", "exact", 7), ("i64", "ivit", None),
                                                    ("ui64", "exact", 8)])
def test_isqrt(elem, mode, iterations):
    ty = t([64], elem)
    extra = (f" mode {mode}" if mode != "exact" else "") + (f" iterations {iterations}" if iterations else "")
    text = f"""func.func @f(%v: {ty}) -> {ty} {{
      %r = intvit.isqrt %v{extra} : {ty} -> {ty}
      func.return %r : {ty}
    }}"""
    rng = np.random.default_rng(1)
    dtype = {"i64": np.int64, "i32": np.int32, "ui64": np.uint64}[elem]
    hi = np.iinfo(dtype).max
    v = rng.integers(0, hi, size=64, dtype=dtype, endpoint=True)
    v[:8] = [0, 1, 2, 3, 4, hi, hi - 1, 15]
    check(text, [v])


@SETTINGS
@given(rows=dims, c=st.sampled_from([1, 4, 7, 64, 192]), seed=st.integers(0, 2**31), ivit=st.booleans(),
       with_const=st.booleans())
def test_layernorm(rows, c, seed, ivit, with_const):
    rng = np.random.default_rng(seed)
    bias = ", ".join(str(int(v)) for v in rng.integers(-(2**29), 2**29, size=c))
    const = ""
    if with_const:
        const = " const_channels [" + ", ".join(str(int(v)) for v in rng.integers(0, 2, size=c)) + "]"
    mode = " isqrt_mode ivit" if ivit else ""
    x, y = t([rows, c], "i16"), t([rows, c], "i32")
    text = f"""func.func @f(%x: {x}) -> {y} {{
      %n = intvit.layernorm %x bias [{bias}]{const}{mode} : {x} -> {y}
      func.return %n : {y}
    }}"""
    data = extreme((rows, c), np.int16, rng)
    data[0] = 77  # a constant row: variance 0
    check(text, [data])


@SETTINGS
@given(n=dims, scale=st.floats(0.001, 1.0), bits=st.sampled_from([8, 16]), seed=st.integers(0, 2**31))
def test_quantize_dequantize(n, scale, bits, seed):
    f, q = t([2, n], "f32"), t([2, n], f"i{bits}")
    text = f"""func.func @f(%x: {f}) -> ({q}, {f}) {{
      %q = intvit.quantize %x scale {scale!r} bits {bits} : {f} -> {q}
      %d = intvit.dequantize %q scale {scale!r} : {q} -> {f}
      func.return %q, %d : {q}, {f}
    }}"""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((2, n)) * scale * 300).astype(np.float32)
    x.reshape(-1)[0] = 0.5 * scale  # a tie: RNE rounds to 0
    check(text, [x])


def test_mini_block_lowered_is_upstream_valid_and_exact():
    from pathlib import Path

    from torch_mlir import ir

    text = (Path(__file__).resolve().parents[1] / "Inputs" / "mini_block.mlir").read_text()
    lowered = module_text(lower_module(parse_module(text)))
    ir.Module.parse(lowered, ir.Context())
    for seed in range(5):
        check(text, seed=seed)


LIT_LOWERING = ["convert-intvit-to-linalg.mlir"]


@pytest.mark.parametrize("name", LIT_LOWERING)
def test_every_lowering_lit_case_is_upstream_valid(name):
    from pathlib import Path

    from torch_mlir import ir

    source = (Path(__file__).resolve().parents[1] / "lowering" / name).read_text()
    for chunk in source.split("// -----"):
        if "func.func" not in chunk:
            continue
        lowered = module_text(lower_module(parse_module(chunk)))
        ir.Module.parse(lowered, ir.Context())
