// Shiftmax and ShiftGELU (NUMERICS.md): integer exp by shifts, one division per row.
// Rows run along the middle axis of an [OUTER, C, INNER] view (C = the op's axis).
#ifndef INTVIT_NNET_NONLINEAR_H_
#define INTVIT_NNET_NONLINEAR_H_

#include "types.h"

namespace intvit_nnet {

static const int SHIFTMAX_N = 15;
static const int SHIFTGELU_N = 23;
static const int IEXP_MAX_SHIFT = 40;  // (r - 2 x0) >= 1: a shift of 40 already passes the 2^31 cap

// ~ 2^n exp(d s) for x0 = floor(-1/s); d > 0 (ShiftGELU's iexp(-xm)) saturates at 2^31.
inline acc64_t iexp(acc64_t d, int x0, int n) {
#pragma HLS INLINE
    d = d + (d >> 1) - (d >> 4);  // d * log2(e)
    const acc64_t lo = acc64_t(n) * x0;
    if (d < lo) d = lo;
    const acc64_t q = floor_div(d, x0);
    const acc64_t r = d - acc64_t(x0) * q;
    const acc64_t base = r - 2 * acc64_t(x0);
    acc64_t out;
    if (q < n) {
        acc64_t s = acc64_t(n) - q - 1;
        if (s > IEXP_MAX_SHIFT) s = IEXP_MAX_SHIFT;
        out = base << int(s);
    } else {
        out = base >> 1;
    }
    const acc64_t cap = acc64_t(1) << 31;
    return out > cap ? cap : out;
}

template <class T_in, class T_out, int OUTER, int C, int INNER, int BITS, bool SATURATE>
void shiftmax(const T_in in[OUTER * C * INNER], T_out out[OUTER * C * INNER], int x0) {
Rows:
    for (int row = 0; row < OUTER * INNER; row++) {
        const int base = (row / INNER) * C * INNER + row % INNER;
        acc64_t e[C];
        acc64_t xmax = in[base];
    Max:
        for (int c = 1; c < C; c++) {
#pragma HLS PIPELINE II = 1
            const acc64_t v = in[base + c * INNER];
            if (v > xmax) xmax = v;
        }
        acc64_t total = 0;
    Exp:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            e[c] = iexp(acc64_t(in[base + c * INNER]) - xmax, x0, SHIFTMAX_N);
            total += e[c];
        }
        const acc64_t cap = acc64_t(1) << 31;
        if (total > cap) total = cap;
        const acc64_t f = cap / total;
    Normalize:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            acc64_t v = (e[c] * f) >> (32 - BITS);
            if (SATURATE && v > (acc64_t(1) << (BITS - 1)) - 1) v = (acc64_t(1) << (BITS - 1)) - 1;
            out[base + c * INNER] = v;
        }
    }
}

// GELU(x) ~ x sigmoid(1.702 x); 1.702 folded into x0 unless PAPER_SHIFTS applies it by shifts.
template <class T_in, class T_out, int OUTER, int C, int INNER, bool PAPER_SHIFTS>
void shiftgelu(const T_in in[OUTER * C * INNER], T_out out[OUTER * C * INNER], int x0) {
Rows:
    for (int row = 0; row < OUTER * INNER; row++) {
        const int base = (row / INNER) * C * INNER + row % INNER;
        acc64_t xs[C];
        acc64_t xm = 0;
    Scale:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            const acc64_t x = in[base + c * INNER];
            xs[c] = PAPER_SHIFTS ? acc64_t(x + (x >> 1) + (x >> 3) + (x >> 4)) : x;
            if (c == 0 || xs[c] > xm) xm = xs[c];
        }
        const acc64_t small = iexp(-xm, x0, SHIFTGELU_N);
        const acc64_t cap = acc64_t(1) << 31;
    Sigmoid:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            const acc64_t big = iexp(xs[c] - xm, x0, SHIFTGELU_N);
            acc64_t total = big + small;
            if (total > cap) total = cap;
            const acc64_t sig = (big * (cap / total)) >> 24;  // Q7 sigmoid in [0, 128]
            out[base + c * INNER] = acc64_t(in[base + c * INNER]) * sig;
        }
    }
}

}  // namespace intvit_nnet

#endif
