// cuda-dp4a: the generated CUDA source per kernel kind (mini block: LayerNorm, GEMMs with the
// requant fused, Shiftmax, ShiftGELU, residual add), both GEMM variants, run by the emulator.
// RUN: intvit compile %inputs/mini_block.mlir --target cuda-dp4a --arch none -o %t.dp4a --json | filecheck %s --check-prefix=REPORT
// RUN: filecheck %s --check-prefix=DP4A < %t.dp4a/model.cu
// RUN: filecheck %s --check-prefix=ROW < %t.dp4a/model.cu
// RUN: filecheck %s --check-prefix=EWISE < %t.dp4a/model.cu
// RUN: filecheck %s --check-prefix=HOST < %t.dp4a/model.cu
// RUN: intvit run %t.dp4a --random 3 --check | filecheck %s --check-prefix=EXACT
// RUN: intvit compile %inputs/mini_block.mlir --target cuda-dp4a --gemm mma --arch none -o %t.mma
// RUN: filecheck %s --check-prefix=MMA < %t.mma/model.cu
// RUN: intvit run %t.mma --random 4 --check | filecheck %s --check-prefix=EXACT

// REPORT: "target": "cuda-dp4a"
// REPORT-SAME: "gemm": "dp4a", "kernels": {"elementwise": {{[0-9]+}}, "row": 5, "gemm_dp4a+epilogue": 2}
// REPORT-SAME: "accumulator_bounds": [{"k": 8, "bound": 131152, "init": "constant"}

// DP4A-LABEL: IV_GLOBAL void gemm_dp4a_{{[0-9]+}}(const int8_t* __restrict__ A, const int8_t* __restrict__ B, const int32_t* __restrict__ C
// DP4A: const int* __restrict__ Bw = (const int*)B;
// DP4A: IV_SHARED int As[64][9];
// DP4A: __syncthreads();
// DP4A: acc[i][j] = iv_dp4a_ss(a[i], b[j], acc[i][j]);
// DP4A: const int32_t total = iv::addi<int32_t>(C[o], acc[i][j]);
// DP4A: iv::muli<int64_t>
// DP4A: iv::shrsi<int64_t>
// DP4A: out[o] = e{{[0-9]+}};

// ROW-LABEL: IV_GLOBAL void row_{{[0-9]+}}(
// ROW: IV_SHARED int64_t red[{{[0-9]+}}];
// ROW: for (int64_t row = blockIdx.x; row < INT64_C(5); row += gridDim.x) {
// ROW: for (int64_t r = threadIdx.x; r < INT64_C(8); r += blockDim.x) {
// ROW: red[threadIdx.x] = acc;
// ROW: __syncthreads();
// ROW: for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {

// EWISE-LABEL: IV_GLOBAL void ewise_{{[0-9]+}}(const float* __restrict__ in0, int8_t* __restrict__ out) {
// EWISE: lin += (int64_t)gridDim.x * blockDim.x
// EWISE: const double v2 = (double)(v0 / v1);
// EWISE: iv::roundeven(
// EWISE: iv::maxnumf(

// HOST-LABEL: extern "C" int intvit_run(const void* const* in, void* const* out) {
// HOST: IV_LAUNCH_FLAT(ewise_{{[0-9]+}}, iv_blocks(40, 256), 256,
// HOST: IV_LAUNCH(gemm_dp4a_{{[0-9]+}}, dim3(1, 1, 1), 256,
// HOST: return iv_finish() ? 1 : 0;

// MMA-LABEL: IV_GLOBAL void gemm_mma_{{[0-9]+}}(
// MMA: const int wm = (warp / 2) * 32, wn = (warp % 2) * 32, grp = lane / 4, tig = lane % 4;
// MMA: fa[mi][0] = As[r][tig]; fa[mi][1] = As[r + 8][tig];
// MMA: iv_mma_ss(acc[mi][ni], fa[mi], fb[ni], acc[mi][ni]);
// MMA: IV_LAUNCH(gemm_mma_{{[0-9]+}}, dim3(1, 1, 1), 128,

// EXACT: bit-exact: 0 of 20 elements differ from the golden model
