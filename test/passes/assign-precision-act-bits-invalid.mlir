// assign-precision{act-bits=6} refusals: narrowing a value that other ops also read.
// RUN: not intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.34 policy=first act-bits=6}' 2>&1 | filecheck %s

// CHECK: assign-precision-act-bits-invalid.mlir:6:3: error: assign-precision: act-bits=6: this value also feeds ops other than packed matmuls' lhs
func.func @shared(%x: tensor<2x4xi32>) -> (tensor<2x3xi32>, tensor<2x4xi8>) {
  %a = intvit.requant %x multiplier [1073741824] shift [31] bits 8 : tensor<2x4xi32> -> tensor<2x4xi8>
  %w = arith.constant dense<[[1, -2, 3, 4], [7, -8, 0, 1], [100, -128, 127, 50]]> : tensor<3x4xi8>
  %y = intvit.matmul %a, %w transpose_rhs : tensor<2x4xi8>, tensor<3x4xi8> -> tensor<2x3xi32>
  func.return %y, %a : tensor<2x3xi32>, tensor<2x4xi8>
}
