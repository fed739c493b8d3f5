// Data movement the frontend leaves outside intvit: transposes, slices, copies.  Reshapes
// (collapse/expand) are free: every tensor is a flat row-major array.
#ifndef INTVIT_NNET_SHAPE_H_
#define INTVIT_NNET_SHAPE_H_

namespace intvit_nnet {

template <class T_in, class T_out, int SIZE>
void copy(const T_in in[SIZE], T_out out[SIZE]) {
Elements:
    for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II = 1
        out[i] = T_out(in[i]);
    }
}

// out = in.transpose(perm): out dim d has size in_shape[perm[d]].
template <class T_in, class T_out, int RANK, int SIZE>
void transpose(const T_in in[SIZE], T_out out[SIZE], const int in_shape[RANK], const int perm[RANK]) {
    int in_stride[RANK];
    in_stride[RANK - 1] = 1;
    for (int d = RANK - 2; d >= 0; d--) in_stride[d] = in_stride[d + 1] * in_shape[d + 1];
Elements:
    for (int o = 0; o < SIZE; o++) {
#pragma HLS PIPELINE II = 1
        int rest = o, src = 0;
        for (int d = RANK - 1; d >= 0; d--) {
            const int extent = in_shape[perm[d]];
            src += (rest % extent) * in_stride[perm[d]];
            rest /= extent;
        }
        out[o] = T_out(in[src]);
    }
}

// The flat index in a tensor of shape `shape` of element `i` of the strided slice
// (offsets, sizes, strides): shared by extract_slice and insert_slice.
template <int RANK>
inline int slice_index(int i, const int shape[RANK], const int offsets[RANK], const int sizes[RANK],
                       const int strides[RANK]) {
#pragma HLS INLINE
    int rest = i, flat = 0, stride = 1;
    for (int d = RANK - 1; d >= 0; d--) {
        flat += (offsets[d] + (rest % sizes[d]) * strides[d]) * stride;
        rest /= sizes[d];
        stride *= shape[d];
    }
    return flat;
}

template <class T_in, class T_out, int RANK, int IN_SIZE, int OUT_SIZE>
void extract_slice(const T_in in[IN_SIZE], T_out out[OUT_SIZE], const int shape[RANK], const int offsets[RANK],
                   const int sizes[RANK], const int strides[RANK]) {
Elements:
    for (int i = 0; i < OUT_SIZE; i++) {
#pragma HLS PIPELINE II = 1
        out[i] = T_out(in[slice_index<RANK>(i, shape, offsets, sizes, strides)]);
    }
}

// dest (already holding the destination tensor) gets src written into the slice.
template <class T_src, class T_dest, int RANK, int SRC_SIZE, int DEST_SIZE>
void insert_slice(const T_src src[SRC_SIZE], T_dest dest[DEST_SIZE], const int shape[RANK], const int offsets[RANK],
                  const int sizes[RANK], const int strides[RANK]) {
Elements:
    for (int i = 0; i < SRC_SIZE; i++) {
#pragma HLS PIPELINE II = 1
        dest[slice_index<RANK>(i, shape, offsets, sizes, strides)] = T_dest(src[i]);
    }
}

}  // namespace intvit_nnet

#endif
