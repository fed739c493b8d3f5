// Epilogue fusion (part of the `gemm-kernels` step): the elementwise consumer of a GEMM's int32
// accumulator runs on the accumulator registers inside the kernel and writes its own output;
// the accumulator never reaches memory.  --no-epilogue keeps the consumer a generic.
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni %S/Inputs/gemm_requant.mlir | filecheck %s
// RUN: %steps --step bufferize,gemm-kernels --gemm amx %S/Inputs/gemm_requant.mlir | filecheck %s --check-prefix=AMX
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni --no-epilogue %S/Inputs/gemm_requant.mlir | filecheck %s --check-prefix=OFF
// RUN: %steps --step bufferize,gemm-kernels,elementwise-kernels --gemm vnni %S/Inputs/gemm_requant.mlir | filecheck %s --check-prefix=LEFT

// The fused kernel: no C parameter; the multiplier table and the int8 output are parameters.
// CHECK-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}_ep_{{[0-9a-f]+}}
// CHECK-SAME: (%{{[a-z0-9]+}}: memref<29x64xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<50x64xi8, {{.*}}>, %{{[a-z0-9]+}}: memref<50xi32, {{.*}}>, %{{[a-z0-9]+}}: memref<4x16x64xi8>, %{{[a-z0-9]+}}: memref<4x16xi32>, [[MULT:%[a-z0-9]+]]: memref<50xi32>, [[OUT:%[a-z0-9]+]]: memref<29x50xi8>)
// CHECK-NOT: memref<29x50xi32
// CHECK: [[SH:%[0-9]+]] = vector.broadcast %c40_i64 : i64 to vector<16xi64>
// CHECK: [[ACC:%[0-9]+]]:24 = scf.for
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: [[M:%[0-9]+]] = vector.load [[MULT]][[[N:%[0-9]+]]] : memref<50xi32>, vector<16xi32>
// CHECK: [[AW:%[0-9]+]] = arith.extsi [[ACC]]#0 : vector<16xi32> to vector<16xi64>
// CHECK: [[MW:%[0-9]+]] = arith.extsi [[M]] : vector<16xi32> to vector<16xi64>
// CHECK: [[P:%[0-9]+]] = arith.muli [[AW]], [[MW]] : vector<16xi64>
// CHECK: [[S:%[0-9]+]] = arith.shrsi [[P]], [[SH]] : vector<16xi64>
// CHECK: [[R:%[0-9]+]] = arith.trunci [[S]] : vector<16xi64> to vector<16xi8>
// CHECK: vector.store [[R]], [[OUT]][%{{[0-9]+}}, [[N]]] : memref<29x50xi8>, vector<16xi8>
// CHECK: return
// Must not fuse: C is also returned, or the consumer has an op the translator does not know.
// CHECK-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}(
// CHECK-SAME: memref<7x18xi32
// CHECK-LABEL: func.func @intvit_ciface_dense
// CHECK: call @__intvit_gemm_vnni_{{[0-9a-f]+}}_ep_{{[0-9a-f]+}}(
// CHECK: call @__intvit_gemm_vnni_{{[0-9a-f]+}}(
// CHECK-NEXT: linalg.generic
// CHECK: call @__intvit_gemm_vnni_{{[0-9a-f]+}}(
// CHECK-NEXT: linalg.generic
// CHECK: math.ctlz

// With amx the rows of each tile block's scratch go through the same epilogue.
// AMX-LABEL: func.func private @__intvit_gemm_amx_{{[0-9a-f]+}}_ep_{{[0-9a-f]+}}
// AMX-SAME: [[MULT:%[a-z0-9]+]]: memref<50xi32>, [[OUT:%[a-z0-9]+]]: memref<29x50xi8>)
// AMX: [[SCR:%[a-z0-9_]+]] = memref.alloca() {alignment = 64 : i64} : memref<32x32xi32>
// AMX: func.call @__intvit_amx_{{[0-9a-f]+}}(%{{[a-z0-9]+}}, %{{[a-z0-9_]+}}, [[SCR]],
// AMX: [[BI:%[0-9]+]] = vector.load %{{[a-z0-9]+}}[[[N:%[0-9]+]]] : memref<50xi32, strided<[1], offset: ?>>, vector<16xi32>
// AMX: [[M:%[0-9]+]] = vector.load [[MULT]][[[N]]] : memref<50xi32>, vector<16xi32>
// AMX: scf.for [[R:%[a-z0-9]+]] = %c0 to %c29 step %c1 {
// AMX: [[V:%[0-9]+]] = vector.load [[SCR]][[[R]], %c0] : memref<32x32xi32>, vector<16xi32>
// AMX: [[VB:%[0-9]+]] = arith.addi [[V]], [[BI]] : vector<16xi32>
// AMX: [[AW:%[0-9]+]] = arith.extsi [[VB]] : vector<16xi32> to vector<16xi64>
// AMX: [[MW:%[0-9]+]] = arith.extsi [[M]] : vector<16xi32> to vector<16xi64>
// AMX: arith.muli [[AW]], [[MW]] : vector<16xi64>
// AMX: vector.store %{{[0-9]+}}, [[OUT]][
// AMX-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}(

// OFF-NOT: _ep_
// OFF-LABEL: func.func @intvit_ciface_dense
// OFF: call @__intvit_gemm_vnni_{{[0-9a-f]+}}(
// OFF-NEXT: linalg.generic
// OFF: arith.shrsi

// What is not fused is left to the elementwise kernels, except the unknown op, left to loops.
// LEFT-LABEL: func.func @intvit_ciface_dense
// LEFT: call @__intvit_gemm_vnni_{{[0-9a-f]+}}_ep_
// LEFT: call @__intvit_gemm_vnni_
// LEFT-NEXT: call @__intvit_ew_
// LEFT: call @__intvit_gemm_vnni_
// LEFT-NEXT: linalg.generic
// LEFT: math.ctlz
