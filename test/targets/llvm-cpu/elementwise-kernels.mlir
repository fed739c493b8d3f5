// The `elementwise-kernels` step: every generic the translator knows becomes a 16-lane kernel
// (the body op for op on vectors), row by row; tails are masked.
// RUN: %steps --step bufferize,elementwise-kernels %S/Inputs/elementwise.mlir | filecheck %s
// RUN: %steps --step bufferize,elementwise-kernels --elementwise scalar %S/Inputs/elementwise.mlir | filecheck %s --check-prefix=SCALAR
// RUN: %steps --step bufferize,elementwise-kernels --threads 2 %S/Inputs/elementwise.mlir | filecheck %s --check-prefix=THREADS

// Per-channel requant: the per-column multiplier is loaded as a vector beside the input.
// CHECK-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// CHECK-SAME: ([[X:%[a-z0-9]+]]: memref<4x37xi32>, [[M:%[a-z0-9]+]]: memref<37xi32>, [[O:%[a-z0-9]+]]: memref<4x37xi8>)
// CHECK: [[SH:%[0-9]+]] = vector.broadcast %c38_i64 : i64 to vector<16xi64>
// CHECK: scf.for [[R:%[a-z0-9]+]] = %c0 to %c4 step %c1 {
// CHECK: scf.for [[J:%[a-z0-9]+]] = %c0 to %c32 step %c16 {
// CHECK: [[V:%[0-9]+]] = vector.load [[X]][[[R]], [[J]]] : memref<4x37xi32>, vector<16xi32>
// CHECK: [[MV:%[0-9]+]] = vector.load [[M]][[[J]]] : memref<37xi32>, vector<16xi32>
// CHECK: [[VW:%[0-9]+]] = arith.extsi [[V]] : vector<16xi32> to vector<16xi64>
// CHECK: [[MW:%[0-9]+]] = arith.extsi [[MV]] : vector<16xi32> to vector<16xi64>
// CHECK: [[P:%[0-9]+]] = arith.muli [[VW]], [[MW]] : vector<16xi64>
// CHECK: arith.shrsi [[P]], [[SH]] : vector<16xi64>
// CHECK: vector.store %{{[0-9]+}}, [[O]][[[R]], [[J]]] : memref<4x37xi8>, vector<16xi8>
// CHECK: [[TAIL:%[0-9]+]] = vector.constant_mask [5] : vector<16xi1>
// CHECK: vector.maskedload [[X]][[[R]], %c32], [[TAIL]]
// CHECK: vector.maskedstore [[O]][[[R]], %c32], [[TAIL]], %{{[0-9]+}} : memref<4x37xi8>, vector<16xi1>, vector<16xi8>

// A table lookup: a gather, masked in the tail.
// CHECK-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// CHECK-SAME: ([[T:%[a-z0-9]+]]: memref<37xi32>, [[O:%[a-z0-9]+]]: memref<37xi32>, [[TABLE:%[a-z0-9]+]]: memref<64xi32>)
// CHECK: [[ALL:%[0-9]+]] = vector.constant_mask [16] : vector<16xi1>
// CHECK: [[I:%[0-9]+]] = arith.andi
// CHECK: [[G:%[0-9]+]] = vector.gather [[TABLE]][%c0] [[[I]]], [[ALL]], %{{[a-z0-9_]+}} : memref<64xi32>, vector<16xi32>, vector<16xi1>, vector<16xi32> into vector<16xi32>
// CHECK: vector.store [[G]], [[O]]
// CHECK: [[TM:%[0-9]+]] = vector.constant_mask [5] : vector<16xi1>
// CHECK: vector.gather [[TABLE]][%c0] [%{{[0-9]+}}], [[TM]]

// A division: in the masked tail the dead lanes divide by one.
// CHECK-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// CHECK: [[ONE:%[a-z0-9_]+]] = arith.constant dense<1> : vector<16xi64>
// CHECK: arith.divsi %{{[0-9]+}}, %{{[0-9]+}} : vector<16xi64>
// CHECK: [[DM:%[0-9]+]] = vector.constant_mask [5] : vector<16xi1>
// CHECK: [[DIVIDEND:%[0-9]+]] = vector.maskedload %{{[a-z0-9]+}}[%c32], [[DM]]
// CHECK: [[DIVISOR:%[0-9]+]] = vector.maskedload %{{[a-z0-9]+}}[%c32], [[DM]]
// CHECK: [[SAFE:%[0-9]+]] = arith.select [[DM]], [[DIVISOR]], [[ONE]] : vector<16xi1>, vector<16xi64>
// CHECK: arith.divsi [[DIVIDEND]], [[SAFE]] : vector<16xi64>

// The fill of the row sums (a 4-element vector store), then the row sum itself.
// CHECK-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// CHECK: vector.maskedstore
// CHECK-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// CHECK-SAME: ([[X:%[a-z0-9]+]]: memref<4x37xi32>, [[S:%[a-z0-9]+]]: memref<4xi64>)
// CHECK: scf.for [[R:%[a-z0-9]+]] = %c0 to %c4 step %c1 {
// CHECK: [[ACC:%[0-9]+]] = scf.for %{{[a-z0-9]+}} = %c0 to %c32 step %c16 iter_args(
// CHECK: [[LAST:%[0-9]+]] = arith.addi [[ACC]], %{{[0-9]+}} : vector<16xi64>
// CHECK: [[SUM:%[0-9]+]] = vector.reduction <add>, [[LAST]] : vector<16xi64> into i64
// CHECK: [[OLD:%[0-9]+]] = memref.load [[S]][[[R]]]
// CHECK: [[NEW:%[0-9]+]] = arith.addi [[OLD]], [[SUM]] : i64
// CHECK: memref.store [[NEW]], [[S]][[[R]]]

// CHECK-LABEL: func.func @intvit_ciface_ops
// CHECK-NOT: linalg.generic
// CHECK-COUNT-6: call @__intvit_ew_
// CHECK-NOT: linalg.generic

// SCALAR-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}
// SCALAR-NOT: vector.
// SCALAR: scf.for %{{[a-z0-9]+}} = %c0 to %c37 step %c1 {
// SCALAR: memref.load
// SCALAR: arith.muli %{{[0-9]+}}, %{{[0-9]+}} : i64
// SCALAR: memref.store %{{[0-9]+}}, %{{[a-z0-9]+}}[%{{[a-z0-9]+}}, %{{[a-z0-9]+}}] : memref<4x37xi8>
// SCALAR-LABEL: func.func @intvit_ciface_ops

// Only the large op (64 x 130) is worth a fork/join: its rows split over the team.
// THREADS: func.func private @__kmpc_bound_thread_num
// THREADS-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}(%{{[a-z0-9]+}}: memref<4x37xi32>
// THREADS-NOT: omp.parallel
// THREADS-LABEL: func.func private @__intvit_ew_{{[0-9a-f]+}}(%{{[a-z0-9]+}}: memref<64x130xi32>
// THREADS: omp.parallel {
// THREADS: func.call @__kmpc_bound_thread_num
// THREADS: vector.maskedstore
// THREADS: omp.terminator
