// The `fold-transposes` step: a transposed copy read only by one GEMM (K^T for Q K^T) folds into
// the GEMM's indexing map (B read as stored [n, k]); the copy goes away.
// RUN: %steps --step bufferize,fold-transposes %S/Inputs/transpose.mlir | filecheck %s
// RUN: %steps --step bufferize,fold-transposes %S/Inputs/transpose_shared.mlir | filecheck %s --check-prefix=SHARED
// RUN: %steps --step bufferize,gemm-kernels --gemm vnni %S/Inputs/transpose.mlir | filecheck %s --check-prefix=GEMM

// CHECK-DAG: [[A:#map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: [[B:#map[0-9]*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @intvit_ciface_scores
// CHECK-SAME: ([[Q:%[a-z0-9]+]]: memref<2x37x64xi8>, [[K:%[a-z0-9]+]]: memref<2x37x64xi8>,
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [[[A]], [[B]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins([[Q]], [[K]] : memref<2x37x64xi8>, memref<2x37x64xi8>)

// Must not fold: the copy is also a result.
// SHARED-LABEL: func.func @intvit_ciface_scores
// SHARED-SAME: [[KT:%[a-z0-9]+]]: memref<2x64x37xi8>)
// SHARED: linalg.generic {{.*}} outs([[KT]] : memref<2x64x37xi8>)
// SHARED: linalg.generic {{.*}} ins(%{{[a-z0-9]+}}, [[KT]] : memref<2x37x64xi8>, memref<2x64x37xi8>)

// The GEMM step folds first: B [n, k] packed one 4-byte word per column.
// GEMM-LABEL: func.func private @__intvit_gemm_vnni_{{[0-9a-f]+}}
// GEMM-SAME: (%{{[a-z0-9]+}}: memref<2x37x64xi8, strided<[2368, 64, 1], offset: ?>>, [[K:%[a-z0-9]+]]: memref<2x37x64xi8, strided<[2368, 64, 1], offset: ?>>
// GEMM: [[W:%[0-9]+]] = vector.load [[K]][%{{[a-z0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}}] : {{.*}}, vector<4xi8>
// GEMM: [[W32:%[0-9]+]] = vector.bitcast [[W]] : vector<4xi8> to vector<1xi32>
// GEMM: vector.extract [[W32]][0] : i32 from vector<1xi32>
// GEMM: vector.from_elements {{.*}} : vector<16xi32>
// GEMM-LABEL: func.func @intvit_ciface_scores
// GEMM-NOT: linalg.generic
