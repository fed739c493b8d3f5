// `intvit compile` for llvm-cpu: the kernel switches and line tables, and refusals.
// RUN: intvit compile %inputs/mini_block.mlir -o %t.so --json | filecheck %s --check-prefix=DEFAULT
// RUN: intvit compile %inputs/mini_block.mlir -o %t.p.so --gemm portable --elementwise scalar --threads 1 --json | filecheck %s --check-prefix=SWITCHES
// RUN: intvit compile %inputs/mini_block.mlir -o %t.l.so --gemm loops --elementwise loops --json | filecheck %s --check-prefix=LOOPS
// RUN: intvit compile %inputs/mini_block.mlir -o %t.d.so --line-info %t.lowered.mlir && filecheck %s --check-prefix=LINES < %t.lowered.mlir
// RUN: intvit run %t.p.so --random 3 --check | filecheck %s --check-prefix=EXACT
// RUN: not intvit compile %inputs/mini_block.mlir -o %t.x.so --threads 0 2>&1 | filecheck %s --check-prefix=THREADS
// RUN: not intvit compile %inputs/mini_block.mlir -o %t.x.so --gemm fast 2>&1 | filecheck %s --check-prefix=CHOICE
// RUN: sed 's/@main/@main$block/' %inputs/mini_block.mlir > %t.dollar.mlir
// RUN: not intvit compile %t.dollar.mlir -o %t.x.so 2>&1 | filecheck %s --check-prefix=SYMBOL

// DEFAULT: "target": "llvm-cpu"
// DEFAULT-SAME: "gemm_kernels": 2
// DEFAULT-SAME: "elementwise": {"vector":
// SWITCHES: "gemm": "portable"
// SWITCHES-SAME: "elementwise": {"vector": 0, "scalar": 1, "parallel": 0, "left": 0, "kernels": 4, "row_kernels": 3
// SWITCHES-SAME: "threads": 1
// LOOPS: "gemm": "loops", "gemm_kernels": 0, "elementwise": {}
// LINES: func.func @main
// LINES: linalg.generic
// EXACT: bit-exact: 0 of 20 elements differ from the golden model
// THREADS: intvit compile: error: threads must be >= 1, got 0
// THREADS-NOT: Traceback
// CHOICE: invalid choice: 'fast'
// SYMBOL: error: @main$block cannot name the C entry point intvit_main$block: a C identifier has only letters, digits and '_' (rename the function)
// SYMBOL-NOT: Traceback
