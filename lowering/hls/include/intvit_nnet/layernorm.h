// Integer square root and I-LayerNorm (NUMERICS.md).
#ifndef INTVIT_NNET_LAYERNORM_H_
#define INTVIT_NNET_LAYERNORM_H_

#include "types.h"

namespace intvit_nnet {

// floor(sqrt(v)) for every uint64, bit by bit: 32 compare-subtract steps, no divider.
inline ap_uint<64> isqrt64(ap_uint<64> v) {
    ap_uint<64> res = 0;
    ap_uint<64> one = ap_uint<64>(1) << 62;
Digits:
    for (int i = 0; i < 32; i++) {
#pragma HLS PIPELINE II = 1
        if (v >= res + one) {
            v -= res + one;
            res = (res >> 1) + one;
        } else {
            res >>= 1;
        }
        one >>= 2;
    }
    return res;
}

template <class T_in, class T_out, int SIZE>
void isqrt(const T_in in[SIZE], T_out out[SIZE]) {
Elements:
    for (int i = 0; i < SIZE; i++) out[i] = isqrt64(ap_uint<64>(in[i]));
}

// round_half_even(num / den), den > 0
inline acc64_t rne_div(acc64_t num, acc64_t den) {
    const acc64_t q = floor_div(num, den);
    const acc64_t twice = 2 * (num - q * den);
    return q + ((twice > den || (twice == den && (q & 1) == 1)) ? 1 : 0);
}

// I-LayerNorm over the middle axis of [OUTER, C, INNER]: sat32(((y floor(2^31 / max(isqrt(var),
// 1))) >> 1) + bias); channels with gamma == 0 (is_const) output exactly their bias.
template <class T_in, class T_out, int OUTER, int C, int INNER>
void layernorm(const T_in in[OUTER * C * INNER], T_out out[OUTER * C * INNER], const int32_t bias[C],
               const bool is_const[C]) {
Rows:
    for (int row = 0; row < OUTER * INNER; row++) {
        const int base = (row / INNER) * C * INNER + row % INNER;
        acc64_t sum = 0;
    Sum:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            sum += acc64_t(in[base + c * INNER]);
        }
        const acc64_t mean = rne_div(sum, C);
        acc64_t var = 0;
    Var:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            const acc64_t y = acc64_t(in[base + c * INNER]) - mean;
            var += y * y;
        }
        acc64_t k = acc64_t(isqrt64(ap_uint<64>(var)));
        if (k < 1) k = 1;
        const acc64_t f = (acc64_t(1) << 31) / k;
    Normalize:
        for (int c = 0; c < C; c++) {
#pragma HLS PIPELINE II = 1
            const acc64_t y = acc64_t(in[base + c * INNER]) - mean;
            const acc64_t yn = is_const[c] ? acc64_t(0) : acc64_t((y * f) >> 1);
            out[base + c * INNER] = saturate<32>(yn + acc64_t(bias[c]));
        }
    }
}

}  // namespace intvit_nnet

#endif
