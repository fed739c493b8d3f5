// RUN: intvit-opt %s --split-input-file --parsing-diagnostics | filecheck %s

// CHECK: Expected one of 'double_round', 'floor', 'half_away', 'half_even', 'half_up' for 'rounding'
func.func @bad_rounding(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 rounding nearest : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: Expected '->'
func.func @missing_arrow(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xi32> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: 'intvit.matmul' has 2 operands but 3 operand types
func.func @type_count(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w : tensor<2x4xi8>, tensor<4x3xi8>, tensor<3xi32> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: Expected '='
func.func @bad_packing(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits [4, 8, 8], split8 = true, factor = 2> : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ']' expected in integer list
func.func @bad_list(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824 shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_parse_errors.mlir:[[# @LINE + 3]]:33
// CHECK: 'scale' needs a finite number such as 0.05 or 1.0e-3, got 'nan' (nan and inf are not scales)
func.func @scale_nan(%x: tensor<4xi8>) -> tensor<4xui8> {
  %p = intvit.shiftmax %x scale nan bits 8 : tensor<4xi8> -> tensor<4xui8>
  func.return %p : tensor<4xui8>
}

// -----
// CHECK: ops_parse_errors.mlir:[[# @LINE + 3]]:37
// CHECK: 'intvit.shiftmax' keyword 'scale' is given twice; each keyword may appear once
func.func @keyword_twice(%x: tensor<4xi8>) -> tensor<4xui8> {
  %p = intvit.shiftmax %x scale 0.1 scale 0.2 bits 8 : tensor<4xi8> -> tensor<4xui8>
  func.return %p : tensor<4xui8>
}

// -----
// CHECK: ops_parse_errors.mlir:[[# @LINE + 3]]:37
// CHECK: 'intvit.shiftmax' has no keyword 'bogus'; expected 'axis', 'bits', 'saturate' or ':' and the types
func.func @unknown_keyword(%x: tensor<4xi8>) -> tensor<4xui8> {
  %p = intvit.shiftmax %x scale 0.1 bogus 3 bits 8 : tensor<4xi8> -> tensor<4xui8>
  func.return %p : tensor<4xui8>
}

// -----
// An integer out of range for its attribute type is reported at the op that holds it.
// CHECK: ops_parse_errors.mlir:[[# @LINE + 3]]:3
// CHECK: Integer value 1180591620717411303424 is out of range for type i64
func.func @multiplier_2_pow_70(%x: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %x multiplier [1180591620717411303424] shift [40] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_parse_errors.mlir:[[# @LINE + 3]]:3
// CHECK: Integer value 260 is out of range for type i8
func.func @row_bits_260(%a: tensor<5x8xi8>, %w: tensor<2x8xi8>) -> tensor<5x2xi32> {
  %y = intvit.matmul %a, %w transpose_rhs packing #intvit.packing<row_bits = [260, 8], split8 = true, factor = 2> : tensor<5x8xi8>, tensor<2x8xi8> -> tensor<5x2xi32>
  func.return %y : tensor<5x2xi32>
}
