"""Analyses of bufferized upstream IR (`linalg`/`memref`, through the MLIR Python bindings that
torch-mlir ships) that every target needs: which generics are GEMMs, which fill initializes a
GEMM's accumulator, which elementwise consumer can run as its epilogue, which transposed copies
fold into a GEMM, and the constant weights behind a `memref.global` as numpy arrays.

They sit below the targets (`lowering/llvm_cpu/`, `lowering/cuda/`, `lowering/hls/`) and know
nothing of any of them: a target asks "is this a GEMM, and of what shape?" here and decides
itself how to emit it.
"""
