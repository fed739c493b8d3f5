// Integer GEMMs (NUMERICS.md, "Integer matmul and mixed precision"): exact int32 accumulation.
#ifndef INTVIT_NNET_DENSE_H_
#define INTVIT_NNET_DENSE_H_

#include "dsp_pack.h"
#include "types.h"

namespace intvit_nnet {

// out[m, n] = bias[n] + sum_k a[m, k] w[k, n]   (w stored [N, K] when TRANS: nn.Linear layout)
template <class T_a, class T_w, class T_b, class T_out, int M, int K, int N, bool TRANS>
void dense(const T_a a[M * K], const T_w w[K * N], const T_b bias[N], T_out out[M * N]) {
Rows:
    for (int m = 0; m < M; m++) {
    Cols:
        for (int n = 0; n < N; n++) {
#pragma HLS PIPELINE II = 1
            ap_int<32> acc = ap_int<32>(bias[n]);
        Reduce:
            for (int k = 0; k < K; k++) {
                acc += ap_int<17>(a[m * K + k]) * ap_int<9>(TRANS ? w[n * K + k] : w[k * N + n]);
            }
            out[m * N + n] = acc;
        }
    }
}

// B independent GEMMs (attention: Q K^T and P V per head), rhs [B, K, N] or [B, N, K].
template <class T_a, class T_b, class T_out, int B, int M, int K, int N, bool TRANS>
void batch_matmul(const T_a a[B * M * K], const T_b b[B * K * N], T_out out[B * M * N]) {
Batch:
    for (int h = 0; h < B; h++) {
    Rows:
        for (int m = 0; m < M; m++) {
        Cols:
            for (int n = 0; n < N; n++) {
#pragma HLS PIPELINE II = 1
                ap_int<32> acc = 0;
            Reduce:
                for (int k = 0; k < K; k++) {
                    const int bi = TRANS ? (h * N + n) * K + k : (h * K + k) * N + n;
                    acc += ap_int<17>(a[(h * M + m) * K + k]) * ap_int<17>(b[bi]);
                }
                out[(h * M + m) * N + n] = acc;
            }
        }
    }
}

// Quasar-ViT row-wise mixed precision on DSP48E2s.  The weight arrives as R 4-bit rows
// (`nib[R, K]`): a 4-bit channel is one row, an 8-bit channel two (its signed high nibble with
// shift 4, its unsigned low nibble with shift 0), R padded to a multiple of F with zero rows.
// F rows x one activation per multiply (F = 1..3, lanes S apart), accumulated per lane outside
// the DSP (exact for any K), then out[n] = bias[n] + sum over n's rows of (lane sum << shift).
template <class T_a, class T_b, class T_out, int M, int K, int R, int N, int F, int S>
void dense_packed(const T_a a[M * K], const int8_t nib[R * K], const uint16_t chan[R], const uint8_t shift[R],
                  const T_b bias[N], T_out out[M * N]) {
#pragma HLS ARRAY_PARTITION variable = nib cyclic factor = F
Rows:
    for (int m = 0; m < M; m++) {
        ap_int<40> acc[N];  // wider than int32: the high-nibble partial sums are x16
#pragma HLS ARRAY_PARTITION variable = acc complete
    Init:
        for (int n = 0; n < N; n++) acc[n] = ap_int<40>(bias[n]);
    Groups:
        for (int g = 0; g < R / F; g++) {
            ap_int<32> lane_acc[F];
        Zero:
            for (int f = 0; f < F; f++) lane_acc[f] = 0;
        Reduce:
            for (int k = 0; k < K; k++) {
#pragma HLS PIPELINE II = 1
                nibble_t w[F];
                for (int f = 0; f < F; f++) w[f] = nibble_t(nib[(g * F + f) * K + k]);
                lane_t lanes[F];
                dsp_mul_nibbles<F, S>(w, bport_t(a[m * K + k]), lanes);
                for (int f = 0; f < F; f++) lane_acc[f] += lanes[f];
            }
        Scatter:
            for (int f = 0; f < F; f++) {
                const int r = g * F + f;
                acc[chan[r]] += ap_int<40>(lane_acc[f]) << shift[r];
            }
        }
    Store:
        for (int n = 0; n < N; n++) out[m * N + n] = acc[n];
    }
}

// Packing factor 4: two 4-bit rows x two activation rows (m, m + 1) per multiply, 6-bit
// activations; an odd last row pairs with a zero row whose lanes are dropped.
template <class T_a, class T_b, class T_out, int M, int K, int R, int N, int S>
void dense_packed_2x2(const T_a a[M * K], const int8_t nib[R * K], const uint16_t chan[R], const uint8_t shift[R],
                      const T_b bias[N], T_out out[M * N]) {
RowPairs:
    for (int m = 0; m < M; m += 2) {
        const bool pair = m + 1 < M;
        ap_int<40> acc0[N], acc1[N];
#pragma HLS ARRAY_PARTITION variable = acc0 complete
#pragma HLS ARRAY_PARTITION variable = acc1 complete
    Init:
        for (int n = 0; n < N; n++) {
            acc0[n] = ap_int<40>(bias[n]);
            acc1[n] = ap_int<40>(bias[n]);
        }
    Groups:
        for (int g = 0; g < R / 2; g++) {
            ap_int<32> s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        Reduce:
            for (int k = 0; k < K; k++) {
#pragma HLS PIPELINE II = 1
                lane_t lanes[4];
                const ap_int<7> a0 = a[m * K + k];
                const ap_int<7> a1 = pair ? ap_int<7>(a[(m + 1) * K + k]) : ap_int<7>(0);
                dsp_mul_2x2<S>(nibble_t(nib[(2 * g) * K + k]), nibble_t(nib[(2 * g + 1) * K + k]), a0, a1, lanes);
                s00 += lanes[0];
                s01 += lanes[1];
                s10 += lanes[2];
                s11 += lanes[3];
            }
            acc0[chan[2 * g]] += ap_int<40>(s00) << shift[2 * g];
            acc0[chan[2 * g + 1]] += ap_int<40>(s01) << shift[2 * g + 1];
            acc1[chan[2 * g]] += ap_int<40>(s10) << shift[2 * g];
            acc1[chan[2 * g + 1]] += ap_int<40>(s11) << shift[2 * g + 1];
        }
    Store:
        for (int n = 0; n < N; n++) {
            out[m * N + n] = acc0[n];
            if (pair) out[(m + 1) * N + n] = acc1[n];
        }
    }
}

}  // namespace intvit_nnet

#endif
