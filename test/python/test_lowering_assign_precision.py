"""`assign-precision` (Quasar-ViT row-wise 4/8-bit weights): the annotated program is what the
pass promises, it lowers and runs bit-exactly like the golden model, and its 2^k fold is exact:
the new program equals the old one with weights `w4 << k` and bias `RNE(bias / 2^k) << k`."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intvit.dialects import intvit as iv
from intvit.dialects.context import make_context, parse_module
from intvit.lowering.llvm_cpu.pipeline import compile_module
from intvit.lowering.llvm_cpu.target import lower_module
from intvit.passes.assign_precision import AssignPrecisionPass, four_bit
from intvit.runtime import golden
from intvit.runtime.interpreter import constant_array, run_module
from intvit.dialects.context import module_text

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
dims = st.sampled_from([1, 2, 3, 5, 7, 13])


def t(shape, elem):
    return f"tensor<{''.join(f'{d}x' for d in shape)}{elem}>"


def dense(array: np.ndarray) -> str:
    return "dense<" + np.array2string(array, separator=", ", threshold=10**9).replace("\n", "") + ">"


def weights(rng, n: int, k: int) -> np.ndarray:
    """Rows of mixed magnitude: some already 4-bit, some small, some full int8."""
    limits = rng.choice([7, 20, 60, 127], size=n)
    w = np.stack([rng.integers(-lim - (lim == 127), lim, size=k, endpoint=True) for lim in limits])
    return w.astype(np.int64)


def build(w, bias, transpose, per_channel, mode, m, rng, bits=8):
    n = w.shape[0]
    k = w.shape[1]
    wt = w if transpose else w.T
    pairs = [(int(rng.integers(1 << 30, 1 << 31)), int(rng.integers(20, 45))) for _ in range(n if per_channel else 1)]
    lhs, rhs, acc, out = t([m, k], "i8"), t(list(wt.shape), "i8"), t([m, n], "i32"), t([m, n], f"i{bits}")
    b_def = f"%b = arith.constant {dense(bias)} : {t([n], 'i32')}\n" if bias is not None else ""
    b_use, b_ty = (", %b", f", {t([n], 'i32')}") if bias is not None else ("", "")
    text = f"""func.func @f(%x: {lhs}) -> {out} {{
      %w = arith.constant {dense(wt)} : {rhs}
      {b_def}
      %y = intvit.matmul %x, %w{b_use}{' transpose_rhs' if transpose else ''} : {lhs}, {rhs}{b_ty} -> {acc}
      %r = intvit.requant %y multiplier [{', '.join(str(p[0]) for p in pairs)}] shift [{', '.join(str(p[1]) for p in pairs)}] bits {bits} rounding {mode} : {acc} -> {out}
      func.return %r : {out}
    }}"""
    return text, pairs


def ops(module, kind):
    return [o for o in module.walk() if isinstance(o, kind)]


def rows_of(mm: iv.MatmulOp) -> np.ndarray:
    w = np.asarray(constant_array(mm.rhs.owner.value, mm.rhs.type, None), dtype=np.int64)
    return w if mm.prop("transpose_rhs") else w.T


@SETTINGS
@given(n=dims, k=dims, m=dims, transpose=st.booleans(), with_bias=st.booleans(), per_channel=st.booleans(),
       mode=st.sampled_from(golden.ROUNDING_MODES), ratio=st.sampled_from([0.25, 0.5, 0.75, 1.0]),
       policy=st.sampled_from(["sensitivity", "first"]), seed=st.integers(0, 2**31))
def test_assign_precision_is_exact(n, k, m, transpose, with_bias, per_channel, mode, ratio, policy, seed):
    rng = np.random.default_rng(seed)
    w = weights(rng, n, k)
    bias = rng.integers(-(2**20), 2**20, size=n) if with_bias else None
    text, pairs = build(w, bias, transpose, per_channel, mode, m, rng)
    before = parse_module(text)
    after = parse_module(text)
    AssignPrecisionPass(ratio_4bit=ratio, policy=policy).apply(make_context(), after)
    after.verify()
    (mm,) = ops(after, iv.MatmulOp)
    (rq,) = ops(after, iv.RequantOp)
    n4 = math.floor(ratio * n + 1e-9)
    if n4 == 0:
        assert mm.packing is None and module_text(after) == module_text(before)
        return

    # the annotation and the weights
    row_bits = np.array(mm.packing.row_bits.get_values())
    assert (row_bits == 4).sum() == n4 and mm.packing.split8.value.data and mm.packing.factor.data == 2
    new = rows_of(mm)
    four = row_bits == 4
    assert np.all((new[four] >= -8) & (new[four] <= 7))
    np.testing.assert_array_equal(new[~four], w[~four])
    if policy == "first":
        np.testing.assert_array_equal(np.flatnonzero(four), np.arange(n4))
    else:  # every 4-bit row loses no more than any 8-bit row would
        shifts = np.broadcast_to(np.array([p[1] for p in pairs]), (n,))
        _, _, rel = four_bit(w, np.minimum(7, shifts - 1))
        if (~four).any():
            assert rel[four].max() <= rel[~four].min()

    # the fold: k per channel from the shift change; 8-bit rows keep k = 0
    old_e = np.broadcast_to(np.array([p[1] for p in pairs]), (n,))
    new_e = np.broadcast_to(np.array(rq.prop("shift")), (n,))
    kk = old_e - new_e
    assert np.all(kk[~four] == 0) and np.all(kk >= 0) and np.all(new_e >= 1)
    np.testing.assert_array_equal(np.broadcast_to(np.array(rq.prop("multiplier")), (n,)),
                                  np.broadcast_to(np.array([p[0] for p in pairs]), (n,)))
    new_bias = None
    if with_bias:
        new_bias = np.asarray(constant_array(mm.bias.owner.value, mm.bias.type, None), dtype=np.int64)
        np.testing.assert_array_equal(new_bias, np.where(kk > 0, golden.rounding_shift(bias, np.maximum(kk, 1)), bias))

    x = rng.integers(-128, 127, size=(m, k), endpoint=True).astype(np.int8)
    x.reshape(-1)[:2] = [-128, 127][: min(2, x.size)]
    want = run_module(after, [x])[0]
    got = compile_module(module_text(lower_module(after.clone())))(x)[0]
    np.testing.assert_array_equal(got, want)  # the lowered mixed-precision program is exact

    if mode != "double_round":  # rounding(acc*m / 2^(e-k)) == rounding((acc << k)*m / 2^e)
        recon_w = new << kk[:, None]
        recon_b = None if new_bias is None else new_bias << kk
        acc = golden.matmul(x, recon_w, recon_b, transpose_rhs=True)
        ref = golden.requant(acc, [p[0] for p in pairs], [p[1] for p in pairs], 8, mode, axis=-1)
        np.testing.assert_array_equal(want, ref)


def test_lowered_gemm_carries_the_packing():
    rng = np.random.default_rng(3)
    text, _ = build(weights(rng, 6, 5), rng.integers(-100, 100, size=6), True, False, "half_even", 2, rng)
    module = parse_module(text)
    AssignPrecisionPass(ratio_4bit=0.5).apply(make_context(), module)
    (mm,) = ops(module, iv.MatmulOp)
    bits = list(mm.packing.row_bits.get_values())
    lowered = module_text(lower_module(module))
    assert f"intvit.row_bits = array<i8: {', '.join(map(str, bits))}>" in lowered
    assert "intvit.split8 = true" in lowered and "intvit.packing_factor = 2 : i64" in lowered


def test_split8_halves_of_assigned_weights():
    """Backends compute 8-bit rows as a signed high and an unsigned low 4-bit half
    (golden.split_int8); the split of assigned weights recombines exactly, and so does the GEMM."""
    rng = np.random.default_rng(5)
    text, _ = build(weights(rng, 8, 9), None, True, True, "floor", 3, rng)
    module = parse_module(text)
    AssignPrecisionPass(ratio_4bit=0.5).apply(make_context(), module)
    (mm,) = ops(module, iv.MatmulOp)
    w = rows_of(mm)
    hi, lo = golden.split_int8(w)
    assert np.all((hi >= -8) & (hi <= 7) & (lo >= 0) & (lo <= 15))
    np.testing.assert_array_equal((hi << 4) + lo, w)
    x = rng.integers(-128, 128, size=(3, 9))
    np.testing.assert_array_equal(golden.matmul_split(x, w, None, True), golden.matmul(x, w, None, True))


def test_mini_block_mixed_precision_runs_exactly():
    """On the mini block: the first GEMM feeds a per-tensor requant (expanded to per channel);
    the logits GEMM feeds dequantize, so only rows that need no rescale (k = 0) may become 4-bit."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "Inputs" / "mini_block.mlir").read_text()
    module = parse_module(text)
    AssignPrecisionPass(ratio_4bit=0.5).apply(make_context(), module)
    module.verify()
    gemms = ops(module, iv.MatmulOp)
    assert all(g.packing is not None for g in gemms)
    compiled = compile_module(module_text(lower_module(module.clone())))
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((5, 8)).astype(np.float32)
        np.testing.assert_array_equal(compiled(x)[0], run_module(module, [x])[0])
