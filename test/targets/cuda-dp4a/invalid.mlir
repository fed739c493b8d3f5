// cuda-dp4a refusals: a clear located message and a non-zero exit, never a traceback.
// RUN: not intvit compile %inputs/mini_block.mlir --target cuda-dp4a --gemm vnni -o %t.a 2>&1 | filecheck %s --check-prefix=GEMM
// RUN: not intvit compile %inputs/mini_block.mlir --target cuda-dp4a --gemm mma --arch sm_75,sm_80 -o %t.b 2>&1 | filecheck %s --check-prefix=MMA75
// RUN: not intvit compile %inputs/mini_block.mlir --target cuda-dp4a --arch sm_61 -o %t.c 2>&1 | filecheck %s --check-prefix=ARCH
// RUN: not intvit compile %inputs/cuda/overflow_gemm.mlir --target cuda-dp4a --arch none -o %t.d 2>&1 | filecheck %s --check-prefix=OVERFLOW
// RUN: not intvit compile %inputs/cuda/matmul_named.mlir --target cuda-dp4a --arch none -o %t.e 2>&1 | filecheck %s --check-prefix=NAMED
// RUN: not intvit compile %inputs/cuda/unsupported_body.mlir --target cuda-dp4a --arch none -o %t.f 2>&1 | filecheck %s --check-prefix=BODY
// RUN: not intvit compile %inputs/mini_block.mlir --target llvm-cpu --gemm mma -o %t.g.so 2>&1 | filecheck %s --check-prefix=CPU

// GEMM: target 'cuda-dp4a' does not take --gemm vnni (choose from dp4a, mma)
// GEMM-NOT: Traceback
// MMA75: --gemm mma needs sm_80 or newer
// ARCH: unknown --arch sm_61
// OVERFLOW: overflow_gemm.mlir:{{[0-9]+}}:{{[0-9]+}}: error: cuda-dp4a: GEMM accumulator may overflow int32: K=140000, K*|a|max*|b|max + |init| = 2293760000 >= 2^31
// OVERFLOW-NOT: Traceback
// NAMED: matmul_named.mlir:4:3: error: cuda-dp4a: cannot compile 'linalg.matmul'
// BODY: unsupported_body.mlir:6:5: error: cuda-dp4a: no CUDA translation for 'math.absi' in a linalg.generic body
// CPU: target 'llvm-cpu' does not take --gemm mma
