// RUN: intvit-opt %s --split-input-file | filecheck %s
// RUN: intvit-opt %s --split-input-file --print-op-generic | intvit-opt --split-input-file | filecheck %s

// CHECK-LABEL: func.func @quantize$per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %{{.*}} = intvit.quantize %[[X]] scale 0.0125 bits 8 : tensor<2x3xf32> -> tensor<2x3xi8>
func.func @quantize$per_tensor(%x: tensor<2x3xf32>) -> tensor<2x3xi8> {
  %q = intvit.quantize %x scale 0.0125 bits 8 : tensor<2x3xf32> -> tensor<2x3xi8>
  func.return %q : tensor<2x3xi8>
}

// -----
// CHECK-LABEL: func.func @quantize$keywords_any_order_exponent
// CHECK: intvit.quantize %{{.*}} scale 1.0e-05 bits 16 : tensor<4xf32> -> tensor<4xi16>
func.func @quantize$keywords_any_order_exponent(%x: tensor<4xf32>) -> tensor<4xi16> {
  %q = intvit.quantize %x bits 16 scale 1.0e-05 : tensor<4xf32> -> tensor<4xi16>
  func.return %q : tensor<4xi16>
}

// -----
// CHECK-LABEL: func.func @dequantize$logits
// CHECK-SAME: (%[[Q:.*]]: tensor<1x10xi16>)
// CHECK: intvit.dequantize %[[Q]] scale 0.001 : tensor<1x10xi16> -> tensor<1x10xf32>
func.func @dequantize$logits(%q: tensor<1x10xi16>) -> tensor<1x10xf32> {
  %f = intvit.dequantize %q scale 0.001 : tensor<1x10xi16> -> tensor<1x10xf32>
  func.return %f : tensor<1x10xf32>
}

// -----
// CHECK-LABEL: func.func @requant$per_tensor_default_rounding
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xi32>)
// CHECK: intvit.requant %[[A]] multiplier [1073741824] shift [31] bits 8 : tensor<4x8xi32> -> tensor<4x8xi8>{{$}}
func.func @requant$per_tensor_default_rounding(%a: tensor<4x8xi32>) -> tensor<4x8xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 rounding half_even axis -1 : tensor<4x8xi32> -> tensor<4x8xi8>
  func.return %r : tensor<4x8xi8>
}

// -----
// CHECK-LABEL: func.func @requant$every_rounding_mode
// CHECK: rounding half_up
// CHECK: rounding half_away
// CHECK: rounding double_round
// CHECK: rounding floor
func.func @requant$every_rounding_mode(%a: tensor<4xi32>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) {
  %0 = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding half_up : tensor<4xi32> -> tensor<4xi8>
  %1 = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding half_away : tensor<4xi32> -> tensor<4xi8>
  %2 = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding double_round : tensor<4xi32> -> tensor<4xi8>
  %3 = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding floor : tensor<4xi32> -> tensor<4xi8>
  func.return %0, %1, %2, %3 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @requant$per_channel_axis
// CHECK: intvit.requant %{{.*}} multiplier [1073741824, 1288490189, 2147483647] shift [31, 33, 62] axis 0 bits 16 : tensor<3x5xi32> -> tensor<3x5xi16>
func.func @requant$per_channel_axis(%a: tensor<3x5xi32>) -> tensor<3x5xi16> {
  %r = intvit.requant %a multiplier [1073741824, 1288490189, 2147483647] shift [31, 33, 62] axis 0 bits 16 : tensor<3x5xi32> -> tensor<3x5xi16>
  func.return %r : tensor<3x5xi16>
}

// -----
// CHECK-LABEL: func.func @requant$int16_input_4bit_output
// CHECK: intvit.requant %{{.*}} multiplier [1073741824] shift [1] bits 4 : tensor<7xi16> -> tensor<7xi8>
func.func @requant$int16_input_4bit_output(%a: tensor<7xi16>) -> tensor<7xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [1] bits 4 : tensor<7xi16> -> tensor<7xi8>
  func.return %r : tensor<7xi8>
}

// -----
// CHECK-LABEL: func.func @add$residual
// CHECK-SAME: (%[[A:.*]]: tensor<2x4xi16>, %[[B:.*]]: tensor<2x4xi16>)
// CHECK: intvit.add %[[A]], %[[B]] lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1610612736 rhs_shift 31 bits 16 rounding half_up : tensor<2x4xi16>, tensor<2x4xi16> -> tensor<2x4xi16>
func.func @add$residual(%a: tensor<2x4xi16>, %b: tensor<2x4xi16>) -> tensor<2x4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1610612736 rhs_shift 31 bits 16 rounding half_up : tensor<2x4xi16>, tensor<2x4xi16> -> tensor<2x4xi16>
  func.return %s : tensor<2x4xi16>
}

