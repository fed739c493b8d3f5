// Host emulation of the CUDA built-ins the generated kernels use (included by intvit_cuda.h
// when not compiled by nvcc).  Threads of a block are fibers on one OS thread: a hand-written
// x86-64 context switch (no signal-mask syscalls, unlike swapcontext), so barriers are cheap.
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <chrono>
#include <functional>
#include <vector>

#define __host__
#define __device__
#define __forceinline__
#define IV_GLOBAL static
#define IV_SHARED static
#define IV_MAX_GRID 64   // grid-stride kernels need no more blocks on a CPU

#if !defined(__x86_64__)
#error "intvit cuda emulation: the fiber switch is written for x86-64"
#endif

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace iv_emu {
enum State { RUNNABLE, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };
struct Fiber {
  void* sp = nullptr;
  State state = RUNNABLE;
  dim3 tid;
  unsigned linear = 0;
};
struct Block {
  std::vector<Fiber> fibers;
  std::vector<char> stacks;
  void* scheduler_sp = nullptr;
  Fiber* current = nullptr;
  const std::function<void()>* body = nullptr;
  dim3 block_idx, block_dim, grid_dim;
  // mma.sync staging: per warp, per lane: a[4], b[2], c[4]
  std::vector<int> mma_stage;
};
static const size_t STACK_BYTES = 64 * 1024;
static thread_local Block* blk = nullptr;

extern "C" void iv_emu_switch(void** save_sp, void* load_sp);
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".weak iv_emu_switch\n"
    ".type iv_emu_switch,@function\n"
    "iv_emu_switch:\n"
    "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rsp, (%rdi)\n"
    "  movq %rsi, %rsp\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
    "  ret\n"
    ".size iv_emu_switch, .-iv_emu_switch\n");

static inline void yield_to_scheduler() { iv_emu_switch(&blk->current->sp, blk->scheduler_sp); }

static inline void fiber_entry() {
  (*blk->body)();
  blk->current->state = DONE;
  yield_to_scheduler();
  abort();  // a finished fiber is never resumed
}

static inline void prepare(Fiber& f, char* stack_base) {
  uintptr_t top = ((uintptr_t)(stack_base + STACK_BYTES)) & ~(uintptr_t)15;
  void** sp = (void**)(top - 16);            // ret address at a 16-byte boundary: entry sees rsp%16==8
  sp[0] = (void*)&fiber_entry;
  sp[1] = nullptr;
  sp -= 6;                                   // r15 r14 r13 r12 rbx rbp
  for (int i = 0; i < 6; ++i) sp[i] = nullptr;
  f.sp = sp;
  f.state = RUNNABLE;
}

// Release the fibers of one barrier kind once every live fiber of the group has arrived.
static inline bool release_block_barrier(Block& b) {
  for (auto& f : b.fibers)
    if (f.state == RUNNABLE || f.state == AT_WARP_BARRIER) return false;
  bool any = false;
  for (auto& f : b.fibers)
    if (f.state == AT_BLOCK_BARRIER) { f.state = RUNNABLE; any = true; }
  return any;
}
static inline bool release_warp_barriers(Block& b) {
  bool any = false;
  size_t n = b.fibers.size();
  for (size_t w = 0; w < n; w += 32) {
    size_t end = w + 32 < n ? w + 32 : n;
    bool all = true, some = false;
    for (size_t i = w; i < end; ++i) {
      State s = b.fibers[i].state;
      if (s == RUNNABLE || s == AT_BLOCK_BARRIER) all = false;
      if (s == AT_WARP_BARRIER) some = true;
    }
    if (all && some) {
      for (size_t i = w; i < end; ++i) if (b.fibers[i].state == AT_WARP_BARRIER) b.fibers[i].state = RUNNABLE;
      any = true;
    }
  }
  return any;
}

static inline void run_block(Block& b) {
  for (;;) {
    bool ran = false;
    for (auto& f : b.fibers) {
      if (f.state != RUNNABLE) continue;
      b.current = &f;
      iv_emu_switch(&b.scheduler_sp, f.sp);
      ran = true;
    }
    bool all_done = true;
    for (auto& f : b.fibers) all_done = all_done && f.state == DONE;
    if (all_done) return;
    if (!ran && !release_warp_barriers(b) && !release_block_barrier(b)) {
      // every live fiber waits at a barrier that can never complete: the kernel is wrong
      abort();
    }
    if (ran) { release_warp_barriers(b); release_block_barrier(b); }
  }
}

