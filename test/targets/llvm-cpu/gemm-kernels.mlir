// The `gemm-kernels` step on a dense layer (constant weights packed at compile time, the bias
// fill fused into the accumulators), one RUN per variant and option.
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni %S/Inputs/dense.mlir | filecheck %s --check-prefix=VNNI
// RUN: %steps --step bufferize,gemm-kernels --gemm amx %S/Inputs/dense.mlir | filecheck %s --check-prefix=AMX
// RUN: %steps --step bufferize,gemm-kernels --gemm portable %S/Inputs/dense.mlir | filecheck %s --check-prefix=PORTABLE
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni --no-fused-init %S/Inputs/dense.mlir | filecheck %s --check-prefix=NOINIT
// RUN: %steps --step bufferize,gemm-kernels --gemm amx --threads 2 %S/Inputs/dense.mlir | filecheck %s --check-prefix=THREADS
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni --threads 2 %S/Inputs/dense.mlir | filecheck %s --check-prefix=VNNI-THREADS

// Variant vnni: u8 x s8 `vpdpbusd` on 6 x 4 register tiles: A is made unsigned (a ^ 0x80) and the
// accumulators start from bias - 128 * colsum(B) (the packed correction).
// VNNI-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// VNNI-SAME: ([[A:%[a-z0-9]+]]: memref<97x128xi8, strided<[128, 1], offset: ?>>, %{{[a-z0-9]+}}: memref<100x128xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<97x100xi32, {{.*}}>, [[BIAS:%[a-z0-9]+]]: memref<100xi32, {{.*}}>, [[BP:%[a-z0-9]+]]: memref<7x32x64xi8>, [[CORR:%[a-z0-9]+]]: memref<7x16xi32>)
// VNNI-NOT: memref.alloc(
// VNNI: [[CV:%[0-9]+]] = vector.load [[CORR]][
// VNNI: [[BI:%[0-9]+]] = vector.load [[BIAS]][
// VNNI: [[INIT:%[0-9]+]] = arith.subi [[BI]], [[CV]] : vector<16xi32>
// VNNI: %{{[0-9]+}}:24 = scf.for [[KB:%[a-z0-9]+]] = %c0 to %c32 step %c1 iter_args([[ACC:%[a-z0-9]+]] = [[INIT]],
// VNNI: [[P:%[0-9]+]] = vector.load [[BP]][%{{[0-9]+}}, [[KB]], %c0] : memref<7x32x64xi8>, vector<64xi8>
// VNNI: [[W:%[0-9]+]] = vector.load [[A]][%{{[0-9]+}}, %{{[0-9]+}}] : memref<97x128xi8, {{.*}}>, vector<4xi8>
// VNNI: [[U:%[0-9]+]] = arith.xori %{{[0-9]+}}, %c-2139062144_i32 : i32
// VNNI: [[S:%[0-9]+]] = vector.broadcast [[U]] : i32 to vector<16xi32>
// VNNI: [[AV:%[0-9]+]] = vector.bitcast [[S]] : vector<16xi32> to vector<64xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"([[ACC]], [[AV]], [[P]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// VNNI: vector.store %{{[0-9]+}}#0, [[C]][
// the last 4 columns: a masked panel
// VNNI: [[M:%[0-9]+]] = vector.constant_mask [4] : vector<16xi1>
// VNNI: vector.maskedload [[BIAS]][%{{[0-9]+}}], [[M]]
// VNNI: vector.maskedstore [[C]][%{{[0-9]+}}, %{{[0-9]+}}], [[M]], %
// VNNI: return
// The weights and the correction are globals, packed at compile time: 3 * 128 * 128 = 0xC000.
// VNNI: memref.global "private" constant @__intvit_packed_0_bp : memref<7x32x64xi8> = dense<"0x0303
// VNNI: memref.global "private" constant @__intvit_packed_0_corr : memref<7x16xi32> = dense<"0x00C00000
// VNNI-LABEL: func.func @intvit_ciface_dense
// VNNI-NOT: linalg.generic
// VNNI: [[GBP:%[0-9]+]] = memref.get_global @__intvit_packed_0_bp
// VNNI: [[GCORR:%[0-9]+]] = memref.get_global @__intvit_packed_0_corr
// VNNI: call @__intvit_gemm_vnni_{{[0-9a-f]+}}(%{{.*}}, [[GBP]], [[GCORR]])
// VNNI-NOT: linalg.generic