// -----
// CHECK-LABEL: func.func @matmul$linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x5x8xi8>, %[[W:.*]]: tensor<16x8xi8>, %[[B:.*]]: tensor<16xi32>)
// CHECK: intvit.matmul %[[X]], %[[W]], %[[B]] transpose_rhs : tensor<1x5x8xi8>, tensor<16x8xi8>, tensor<16xi32> -> tensor<1x5x16xi32>
func.func @matmul$linear_bias(%x: tensor<1x5x8xi8>, %w: tensor<16x8xi8>, %b: tensor<16xi32>) -> tensor<1x5x16xi32> {
  %y = intvit.matmul %x, %w, %b transpose_rhs : tensor<1x5x8xi8>, tensor<16x8xi8>, tensor<16xi32> -> tensor<1x5x16xi32>
  func.return %y : tensor<1x5x16xi32>
}

// -----
// CHECK-LABEL: func.func @matmul$plain_kn
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xi8>, %[[W:.*]]: tensor<4x6xi8>)
// CHECK: intvit.matmul %[[X]], %[[W]] : tensor<3x4xi8>, tensor<4x6xi8> -> tensor<3x6xi32>
func.func @matmul$plain_kn(%x: tensor<3x4xi8>, %w: tensor<4x6xi8>) -> tensor<3x6xi32> {
  %y = intvit.matmul %x, %w : tensor<3x4xi8>, tensor<4x6xi8> -> tensor<3x6xi32>
  func.return %y : tensor<3x6xi32>
}

// -----
// CHECK-LABEL: func.func @matmul$batched_attention_unsigned_lhs
// CHECK-SAME: (%[[P:.*]]: tensor<1x2x5x5xui8>, %[[V:.*]]: tensor<1x2x5x8xi8>)
// CHECK: intvit.matmul %[[P]], %[[V]] : tensor<1x2x5x5xui8>, tensor<1x2x5x8xi8> -> tensor<1x2x5x8xi32>
func.func @matmul$batched_attention_unsigned_lhs(%p: tensor<1x2x5x5xui8>, %v: tensor<1x2x5x8xi8>) -> tensor<1x2x5x8xi32> {
  %y = intvit.matmul %p, %v : tensor<1x2x5x5xui8>, tensor<1x2x5x8xi8> -> tensor<1x2x5x8xi32>
  func.return %y : tensor<1x2x5x8xi32>
}

// -----
// CHECK-LABEL: func.func @matmul$packing
// CHECK: intvit.matmul %{{.*}}, %{{.*}} transpose_rhs packing #intvit.packing<row_bits = [4, 8, 8, 4], split8 = true, factor = 3> : tensor<2x8xi8>, tensor<4x8xi8> -> tensor<2x4xi32>
func.func @matmul$packing(%x: tensor<2x8xi8>, %w: tensor<4x8xi8>) -> tensor<2x4xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits = [4, 8, 8, 4], split8 = true, factor = 3> transpose_rhs : tensor<2x8xi8>, tensor<4x8xi8> -> tensor<2x4xi32>
  func.return %y : tensor<2x4xi32>
}

// -----
// CHECK-LABEL: func.func @shiftmax$bits8_unsigned
// CHECK-SAME: (%[[S:.*]]: tensor<2x5x5xi8>)
// CHECK: intvit.shiftmax %[[S]] scale 0.08 bits 8 : tensor<2x5x5xi8> -> tensor<2x5x5xui8>
func.func @shiftmax$bits8_unsigned(%s: tensor<2x5x5xi8>) -> tensor<2x5x5xui8> {
  %p = intvit.shiftmax %s scale 0.08 bits 8 : tensor<2x5x5xi8> -> tensor<2x5x5xui8>
  func.return %p : tensor<2x5x5xui8>
}

// -----
// CHECK-LABEL: func.func @shiftmax$bits16_axis_signed_wide
// CHECK: intvit.shiftmax %{{.*}} scale 0.5 axis 0 bits 16 : tensor<4x3xi16> -> tensor<4x3xi32>
func.func @shiftmax$bits16_axis_signed_wide(%s: tensor<4x3xi16>) -> tensor<4x3xi32> {
  %p = intvit.shiftmax %s scale 0.5 axis 0 bits 16 : tensor<4x3xi16> -> tensor<4x3xi32>
  func.return %p : tensor<4x3xi32>
}

// -----
// CHECK-LABEL: func.func @shiftmax$saturate_into_i8
// CHECK: intvit.shiftmax %{{.*}} scale 0.1 bits 8 saturate : tensor<3x4xi8> -> tensor<3x4xi8>
func.func @shiftmax$saturate_into_i8(%s: tensor<3x4xi8>) -> tensor<3x4xi8> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 saturate : tensor<3x4xi8> -> tensor<3x4xi8>
  func.return %p : tensor<3x4xi8>
}

// -----
// CHECK-LABEL: func.func @shiftmax$i9_result
// CHECK: intvit.shiftmax %{{.*}} scale 0.1 bits 8 : tensor<3x4xi8> -> tensor<3x4xi9>
func.func @shiftmax$i9_result(%s: tensor<3x4xi8>) -> tensor<3x4xi9> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<3x4xi8> -> tensor<3x4xi9>
  func.return %p : tensor<3x4xi9>
}

