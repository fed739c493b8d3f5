"""The golden model against exact references (Fractions, math.isqrt) and NUMERICS.md tables."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intvit.runtime import golden as g
from intvit.runtime.scales import ScaleError, quantize_multiplier, quantize_weights_per_channel

HALF = quantize_multiplier(0.5)
QUARTER = quantize_multiplier(0.25)
XS = list(range(-7, 8))

# x * 0.5 for x = -7..7, written out per mode (NUMERICS.md table; TOSA/gemmlowp/TVM anchors).
TIES_HALF = {
    "half_even": [-4, -3, -2, -2, -2, -1, 0, 0, 0, 1, 2, 2, 2, 3, 4],
    "half_up": [-3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3, 3, 4],
    "half_away": [-4, -3, -3, -2, -2, -1, -1, 0, 1, 1, 2, 2, 3, 3, 4],
    "double_round": [-3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3, 3, 4],  # e = 31: == half_up
    "floor": [-4, -3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3, 3],
}
# x * 0.25 for x = -7..7 (ties at x = +-2, +-6)
TIES_QUARTER = {
    "half_even": [-2, -2, -1, -1, -1, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2],
    "half_up": [-2, -1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2],
    "half_away": [-2, -2, -1, -1, -1, -1, 0, 0, 0, 1, 1, 1, 1, 2, 2],
    # e = 32 > 31: TOSA adds +-2^30 first, gemmlowp's double rounding (0.25 -> 1, 1.25 -> 2)
    "double_round": [-2, -2, -1, -1, -1, -1, 0, 0, 1, 1, 1, 1, 2, 2, 2],
    "floor": [-2, -2, -2, -1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1],
}


@pytest.mark.parametrize("mode", g.ROUNDING_MODES)
def test_tie_tables(mode):
    assert HALF == (1 << 30, 31) and QUARTER == (1 << 30, 32)
    assert g.requant(XS, [HALF[0]], [HALF[1]], 8, mode).tolist() == TIES_HALF[mode]
    assert g.requant(XS, [QUARTER[0]], [QUARTER[1]], 8, mode).tolist() == TIES_QUARTER[mode]


def test_double_round_differs_from_half_up_above_shift_31():
    # ratio 0.75 * 2^-30: m = 1.5 * 2^30, e = 61 > 31, so TOSA adds +-2^30 before shifting.
    m, e = quantize_multiplier(0.75 * 2.0**-30)
    assert (m, e) == (1610612736, 61)
    z = np.array([715827883, -715827883, 1431655765, -1431655766, 2**31 - 1, -(2**31)])
    up = g.requant(z, [m], [e], 32, "half_up")
    dbl = g.requant(z, [m], [e], 32, "double_round")
    ref = [_double_round_reference(int(v), m, e) for v in z]
    assert dbl.tolist() == ref
    assert up.tolist() != dbl.tolist()


def _double_round_reference(z: int, m: int, e: int) -> int:
    """TOSA apply_scale_32 with double_round=true, written with Python ints."""
    rnd = 1 << (e - 1)
    if e > 31:
        rnd += (1 << 30) if z >= 0 else -(1 << 30)
    return (z * m + rnd) >> e


def _exact(z: int, m: int, e: int, mode: str) -> int:
    x = Fraction(z * m, 1 << e)
    fl = math.floor(x)
    frac = x - fl
    if mode == "floor":
        return fl
    if mode == "double_round":
        return _double_round_reference(z, m, e)
    if frac != Fraction(1, 2):
        return fl + (frac > Fraction(1, 2))
    return {"half_even": fl + (fl % 2), "half_up": fl + 1, "half_away": fl + (x > 0)}[mode]


@settings(max_examples=300, deadline=None)
@given(
    z=st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=16),
    ratio=st.floats(2.0**-31, 2.0**29, allow_nan=False, allow_infinity=False),
    mode=st.sampled_from(g.ROUNDING_MODES),
    bits=st.sampled_from([4, 8, 16, 32]),
)
def test_requant_matches_fraction_reference(z, ratio, mode, bits):
    m, e = quantize_multiplier(ratio)
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    want = [min(max(_exact(v, m, e, mode), lo), hi) for v in z]
    assert g.requant(z, [m], [e], bits, mode).tolist() == want


@settings(max_examples=100, deadline=None)
@given(rows=st.integers(1, 5), cols=st.integers(1, 7), seed=st.integers(0, 2**31), mode=st.sampled_from(g.ROUNDING_MODES))
def test_requant_per_channel_is_per_column(rows, cols, seed, mode):
    rng = np.random.default_rng(seed)
    x = rng.integers(-(2**31), 2**31, size=(rows, cols))
    pairs = [quantize_multiplier(float(r)) for r in rng.uniform(1e-6, 4.0, size=cols)]
    out = g.requant(x, [p[0] for p in pairs], [p[1] for p in pairs], 16, mode, axis=1)
    for c, (m, e) in enumerate(pairs):
        np.testing.assert_array_equal(out[:, c], g.requant(x[:, c], [m], [e], 16, mode))


@settings(max_examples=300, deadline=None)
@given(ratio=st.floats(2.0**-31, 2.0**29, allow_nan=False))
def test_quantize_multiplier_is_close_and_in_range(ratio):
    m, e = quantize_multiplier(ratio)
    assert (1 << 30) <= m < (1 << 31) and 1 <= e <= 62
    assert abs(Fraction(m, 1 << e) - Fraction(ratio)) <= Fraction(ratio) * Fraction(1, 1 << 30)


@pytest.mark.parametrize("ratio", [0.0, -1.0, float("nan"), float("inf"), 2.0**31, 2.0**-40])
def test_quantize_multiplier_rejects_impossible_ratios(ratio):
    with pytest.raises(ScaleError):
        quantize_multiplier(ratio, "layer7")


def test_requant_rejects_inputs_beyond_int32():
    with pytest.raises(ValueError, match="fit int32"):
        g.requant([2**31], [1 << 30], [31], 8)


def test_add_requantizes_each_side_without_intermediate_clamp():
    a, b = np.array([30000, -30000]), np.array([30000, 5])
    m, e = quantize_multiplier(1.0)
    out = g.add(a, b, m, e, m, e, 16)
    assert out.tolist() == [32767, -29995]


# -- isqrt ---------------------------------------------------------------------------------------


def _edges() -> np.ndarray:
    ks = np.array([1, 2, 3, 255, 256, 4095, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1], dtype=object)
    vals = {0, 1, 2, 3, 2**32 - 1, 2**64 - 1, 2**63, 2**63 - 1}
    for k in ks:
        for v in (k * k - 1, k * k, k * k + 1):
            if 0 <= v < 2**64:
                vals.add(int(v))
    return np.array(sorted(vals), dtype=np.uint64)


@pytest.mark.parametrize("iterations", [None, "required"])
def test_isqrt_exact_on_edges(iterations):
    v = _edges()
    its = g.isqrt_required_iterations(64) if iterations == "required" else None
    assert g.isqrt(v, its).tolist() == [math.isqrt(int(x)) for x in v]


@pytest.mark.parametrize("width", [32, 64])
def test_isqrt_exact_on_a_million_random_inputs(width):
    rng = np.random.default_rng(width)
    v = rng.integers(0, 2**width - 1, size=1_000_000, dtype=np.uint64, endpoint=True)
    # vectorized reference: float sqrt then integer correction, checked against math.isqrt on a sample
    r = np.floor(np.sqrt(v.astype(np.float64))).astype(np.uint64)
    r = np.where(r * r > v, r - np.uint64(1), r)
    r = np.where((r + np.uint64(1)) * (r + np.uint64(1)) <= v, r + np.uint64(1), r)
    sample = rng.choice(len(v), 2000, replace=False)
    assert all(int(r[i]) == math.isqrt(int(v[i])) for i in sample)
    np.testing.assert_array_equal(g.isqrt(v), r)
    np.testing.assert_array_equal(g.isqrt(v, g.isqrt_required_iterations(width)), r)


def test_isqrt_exhaustive_below_2_pow_20():
    v = np.arange(1 << 20, dtype=np.uint64)
    ref = np.floor(np.sqrt(v.astype(np.float64))).astype(np.uint64)  # exact in float64 here
    np.testing.assert_array_equal(g.isqrt(v), ref)
    np.testing.assert_array_equal(g.isqrt(v, g.isqrt_required_iterations(32)), ref)


def test_isqrt_required_iterations_are_needed_somewhere():
    # one step fewer than a real requirement fails somewhere; ours leaves margin, so probe lower
    v = _edges()
    ref = np.array([math.isqrt(int(x)) for x in v], dtype=np.uint64)
    assert not np.array_equal(g.isqrt(v, 3), ref)


def test_isqrt_ivit_mode_is_wrong_outside_its_range():
    small = np.array([3, 10, 1000], dtype=np.uint64)
    assert g.isqrt(small, mode="ivit").tolist() != [math.isqrt(int(x)) for x in small]
    mid = np.array([2**20, 2**30 + 12345, 2**40 - 1], dtype=np.uint64)
    assert g.isqrt(mid, mode="ivit").tolist() == [math.isqrt(int(x)) for x in mid]


# -- Shiftmax / ShiftGELU ----------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [8, 16])
def test_shiftmax_constant_row_of_power_of_two_length_is_exact(bits):
    # scale 1/8: x0 = -8, every e = 16 << 14 = 2^18; 16 of them sum to 2^22 -> f exact
    out = g.shiftmax(np.zeros((3, 16), dtype=np.int64), 0.125, bits)
    assert (out == (1 << (bits - 1)) // 16).all()


def test_shiftmax_can_output_one_and_saturate_clamps_it():
    x = np.array([[5]])
    assert g.shiftmax(x, 0.125, 8).tolist() == [[128]]
    assert g.shiftmax(x, 0.125, 8, saturate=True).tolist() == [[127]]


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31), scale=st.floats(0.01, 0.5), bits=st.sampled_from([8, 16]))
def test_shiftmax_range_and_closeness(seed, scale, bits):
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, size=(4, 17))
    out = g.shiftmax(x, scale, bits)
    assert out.min() >= 0 and out.max() <= 1 << (bits - 1)
    ref = np.exp((x - x.max(1, keepdims=True)) * scale)
    ref /= ref.sum(1, keepdims=True)
    if scale <= 0.15:  # score ranges up to ~19 nats; sharper rows stress the shift approximation of exp
        assert np.abs(out / 2.0 ** (bits - 1) - ref).max() < 0.12


def test_shiftmax_rejects_tiny_scale():
    with pytest.raises(ScaleError):
        g.shiftmax(np.zeros((1, 4), dtype=np.int64), 1e-6)


def _gelu(v):
    return 0.5 * v * (1 + np.vectorize(math.erf)(v / math.sqrt(2)))


@pytest.mark.parametrize("paper", [False, True])
def test_shiftgelu_close_to_gelu(paper):
    x = np.arange(-128, 128)[None, :]
    s = 0.05
    out = g.shiftgelu(x, s, paper_shifts=paper) * s / 128
    # I-ViT's 8-bit sigmoid with f = floor(2^31 / S) is coarse at this scale: measured max error
    # 0.24 (folded 1.702) and 0.40 (paper shifts, 1.6875) over |x| <= 6.4
    assert np.abs(out - _gelu(x * s)).max() < (0.45 if paper else 0.3)
    assert (out[x < 0] <= 0).all() and (out[x > 0] >= 0).all()
    assert g.shiftgelu(np.zeros((1, 4), dtype=np.int64), s).tolist() == [[0, 0, 0, 0]]


def test_shiftgelu_rejects_tiny_scale():
    with pytest.raises(ScaleError):
        g.shiftgelu(np.zeros((1, 4), dtype=np.int64), 0.001)


# -- LayerNorm ---------------------------------------------------------------------------------------


def test_layernorm_constant_rows_output_the_bias():
    bias = np.array([0, 7, -7, 1 << 29])
    out = g.layernorm(np.full((3, 4), 123), bias)
    assert (out == bias).all()


def test_layernorm_gamma_zero_channels_are_constant():
    x = np.random.default_rng(0).integers(-3000, 3000, size=(5, 6))
    bias = np.arange(6) * 1000
    const = np.array([0, 1, 0, 0, 1, 0], dtype=bool)
    out = g.layernorm(x, bias, const_channels=const)
    assert (out[:, const] == bias[const]).all()
    np.testing.assert_array_equal(out[:, ~const], g.layernorm(x, bias)[:, ~const])


def test_layernorm_mean_rounds_half_to_even_with_negative_sums():
    assert g.rne_div(np.array([5, 7, -5, -7, 6, -6]), 2).tolist() == [2, 4, -2, -4, 3, -3]
    assert g.rne_div(np.array([10, -10, 11]), 4).tolist() == [2, -2, 3]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), c=st.sampled_from([4, 16, 64, 192]))
def test_layernorm_close_to_float(seed, c):
    rng = np.random.default_rng(seed)
    x = rng.integers(-32768, 32768, size=(3, c))
    out = g.layernorm(x, np.zeros(c, dtype=np.int64)) * (math.sqrt(c) / 2**30)
    xf = x.astype(np.float64)
    ref = (xf - xf.mean(1, keepdims=True)) / np.sqrt(xf.var(1, keepdims=True) + 1e-12)
    assert np.abs(out - ref).max() < 0.02


# -- matmul and mixed precision ----------------------------------------------------------------------


def test_split_int8_is_exact_over_all_int8():
    w = np.arange(-128, 128)
    hi, lo = g.split_int8(w)
    assert hi.min() == -8 and hi.max() == 7 and lo.min() == 0 and lo.max() == 15
    np.testing.assert_array_equal((hi << 4) + lo, w)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**31), t=st.booleans())
def test_matmul_split_equals_matmul(seed, t):
    rng = np.random.default_rng(seed)
    a = rng.integers(-128, 128, size=(2, 5, 9))
    w = rng.integers(-128, 128, size=(7, 9) if t else (9, 7))
    b = rng.integers(-(2**20), 2**20, size=7)
    np.testing.assert_array_equal(g.matmul_split(a, w, b, t), g.matmul(a, w, b, t))
    np.testing.assert_array_equal(g.matmul(a, w, b, t), np.matmul(a, w.T if t else w) + b)


def test_matmul_accumulator_wraps_like_int32():
    # Only a bias the verifier cannot see (a function argument) reaches this: every target adds
    # it with arith.addi, so the golden model wraps too.
    out = g.matmul(np.full((1, 2), 127), np.full((2, 1), 127), bias=[2**31 - 100])
    assert out.tolist() == [[2 * 127 * 127 + 2**31 - 100 - 2**32]]
    np.testing.assert_array_equal(g.matmul_split(np.full((1, 2), 127), np.full((2, 1), 127), [2**31 - 100]), out)


def test_weight_quantization_per_channel():
    w = np.array([[0.5, -1.0], [0.01, 0.02]])
    q, s = quantize_weights_per_channel(w, 8)
    assert q.tolist() == [[64, -127], [64, 127]]
    np.testing.assert_allclose(s, [1 / 127, 0.02 / 127])


def test_quantize_and_dequantize_round_trip():
    x = np.array([0.1, -0.35, 3.0, -7.0], dtype=np.float32)
    q = g.quantize(x, 0.05, 8)
    assert q.tolist() == [2, -7, 60, -128]
    assert g.dequantize(q, 0.05).dtype == np.float32


@pytest.mark.parametrize("paper_shifts", [False, True])
@pytest.mark.parametrize("scale", [0.004, 0.012, 0.05, 0.2])
def test_shiftgelu_table_is_the_golden_model_for_every_int8_row(scale, paper_shifts):
    # every (row maximum, element) pair an int8 row can hold: the lowering's table lookup is exact
    table = g.shiftgelu_sigmoid_table(scale, paper_shifts)
    for m in range(-128, 128):
        row = np.arange(-128, m + 1)
        np.testing.assert_array_equal(g.shiftgelu(row, scale, paper_shifts=paper_shifts),
                                      row * table[m + 128, row + 128])


@pytest.mark.parametrize("scale", [0.0035, 0.08, 0.5])
def test_shiftmax_table_is_iexp_of_every_int8_distance(scale):
    table = g.shiftmax_exp_table(scale)
    d = np.arange(256)
    np.testing.assert_array_equal(table, g.iexp(-d, g.shiftmax_x0(scale), g.SHIFTMAX_N))
    for m in (-128, -1, 0, 127):
        row = np.arange(-128, m + 1)
        e = table[m - row]
        np.testing.assert_array_equal((e * ((1 << 31) // min(int(e.sum()), 1 << 31))) >> 24,
                                      g.shiftmax(row, scale, 8))


def test_tables_refuse_scales_the_ops_refuse():
    with pytest.raises(ScaleError):
        g.shiftgelu_sigmoid_table(1e-6)
    with pytest.raises(ScaleError):
        g.shiftmax_exp_table(1e-9)
