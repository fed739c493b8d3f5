// intvit_nnet: the hand-written HLS kernels the generated firmware calls (hls4ml's nnet_utils
// shape).  Every kernel implements ../shared/design/NUMERICS.md bit for bit with ap_int types.
#ifndef INTVIT_NNET_TYPES_H_
#define INTVIT_NNET_TYPES_H_

// g++ reports the ap_private constructors' deliberately uninitialised words at our call sites
// after inlining; silence that for the vendor headers only, so -Wall -Wextra -Werror still
// guards the kernels and the generated code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_int.h>
#pragma GCC diagnostic pop

#include <stdint.h>

namespace intvit_nnet {

typedef ap_int<64> acc64_t;
// Constant tables are plain C integers: g++ constant-initializes them (an ap_int array with an
// initializer becomes a constructor loop per element, minutes of compile time for a ViT's weights),
// and HLS sizes ROMs from the values either way.
typedef int32_t mult_t;   // requant multiplier m in [2^30, 2^31)
typedef uint8_t shift_t;  // requant shift e in [1, 62]

enum rounding_mode { HALF_EVEN = 0, HALF_UP = 1, HALF_AWAY = 2, DOUBLE_ROUND = 3, FLOOR = 4 };

// sat_b: clamp to [-2^(b-1), 2^(b-1) - 1]
template <int BITS>
inline acc64_t saturate(acc64_t v) {
    const acc64_t hi = (acc64_t(1) << (BITS - 1)) - 1;
    const acc64_t lo = -(acc64_t(1) << (BITS - 1));
    return v > hi ? hi : (v < lo ? lo : v);
}

// floor division of signed values (C++ '/' truncates toward zero)
inline acc64_t floor_div(acc64_t num, acc64_t den) {
    acc64_t q = num / den;
    if ((q * den != num) && ((num < 0) != (den < 0))) q -= 1;
    return q;
}

// round(p / 2^e) for int64 p, e in [1, 62]: decided on (floor, remainder) so p + 2^(e-1)
// never overflows; double_round is TOSA's apply_scale_32 (+-2^30 when e > 31).
template <int MODE>
inline acc64_t rounding_shift(acc64_t p, int e) {
#pragma HLS INLINE
    const acc64_t q = p >> e;
    const acc64_t r = p - (q << e);  // in [0, 2^e)
    const acc64_t half = acc64_t(1) << (e - 1);
    if (MODE == FLOOR) return q;
    if (MODE == HALF_UP) return q + (r >= half ? 1 : 0);
    if (MODE == HALF_EVEN) return q + ((r > half || (r == half && (q & 1) == 1)) ? 1 : 0);
    if (MODE == HALF_AWAY) return q + ((r > half || (r == half && p >= 0)) ? 1 : 0);
    acc64_t bump = 0;
    if (e > 31) bump = p >= 0 ? acc64_t(acc64_t(1) << 30) : acc64_t(-(acc64_t(1) << 30));
    return q + ((r + half + bump) >> e);
}

}  // namespace intvit_nnet

#endif
