// cuda-dp4a: batched GEMMs with leading (batch, head) dims, as attention lowers: Q K^T with its
// requant fused, u8 x s8 probabilities x V through dp4a.u32.s32 and mma u8.s8; run exactly.
// RUN: intvit compile %inputs/cuda/batched_gemm.mlir --target cuda-dp4a --arch none -o %t.d --json | filecheck %s --check-prefix=REPORT
// RUN: filecheck %s --check-prefix=DP4A < %t.d/model.cu
// RUN: intvit run %t.d --random 5 --check | filecheck %s --check-prefix=EXACT
// RUN: intvit compile %inputs/cuda/batched_gemm.mlir --target cuda-dp4a --gemm mma --arch none -o %t.m
// RUN: filecheck %s --check-prefix=MMA < %t.m/model.cu
// RUN: intvit run %t.m --random 6 --check | filecheck %s --check-prefix=EXACT

// REPORT: "kernels": {"elementwise": {{[0-9]+}}, "gemm_dp4a+epilogue": 1, "row": 2, "gemm_dp4a": 1}

// DP4A-LABEL: IV_GLOBAL void gemm_dp4a_{{[0-9]+}}(
// DP4A: const int64_t i1 = rest_bz % 3; rest_bz /= 3;
// DP4A: const int64_t a_base = i0 * 816 + i1 * 272;
// DP4A: iv_dp4a_ss(
// DP4A: iv::shrsi<int64_t>
// DP4A-LABEL: IV_GLOBAL void gemm_dp4a_{{[0-9]+}}(
// DP4A: iv_dp4a_us(
// DP4A: IV_LAUNCH(gemm_dp4a_{{[0-9]+}}, dim3(1, 1, 6), 256,

// MMA: iv_mma_ss(
// MMA: iv_mma_us(

// EXACT: bit-exact: 0 of 3366 elements differ from the golden model
