// The step driver's refusals: one line on stderr, no traceback, a non-zero exit.
// RUN: not %steps --step nonsense %S/Inputs/dense.mlir 2>&1 | filecheck %s --check-prefix=STEP
// RUN: not %steps --step bufferize,gemm-kernels --gemm fast %S/Inputs/dense.mlir 2>&1 | filecheck %s --check-prefix=GEMM
// RUN: not %steps --step gemm-kernels --threads 0 %S/Inputs/dense.mlir 2>&1 | filecheck %s --check-prefix=THREADS
// RUN: not %steps --step gemm-kernels %S/Inputs/dense.mlir 2>&1 | filecheck %s --check-prefix=TENSORS
// RUN: not %steps --step bufferize %s 2>&1 | filecheck %s --check-prefix=PARSE
// RUN: not %steps --step bufferize %S/Inputs/no-such-file.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: not %steps %S/Inputs/dense.mlir 2>&1 | filecheck %s --check-prefix=NOSTEP

// STEP: error: argument --step: unknown step 'nonsense' (one of bufferize, fold-transposes, gemm-kernels, row-kernels, elementwise-kernels, to-llvm)
// GEMM: error: argument --gemm: invalid choice: 'fast'
// THREADS: error: argument --threads: threads must be an integer >= 1, got '0'
// TENSORS: dense.mlir: error: step gemm-kernels works on bufferized IR, but linalg.generic is on tensors (run the bufferize step first)
// TENSORS-NOT: Traceback
// PARSE: steps-invalid.mlir: error: upstream MLIR rejected the module
// PARSE-NOT: Traceback
// MISSING: error: cannot read {{.*}}no-such-file.mlir: No such file or directory
// NOSTEP: error: the following arguments are required: --step

func.func @broken(%x: i32) -> i32 {
  %y = arith.addi %x, %undefined : i32
  return %y : i32
}
