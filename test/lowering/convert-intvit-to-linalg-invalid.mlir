// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p convert-intvit-to-linalg | filecheck %s

// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 3]]:3: error: convert-intvit-to-linalg: unsigned tensor flows into 'tensor.collapse_shape'; requantize it to a signed type first
func.func @unsigned_into_reshape(%s: tensor<2x4xi8>) -> tensor<8xui8> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<2x4xi8> -> tensor<2x4xui8>
  %r = tensor.collapse_shape %p [[0, 1]] : tensor<2x4xui8> into tensor<8xui8>
  func.return %r : tensor<8xui8>
}
