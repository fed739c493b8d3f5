// The model boundary: the only float arithmetic (NUMERICS.md, quantization conventions).
#ifndef INTVIT_NNET_BOUNDARY_H_
#define INTVIT_NNET_BOUNDARY_H_

#include <cmath>

#include "types.h"

namespace intvit_nnet {

// sat_b(RNE(x / scale)) in double, saturating in float first (+-inf clamp); NaN -> -2^(b-1).
template <class T_in, class T_out, int SIZE, int BITS>
void quantize(const T_in in[SIZE], T_out out[SIZE], double scale) {
    const double lo = -double(1LL << (BITS - 1)), hi = double((1LL << (BITS - 1)) - 1);
Elements:
    for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II = 1
        const double q = std::nearbyint(double(in[i]) / scale);  // default mode: ties to even
        out[i] = std::isnan(q) ? (long long)lo : (long long)(q < lo ? lo : (q > hi ? hi : q));
    }
}

// q * scale in float32
template <class T_in, class T_out, int SIZE>
void dequantize(const T_in in[SIZE], T_out out[SIZE], float scale) {
Elements:
    for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II = 1
        out[i] = T_out(float(in[i].to_int64()) * scale);
    }
}

}  // namespace intvit_nnet

#endif