// -----
// CHECK-LABEL: func.func @shiftgelu$default
// CHECK-SAME: (%[[G:.*]]: tensor<5x32xi8>)
// CHECK: intvit.shiftgelu %[[G]] scale 0.05 bits 16 : tensor<5x32xi8> -> tensor<5x32xi16>
func.func @shiftgelu$default(%g: tensor<5x32xi8>) -> tensor<5x32xi16> {
  %y = intvit.shiftgelu %g scale 0.05 bits 16 : tensor<5x32xi8> -> tensor<5x32xi16>
  func.return %y : tensor<5x32xi16>
}

// -----
// CHECK-LABEL: func.func @shiftgelu$paper_shifts_axis
// CHECK: intvit.shiftgelu %{{.*}} scale 0.05 axis 0 bits 24 paper_shifts : tensor<5x32xi8> -> tensor<5x32xi32>
func.func @shiftgelu$paper_shifts_axis(%g: tensor<5x32xi8>) -> tensor<5x32xi32> {
  %y = intvit.shiftgelu %g paper_shifts scale 0.05 axis 0 bits 24 : tensor<5x32xi8> -> tensor<5x32xi32>
  func.return %y : tensor<5x32xi32>
}

// -----
// I-ViT's folded constant (`float32(s * float32(1.702))`); the flag may come anywhere.
// CHECK-LABEL: func.func @shiftgelu$ivit_constant
// CHECK: intvit.shiftgelu %{{.*}} scale 0.008640353567898273 bits 16 ivit_constant : tensor<5x32xi8> -> tensor<5x32xi16>
func.func @shiftgelu$ivit_constant(%g: tensor<5x32xi8>) -> tensor<5x32xi16> {
  %y = intvit.shiftgelu %g ivit_constant scale 0.008640353567898273 bits 16 : tensor<5x32xi8> -> tensor<5x32xi16>
  func.return %y : tensor<5x32xi16>
}

// -----
// CHECK-LABEL: func.func @isqrt$forms
// CHECK: intvit.isqrt %{{.*}} : tensor<4xui64> -> tensor<4xui64>
// CHECK: intvit.isqrt %{{.*}} iterations 8 : tensor<4xui64> -> tensor<4xui64>
// CHECK: intvit.isqrt %{{.*}} mode ivit : tensor<4xui32> -> tensor<4xui32>
// CHECK: intvit.isqrt %{{.*}} iterations 7 : tensor<4xui32> -> tensor<4xui32>
func.func @isqrt$forms(%a: tensor<4xui64>, %b: tensor<4xui64>, %c: tensor<4xui32>, %d: tensor<4xui32>) -> (tensor<4xui64>, tensor<4xui64>, tensor<4xui32>, tensor<4xui32>) {
  %0 = intvit.isqrt %a mode exact : tensor<4xui64> -> tensor<4xui64>
  %1 = intvit.isqrt %b iterations 8 : tensor<4xui64> -> tensor<4xui64>
  %2 = intvit.isqrt %c mode ivit : tensor<4xui32> -> tensor<4xui32>
  %3 = intvit.isqrt %d iterations 7 : tensor<4xui32> -> tensor<4xui32>
  func.return %0, %1, %2, %3 : tensor<4xui64>, tensor<4xui64>, tensor<4xui32>, tensor<4xui32>
}

// -----
// CHECK-LABEL: func.func @layernorm$bias
// CHECK-SAME: (%[[H:.*]]: tensor<5x4xi16>)
// CHECK: intvit.layernorm %[[H]] bias [0, -7, 100, 2000] : tensor<5x4xi16> -> tensor<5x4xi32>
func.func @layernorm$bias(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [0, -7, 100, 2000] : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK-LABEL: func.func @layernorm$all_options
// CHECK: intvit.layernorm %{{.*}} bias [1, 2, 3] axis 0 const_channels [0, 1, 0] isqrt_mode ivit : tensor<3x6xi8> -> tensor<3x6xi32>
// CHECK: intvit.layernorm %{{.*}} bias [1, 2, 3, 4, 5, 6] isqrt_iterations 9 : tensor<3x6xi8> -> tensor<3x6xi32>
func.func @layernorm$all_options(%h: tensor<3x6xi8>) -> (tensor<3x6xi32>, tensor<3x6xi32>) {
  %0 = intvit.layernorm %h isqrt_mode ivit const_channels [0, 1, 0] axis 0 bias [1, 2, 3] : tensor<3x6xi8> -> tensor<3x6xi32>
  %1 = intvit.layernorm %h bias [1, 2, 3, 4, 5, 6] isqrt_iterations 9 : tensor<3x6xi8> -> tensor<3x6xi32>
  func.return %0, %1 : tensor<3x6xi32>, tensor<3x6xi32>
}

// -----
// CHECK-LABEL: func.func @extra_attributes_survive
// CHECK: intvit.requant %{{.*}} multiplier [1073741824] shift [31] bits 8 {note = "kept"} : tensor<2xi32> -> tensor<2xi8>
func.func @extra_attributes_survive(%a: tensor<2xi32>) -> tensor<2xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 {note = "kept"} : tensor<2xi32> -> tensor<2xi8>
  func.return %r : tensor<2xi8>
}