static inline void launch(dim3 grid, dim3 block, const std::function<void()>& body) {
  static thread_local Block b;
  Block* saved = blk;
  blk = &b;
  size_t threads = (size_t)block.x * block.y * block.z;
  if (b.stacks.size() < threads * STACK_BYTES) b.stacks.resize(threads * STACK_BYTES);
  b.fibers.assign(threads, Fiber());
  b.mma_stage.assign(((threads + 31) / 32) * 32 * 10, 0);
  b.body = &body;
  b.block_dim = block;
  b.grid_dim = grid;
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        b.block_idx = dim3(bx, by, bz);
        size_t i = 0;
        for (unsigned tz = 0; tz < block.z; ++tz)
          for (unsigned ty = 0; ty < block.y; ++ty)
            for (unsigned tx = 0; tx < block.x; ++tx, ++i) {
              b.fibers[i].tid = dim3(tx, ty, tz);
              b.fibers[i].linear = (unsigned)i;
              prepare(b.fibers[i], &b.stacks[i * STACK_BYTES]);
            }
        run_block(b);
      }
  blk = saved;
}

// Kernels without barriers (the generator knows which): every thread runs to completion on
// the launching stack, one after another, with no fiber switch.
static inline void launch_flat(dim3 grid, dim3 block, const std::function<void()>& body) {
  static thread_local Block b;
  Block* saved = blk;
  blk = &b;
  b.fibers.assign(1, Fiber());
  b.body = &body;
  b.block_dim = block;
  b.grid_dim = grid;
  b.current = &b.fibers[0];
  b.current->state = DONE;   // a barrier here would be a generator bug: __syncthreads aborts
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        b.block_idx = dim3(bx, by, bz);
        unsigned i = 0;
        for (unsigned tz = 0; tz < block.z; ++tz)
          for (unsigned ty = 0; ty < block.y; ++ty)
            for (unsigned tx = 0; tx < block.x; ++tx, ++i) {
              b.current->tid = dim3(tx, ty, tz);
              b.current->linear = i;
              body();
            }
      }
  blk = saved;
}

static inline void warp_barrier() { blk->current->state = AT_WARP_BARRIER; yield_to_scheduler(); }
}  // namespace iv_emu

#define threadIdx (iv_emu::blk->current->tid)
#define blockIdx (iv_emu::blk->block_idx)
#define blockDim (iv_emu::blk->block_dim)
#define gridDim (iv_emu::blk->grid_dim)
static inline void __syncthreads() {
  if (iv_emu::blk->current->state == iv_emu::DONE) abort();   // IV_LAUNCH_FLAT kernel with a barrier
  iv_emu::blk->current->state = iv_emu::AT_BLOCK_BARRIER;
  iv_emu::yield_to_scheduler();
}
#define IV_LAUNCH(kernel, grid, block, ...) iv_emu::launch(dim3(grid), dim3(block), [&]() { kernel(__VA_ARGS__); })
#define IV_LAUNCH_FLAT(kernel, grid, block, ...) \
  iv_emu::launch_flat(dim3(grid), dim3(block), [&]() { kernel(__VA_ARGS__); })

// ---- dp4a: four 8-bit products summed into c, wrapping in 32 bits (no saturation) -------
template <bool AS, bool BS> static inline int iv_dp4a(int a, int b, int c) {
  uint32_t acc = (uint32_t)c;
  for (int i = 0; i < 4; ++i) {
    uint32_t ab = ((uint32_t)a >> (8 * i)) & 0xffu, bb = ((uint32_t)b >> (8 * i)) & 0xffu;
    int32_t x = AS ? (int32_t)(int8_t)ab : (int32_t)ab;
    int32_t y = BS ? (int32_t)(int8_t)bb : (int32_t)bb;
    acc += (uint32_t)(x * y);
  }
  return (int)acc;
}
static inline int iv_dp4a_ss(int a, int b, int c) { return iv_dp4a<true, true>(a, b, c); }
static inline int iv_dp4a_us(int a, int b, int c) { return iv_dp4a<false, true>(a, b, c); }
static inline int iv_dp4a_su(int a, int b, int c) { return iv_dp4a<true, false>(a, b, c); }
static inline int iv_dp4a_uu(int a, int b, int c) { return iv_dp4a<false, false>(a, b, c); }

