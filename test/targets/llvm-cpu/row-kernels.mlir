// The `row-kernels` step: runs of generics over the same rows become one kernel that loops over
// the rows once and runs every member on the row (vectorized, masked tails, row reductions).
// RUN: %steps --step bufferize,row-kernels %S/Inputs/shiftmax_chain.mlir | filecheck %s --check-prefix=SHIFTMAX
// RUN: %steps --step bufferize,row-kernels %S/Inputs/gelu_chain.mlir | filecheck %s --check-prefix=GELU
// RUN: %steps --step bufferize,row-kernels %S/Inputs/layernorm_chain.mlir | filecheck %s --check-prefix=LAYERNORM
// RUN: %steps --step bufferize,row-kernels --elementwise scalar %S/Inputs/shiftmax_chain.mlir | filecheck %s --check-prefix=SCALAR
// RUN: %steps --step bufferize,row-kernels %S/Inputs/cross_row.mlir | filecheck %s --check-prefix=CROSS

// Shiftmax: fill, row max, exp lookup, fill, row sum, factor, output in one loop over the 4 rows.
// SHIFTMAX-LABEL: func.func private @__intvit_rows_{{[0-9a-f]+}}
// SHIFTMAX-SAME: ([[LO:%[a-z0-9]+]]: i32, [[MAX0:%[a-z0-9]+]]: memref<4xi32>, [[X:%[a-z0-9]+]]: memref<4x40xi8>, [[MAX:%[a-z0-9]+]]: memref<4xi32>,
// SHIFTMAX: scf.for [[R:%[a-z0-9]+]] = %c0 to %c4 step %c1 {
// SHIFTMAX-NEXT: memref.store [[LO]], [[MAX0]][[[R]]] : memref<4xi32>
// SHIFTMAX: [[VM:%[0-9]+]] = scf.for %{{[a-z0-9]+}} = %c0 to %c32 step %c16 iter_args(
// SHIFTMAX: arith.maxsi
// SHIFTMAX: [[TAIL:%[0-9]+]] = vector.constant_mask [8] : vector<16xi1>
// SHIFTMAX: [[ALL:%[0-9]+]] = arith.maxsi [[VM]], %{{[0-9]+}} : vector<16xi32>
// SHIFTMAX: [[M:%[0-9]+]] = vector.reduction <maxsi>, [[ALL]] : vector<16xi32> into i32
// SHIFTMAX: [[OLD:%[0-9]+]] = memref.load [[MAX]][[[R]]]
// SHIFTMAX: [[NEW:%[0-9]+]] = arith.maxsi [[OLD]], [[M]] : i32
// SHIFTMAX: memref.store [[NEW]], [[MAX]][[[R]]]
// SHIFTMAX: [[RM:%[0-9]+]] = memref.load %{{[a-z0-9]+}}[[[R]]] : memref<4xi32>
// SHIFTMAX: [[RMV:%[0-9]+]] = vector.broadcast [[RM]] : i32 to vector<16xi32>
// SHIFTMAX: [[D:%[0-9]+]] = arith.subi [[RMV]], %{{[0-9]+}} : vector<16xi32>
// SHIFTMAX: vector.gather %{{[a-z0-9]+}}[%c0] [[[D]]], %{{[0-9]+}}, %{{[a-z0-9_]+}} : memref<256xi32>, vector<16xi32>, vector<16xi1>, vector<16xi32> into vector<16xi32>
// SHIFTMAX: vector.reduction <add>
// SHIFTMAX: arith.divsi %c1073741824_i32, %{{[0-9]+}} : i32
// SHIFTMAX: arith.shrsi
// SHIFTMAX: vector.maskedstore
// SHIFTMAX: return
// SHIFTMAX-LABEL: func.func @intvit_ciface_shiftmax
// SHIFTMAX-NOT: linalg.generic
// SHIFTMAX: call @__intvit_rows_
// SHIFTMAX-NOT: linalg.generic
// SHIFTMAX-NOT: call @

// ShiftGELU: fill, row max, output with the sigmoid table gathered at (max - x).
// GELU-LABEL: func.func private @__intvit_rows_{{[0-9a-f]+}}
// GELU: scf.for [[R:%[a-z0-9]+]] = %c0 to %c4 step %c1 {
// GELU: vector.reduction <maxsi>
// GELU: [[G:%[0-9]+]] = vector.gather
// GELU: [[P:%[0-9]+]] = arith.muli %{{[0-9]+}}, [[G]] : vector<16xi32>
// GELU: [[T:%[0-9]+]] = arith.trunci [[P]] : vector<16xi32> to vector<16xi16>
// GELU: vector.store [[T]], %{{[a-z0-9]+}}[[[R]], %{{[a-z0-9]+}}] : memref<4x50xi16>, vector<16xi16>
// GELU-LABEL: func.func @intvit_ciface_gelu
// GELU-NOT: linalg.generic
// GELU: call @__intvit_rows_
// GELU-NOT: call @

// LayerNorm: row sum, mean, sum of squares around the mean, factor, output: the per-row steps
// are scalar code between the vector loops.
// LAYERNORM-LABEL: func.func private @__intvit_rows_{{[0-9a-f]+}}
// LAYERNORM: scf.for [[R:%[a-z0-9]+]] = %c0 to %c4 step %c1 {
// LAYERNORM: [[S:%[0-9]+]] = vector.reduction <add>, %{{[0-9]+}} : vector<16xi64> into i64
// LAYERNORM: [[MEAN:%[0-9]+]] = arith.divsi %{{[0-9]+}}, %c40_i64 : i64
// LAYERNORM: memref.store [[MEAN]], [[MEANBUF:%[a-z0-9]+]][[[R]]] : memref<4xi64>
// LAYERNORM: [[DD:%[0-9]+]] = arith.muli [[D:%[0-9]+]], [[D]] : vector<16xi64>
// LAYERNORM: vector.reduction <add>
// LAYERNORM: arith.divsi %c1099511627776_i64
// LAYERNORM: arith.trunci %{{[0-9]+}} : vector<16xi64> to vector<16xi32>
// LAYERNORM-LABEL: func.func @intvit_ciface_layernorm
// LAYERNORM-NOT: linalg.generic
// LAYERNORM: call @__intvit_rows_
// LAYERNORM-NOT: call @

// --elementwise scalar: the same row kernel, one element per step.
// SCALAR-LABEL: func.func private @__intvit_rows_{{[0-9a-f]+}}
// SCALAR-NOT: vector.
// SCALAR: scf.for %{{[a-z0-9]+}} = %c0 to %c40 step %c1 iter_args(
// SCALAR: memref.load %{{[a-z0-9]+}}[%{{[a-z0-9]+}}] : memref<256xi32>
// SCALAR-LABEL: func.func @intvit_ciface_shiftmax

// Must not fuse: the last generic reads the row sums of every row.
// CROSS-LABEL: func.func private @__intvit_rows_{{[0-9a-f]+}}
// CROSS: vector.reduction <add>
// CROSS-LABEL: func.func @intvit_ciface_f
// CROSS: call @__intvit_rows_
// CROSS-NEXT: linalg.generic
// CROSS-SAME: ins(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : memref<48x48xi32>, memref<48xi64>) outs(%{{[a-z0-9_]+}} : memref<48x48xi64>)
