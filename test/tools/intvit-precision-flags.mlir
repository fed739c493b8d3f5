// RUN: not intvit eval --size-budget w6 2>&1 | filecheck %s --check-prefix=NEEDS
// RUN: not intvit import --size-budget 1000 -o %t.mlir 2>&1 | filecheck %s --check-prefix=NEEDS
// RUN: not intvit eval --calibration ptq4vit --size-budget w5 2>&1 | filecheck %s --check-prefix=BUDGET
// RUN: not intvit eval --act-bits 5 2>&1 | filecheck %s --check-prefix=ABITS
// RUN: not intvit import --weight-bits 3 -o %t.mlir 2>&1 | filecheck %s --check-prefix=WBITS
// RUN: not intvit eval --calibration hessian 2>&1 | filecheck %s --check-prefix=METHOD
// RUN: not intvit eval --calibration ptq4vit --granularity row 2>&1 | filecheck %s --check-prefix=GRAN
// RUN: not intvit eval --fps-budget 500 2>&1 | filecheck %s --check-prefix=FPSNEEDS
// RUN: not intvit eval --calibration ptq4vit --fps-budget 500 --size-budget w6 2>&1 | filecheck %s --check-prefix=BOTH
// RUN: not intvit import --calibration ptq4vit --fps-budget -3 -o %t.mlir 2>&1 | filecheck %s --check-prefix=FPSVAL
// RUN: not intvit import --calibration ptq4vit --fps-budget nan -o %t.mlir 2>&1 | filecheck %s --check-prefix=FPSVAL
// RUN: not intvit import --calibration ptq4vit --size-budget w6 --granularity channel -o %t.mlir 2>&1 | filecheck %s --check-prefix=GRANVAL
// The precision flags of `intvit import/eval` refuse bad values before any import work.

// NEEDS: error: --size-budget searches on PTQ4ViT's per-layer sensitivities: add --calibration ptq4vit
// NEEDS-NOT: Traceback
// BUDGET: argument --size-budget: expected BYTES (> 0) or w4|w6|w8 (the size of the all-N-bit model), got 'w5'
// ABITS: argument --act-bits: invalid choice: 5 (choose from 4, 6, 8)
// WBITS: argument --weight-bits: invalid choice: 3 (choose from 4, 6, 8)
// METHOD: argument --calibration: invalid choice: 'hessian'
// GRAN: error: --granularity row says what the search chooses: add --size-budget or --fps-budget
// FPSNEEDS: error: --fps-budget searches on PTQ4ViT's per-layer sensitivities: add --calibration ptq4vit
// BOTH: error: --size-budget and --fps-budget are two budgets for one search: give one
// FPSVAL: argument --fps-budget: expected frames per second (> 0), got
// GRAN-NOT: Traceback
// GRANVAL: argument --granularity: invalid choice: 'channel' (choose from 'layer', 'row')
