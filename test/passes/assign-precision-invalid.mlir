// RUN: not intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=1.0}' 2>&1 | filecheck %s --check-prefix=FIRST
// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p 'assign-precision{ratio-4bit=1.0}' | filecheck %s

// A 4-bit row needs k > 0 but nothing can absorb 2^k: located error, exit 1, no traceback.
// FIRST: assign-precision-invalid.mlir:[[# @LINE + 5]]:3: error: assign-precision: cannot fold the 2^k rescale of the 4-bit weight rows into a requant: its result feeds 'func.return'
// FIRST-NOT: Traceback
// CHECK: assign-precision-invalid.mlir:[[# @LINE + 3]]:3: error: assign-precision: cannot fold the 2^k rescale of the 4-bit weight rows into a requant: its result feeds 'func.return' (every user must be an intvit.requant, per tensor or per channel along the last axis)
func.func @matmul$feeds_return(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = arith.constant dense<[[100, -100], [3, 2]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<1x2xi8>, tensor<2x2xi8> -> tensor<1x2xi32>
  func.return %y : tensor<1x2xi32>
}

// -----
// A per-channel requant along the token axis cannot absorb a per-output-channel factor.
// CHECK: assign-precision-invalid.mlir:[[# @LINE + 3]]:3: error: assign-precision: cannot fold the 2^k rescale of the 4-bit weight rows into a requant: its result feeds a requant per channel along axis 0, not the channel axis 1
func.func @matmul$requant_wrong_axis(%x: tensor<2x2xi8>) -> tensor<2x2xi8> {
  %w = arith.constant dense<[[100, -100], [3, 2]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<2x2xi8>, tensor<2x2xi8> -> tensor<2x2xi32>
  %r = intvit.requant %y multiplier [1073741824, 1200000000] shift [31, 32] axis 0 bits 8 : tensor<2x2xi32> -> tensor<2x2xi8>
  func.return %r : tensor<2x2xi8>
}

// -----
// The int32 bias must be rescaled with the rows: a bias computed at run time cannot be.
// CHECK: assign-precision-invalid.mlir:[[# @LINE + 3]]:3: error: assign-precision: cannot rescale a non-constant bias for 4-bit weight rows
func.func @matmul$runtime_bias(%x: tensor<1x2xi8>, %b: tensor<2xi32>) -> tensor<1x2xi8> {
  %w = arith.constant dense<[[100, -100], [3, 2]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w, %b transpose_rhs : tensor<1x2xi8>, tensor<2x2xi8>, tensor<2xi32> -> tensor<1x2xi32>
  %r = intvit.requant %y multiplier [1073741824] shift [31] bits 8 : tensor<1x2xi32> -> tensor<1x2xi8>
  func.return %r : tensor<1x2xi8>
}
