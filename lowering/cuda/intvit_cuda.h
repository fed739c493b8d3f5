// intvit cuda-dp4a runtime header: the one place that differs between nvcc and the host
// emulator.  Generated kernels (model.cu) use only what is defined here, so the SAME kernel
// source runs on an NVIDIA GPU (nvcc) and on a CPU (g++ -x c++), bit for bit.
//
// Emulation (no __CUDACC__): every CUDA thread of a block is a fiber with its own stack
// (locals are per thread, as on the GPU); __syncthreads() is a real barrier: a fiber yields
// until every live fiber of its block has arrived.  mma.sync is warp-collective: each lane
// deposits its fragments, waits at a warp barrier, computes its own D from the deposited
// fragments (the PTX ISA fragment layout), and waits again before the staging is reused.
// Blocks run one after another; __shared__ is a static (one copy serves each block in turn).
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>

// ---- exact MLIR arith semantics (signless integers stored in signed C types) --------------
#define INTVIT_HD __host__ __device__ __forceinline__
#ifndef __CUDACC__
#undef INTVIT_HD
#define INTVIT_HD static inline
#endif

namespace iv {
template <typename T> struct U;
template <> struct U<bool> { typedef bool t; };
template <> struct U<int8_t> { typedef uint8_t t; };
template <> struct U<int16_t> { typedef uint16_t t; };
template <> struct U<int32_t> { typedef uint32_t t; };
template <> struct U<int64_t> { typedef uint64_t t; };
// 32-bit and narrower arithmetic goes through uint32_t (no promotion to signed int overflow)
template <typename T> struct W { typedef uint32_t t; };
template <> struct W<int64_t> { typedef uint64_t t; };

template <typename T> INTVIT_HD T addi(T a, T b) { typedef typename W<T>::t w; return (T)(w)((w)(typename U<T>::t)a + (w)(typename U<T>::t)b); }
template <typename T> INTVIT_HD T subi(T a, T b) { typedef typename W<T>::t w; return (T)(w)((w)(typename U<T>::t)a - (w)(typename U<T>::t)b); }
template <typename T> INTVIT_HD T muli(T a, T b) { typedef typename W<T>::t w; return (T)(w)((w)(typename U<T>::t)a * (w)(typename U<T>::t)b); }
template <typename T> INTVIT_HD T divsi(T a, T b) { return (T)(a / b); }
template <typename T> INTVIT_HD T remsi(T a, T b) { return (T)(a % b); }
template <typename T> INTVIT_HD T divui(T a, T b) { typedef typename U<T>::t u; return (T)(u)((u)a / (u)b); }
template <typename T> INTVIT_HD T remui(T a, T b) { typedef typename U<T>::t u; return (T)(u)((u)a % (u)b); }
template <typename T> INTVIT_HD T floordivsi(T a, T b) {
  T q = (T)(a / b);
  return ((a % b) != 0 && ((a < 0) != (b < 0))) ? (T)(q - 1) : q;
}
template <typename T> INTVIT_HD T ceildivsi(T a, T b) {
  T q = (T)(a / b);
  return ((a % b) != 0 && ((a < 0) == (b < 0))) ? (T)(q + 1) : q;
}
// A shift by >= the width is poison in MLIR; the lowering never emits one.  Here it is made
// deterministic (0, or the sign for shrsi) so that GPU and emulation still agree.
template <typename T> INTVIT_HD T shli(T a, T b) {
  typedef typename U<T>::t u; typedef typename W<T>::t w;
  return ((u)b >= sizeof(T) * 8) ? (T)0 : (T)(w)((w)(u)a << (u)b);
}
template <typename T> INTVIT_HD T shrui(T a, T b) {
  typedef typename U<T>::t u;
  return ((u)b >= sizeof(T) * 8) ? (T)0 : (T)(u)((u)a >> (u)b);
}
template <typename T> INTVIT_HD T shrsi(T a, T b) {
  typedef typename U<T>::t u;
  return ((u)b >= sizeof(T) * 8) ? (T)(a < 0 ? -1 : 0) : (T)(a >> (u)b);
}
template <typename T> INTVIT_HD T maxsi(T a, T b) { return a > b ? a : b; }
template <typename T> INTVIT_HD T minsi(T a, T b) { return a < b ? a : b; }
template <typename T> INTVIT_HD T maxui(T a, T b) { typedef typename U<T>::t u; return (u)a > (u)b ? a : b; }
template <typename T> INTVIT_HD T minui(T a, T b) { typedef typename U<T>::t u; return (u)a < (u)b ? a : b; }
template <typename T> INTVIT_HD bool ult(T a, T b) { typedef typename U<T>::t u; return (u)a < (u)b; }
template <typename T> INTVIT_HD bool ule(T a, T b) { typedef typename U<T>::t u; return (u)a <= (u)b; }
template <typename T> INTVIT_HD bool ugt(T a, T b) { typedef typename U<T>::t u; return (u)a > (u)b; }
template <typename T> INTVIT_HD bool uge(T a, T b) { typedef typename U<T>::t u; return (u)a >= (u)b; }
template <typename D, typename S> INTVIT_HD D extui(S a) { return (D)(typename U<S>::t)a; }
template <typename D, typename S> INTVIT_HD D extsi(S a) { return (D)a; }
template <typename D> INTVIT_HD D extsi1(bool a) { return a ? (D)-1 : (D)0; }
template <typename D, typename S> INTVIT_HD D trunci(S a) { return (D)(typename U<D>::t)(typename U<S>::t)a; }
template <typename D> INTVIT_HD bool trunc1(D a) { return ((typename U<D>::t)a & 1u) != 0; }
// MLIR maxnumf/minnumf: the non-NaN operand wins (IEEE maxNum), as fmax/fmin
INTVIT_HD double maxnumf(double a, double b) { return fmax(a, b); }
INTVIT_HD double minnumf(double a, double b) { return fmin(a, b); }
INTVIT_HD float maxnumf(float a, float b) { return fmaxf(a, b); }
INTVIT_HD float minnumf(float a, float b) { return fminf(a, b); }
INTVIT_HD double roundeven(double a) { return rint(a); }   // default rounding: to nearest, ties even
INTVIT_HD float roundeven(float a) { return rintf(a); }
}  // namespace iv