// ---- mma.sync.aligned.m16n8k32.row.col.s32.{s8,u8}.{s8,u8}.s32 (PTX ISA fragment layout) --
// lane = 4 * group + t.  A (16x32, row): a[0] row g, k 4t..4t+3; a[1] row g+8, k 4t..;
// a[2] row g, k 16+4t..; a[3] row g+8, k 16+4t..  B (32x8, col): b[0] col g, k 4t..4t+3;
// b[1] col g, k 16+4t..  C/D: c[0], c[1] row g, cols 2t, 2t+1; c[2], c[3] row g+8.
template <bool AS, bool BS>
static inline void iv_mma(int d[4], const int a[4], const int b[2], const int c[4]) {
  using namespace iv_emu;
  unsigned lane_linear = blk->current->linear;
  unsigned warp = lane_linear / 32, lane = lane_linear % 32;
  int* stage = &blk->mma_stage[(size_t)warp * 32 * 10];
  memcpy(stage + lane * 10, a, 16);
  memcpy(stage + lane * 10 + 4, b, 8);
  memcpy(stage + lane * 10 + 6, c, 16);
  warp_barrier();
  auto a_at = [&](int row, int k) {
    int g = row % 8, half = row / 8, t = (k % 16) / 4, hi = k / 16;
    uint32_t word = (uint32_t)stage[(4 * g + t) * 10 + half + 2 * hi];
    uint32_t byte = (word >> (8 * (k % 4))) & 0xffu;
    return AS ? (int32_t)(int8_t)byte : (int32_t)byte;
  };
  auto b_at = [&](int k, int col) {
    int t = (k % 16) / 4, hi = k / 16;
    uint32_t word = (uint32_t)stage[(4 * col + t) * 10 + 4 + hi];
    uint32_t byte = (word >> (8 * (k % 4))) & 0xffu;
    return BS ? (int32_t)(int8_t)byte : (int32_t)byte;
  };
  int g = lane / 4, t = lane % 4;
  int out[4];
  for (int i = 0; i < 4; ++i) {
    int row = g + 8 * (i / 2), col = 2 * t + (i % 2);
    uint32_t acc = (uint32_t)stage[lane * 10 + 6 + i];
    for (int k = 0; k < 32; ++k) acc += (uint32_t)(a_at(row, k) * b_at(k, col));
    out[i] = (int)acc;
  }
  warp_barrier();   // every lane has read the staging before any lane overwrites it
  memcpy(d, out, 16);
}
static inline void iv_mma_ss(int d[4], const int a[4], const int b[2], const int c[4]) { iv_mma<true, true>(d, a, b, c); }
static inline void iv_mma_us(int d[4], const int a[4], const int b[2], const int c[4]) { iv_mma<false, true>(d, a, b, c); }
static inline void iv_mma_su(int d[4], const int a[4], const int b[2], const int c[4]) { iv_mma<true, false>(d, a, b, c); }
static inline void iv_mma_uu(int d[4], const int a[4], const int b[2], const int c[4]) { iv_mma<false, false>(d, a, b, c); }

// ---- memory: the device is the host --------------------------------------------------------
static inline int iv_alloc(void** p, size_t n) { *p = calloc(n ? n : 1, 1); return *p == nullptr; }
static inline void iv_free(void* p) { free(p); }
static inline int iv_to_device(void* d, const void* h, size_t n) { memcpy(d, h, n); return 0; }
static inline int iv_to_host(void* h, const void* d, size_t n) { memcpy(h, d, n); return 0; }
static inline int iv_device_copy(void* d, const void* s, size_t n) { memmove(d, s, n); return 0; }
static inline int iv_finish(void) { return 0; }
static inline int iv_device_name(char* name, int n) { snprintf(name, (size_t)n, "emulated"); return 0; }
struct iv_timer {
  std::chrono::steady_clock::time_point a;
  void start() { a = std::chrono::steady_clock::now(); }
  float stop_ms() { return std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - a).count(); }
};
