// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p verify-integer-only | filecheck %s

// Boundary generics may hold floats.
// CHECK-LABEL: func.func @boundary_is_allowed
func.func @boundary_is_allowed(%x: tensor<4xf32>) -> tensor<4xi8> {
  %0 = tensor.empty() : tensor<4xi8>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xi8>) attrs = {intvit.boundary} {
  ^bb0(%a: f32, %b: i8):
    %i = arith.fptosi %a : f32 to i8
    linalg.yield %i : i8
  } -> tensor<4xi8>
  func.return %q : tensor<4xi8>
}

// -----
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: float value of type tensor<4xf32> in 'linalg.generic' outside the quantize/dequantize boundary
func.func @float_op_left(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%x : tensor<4xf32>) {
  ^bb0(%a: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: 'intvit.requant' was not lowered
func.func @intvit_left(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}