#ifdef __CUDACC__
// ---------------------------------------------------------------------------------- nvcc --
#include <cuda_runtime.h>
#define IV_GLOBAL __global__
#define IV_SHARED __shared__
#define IV_LAUNCH(kernel, grid, block, ...) kernel<<<(grid), (block), 0, iv_stream>>>(__VA_ARGS__)
// a kernel without __syncthreads: the same launch on a GPU (the emulator skips the fibers)
#define IV_LAUNCH_FLAT IV_LAUNCH
static cudaStream_t iv_stream = 0;
// s8 x s8 and the mixed-sign forms of dp4a (CUDA has no mixed overload: inline PTX)
__device__ __forceinline__ int iv_dp4a_ss(int a, int b, int c) { return __dp4a(a, b, c); }
__device__ __forceinline__ int iv_dp4a_us(int a, int b, int c) {
  int d; asm("dp4a.u32.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c)); return d; }
__device__ __forceinline__ int iv_dp4a_su(int a, int b, int c) {
  int d; asm("dp4a.s32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c)); return d; }
__device__ __forceinline__ int iv_dp4a_uu(int a, int b, int c) {
  int d; asm("dp4a.u32.u32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c)); return d; }
#define IV_MMA(AT, BT)                                                                             \
  __device__ __forceinline__ void iv_mma_##AT##BT(int d[4], const int a[4], const int b[2], const int c[4]) { \
    asm volatile("mma.sync.aligned.m16n8k32.row.col.s32." #AT "8." #BT "8.s32 "                      \
                 "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"                         \
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])                                   \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),                \
                   "r"(c[0]), "r"(c[1]), "r"(c[2]), "r"(c[3])); }
#if __CUDA_ARCH__ >= 800 || !defined(__CUDA_ARCH__)
IV_MMA(s, s) IV_MMA(u, s) IV_MMA(s, u) IV_MMA(u, u)
#endif
static inline int iv_alloc(void** p, size_t n) { return cudaMalloc(p, n ? n : 1) != cudaSuccess; }
static inline void iv_free(void* p) { cudaFree(p); }
static inline int iv_to_device(void* d, const void* h, size_t n) { return cudaMemcpyAsync(d, h, n, cudaMemcpyHostToDevice, iv_stream) != cudaSuccess; }
static inline int iv_to_host(void* h, const void* d, size_t n) { return cudaMemcpyAsync(h, d, n, cudaMemcpyDeviceToHost, iv_stream) != cudaSuccess; }
static inline int iv_device_copy(void* d, const void* s, size_t n) { return cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, iv_stream) != cudaSuccess; }
static inline int iv_finish(void) { return cudaStreamSynchronize(iv_stream) != cudaSuccess || cudaGetLastError() != cudaSuccess; }
#define IV_MAX_GRID 65535
// the harness's timer: CUDA events on the stream
struct iv_timer {
  cudaEvent_t a, b;
  iv_timer() { cudaEventCreate(&a); cudaEventCreate(&b); }
  ~iv_timer() { cudaEventDestroy(a); cudaEventDestroy(b); }
  void start() { cudaEventRecord(a, iv_stream); }
  float stop_ms() {
    cudaEventRecord(b, iv_stream);
    cudaEventSynchronize(b);
    float t = 0.f;
    cudaEventElapsedTime(&t, a, b);
    return t;
  }
};
static inline int iv_device_name(char* name, int n) {
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) return 1;
  snprintf(name, (size_t)n, "%s", p.name);
  return 0;
}
#else
// ------------------------------------------------------------------------- host emulation --
#include "intvit_cuda_emu.h"
#endif

// ---- shared by both builds -------------------------------------------------------------------
static inline unsigned iv_blocks(long long n, int threads) {
  long long b = (n + threads - 1) / threads;
  return (unsigned)(b < 1 ? 1 : (b > IV_MAX_GRID ? IV_MAX_GRID : b));
}
static inline unsigned iv_rows(long long rows) {
  return (unsigned)(rows < 1 ? 1 : (rows > IV_MAX_GRID ? IV_MAX_GRID : rows));
}
