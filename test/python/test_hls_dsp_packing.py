"""DSP48E2 packing, exhaustively: every operand combination of every scheme, in the Python model
(lowering/hls/dsp_packing.py) and in the C++ helper (include/intvit_nnet/dsp_pack.h) compiled with
g++ and looped over the same combinations.  Ports are checked too (27-bit D, 18-bit B, 48-bit P).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from intvit.lowering.hls import csim
from intvit.lowering.hls.dsp_packing import (B_BITS, D_BITS, NIBBLE_MAX, NIBBLE_MIN, P_BITS, SCHEMES, fits_signed,
                                             mul_2x2, mul_nibbles, nibble_rows, packed_matmul)

NIBBLES = np.arange(NIBBLE_MIN, NIBBLE_MAX + 1)


def _grid(*ranges):
    return [g.reshape(-1) for g in np.meshgrid(*ranges, indexing="ij")]


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_nibbles_times_one_activation_exhaustive(factor):
    scheme = SCHEMES[factor]
    lo, hi = scheme.act_range
    *w, a = _grid(*([NIBBLES] * factor), np.arange(lo, hi + 1))
    lanes, d, b, p = mul_nibbles(w, a, scheme.spacing)
    for wi, lane in zip(w, lanes):
        np.testing.assert_array_equal(lane, wi * a)
    assert fits_signed(d, D_BITS) and fits_signed(b, B_BITS) and fits_signed(p, P_BITS)
    assert len(a) == len(NIBBLES) ** factor * (hi - lo + 1)


def test_two_by_two_exhaustive():
    scheme = SCHEMES[4]
    acts = np.arange(scheme.act_range[0], scheme.act_range[1] + 1)
    w0, w1, a0, a1 = _grid(NIBBLES, NIBBLES, acts, acts)
    lanes, d, b, p = mul_2x2(w0, w1, a0, a1, scheme.spacing)
    for lane, want in zip(lanes, (a0 * w0, a0 * w1, a1 * w0, a1 * w1)):
        np.testing.assert_array_equal(lane, want)
    assert fits_signed(d, D_BITS) and fits_signed(b, B_BITS) and fits_signed(p, P_BITS)


def test_without_the_borrow_most_results_are_wrong():
    """The correction is what makes it exact: the naive extraction fails on most operands."""
    scheme = SCHEMES[3]
    *w, a = _grid(NIBBLES, NIBBLES, NIBBLES, np.arange(-32, 32))
    lanes, *_ = mul_nibbles(w, a, scheme.spacing, borrow=False)
    wrong = np.zeros(len(a), dtype=bool)
    for wi, lane in zip(w, lanes):
        wrong |= lane != wi * a
    assert wrong.mean() > 0.4


def test_spacing_too_tight_fails():
    """Spacing 9 cannot hold a 6-bit x nibble product (up to 10 bits): some case must break."""
    *w, a = _grid(NIBBLES, NIBBLES, NIBBLES, np.arange(-32, 32))
    lanes, *_ = mul_nibbles(w, a, 9)
    assert any(np.any(lane != wi * a) for wi, lane in zip(w, lanes))


@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_packed_matmul_equals_plain_product(factor):
    rng = np.random.default_rng(factor)
    m, k, n = 5, 19, 7
    lo, hi = SCHEMES[factor].act_range
    a = rng.integers(lo, hi + 1, size=(m, k))
    row_bits = [4, 8, 8, 4, 8, 4, 8]
    w = np.where(np.array(row_bits)[:, None] == 4, rng.integers(-8, 8, size=(n, k)), rng.integers(-128, 128, size=(n, k)))
    bias = rng.integers(-1000, 1000, size=n)
    np.testing.assert_array_equal(packed_matmul(a, w, row_bits, factor, bias), a @ w.T + bias)


def test_nibble_rows_split_eight_bit_weights():
    nib, chan, shift = nibble_rows(np.array([[-128, 127, -1], [7, -8, 0]]), [8, 4])
    np.testing.assert_array_equal(nib, [[-8, 7, -1], [0, 15, 15], [7, -8, 0]])
    np.testing.assert_array_equal(chan, [0, 0, 1])
    np.testing.assert_array_equal(shift, [4, 0, 0])
    with pytest.raises(ValueError, match="outside"):
        nibble_rows(np.array([[9]]), [4])


CPP_EXHAUSTIVE = r"""
#include <cstdio>
#include "intvit_nnet/dsp_pack.h"
using namespace intvit_nnet;
template <int F, int S>
long long check_one_activation(int alo, int ahi) {
    long long bad = 0, count = 0;
    int w[3] = {0, 0, 0};
    const int combos = F == 1 ? 24 : (F == 2 ? 24 * 24 : 24 * 24 * 24);
    for (int c = 0; c < combos; c++) {
        int rest = c;
        nibble_t ws[F];
        for (int i = 0; i < F; i++) { w[i] = rest % 24 - 8; rest /= 24; ws[i] = w[i]; }
        for (int a = alo; a <= ahi; a++) {
            lane_t lanes[F];
            dsp_mul_nibbles<F, S>(ws, bport_t(a), lanes);
            for (int i = 0; i < F; i++) bad += lanes[i].to_int64() != (long long)w[i] * a;
            count++;
        }
    }
    std::printf("factor %d: %lld combinations, %lld wrong\n", F, count, bad);
    return bad;
}
long long check_two_by_two() {
    long long bad = 0, count = 0;
    for (int w0 = -8; w0 <= 15; w0++) for (int w1 = -8; w1 <= 15; w1++)
    for (int a0 = -32; a0 <= 31; a0++) for (int a1 = -32; a1 <= 31; a1++) {
        lane_t lanes[4];
        dsp_mul_2x2<10>(w0, w1, a0, a1, lanes);
        bad += lanes[0].to_int64() != a0 * w0; bad += lanes[1].to_int64() != a0 * w1;
        bad += lanes[2].to_int64() != a1 * w0; bad += lanes[3].to_int64() != a1 * w1;
        count++;
    }
    std::printf("factor 4: %lld combinations, %lld wrong\n", count, bad);
    return bad;
}
int main() {
    long long bad = check_one_activation<1, 1>(-128, 127) + check_one_activation<2, 13>(-128, 127)
                  + check_one_activation<3, 11>(-32, 31) + check_two_by_two();
    return bad == 0 ? 0 : 1;
}
"""


def test_cpp_helper_exhaustive(tmp_path):
    """The header's helper over every combination (g++ -O2 -Wall -Wextra -Werror)."""
    src = tmp_path / "dsp_exhaustive.cpp"
    src.write_text(CPP_EXHAUSTIVE)
    exe = tmp_path / "dsp_exhaustive"
    cmd = [csim.check_compiler(), *csim.CXXFLAGS, "-isystem", str(csim.ap_types_dir()), "-I", str(csim.INCLUDE_DIR),
           str(src), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout
    assert "factor 3: 884736 combinations, 0 wrong" in proc.stdout
    assert "factor 4: 2359296 combinations, 0 wrong" in proc.stdout
    assert "factor 2: 147456 combinations, 0 wrong" in proc.stdout
