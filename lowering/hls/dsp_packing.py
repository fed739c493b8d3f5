"""DSP48E2 packing, the Python model of `include/intvit_nnet/dsp_pack.h` (numpy-vectorized).

One DSP48E2 multiplies a 27-bit operand (the pre-adder / A:D port) by an 18-bit one into a 48-bit
P.  Several 4-bit products fit in one multiply when their operands are packed `S` bits apart:
`(w0 + w1 2^S + w2 2^2S) a = a w0 + a w1 2^S + a w2 2^2S`.  The lanes are recovered from P as
`sign_extend_S((P >> iS) + P[iS - 1])`: the lanes below lane `i` were sign-extended, which
borrowed one from lane `i` exactly when bit `iS - 1` of P is set, so that bit is added back
BEFORE sign-extending.  Each lane must fit `S` bits signed.

Weights are "nibbles" in [-8, 15]: a signed 4-bit weight, or a half of an 8-bit weight
(`w8 = (hi << 4) + lo`, hi signed in [-8, 7], lo unsigned in [0, 15]).  The schemes used by the
HLS kernels (each checked over every operand combination by the tests):

| factor | operands | activation bits | spacing S |
|---|---|---|---|
| 1 | one nibble x one activation | <= 8 | - |
| 2 | two nibbles x one activation | 8 | 13 |
| 3 | three nibbles x one activation | 6 | 11 |
| 4 | two nibbles x two activations (`(a0 + a1 2^2S)(w0 + w1 2^S)`) | 6 | 10 |
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

D_BITS, B_BITS, P_BITS = 27, 18, 48
NIBBLE_MIN, NIBBLE_MAX = -8, 15


@dataclass(frozen=True)
class Scheme:
    factor: int
    act_bits: int
    spacing: int

    @property
    def act_range(self) -> tuple[int, int]:
        return -(1 << (self.act_bits - 1)), (1 << (self.act_bits - 1)) - 1


SCHEMES = {1: Scheme(1, 8, 0), 2: Scheme(2, 8, 13), 3: Scheme(3, 6, 11), 4: Scheme(4, 6, 10)}


def fits_signed(v: np.ndarray, bits: int) -> bool:
    return bool(np.all((v >= -(1 << (bits - 1))) & (v < (1 << (bits - 1)))))


def unpack_lanes(p: np.ndarray, lanes: int, spacing: int, borrow: bool = True) -> list[np.ndarray]:
    """Lanes from P (int64 arrays).  `borrow=False` is the naive extraction (wrong: kept so the
    tests show what the correction fixes)."""
    out = []
    for i in range(lanes):
        t = p >> (i * spacing)
        if i > 0 and borrow:
            t = t + ((p >> (i * spacing - 1)) & 1)
        if i < lanes - 1:
            low = t & ((1 << spacing) - 1)
            t = np.where(low >= 1 << (spacing - 1), low - (1 << spacing), low)
        out.append(t)
    return out


def pack_nibbles(w: list[np.ndarray], spacing: int) -> np.ndarray:
    """The 27-bit operand of F nibbles x one activation."""
    return sum(np.asarray(wi, dtype=np.int64) << (i * spacing) for i, wi in enumerate(w))


def mul_nibbles(w: list[np.ndarray], a: np.ndarray, spacing: int, borrow: bool = True):
    """F nibbles x one activation in one multiply: (lanes, d, b, p) so callers can check ports."""
    d = pack_nibbles(w, spacing)
    b = np.asarray(a, dtype=np.int64)
    p = d * b
    return unpack_lanes(p, len(w), spacing, borrow), d, b, p


def mul_2x2(w0, w1, a0, a1, spacing: int, borrow: bool = True):
    """Two nibbles x two activations: lanes (a0 w0, a0 w1, a1 w0, a1 w1), and the ports."""
    d = np.asarray(a0, dtype=np.int64) + (np.asarray(a1, dtype=np.int64) << (2 * spacing))
    b = np.asarray(w0, dtype=np.int64) + (np.asarray(w1, dtype=np.int64) << spacing)
    p = d * b
    return unpack_lanes(p, 4, spacing, borrow), d, b, p


def nibble_rows(rows: np.ndarray, row_bits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split an `[N, K]` weight by its per-row precision into 4-bit rows: a 4-bit channel gives
    one row (shift 0), an 8-bit channel its signed high nibble (shift 4) and unsigned low nibble
    (shift 0).  Returns (nibbles [R, K], channel [R], shift [R])."""
    nibs, chans, shifts = [], [], []
    for n, bits in enumerate(row_bits):
        w = np.asarray(rows[n], dtype=np.int64)
        if bits == 4:
            if w.min(initial=0) < -8 or w.max(initial=0) > 7:
                raise ValueError(f"row {n} is marked 4-bit but holds values outside [-8, 7]")
            nibs.append(w), chans.append(n), shifts.append(0)
        else:
            nibs += [w >> 4, w & 15]
            chans += [n, n]
            shifts += [4, 0]
    return np.array(nibs, dtype=np.int64).reshape(len(nibs), rows.shape[1]), np.array(chans), np.array(shifts)


def pad_rows(nib: np.ndarray, chan: np.ndarray, shift: np.ndarray, multiple: int):
    """Zero rows up to a multiple of the packing factor (they add 0 to channel 0)."""
    extra = (-nib.shape[0]) % multiple
    if extra:
        nib = np.vstack([nib, np.zeros((extra, nib.shape[1]), dtype=np.int64)])
        chan = np.concatenate([chan, np.zeros(extra, dtype=np.int64)])
        shift = np.concatenate([shift, np.zeros(extra, dtype=np.int64)])
    return nib, chan, shift


def packed_matmul(a: np.ndarray, rows: np.ndarray, row_bits, factor: int, bias=None) -> np.ndarray:
    """`a [M, K] x rows[N, K]^T` computed the way the HLS kernel does (nibble rows, packed DSP
    multiplies, lanes summed outside the DSP), for checking the scheme on whole GEMMs."""
    scheme = SCHEMES[factor]
    nib, chan, shift = pad_rows(*nibble_rows(rows, row_bits), max(factor if factor != 4 else 2, 1))
    m_rows, n = a.shape[0], rows.shape[0]
    out = np.zeros((m_rows, n), dtype=np.int64) if bias is None else np.tile(np.asarray(bias, np.int64), (m_rows, 1))
    a = np.asarray(a, dtype=np.int64)
    if factor == 4:
        a = np.vstack([a, np.zeros((m_rows % 2, a.shape[1]), dtype=np.int64)])
        for g in range(0, nib.shape[0], 2):
            lanes, *_ = mul_2x2(nib[g][None, :], nib[g + 1][None, :], a[0::2], a[1::2], scheme.spacing)
            sums = [lane.sum(axis=1) for lane in lanes]
            for (r, rows_sel), s in zip([(g, 0), (g + 1, 0), (g, 1), (g + 1, 1)], sums):
                out[rows_sel::2, chan[r]] += s[: len(out[rows_sel::2])] << shift[r]
        return out
    f = max(factor, 1)
    for g in range(0, nib.shape[0], f):
        lanes, *_ = mul_nibbles([nib[g + i][None, :] for i in range(f)], a, scheme.spacing)
        for i, lane in enumerate(lanes):
            out[:, chan[g + i]] += lane.sum(axis=1) << shift[g + i]
    return out