// Variant amx: 32 x 32 blocks of four 16 x 16 int32 tiles (`tdpbssd`: s8 x s8, no correction), K
// unrolled by 64, through a stack scratch; then each row adds the bias and is stored.  Edge
// blocks (97 = 3 x 32 + 1 rows, 100 = 6 x 16 + 4 columns) call never-inlined tile functions.
// AMX-LABEL: func.func private @__intvit_gemm_amx_{{[0-9a-f]+}}
// AMX-SAME: ([[A:%[a-z0-9]+]]: memref<97x128xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<100x128xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<97x100xi32, {{.*}}>, [[BIAS:%[a-z0-9]+]]: memref<100xi32, {{.*}}>, [[BP:%[a-z0-9]+]]: memref<7x32x64xi8>, %{{[a-z0-9]+}}: memref<7x16xi32>)
// AMX-NOT: arith.xori
// AMX: [[B2:%[a-z0-9_]+]] = memref.collapse_shape [[BP]] {{\[}}[0, 1], [2]] : memref<7x32x64xi8> into memref<224x64xi8>
// AMX: [[SCR:%[a-z0-9_]+]] = memref.alloca() {alignment = 64 : i64} : memref<32x32xi32>
// AMX: [[Z:%[0-9]+]] = x86.amx.tile_zero : !x86.amx.tile<16x16xi32>
// AMX: [[TA:%[0-9]+]] = x86.amx.tile_load [[A]][[[M0:%[0-9]+]], %c0] : {{.*}} into !x86.amx.tile<16x64xi8>
// AMX: [[TB:%[0-9]+]] = x86.amx.tile_load [[B2]][%{{[0-9]+}}, %c0] : memref<224x64xi8> into !x86.amx.tile<16x64xi8>
// AMX: [[T1:%[0-9]+]] = x86.amx.tile_muli [[TA]], [[TB]], [[Z]] : !x86.amx.tile<16x64xi8>, !x86.amx.tile<16x64xi8>, !x86.amx.tile<16x16xi32>
// AMX: [[TA2:%[0-9]+]] = x86.amx.tile_load [[A]][[[M0]], %c64]
// AMX: [[T2:%[0-9]+]] = x86.amx.tile_muli [[TA2]], %{{[0-9]+}}, [[T1]]
// AMX: x86.amx.tile_store [[SCR]][%c0, %c0], [[T2]] : memref<32x32xi32>, !x86.amx.tile<16x16xi32>
// AMX: [[BI:%[0-9]+]] = vector.load [[BIAS]][
// AMX: scf.for [[R:%[a-z0-9]+]] = %c0 to %c32 step %c1 {
// AMX: [[V:%[0-9]+]] = vector.load [[SCR]][[[R]], %c0] : memref<32x32xi32>, vector<16xi32>
// AMX: [[VB:%[0-9]+]] = arith.addi [[V]], [[BI]] : vector<16xi32>
// AMX: vector.store [[VB]], [[C]][
// AMX: func.call @[[EDGE:__intvit_amx_[0-9a-f]+]]([[A]], [[B2]], [[SCR]], %c96,
// AMX: return
// AMX: func.func private @[[EDGE]](
// AMX-SAME: attributes {llvm.no_inline}
// AMX: x86.amx.tile_muli {{.*}} : !x86.amx.tile<1x64xi8>, !x86.amx.tile<16x64xi8>, !x86.amx.tile<1x16xi32>
// AMX-LABEL: func.func @intvit_ciface_dense
// AMX-NOT: linalg.generic
// AMX: call @__intvit_gemm_amx_

