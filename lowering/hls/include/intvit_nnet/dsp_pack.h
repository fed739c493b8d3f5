// DSP48E2 packing: several 4-bit products from one 27 x 18 multiply (P is 48 bits).
// Weights are 4-bit "nibbles" in [-8, 15]: a signed 4-bit weight, or the signed high / unsigned
// low half of an 8-bit weight (w8 = (hi << 4) + lo).  Lanes sit S bits apart in P; lane i is
// recovered as sign_extend_S((P >> iS) + P[iS - 1]): the bit below the lane is the borrow that
// the sign-extended lanes beneath it took, and it must be added BEFORE sign-extending (without
// it 70% of results are wrong).  Lane values must fit S-bit signed: |a * w| < 2^(S-1).
// Checked exhaustively (test_hls_dsp_packing.py) for the (F, S, activation bits) used here:
//   factor 2: two nibbles x one 8-bit activation, S = 13 (nibbles on the 27-bit port)
//   factor 3: three nibbles x one 6-bit activation, S = 11
//   factor 4: two nibbles x two 6-bit activations, S = 10 (activations on the 27-bit port)
#ifndef INTVIT_NNET_DSP_PACK_H_
#define INTVIT_NNET_DSP_PACK_H_

#include "types.h"

namespace intvit_nnet {

typedef ap_int<5> nibble_t;   // [-8, 15]
typedef ap_int<16> lane_t;    // one recovered product (at most 12 bits here)
typedef ap_int<27> dport_t;   // pre-adder / A:D port into the multiplier
typedef ap_int<18> bport_t;
typedef ap_int<48> pport_t;

template <int L, int S>
inline void unpack_lanes(pport_t p, lane_t lanes[L]) {
#pragma HLS INLINE
    for (int i = 0; i < L; i++) {
#pragma HLS UNROLL
        pport_t t = p >> (i * S);
        if (i > 0) t += pport_t(p[i * S - 1] ? 1 : 0);
        if (i < L - 1) {
            ap_int<S> low = t.range(S - 1, 0);
            lanes[i] = low;
        } else {
            lanes[i] = t;
        }
    }
}

// F nibbles x one activation (F in 1..3): the nibbles form the 27-bit operand.
template <int F, int S>
inline void dsp_mul_nibbles(const nibble_t w[F], bport_t a, lane_t lanes[F]) {
#pragma HLS INLINE
    dport_t d = 0;
    for (int i = 0; i < F; i++) {
#pragma HLS UNROLL
        d += dport_t(w[i]) << (i * S);
    }
    const pport_t p = d * a;  // one DSP48E2
    unpack_lanes<F, S>(p, lanes);
}

// two nibbles x two activations: lanes (a0 w0, a0 w1, a1 w0, a1 w1).
template <int S>
inline void dsp_mul_2x2(nibble_t w0, nibble_t w1, ap_int<7> a0, ap_int<7> a1, lane_t lanes[4]) {
#pragma HLS INLINE
    const dport_t acts = dport_t(a0) + (dport_t(a1) << (2 * S));
    const bport_t wgts = bport_t(w0) + (bport_t(w1) << S);
    const pport_t p = acts * wgts;  // one DSP48E2
    unpack_lanes<4, S>(p, lanes);
}

}  // namespace intvit_nnet

#endif
