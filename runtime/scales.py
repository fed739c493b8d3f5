"""Compile-time scale arithmetic: scale -> dyadic `(m, e)`, symmetric scales, weight quantization.

NUMERICS.md, "Quantization conventions" and "Dyadic requantization" (compile-time part).
"""

from __future__ import annotations

import math

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)

class ScaleError(ValueError):
    """A scale or scale ratio that has no dyadic representation within the allowed range."""

def half_away(x: float) -> int:
    return int(math.copysign(math.floor(abs(x) + 0.5), x))

def quantize_multiplier(ratio: float, what: str = "requant") -> tuple[int, int]:
    """`ratio` (float64) -> `(m, e)` with `2^30 <= m < 2^31`, `m / 2^e ~ ratio`, `e` in [1, 62]."""
    if not (math.isfinite(ratio) and ratio > 0):
        raise ScaleError(f"{what}: scale ratio {ratio!r} must be finite and positive")
    mant, exp = math.frexp(ratio)
    m = half_away(mant * 2**31)
    if m == 2**31:
        m, exp = 2**30, exp + 1
    e = 31 - exp
    if not 1 <= e <= 62:
        raise ScaleError(
            f"{what}: scale ratio {ratio:.6g} needs shift {e}, outside [1, 62] "
            f"(ratios from 2^-31 to 2^30 are representable)"
        )
    return m, e

def symmetric_scale(absmax: float, bits: int) -> float:
    """`max(|min|, |max|) / (2^(b-1) - 1)`, floored at float32 eps."""
    return max(float(absmax) / ((1 << (bits - 1)) - 1), FLOAT32_EPS)

def rne(x: np.ndarray) -> np.ndarray:
    return np.rint(x)  # numpy rounds half to even

def quantize_weights_per_channel(w: np.ndarray, bits: int, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per-output-channel symmetric weights: `q = sat_b(RNE(w / s_c))`. Returns (q int64, s float64)."""
    w = np.asarray(w, dtype=np.float64)
    moved = np.moveaxis(w, axis, 0)
    absmax = np.abs(moved.reshape(moved.shape[0], -1)).max(axis=1) if moved.size else np.zeros(moved.shape[0])
    scales = np.array([symmetric_scale(a, bits) for a in absmax])
    lim = (1 << (bits - 1)) - 1
    q = np.clip(rne(moved / scales.reshape((-1,) + (1,) * (moved.ndim - 1))), -lim - 1, lim)
    return np.moveaxis(q, 0, axis).astype(np.int64), scales

def shiftmax_x0(scale: float) -> int:
    """`x0 = floor(-(1/s))` with `1/s` rounded to float32 (a negative integer)."""
    return int(math.floor(-float(np.float32(1.0 / scale))))

def shiftgelu_x0(scale: float, paper_shifts: bool = False, ivit_constant: bool = False) -> int:
    """ShiftGELU's `x0`: 1.702 folded into the scale (`ss = float32(s * 1.702)`) unless the paper's
    shift form applies it at run time.  `ivit_constant` rounds 1.702 to float32 first, as I-ViT's
    code does (`float32(s * float32(1.702))`); the two differ for about one scale in 10^6."""
    if paper_shifts:
        return shiftmax_x0(scale)
    factor = float(np.float32(1.702)) if ivit_constant else 1.702
    return shiftmax_x0(float(np.float32(scale * factor)))
