// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p convert-intvit-to-linalg | filecheck %s
// RUN: not intvit-opt %s --split-input-file -p convert-intvit-to-linalg 2>&1 | filecheck %s --check-prefix=EXIT

// EXIT: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 5]]:3: error: convert-intvit-to-linalg: unsigned tensor flows into 'tensor.collapse_shape'; requantize it to a signed type first
// EXIT-NOT: Traceback
// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 3]]:3: error: convert-intvit-to-linalg: unsigned tensor flows into 'tensor.collapse_shape'; requantize it to a signed type first
func.func @unsigned_into_reshape(%s: tensor<2x4xi8>) -> tensor<8xui8> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<2x4xi8> -> tensor<2x4xui8>
  %r = tensor.collapse_shape %p [[0, 1]] : tensor<2x4xui8> into tensor<8xui8>
  func.return %r : tensor<8xui8>
}

// -----
// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 2]]:3: error: convert-intvit-to-linalg: 'intvit.requant' has a dynamic shape tensor<?x8xi32>; only static shapes are supported
func.func @requant$dynamic(%a: tensor<?x8xi32>) -> tensor<?x8xi8> {
  %r = intvit.requant %a multiplier [1518500250] shift [40] bits 8 : tensor<?x8xi32> -> tensor<?x8xi8>
  func.return %r : tensor<?x8xi8>
}

// -----
// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 2]]:3: error: convert-intvit-to-linalg: 'intvit.matmul' has a dynamic shape tensor<?x4xi8>; only static shapes are supported
func.func @matmul$dynamic(%x: tensor<?x4xi8>, %w: tensor<4x4xi8>) -> tensor<?x4xi32> {
  %y = intvit.matmul %x, %w : tensor<?x4xi8>, tensor<4x4xi8> -> tensor<?x4xi32>
  func.return %y : tensor<?x4xi32>
}

// -----
// Upstream arith takes signless integers only: an explicitly signed `si` type is refused.
// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 2]]:3: error: convert-intvit-to-linalg: 'intvit.requant' has unsupported element type si32; use signless (iN) or unsigned (uiN) integers and f16/f32/f64 floats
func.func @requant$signed_type(%a: tensor<4xsi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1518500250] shift [40] bits 8 : tensor<4xsi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: convert-intvit-to-linalg-invalid.mlir:[[# @LINE + 2]]:3: error: convert-intvit-to-linalg: 'intvit.dequantize' has unsupported element type bf16; use signless (iN) or unsigned (uiN) integers and f16/f32/f64 floats
func.func @dequantize$bf16(%q: tensor<4xi8>) -> tensor<4xbf16> {
  %f = intvit.dequantize %q scale 0.25 : tensor<4xi8> -> tensor<4xbf16>
  func.return %f : tensor<4xbf16>
}
