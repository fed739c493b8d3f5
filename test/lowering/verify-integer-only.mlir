// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p verify-integer-only | filecheck %s
// RUN: not intvit-opt %s --split-input-file -p verify-integer-only 2>&1 | filecheck %s --check-prefix=EXIT
// The whole mini block lowers to integer-only IR (its floats stay inside the two boundary generics).
// RUN: intvit-opt %inputs/mini_block.mlir -p convert-intvit-to-linalg,expand-intvit-helpers,verify-integer-only | filecheck %s --check-prefix=BLOCK

// BLOCK-LABEL: func.func @main
// BLOCK-SAME: (%{{.*}}: tensor<5x8xf32>) -> tensor<5x4xf32>
// BLOCK-NOT: intvit.{{[a-z]+}} %
// BLOCK-NOT: intvit_helper

// Boundary generics may hold floats, and so may the tensor.empty that only they use.
// CHECK-LABEL: func.func @boundary_is_allowed
func.func @boundary_is_allowed(%x: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>) {
  %0 = tensor.empty() : tensor<4xi8>
  %q = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%0 : tensor<4xi8>) attrs = {intvit.boundary} {
  ^bb0(%a: f32, %b: i8):
    %i = arith.fptosi %a : f32 to i8
    linalg.yield %i : i8
  } -> tensor<4xi8>
  %1 = tensor.empty() : tensor<4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%q : tensor<4xi8>) outs(%1 : tensor<4xf32>) attrs = {intvit.boundary} {
  ^bb0(%a: i8, %b: f32):
    %g = arith.sitofp %a : i8 to f32
    linalg.yield %g : f32
  } -> tensor<4xf32>
  func.return %q, %f : tensor<4xi8>, tensor<4xf32>
}

// -----
// The scalar helper is integer-only: it may reach a backend unexpanded.
// CHECK-LABEL: func.func @helper_is_allowed
func.func @helper_is_allowed(%x: i64, %m: i64, %e: i64) -> i64 {
  %r = intvit_helper.apply_scale %x, %m, %e : i64, i64, i64 -> i64
  func.return %r : i64
}

// -----
// The first failing case ends the run with exit code 1 and one located diagnostic.
// EXIT: verify-integer-only.mlir:[[# @LINE + 4]]:3: error: verify-integer-only: float value of type tensor<4xf32> in 'linalg.generic' outside the quantize/dequantize boundary
// EXIT-NOT: Traceback
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
// A float scalar constant, even one that only feeds a cast back to integers.
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: float value of type f32 in 'arith.constant' outside the quantize/dequantize boundary
func.func @float_constant() -> i32 {
  %c = arith.constant 1.5 : f32
  %i = arith.fptosi %c : f32 to i32
  func.return %i : i32
}

// -----
// Only a linalg.generic can be a boundary: the attribute on another op exempts nothing.
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: float value of type f32 in 'arith.mulf' outside the quantize/dequantize boundary
func.func @boundary_attr_on_other_op(%x: f32) -> f32 {
  %y = arith.mulf %x, %x {intvit.boundary} : f32
  func.return %y : f32
}

// -----
// Floats in memrefs count too (a module checked after bufferization).
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: float value of type memref<4xf32> in 'memref.alloc' outside the quantize/dequantize boundary
func.func @float_memref() {
  %m = memref.alloc() : memref<4xf32>
  func.return
}

// -----
// A dead float init is not exempt: only one that boundary generics use is.
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: float value of type tensor<4xf32> in 'tensor.empty' outside the quantize/dequantize boundary
func.func @dead_float_empty() {
  %0 = tensor.empty() : tensor<4xf32>
  func.return
}

// -----
// CHECK: verify-integer-only.mlir:[[# @LINE + 2]]:3: error: verify-integer-only: 'intvit.requant' was not lowered
func.func @intvit_left(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}
