// Dyadic requantization and the residual add (NUMERICS.md, "Dyadic requantization").
#ifndef INTVIT_NNET_REQUANT_H_
#define INTVIT_NNET_REQUANT_H_

#include "types.h"

namespace intvit_nnet {

// out = sat_b(round(x * m_c / 2^e_c)); the tensor is viewed as [OUTER, CH, INNER] with one
// (m, e) per CH entry (CH == 1: per tensor).
template <class T_in, class T_out, int OUTER, int CH, int INNER, int BITS, int MODE>
void requant(const T_in in[OUTER * CH * INNER], T_out out[OUTER * CH * INNER], const mult_t mult[CH],
             const shift_t shift[CH]) {
#pragma HLS ARRAY_PARTITION variable = mult complete
#pragma HLS ARRAY_PARTITION variable = shift complete
Outer:
    for (int o = 0; o < OUTER; o++) {
    Channel:
        for (int c = 0; c < CH; c++) {
        Inner:
            for (int i = 0; i < INNER; i++) {
#pragma HLS PIPELINE II = 1
                const int idx = (o * CH + c) * INNER + i;
                const acc64_t p = acc64_t(in[idx]) * acc64_t(mult[c]);
                out[idx] = saturate<BITS>(rounding_shift<MODE>(p, shift[c]));
            }
        }
    }
}

// Residual add: each input requantized to the output scale (no clamp), summed, sat_b.
template <class T_a, class T_b, class T_out, int SIZE, int BITS, int MODE>
void add(const T_a a[SIZE], const T_b b[SIZE], T_out out[SIZE], mult_t a_mult, int a_shift, mult_t b_mult,
         int b_shift) {
Elements:
    for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II = 1
        const acc64_t ra = rounding_shift<MODE>(acc64_t(a[i]) * acc64_t(a_mult), a_shift);
        const acc64_t rb = rounding_shift<MODE>(acc64_t(b[i]) * acc64_t(b_mult), b_shift);
        out[i] = saturate<BITS>(ra + rb);
    }
}

}  // namespace intvit_nnet

#endif
