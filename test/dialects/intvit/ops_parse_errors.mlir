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