// Variant portable: sext(a) * sext(b) on vector<16xi32>, 4 x 3 tiles, unit-K panels, no correction.
// PORTABLE-LABEL: func.func private @__intvit_gemm_portable_{{[0-9a-f]+}}
// PORTABLE-SAME: ([[A:%[a-z0-9]+]]: memref<97x128xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<100x128xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<97x100xi32, {{.*}}>, [[BIAS:%[a-z0-9]+]]: memref<100xi32, {{.*}}>, [[BP:%[a-z0-9]+]]: memref<7x128x16xi8>, %{{[a-z0-9]+}}: memref<7x16xi32>)
// PORTABLE: [[BI:%[0-9]+]] = vector.load [[BIAS]][
// PORTABLE: %{{[0-9]+}}:12 = scf.for [[KB:%[a-z0-9]+]] = %c0 to %c128 step %c1 iter_args([[ACC:%[a-z0-9]+]] = [[BI]],
// PORTABLE: [[P:%[0-9]+]] = vector.load [[BP]][%{{[0-9]+}}, [[KB]], %c0] : memref<7x128x16xi8>, vector<16xi8>
// PORTABLE: [[PW:%[0-9]+]] = arith.extsi [[P]] : vector<16xi8> to vector<16xi32>
// PORTABLE: [[AB:%[0-9]+]] = memref.load [[A]][%{{[0-9]+}}, [[KB]]]
// PORTABLE: [[AW:%[0-9]+]] = arith.extsi [[AB]] : i8 to i32
// PORTABLE: [[AS:%[0-9]+]] = vector.broadcast [[AW]] : i32 to vector<16xi32>
// PORTABLE: [[PR:%[0-9]+]] = arith.muli [[AS]], [[PW]] : vector<16xi32>
// PORTABLE: arith.addi [[ACC]], [[PR]] : vector<16xi32>
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: memref.global "private" constant @__intvit_packed_0_bp : memref<7x128x16xi8>

// --no-fused-init: the bias fill stays a generic; the kernel accumulates onto C.
// NOINIT-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// NOINIT-SAME: ([[A:%[a-z0-9]+]]: memref<97x128xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<100x128xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<97x100xi32, {{.*}}>, %{{[a-z0-9]+}}: memref<7x32x64xi8>, [[CORR:%[a-z0-9]+]]: memref<7x16xi32>)
// NOINIT: [[CV:%[0-9]+]] = vector.load [[CORR]][
// NOINIT: [[C0:%[0-9]+]] = vector.load [[C]][
// NOINIT: arith.subi [[C0]], [[CV]] : vector<16xi32>
// NOINIT-LABEL: func.func @intvit_ciface_dense
// NOINIT: linalg.generic
// NOINIT: call @__intvit_gemm_vnni_

// --threads 2: the (panel group, row tile) blocks split over the OpenMP team, one scratch per thread.
// THREADS-LABEL: func.func private @__intvit_gemm_amx_{{[0-9a-f]+}}
// THREADS: omp.parallel {
// THREADS: [[TID:%[0-9]+]] = func.call @__kmpc_bound_thread_num(
// THREADS: [[NTH:%[0-9]+]] = func.call @__kmpc_bound_num_threads(
// THREADS: [[SCR:%[a-z0-9_]+]] = memref.alloca() {alignment = 64 : i64} : memref<32x32xi32>
// THREADS: x86.amx.tile_muli
// THREADS: x86.amx.tile_store [[SCR]]
// THREADS: omp.terminator
// THREADS: omp.parallel {
// THREADS: omp.terminator
// THREADS: return

// VNNI-THREADS-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// VNNI-THREADS: omp.parallel {
// VNNI-THREADS: func.call @__kmpc_bound_thread_num(
// VNNI-THREADS: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// VNNI-THREADS: omp.terminator
