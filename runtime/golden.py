"""The golden model: every intvit op in pure integer numpy, exactly as NUMERICS.md specifies.

This is the single source of numerical truth: the interpreter runs it, the lowering and every
backend are tested against it bit for bit.  Run-time arithmetic is integer only (int64 numpy or
exact Python ints); floats appear solely in `quantize`/`dequantize`, the model's boundary.
Every function returns exact values as int64 (uint64 for `isqrt`); callers cast to the IR type.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from intvit.runtime.scales import ScaleError, shiftgelu_x0, shiftmax_x0  # noqa: F401 (re-export)

ROUNDING_MODES = ("half_even", "half_up", "half_away", "double_round", "floor")
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
SHIFTMAX_N, SHIFTGELU_N = 15, 23
IEXP_MAX_SHIFT = 40  # (r - 2*x0) >= 1, so a shift of 40 already exceeds the 2^31 cap


def sat(v, bits: int) -> np.ndarray:
    """`sat_b`: clamp to `[-2^(b-1), 2^(b-1) - 1]`."""
    return np.clip(np.asarray(v, dtype=np.int64), -(1 << (bits - 1)), (1 << (bits - 1)) - 1)


def sat_unsigned(v, bits: int) -> np.ndarray:
    return np.clip(np.asarray(v, dtype=np.int64), 0, (1 << bits) - 1)


def _as_int64(x, what: str = "input") -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iub":
        raise TypeError(f"{what} must be an integer array, got {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise OverflowError(f"{what} does not fit int64")
    return arr.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Dyadic requantization (NUMERICS.md)


def rounding_shift(p, e, mode: str = "half_even") -> np.ndarray:
    """`round(p / 2^e)` for int64 `p` and `e` in [1, 62], ties broken by `mode`.

    `p >> e` floors and `p - (floor << e)` is the exact remainder in `[0, 2^e)`, so every mode
    is decided on (floor, remainder) without forming `p + 2^(e-1)`, which could overflow int64.
    `double_round` is TOSA's `apply_scale_32(double_round=true)`: it adds `2^(e-1)` and, when
    `e > 31`, `+2^30` for `p >= 0` or `-2^30` for `p < 0` before shifting (sign(p) == sign(z)
    since m > 0).
    """
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode '{mode}' (one of {', '.join(ROUNDING_MODES)})")
    p = np.asarray(p, dtype=np.int64)
    e = np.asarray(e, dtype=np.int64)
    if np.any((e < 1) | (e > 62)):
        raise ValueError("shift must be in [1, 62]")
    q = p >> e
    r = p - (q << e)  # in [0, 2^e)
    half = np.int64(1) << (e - 1)
    if mode == "floor":
        return q
    if mode == "half_up":
        return q + (r >= half)
    if mode == "half_even":
        return q + ((r > half) | ((r == half) & ((q & 1) == 1)))
    if mode == "half_away":
        # ties go up for p >= 0 and down (toward -inf) for p < 0
        return q + ((r > half) | ((r == half) & (p >= 0)))
    # double_round: add `half + bump` to p, i.e. compare the remainder against `2^e - half - bump`
    bump = np.where(e > 31, np.where(p >= 0, np.int64(1) << 30, -(np.int64(1) << 30)), 0)
    total = r + half + bump  # r < 2^e, half + |bump| <= 2^61 + 2^30: no int64 overflow for e <= 62
    return q + (total >> e)


def _channel_params(values: Sequence[int], x: np.ndarray, axis: int, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.int64).reshape(-1)
    if arr.size == 1:
        return arr.reshape(())
    axis = axis % x.ndim
    if arr.size != x.shape[axis]:
        raise ValueError(f"{name} has {arr.size} entries but axis {axis} has {x.shape[axis]} channels")
    shape = [1] * x.ndim
    shape[axis] = arr.size
    return arr.reshape(shape)


def requant(x, multiplier, shift, bits: int, rounding: str = "half_even", axis: int = -1) -> np.ndarray:
    """`sat_b(round(x * m / 2^e))`, per tensor (one `(m, e)`) or per channel along `axis`."""
    x = _as_int64(x)
    if x.size and (x.min() <= -(1 << 31) - 1 or x.max() >= 1 << 31):
        raise ValueError("requant input must fit int32")
    m = _channel_params(multiplier, x, axis, "multiplier")
    e = _channel_params(shift, x, axis, "shift")
    return sat(rounding_shift(x * m, e, rounding), bits)


def twin_requant(x, multiplier: int, shift: int, bits: int, twin: int, rounding: str = "half_even",
                 unsigned_input: bool = False) -> np.ndarray:
    """PTQ4ViT twin uniform quantization, decoded into units of the fine step `D1 = s_in 2^e / m`.

    The code has a flag and `bits - 1` value bits (`L = 2^(bits-1) - 1`); the coarse range's
    step is `D2 = 2^twin D1`.  `fine = round(x m / 2^e)`, `coarse = round(x m / 2^(e+twin))`:
      * unsigned input (post-Shiftmax, both ranges >= 0): `fine` where `fine <= L`, else
        `min(coarse, L) << twin`;
      * signed input (post-ShiftGELU): negative values take the fine range, `max(fine, -L)`;
        non-negative ones the coarse range, `min(coarse, L) << twin`.
    """
    x = _as_int64(x)
    if x.size and (x.min() <= -(1 << 31) - 1 or x.max() >= 1 << 31):
        raise ValueError("requant input must fit int32")
    limit = (1 << (bits - 1)) - 1
    fine = rounding_shift(x * multiplier, shift, rounding)
    coarse = np.minimum(rounding_shift(x * multiplier, shift + twin, rounding), limit) << twin
    use_fine = fine <= limit if unsigned_input else x < 0
    return np.where(use_fine, np.clip(fine, -limit, limit), coarse)


def add(a, b, a_mult: int, a_shift: int, b_mult: int, b_shift: int, bits: int,
        rounding: str = "half_even") -> np.ndarray:
    """Residual add: both inputs requantized to the output scale (no clamp), summed, `sat_b`."""
    a, b = _as_int64(a, "lhs"), _as_int64(b, "rhs")
    if a.shape != b.shape:
        raise ValueError(f"add operands differ in shape: {a.shape} vs {b.shape}")
    return sat(rounding_shift(a * a_mult, a_shift, rounding) + rounding_shift(b * b_mult, b_shift, rounding), bits)


# ---------------------------------------------------------------------------------------------
# Integer matmul and mixed precision


def matmul(a, w, bias=None, transpose_rhs: bool = False) -> np.ndarray:
    """`a [..., M, K] x w [K, N]` (or `[N, K]` with transpose_rhs; or batched) + bias, exact int32."""
    a, w = _as_int64(a, "lhs"), _as_int64(w, "rhs")
    if transpose_rhs:
        w = np.swapaxes(w, -1, -2)
    out = np.matmul(a, w)
    if bias is not None:
        out = out + _as_int64(bias, "bias")
    # int32 accumulation wraps (two's complement), as `arith.addi` does on every target; the
    # verifier rejects every matmul whose products and constant bias can overflow, so a wrap
    # is only reachable through a bias that is a function argument.
    return out.astype(np.int32).astype(np.int64)


def split_int8(w) -> tuple[np.ndarray, np.ndarray]:
    """`w = (hi << 4) + lo` with `hi` signed 4-bit in [-8, 7] and `lo` unsigned 4-bit in [0, 15]."""
    w = _as_int64(w, "weight")
    return w >> 4, w & 15


def matmul_split(a, w, bias=None, transpose_rhs: bool = False) -> np.ndarray:
    """The same product from two 4-bit halves: `(a . hi) << 4 + a . lo` (Quasar-ViT)."""
    hi, lo = split_int8(w)
    out = (matmul(a, hi, None, transpose_rhs) << 4) + matmul(a, lo, None, transpose_rhs)
    if bias is not None:
        out = out + _as_int64(bias, "bias")
    return out.astype(np.int32).astype(np.int64)  # wraps like matmul


# ---------------------------------------------------------------------------------------------
# Shiftmax / ShiftGELU


def iexp(d, x0: int, n: int) -> np.ndarray:
    """The exponent part of Shiftmax: `~ 2^n * exp(d * s)` for integer `d` with `x0 = floor(-1/s)`.

    For `d <= 0` the result is `<= -x0 * 2^n`.  For `d > 0` (ShiftGELU's `iexp(-xm)`) `q` is
    negative and the shift grows: it is clamped to 40 and the result saturated at 2^31, which
    equals computing exactly and saturating, since `r - 2*x0 >= 1`.
    """
    d = _as_int64(d)
    d = d + (d >> 1) - (d >> 4)
    if x0 >= 0:
        raise ScaleError(f"iexp: x0 = {x0} must be negative (the input scale is too large)")
    d = np.maximum(d, n * x0)
    q = d // x0  # floor; both <= 0 for d <= 0, so this is the exact quotient
    r = d - x0 * q
    base = r - 2 * x0
    shift = np.minimum(n - q - 1, IEXP_MAX_SHIFT)
    out = np.where(q < n, base << np.maximum(shift, 0), base >> 1)
    return np.minimum(out, 1 << 31)


def shiftmax(x, scale: float, bits: int = 8, axis: int = -1, saturate: bool = False) -> np.ndarray:
    """Integer softmax along `axis` (NUMERICS.md, Shiftmax): values in [0, 2^(bits-1)]."""
    x = _as_int64(x)
    x0 = shiftmax_x0(scale)
    if -x0 > 1 << 16:
        raise ScaleError(f"shiftmax: input scale {scale} is too small (x0 = {x0} < -2^16)")
    e = iexp(x - x.max(axis=axis, keepdims=True), x0, SHIFTMAX_N)
    total = np.minimum(e.sum(axis=axis, keepdims=True), 1 << 31)
    f = (1 << 31) // total
    out = (e * f) >> (32 - bits)
    return np.minimum(out, (1 << (bits - 1)) - 1) if saturate else out


def shiftgelu(x, scale: float, axis: int = -1, paper_shifts: bool = False,
              ivit_constant: bool = False) -> np.ndarray:
    """Integer GELU `x * sigmoid(1.702 x)` (NUMERICS.md, ShiftGELU): `|out| <= 2^7 |x|`.
    `ivit_constant`: `x0` from I-ViT's `float32(s * float32(1.702))` (`runtime.scales`)."""
    x = _as_int64(x)
    x0 = shiftgelu_x0(scale, paper_shifts, ivit_constant)
    if -x0 > 1 << 8:
        raise ScaleError(f"shiftgelu: input scale {scale} is too small (x0 = {x0} < -256)")
    xs = _gelu_scaled(x, paper_shifts)
    return x * _gelu_sigmoid(xs, xs.max(axis=axis, keepdims=True), x0)


def _gelu_scaled(x: np.ndarray, paper_shifts: bool) -> np.ndarray:
    return x + (x >> 1) + (x >> 3) + (x >> 4) if paper_shifts else x


def _gelu_sigmoid(xs: np.ndarray, xm: np.ndarray, x0: int) -> np.ndarray:
    """`sigmoid` of ShiftGELU in Q7 (`0..128`) from the scaled input and its row maximum."""
    big = iexp(xs - xm, x0, SHIFTGELU_N)
    small = iexp(-xm, x0, SHIFTGELU_N)
    total = np.minimum(big + small, 1 << 31)
    f = (1 << 31) // total
    return (big * f) >> 24


# Lookup tables for 8-bit inputs (the way TOSA lowers int8 sigmoid/tanh to `tosa.table`): the
# lowering indexes them instead of dividing per element.  Built from the functions above, so
# they are the golden model, not an approximation of it.

def shiftmax_exp_table(scale: float) -> np.ndarray:
    """`E[i] = iexp(-i)` for the 256 possible `rowmax - x` of an 8-bit input (int64)."""
    x0 = shiftmax_x0(scale)
    if -x0 > 1 << 16:
        raise ScaleError(f"shiftmax: input scale {scale} is too small (x0 = {x0} < -2^16)")
    return iexp(-np.arange(256, dtype=np.int64), x0, SHIFTMAX_N)


def shiftgelu_sigmoid_table(scale: float, paper_shifts: bool = False, ivit_constant: bool = False) -> np.ndarray:
    """`T[m + 128, x + 128]` = the Q7 sigmoid of int8 `x` in a row whose maximum is `m`
    (int32 [256, 256]; entries with `x > m` never occur and are 0).  `shiftgelu(x) = x * T`."""
    x0 = shiftgelu_x0(scale, paper_shifts, ivit_constant)
    if -x0 > 1 << 8:
        raise ScaleError(f"shiftgelu: input scale {scale} is too small (x0 = {x0} < -256)")
    v = np.arange(-128, 128, dtype=np.int64)
    xs = _gelu_scaled(v, paper_shifts)
    table = _gelu_sigmoid(xs[None, :], xs[:, None], x0)
    return np.where(v[None, :] <= v[:, None], table, 0).astype(np.int32)


# ---------------------------------------------------------------------------------------------
# Integer square root and I-LayerNorm


def isqrt_required_iterations(width: int) -> int:
    """Fixed `x = min(x, (x + v//x) >> 1)` steps enough for every `width`-bit input.

    From `x0 = 2^ceil(bitlen/2) < 2 sqrt(v) + 2`, the relative error `x/sqrt(v) - 1` is at most
    1 and Newton squares it down: `eps_{i+1} <= eps_i^2 / 2` (plus < 1 from the floors).  Once
    `eps * sqrt(v) < 1` one more step lands on floor(sqrt(v)).  The bound below counts those
    steps for `sqrt(v) < 2^(width/2)`; the test suite checks it on edge values and on millions
    of random inputs (and that one step fewer fails somewhere).
    """
    if width not in (32, 64):
        raise ValueError("isqrt supports 32- and 64-bit inputs")
    eps, steps = 1.0, 0
    while eps * 2.0 ** (width / 2) >= 1:
        eps = eps * eps / 2
        steps += 1
    return steps + 2


def _initial_guess(v: np.ndarray) -> np.ndarray:
    """`2^ceil(ceil(log2 v) / 2)` with integer bit lengths (exact for every uint64)."""
    v = v.astype(np.uint64)
    bitlen = np.zeros(v.shape, dtype=np.int64)
    probe = v.copy()
    for step in (32, 16, 8, 4, 2, 1):
        big = probe >= (np.uint64(1) << np.uint64(step))
        bitlen += np.where(big, step, 0)
        probe = np.where(big, probe >> np.uint64(step), probe)
    bitlen += (probe > 0).astype(np.int64)  # bit_length(v)
    is_pow2 = (v & (v - np.uint64(1))) == 0
    ceil_log2 = np.where(is_pow2, bitlen - 1, bitlen)  # ceil(log2 v) for v >= 1
    return np.uint64(1) << ((np.maximum(ceil_log2, 0) + 1) // 2).astype(np.uint64)


def isqrt(v, iterations: int | None = None, mode: str = "exact") -> np.ndarray:
    """`floor(sqrt(v))` for unsigned 32/64-bit `v` (NUMERICS.md, Integer square root).

    exact, `iterations=None`: Newton until it stops decreasing.  exact with `iterations`: that
    many `x = min(x, (x + v//x) >> 1)` steps (monotone, so extra steps keep the fixed point).
    `ivit`: the I-ViT code, `x = 2^16` then 10 plain steps; a step that would divide by zero
    keeps `x = 0` (reached only for v = 0, which ends there anyway).
    """
    arr = np.asarray(v)
    if arr.dtype.kind == "i" and arr.size and arr.min() < 0:
        raise ValueError("isqrt of a negative value")
    v64 = arr.astype(np.uint64)
    if mode == "ivit":
        x = np.full(v64.shape, 1 << 16, dtype=np.uint64)
        for _ in range(10):
            safe = np.where(x == 0, np.uint64(1), x)
            x = np.where(x == 0, np.uint64(0), (x + v64 // safe) >> np.uint64(1))
        return x
    if mode != "exact":
        raise ValueError(f"unknown isqrt mode '{mode}'")
    x = _initial_guess(v64)
    one = np.uint64(1)
    # (x + v//x) fits uint64: x <= 2^32 and v//x <= v/x <= 2^32 once x >= sqrt(v)... and the
    # first x >= sqrt(v) too.  v = 0 gives x0 = 1 and then 0.
    if iterations is not None:
        for _ in range(iterations):
            x = np.minimum(x, (x + v64 // np.maximum(x, one)) >> one)
        return x
    while True:
        nxt = (x + v64 // np.maximum(x, one)) >> one
        done = nxt >= x
        if np.all(done):
            return x
        x = np.where(done, x, nxt)


def rne_div(num: np.ndarray, den: int) -> np.ndarray:
    """`round_half_even(num / den)` for int64 `num` and positive `den`, with floor division."""
    q, r = np.divmod(num, den)  # r in [0, den)
    twice = 2 * r
    return q + ((twice > den) | ((twice == den) & ((q & 1) == 1)))


def layernorm(x, bias, axis: int = -1, isqrt_iterations: int | None = None, isqrt_mode: str = "exact",
              const_channels=None, out_bits: int = 32) -> np.ndarray:
    """I-LayerNorm over `axis` (NUMERICS.md): `sat(((y * floor(2^31/max(isqrt(var),1))) >> 1) + bias)`.

    Channels flagged in `const_channels` (gamma == 0) output exactly `bias`.
    """
    x = _as_int64(x)
    axis = axis % x.ndim
    c = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = c
    b = _as_int64(bias, "bias").reshape(shape)
    mean = rne_div(x.sum(axis=axis, keepdims=True), c)
    y = x - mean
    var = (y * y).sum(axis=axis, keepdims=True)
    k = np.maximum(isqrt(var.astype(np.uint64), isqrt_iterations, isqrt_mode).astype(np.int64), 1)
    f = (1 << 31) // k
    yn = (y * f) >> 1
    if const_channels is not None:
        yn = np.where(np.asarray(const_channels, dtype=bool).reshape(shape), 0, yn)
    return sat(yn + b, out_bits)


def layernorm_bias(gamma, beta, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Compile time: `bias = floor((beta/gamma) / (sqrt(C) / 2^30))`; gamma == 0 channels get
    bias 0 and mask True (the frontend then picks their constant)."""
    gamma = np.asarray(gamma, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    const = gamma == 0
    ratio = np.where(const, 0.0, beta / np.where(const, 1.0, gamma))
    return np.floor(ratio / (np.sqrt(channels) / 2**30)).astype(np.int64), const


# ---------------------------------------------------------------------------------------------
# Boundary ops (the only float arithmetic)


def quantize(x, scale: float, bits: int) -> np.ndarray:
    """`sat_b(RNE(x / scale))`, saturating in float first (so +-inf clamp); NaN maps to -2^(b-1)."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    q = np.clip(np.rint(np.asarray(x, dtype=np.float64) / scale), lo, hi)
    return np.where(np.isnan(q), lo, q).astype(np.int64)


def dequantize(q, scale, axis: int = -1) -> np.ndarray:
    """`q * scale` in float32 (scale scalar, or per channel along `axis`)."""
    q = np.asarray(q)
    s = np.asarray(scale, dtype=np.float32)
    if s.ndim == 1 and s.size > 1:
        shape = [1] * q.ndim
        shape[axis % q.ndim] = s.size
        s = s.reshape(shape)
    return (q.astype(np.float32) * s).astype(np.float32)
