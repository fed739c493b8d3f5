// assign-precision{act-bits=6}: the requant feeding each packed matmul goes to 6 bits with a 4x
// coarser scale (e + 2), the GEMM's requants take e - 2 and its bias RNE(bias / 4).
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.5 policy=first act-bits=6}' | filecheck %s
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.5 policy=first act_bits=8}' | filecheck %s --check-prefix=A8
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{act-bits=6}' | filecheck %s --check-prefix=NOPACK
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.5 policy=first act-bits=6},assign-precision{act-bits=6}' | filecheck %s
// RUN: not intvit-opt %s -p 'assign-precision{ratio-4bit=0.5 act-bits=4}' 2>&1 | filecheck %s --check-prefix=BITS

// BITS: intvit-opt: error: assign-precision: act-bits must be 6 or 8, got 4

// CHECK-LABEL: func.func @linear
// CHECK: %[[A:.*]] = intvit.requant %{{.*}} multiplier [1073741824] shift [33] bits 6 : tensor<2x4xi32> -> tensor<2x4xi8>
// CHECK: %[[B:.*]] = arith.constant dense<[0, 25, 1]> : tensor<3xi32>
// CHECK: %[[Y:.*]] = intvit.matmul %[[A]], %{{.*}}, %[[B]] transpose_rhs packing #intvit.packing<row_bits = [4, 8, 8], split8 = true, factor = 2>
// CHECK: intvit.requant %[[Y]] multiplier [1518500250, 1518500250, 1518500250] shift [33, 38, 38] bits 8
// A8-LABEL: func.func @linear
// A8: intvit.requant %{{.*}} multiplier [1073741824] shift [31] bits 8 : tensor<2x4xi32> -> tensor<2x4xi8>
// A8: intvit.requant %{{.*}} multiplier [1518500250, 1518500250, 1518500250] shift [35, 40, 40] bits 8
// NOPACK-LABEL: func.func @linear
// NOPACK: shift [31] bits 8 : tensor<2x4xi32> -> tensor<2x4xi8>
// NOPACK-NOT: packing
func.func @linear(%x: tensor<2x4xi32>) -> tensor<2x3xi8> {
  %a = intvit.requant %x multiplier [1073741824] shift [31] bits 8 : tensor<2x4xi32> -> tensor<2x4xi8>
  %w = arith.constant dense<[[100, -128, 127, 50], [1, -2, 3, 4], [7, -8, 0, 1]]> : tensor<3x4xi8>
  %bias = arith.constant dense<[-37, 100, 5]> : tensor<3xi32>
  %y = intvit.matmul %a, %w, %bias transpose_rhs : tensor<2x4xi8>, tensor<3x4xi8>, tensor<3xi32> -> tensor<2x3xi32>
  %r = intvit.requant %y multiplier [1518500250] shift [40] bits 8 : tensor<2x3xi32> -> tensor<2x3xi8>
  func.return %r : tensor<2x3xi8>
}

// -----
// The model input: a quantize reaching the matmul through a reshape narrows too (scale x4).
// CHECK-LABEL: func.func @input
// CHECK: intvit.quantize %{{.*}} scale 0.1 bits 6 : tensor<8xf32> -> tensor<8xi8>
// CHECK: tensor.expand_shape
// CHECK: intvit.matmul {{.*}} packing
// CHECK: intvit.requant %{{.*}} shift [33, 38] bits 8
func.func @input(%x: tensor<8xf32>) -> tensor<2x2xi8> {
  %q = intvit.quantize %x scale 0.025 bits 8 : tensor<8xf32> -> tensor<8xi8>
  %e = tensor.expand_shape %q [[0, 1]] output_shape [2, 4] : tensor<8xi8> into tensor<2x4xi8>
  %w = arith.constant dense<[[100, -128, 127, 50], [1, -2, 3, 4]]> : tensor<2x4xi8>
  %y = intvit.matmul %e, %w transpose_rhs : tensor<2x4xi8>, tensor<2x4xi8> -> tensor<2x2xi32>
  %r = intvit.requant %y multiplier [1518500250] shift [40] bits 8 : tensor<2x2xi32> -> tensor<2x2xi8>
  func.return %r : tensor<2x2xi8>
}
