// The `gemm-kernels` step on GEMMs whose B is not a constant: B is packed into panels on every
// call (for vnni, four k rows interleaved byte by byte with vector.shuffle), the VNNI correction
// 128 * colsum(B) is computed with vpdpbusd against 0x80 bytes; batched GEMMs (attention
// heads) index B by head; an unsigned A needs no correction.
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni %S/Inputs/runtime_b.mlir | filecheck %s --check-prefix=VNNI
// RUN: %steps --step bufferize,gemm-kernels --gemm amx --threads 2 %S/Inputs/runtime_b.mlir | filecheck %s --check-prefix=AMX
// RUN: %steps --step bufferize,gemm-kernels --gemm portable %S/Inputs/runtime_b.mlir | filecheck %s --check-prefix=PORTABLE

// B [33, 20], zero-filled C: 2 panels of 9 K blocks (the last one 1 row deep).
// VNNI-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// VNNI-SAME: ([[A:%[a-z0-9]+]]: memref<7x33xi8, {{.*}}>, [[B:%[a-z0-9]+]]: memref<33x20xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<7x20xi32, {{.*}}>)
// VNNI: [[M80:%[a-z0-9_]+]] = arith.constant dense<-128> : vector<64xi8>
// VNNI: [[BP:%[a-z0-9_]+]] = memref.alloc() {alignment = 64 : i64} : memref<2x9x64xi8>
// VNNI: [[CORR:%[a-z0-9_]+]] = memref.alloc() {alignment = 64 : i64} : memref<2x16xi32>
// VNNI: [[R0:%[0-9]+]] = vector.load [[B]][[[K0:%[0-9]+]], [[N0:%[0-9]+]]] : {{.*}}, vector<16xi8>
// VNNI: [[R1:%[0-9]+]] = vector.load [[B]]
// VNNI: [[R2:%[0-9]+]] = vector.load [[B]]
// VNNI: [[R3:%[0-9]+]] = vector.load [[B]]
// VNNI: [[P01:%[0-9]+]] = vector.shuffle [[R0]], [[R1]] [0, 16, 1, 17,
// VNNI: [[P23:%[0-9]+]] = vector.shuffle [[R2]], [[R3]] [0, 16, 1, 17,
// VNNI: [[P:%[0-9]+]] = vector.shuffle [[P01]], [[P23]] [0, 1, 32, 33, 2, 3, 34, 35,
// VNNI: vector.store [[P]], [[BP]][
// the correction: sum over K of vpdpbusd(0x80..., panel)
// VNNI: [[CS:%[0-9]+]] = scf.for [[KB:%[a-z0-9]+]] = %c0 to %c9 step %c1 iter_args([[ACC:%[a-z0-9]+]] = %{{[a-z0-9_]+}}) -> (vector<16xi32>) {
// VNNI-NEXT: [[PV:%[0-9]+]] = vector.load [[BP]][%{{[a-z0-9]+}}, [[KB]], %c0]
// VNNI-NEXT: [[NEXT:%[0-9]+]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"([[ACC]], [[M80]], [[PV]])
// VNNI-NEXT: scf.yield [[NEXT]] : vector<16xi32>
// VNNI: vector.store [[CS]], [[CORR]][
// the tile starts from 0 - correction
// VNNI: [[CV:%[0-9]+]] = vector.load [[CORR]][
// VNNI: arith.subi %{{[a-z0-9_]+}}, [[CV]] : vector<16xi32>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// the K tail (k = 32): one byte of A per row, zero-extended into the word
// VNNI: [[AB:%[0-9]+]] = memref.load [[A]][%{{[0-9]+}}, %{{[0-9]+}}]
// VNNI: arith.extui [[AB]] : i8 to i32
// VNNI: memref.dealloc [[BP]] : memref<2x9x64xi8>
// VNNI: memref.dealloc [[CORR]] : memref<2x16xi32>
// VNNI: return

// 2 heads: each head's B is packed (B indexed by the head), each row tile swept.
// VNNI-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// VNNI-SAME: memref<2x67x128xi8, strided<[8576, 128, 1], offset: ?>>, [[KB:%[a-z0-9]+]]: memref<2x128x67xi8
// VNNI: scf.for [[H:%[a-z0-9]+]] = %c0 to %c2 step %c1 {
// VNNI: vector.load [[KB]][[[H]], %{{[0-9]+}}, %{{[0-9]+}}] : memref<2x128x67xi8
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"

// An unsigned A (extui): no correction, no xori; C (passed in) is the starting value.
// VNNI-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// VNNI-SAME: ([[A:%[a-z0-9]+]]: memref<9x16xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<16x20xi8, {{.*}}>, [[C:%[a-z0-9]+]]: memref<9x20xi32, {{.*}}>)
// VNNI-NOT: arith.xori
// VNNI: [[C0:%[0-9]+]] = vector.load [[C]][
// VNNI: scf.for {{.*}} iter_args([[ACC:%[a-z0-9]+]] = [[C0]],
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"([[ACC]],
// VNNI-LABEL: func.func @intvit_ciface_runtime
// VNNI-COUNT-3: call @__intvit_gemm_vnni_

// AMX with threads: K = 33 and the unsigned A stay VNNI; the attention heads take tiles, split
// into (head, row chunk) items, each thread packing its head's B into its own buffer.
// AMX-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// AMX-LABEL: func.func private @__intvit_gemm_amx_{{[0-9a-f]+}}
// AMX-SAME: ([[A:%[a-z0-9]+]]: memref<2x67x128xi8, {{.*}}>, [[KB:%[a-z0-9]+]]: memref<2x128x67xi8
// AMX: omp.parallel {
// AMX: [[SCR:%[a-z0-9_]+]] = memref.alloca() {alignment = 64 : i64} : memref<32x32xi32>
// AMX: scf.for [[ITEM:%[a-z0-9]+]] = %{{[0-9]+}} to %{{[0-9]+}} step %c1 {
// AMX: [[H:%[0-9]+]] = arith.divui [[ITEM]], %c2 : index
// AMX: [[BP:%[a-z0-9_]+]] = memref.alloc() {alignment = 64 : i64} : memref<5x32x64xi8>
// AMX: [[B2:%[a-z0-9_]+]] = memref.collapse_shape [[BP]]
// AMX: vector.load [[KB]][[[H]],
// AMX: scf.if
// AMX: [[AH:%[a-z0-9_]+]] = memref.subview [[A]][[[H]], 0, 0] [1, 67, 128] [1, 1, 1]
// AMX: x86.amx.tile_load [[AH]]
// AMX: x86.amx.tile_load [[B2]]
// AMX: x86.amx.tile_muli
// AMX: x86.amx.tile_store [[SCR]]
// AMX: memref.dealloc [[BP]]
// AMX: omp.terminator
// AMX-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}

// PORTABLE-LABEL: func.func private @__intvit_gemm_portable_{{[0-9a-f]+}}
// PORTABLE-SAME: ([[A:%[a-z0-9]+]]: memref<7x33xi8, {{.*}}>, [[B:%[a-z0-9]+]]: memref<33x20xi8, {{.*}}>,
// PORTABLE: [[BP:%[a-z0-9_]+]] = memref.alloc() {alignment = 64 : i64} : memref<2x33x16xi8>
// PORTABLE-NOT: memref.alloc
// PORTABLE: [[ROW:%[0-9]+]] = vector.load [[B]][
// PORTABLE-NEXT: vector.store [[ROW]], [[BP]][
// PORTABLE-NOT: vector.shuffle
// PORTABLE-NOT: llvm.call_intrinsic
// PORTABLE: return
