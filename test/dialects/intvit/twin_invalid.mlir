// RUN: intvit-opt %s --split-input-file --verify-diagnostics | filecheck %s
// The twin requant's verifier rules.

// CHECK: twin_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op twin = -1 must be >= 1 (0 or absent: a plain requant)
func.func @twin$negative(%g: tensor<8xi16>) -> tensor<8xi8> {
  %t = intvit.requant %g multiplier [1500000000] shift [35] bits 6 twin -1 : tensor<8xi16> -> tensor<8xi8>
  func.return %t : tensor<8xi8>
}

// -----
// CHECK: twin_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op result element type i8 cannot hold the decoded twin code (2^5 - 1) << 3: needs 9 bits
func.func @twin$decode_too_wide(%g: tensor<8xi16>) -> tensor<8xi8> {
  %t = intvit.requant %g multiplier [1500000000] shift [35] bits 6 twin 3 : tensor<8xi16> -> tensor<8xi8>
  func.return %t : tensor<8xi8>
}

// -----
// CHECK: twin_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op a twin requant is per tensor: one (multiplier, shift) pair
func.func @twin$per_channel(%g: tensor<2x2xi16>) -> tensor<2x2xi8> {
  %t = intvit.requant %g multiplier [1500000000, 1500000000] shift [35, 35] bits 6 twin 2 : tensor<2x2xi16> -> tensor<2x2xi8>
  func.return %t : tensor<2x2xi8>
}

// -----
// CHECK: twin_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op shift 61 + twin 2 exceeds 62
func.func @twin$shift_overflow(%g: tensor<8xi16>) -> tensor<8xi8> {
  %t = intvit.requant %g multiplier [1500000000] shift [61] bits 6 twin 2 : tensor<8xi16> -> tensor<8xi8>
  func.return %t : tensor<8xi8>
}
