// RUN: intvit-opt %s --split-input-file --verify-diagnostics | filecheck %s
// One case per verifier rule of dialects/intvit.py; every message is located (file:line:col).

// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op input must have a float element type, got i32
func.func @quantize$not_float(%a: tensor<4xi32>) -> tensor<4xi8> {
  %q = intvit.quantize %a scale 0.1 bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %q : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op scale must be finite and in [2^-64, 2^64], got -0.5
func.func @quantize$scale_not_positive(%x: tensor<4xf32>) -> tensor<4xi8> {
  %q = intvit.quantize %x scale -0.5 bits 8 : tensor<4xf32> -> tensor<4xi8>
  func.return %q : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op bits = 33 is out of range [2, 32]
func.func @quantize$bits_out_of_range(%x: tensor<4xf32>) -> tensor<4xi32> {
  %q = intvit.quantize %x scale 0.5 bits 33 : tensor<4xf32> -> tensor<4xi32>
  func.return %q : tensor<4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op result element type i8 cannot hold 16-bit values
func.func @quantize$result_too_narrow(%x: tensor<4xf32>) -> tensor<4xi8> {
  %q = intvit.quantize %x scale 0.5 bits 16 : tensor<4xf32> -> tensor<4xi8>
  func.return %q : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op result element type ui8 must be signed or signless
func.func @quantize$unsigned_result(%x: tensor<4xf32>) -> tensor<4xui8> {
  %q = intvit.quantize %x scale 0.5 bits 8 : tensor<4xf32> -> tensor<4xui8>
  func.return %q : tensor<4xui8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op result shape [5] does not match [4]
func.func @quantize$shape_mismatch(%x: tensor<4xf32>) -> tensor<5xi8> {
  %q = intvit.quantize %x scale 0.5 bits 8 : tensor<4xf32> -> tensor<5xi8>
  func.return %q : tensor<5xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.quantize' op requires 'scale' and 'bits'
func.func @quantize$missing_bits(%x: tensor<4xf32>) -> tensor<4xi8> {
  %q = intvit.quantize %x scale 0.5 : tensor<4xf32> -> tensor<4xi8>
  func.return %q : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.dequantize' op result must have a float element type, got i32
func.func @dequantize$int_result(%a: tensor<4xi32>) -> tensor<4xi32> {
  %f = intvit.dequantize %a scale 0.5 : tensor<4xi32> -> tensor<4xi32>
  func.return %f : tensor<4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.dequantize' op requires 'scale'
func.func @dequantize$missing_scale(%a: tensor<4xi32>) -> tensor<4xf32> {
  %f = intvit.dequantize %a : tensor<4xi32> -> tensor<4xf32>
  func.return %f : tensor<4xf32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.dequantize' op input element type i64 is wider than the 32 bits allowed
func.func @dequantize$input_too_wide(%a: tensor<4xi64>) -> tensor<4xf32> {
  %f = intvit.dequantize %a scale 0.5 : tensor<4xi64> -> tensor<4xf32>
  func.return %f : tensor<4xf32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op multiplier 12 is outside [2^30, 2^31)
func.func @requant$multiplier_low(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [12] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op multiplier 2147483648 is outside [2^30, 2^31)
func.func @requant$multiplier_high(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [2147483648] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op shift 0 is outside [1, 62]
func.func @requant$shift_zero(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [0] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op shift 63 is outside [1, 62]
func.func @requant$shift_63(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [63] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op has 2 multipliers but 1 shifts
func.func @requant$count_mismatch(%a: tensor<4x2xi32>) -> tensor<4x2xi8> {
  %r = intvit.requant %a multiplier [1073741824, 1073741824] shift [31] bits 8 : tensor<4x2xi32> -> tensor<4x2xi8>
  func.return %r : tensor<4x2xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op per-channel requant has 3 (multiplier, shift) pairs but axis 1 has 2 channels (allowed: 1 or 2)
func.func @requant$per_channel_length(%a: tensor<4x2xi32>) -> tensor<4x2xi8> {
  %r = intvit.requant %a multiplier [1073741824, 1073741824, 1073741824] shift [31, 31, 31] bits 8 : tensor<4x2xi32> -> tensor<4x2xi8>
  func.return %r : tensor<4x2xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op axis 2 is out of range for rank 2
func.func @requant$axis_out_of_range(%a: tensor<4x2xi32>) -> tensor<4x2xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] axis 2 bits 8 : tensor<4x2xi32> -> tensor<4x2xi8>
  func.return %r : tensor<4x2xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op bits = 1 is out of range [2, 32]
func.func @requant$bits_1(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 1 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op input must have an integer element type, got f32
func.func @requant$float_input(%a: tensor<4xf32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xf32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op input element type i64 is wider than the 32 bits allowed
func.func @requant$input_i64(%a: tensor<4xi64>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : tensor<4xi64> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op requires 'multiplier', 'shift' and 'bits'
func.func @requant$missing_shift(%a: tensor<4xi32>) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.requant' op input must be a ranked tensor, got i32
func.func @requant$not_a_tensor(%a: i32) -> tensor<4xi8> {
  %r = intvit.requant %a multiplier [1073741824] shift [31] bits 8 : i32 -> tensor<4xi8>
  func.return %r : tensor<4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.add' op rhs shape [5] does not match [4]
func.func @add$shape_mismatch(%a: tensor<4xi16>, %b: tensor<5xi16>) -> tensor<4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1073741824 rhs_shift 30 bits 16 : tensor<4xi16>, tensor<5xi16> -> tensor<4xi16>
  func.return %s : tensor<4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.add' op rhs_shift 99 is outside [1, 62]
func.func @add$rhs_shift(%a: tensor<4xi16>, %b: tensor<4xi16>) -> tensor<4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1073741824 rhs_shift 99 bits 16 : tensor<4xi16>, tensor<4xi16> -> tensor<4xi16>
  func.return %s : tensor<4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.add' op lhs_multiplier 5 is outside [2^30, 2^31)
func.func @add$lhs_multiplier(%a: tensor<4xi16>, %b: tensor<4xi16>) -> tensor<4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 5 lhs_shift 30 rhs_multiplier 1073741824 rhs_shift 30 bits 16 : tensor<4xi16>, tensor<4xi16> -> tensor<4xi16>
  func.return %s : tensor<4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.add' op requires 'lhs_multiplier', 'lhs_shift', 'rhs_multiplier', 'rhs_shift', 'bits'
func.func @add$missing(%a: tensor<4xi16>, %b: tensor<4xi16>) -> tensor<4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 1073741824 lhs_shift 30 bits 16 : tensor<4xi16>, tensor<4xi16> -> tensor<4xi16>
  func.return %s : tensor<4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op lhs element type must be i8 or ui8, got i16
func.func @matmul$lhs_i16(%x: tensor<2x4xi16>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w : tensor<2x4xi16>, tensor<4x3xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op rhs element type must be i8 (int4 rows are stored as i8), got ui8
func.func @matmul$rhs_unsigned(%x: tensor<2x4xi8>, %w: tensor<4x3xui8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w : tensor<2x4xi8>, tensor<4x3xui8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op result element type must be i32, got i16
func.func @matmul$result_i16(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi16> {
  %y = intvit.matmul %x, %w : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x3xi16>
  func.return %y : tensor<2x3xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op lhs and rhs need rank >= 2, got ranks 1 and 2
func.func @matmul$rank1(%x: tensor<4xi8>, %w: tensor<4x3xi8>) -> tensor<3xi32> {
  %y = intvit.matmul %x, %w : tensor<4xi8>, tensor<4x3xi8> -> tensor<3xi32>
  func.return %y : tensor<3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op batched rhs dims [3] do not match lhs batch dims [2]
func.func @matmul$batch_mismatch(%x: tensor<2x5x4xi8>, %w: tensor<3x4x6xi8>) -> tensor<2x5x6xi32> {
  %y = intvit.matmul %x, %w : tensor<2x5x4xi8>, tensor<3x4x6xi8> -> tensor<2x5x6xi32>
  func.return %y : tensor<2x5x6xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op contraction mismatch: lhs has K = 4 but rhs has K = 5
func.func @matmul$k_mismatch(%x: tensor<2x4xi8>, %w: tensor<3x5xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w transpose_rhs : tensor<2x4xi8>, tensor<3x5xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op result shape [2, 4] should be [2, 3]
func.func @matmul$result_shape(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x4xi32> {
  %y = intvit.matmul %x, %w : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x4xi32>
  func.return %y : tensor<2x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op bias must be tensor<3xi32>, got tensor<4xi32>
func.func @matmul$bias_shape(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>, %b: tensor<4xi32>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w, %b : tensor<2x4xi8>, tensor<4x3xi8>, tensor<4xi32> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op packing has 2 row_bits entries but the weight has 3 output channels
func.func @matmul$packing_rows(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 2> : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op #intvit.packing row_bits must be 4 or 8, got [6]
func.func @packing$bad_bits(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits = [4, 6, 8], split8 = true, factor = 2> : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.matmul' op #intvit.packing factor must be in [1, 4], got 5
func.func @packing$bad_factor(%x: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits = [4, 8, 8], split8 = false, factor = 5> : tensor<2x4xi8>, tensor<4x3xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op bits = 12 must be 8 or 16
func.func @shiftmax$bits(%s: tensor<3x4xi8>) -> tensor<3x4xi16> {
  %p = intvit.shiftmax %s scale 0.1 bits 12 : tensor<3x4xi8> -> tensor<3x4xi16>
  func.return %p : tensor<3x4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op result element type i8 cannot hold 2^7 (needs ui8, i9 or wider, or 'saturate')
func.func @shiftmax$signed_i8_result(%s: tensor<3x4xi8>) -> tensor<3x4xi8> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<3x4xi8> -> tensor<3x4xi8>
  func.return %p : tensor<3x4xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op input scale 1e-06 is too small: x0 = -1000000 < -2^16 lets an exponent exceed 2^31
func.func @shiftmax$tiny_scale(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 1.0e-06 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op scale must be finite and in [2^-64, 2^64], got 0.0
func.func @shiftmax$zero_scale(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 0.0 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op axis -3 is out of range for rank 2
func.func @shiftmax$axis(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 0.1 axis -3 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftmax' op requires 'scale' and 'bits'
func.func @shiftmax$missing(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op bits = 12 cannot hold x * sigmoid for i8 input (needs >= 16)
func.func @shiftgelu$bits(%g: tensor<5x8xi8>) -> tensor<5x8xi16> {
  %y = intvit.shiftgelu %g scale 0.05 bits 12 : tensor<5x8xi8> -> tensor<5x8xi16>
  func.return %y : tensor<5x8xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op input element type ui8 must be signed or signless
func.func @shiftgelu$unsigned_input(%g: tensor<5x8xui8>) -> tensor<5x8xi16> {
  %y = intvit.shiftgelu %g scale 0.05 bits 16 : tensor<5x8xui8> -> tensor<5x8xi16>
  func.return %y : tensor<5x8xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op input element type i32 is wider than the 16 bits allowed
func.func @shiftgelu$input_too_wide(%g: tensor<5x8xi32>) -> tensor<5x8xi32> {
  %y = intvit.shiftgelu %g scale 0.05 bits 32 : tensor<5x8xi32> -> tensor<5x8xi32>
  func.return %y : tensor<5x8xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op 'ivit_constant' and 'paper_shifts' exclude each other: the paper's shifts apply 1.702 at run time, so there is no folded constant
func.func @shiftgelu$ivit_constant_with_paper_shifts(%g: tensor<5x8xi8>) -> tensor<5x8xi16> {
  %y = intvit.shiftgelu %g scale 0.05 bits 16 paper_shifts ivit_constant : tensor<5x8xi8> -> tensor<5x8xi16>
  func.return %y : tensor<5x8xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op input scale 0.001 is too small: x0 = -588 < -256 lets the sigmoid exponent exceed 2^31
func.func @shiftgelu$tiny_scale(%g: tensor<5x8xi8>) -> tensor<5x8xi16> {
  %y = intvit.shiftgelu %g scale 0.001 bits 16 : tensor<5x8xi8> -> tensor<5x8xi16>
  func.return %y : tensor<5x8xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.shiftgelu' op result element type i8 cannot hold 16-bit values
func.func @shiftgelu$result_narrow(%g: tensor<5x8xi8>) -> tensor<5x8xi8> {
  %y = intvit.shiftgelu %g scale 0.05 bits 16 : tensor<5x8xi8> -> tensor<5x8xi8>
  func.return %y : tensor<5x8xi8>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.isqrt' op result type tensor<4xi32> must equal the input type tensor<4xi64>
func.func @isqrt$type_mismatch(%a: tensor<4xi64>) -> tensor<4xi32> {
  %v = intvit.isqrt %a : tensor<4xi64> -> tensor<4xi32>
  func.return %v : tensor<4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.isqrt' op input element type i16 must be 32 or 64 bits wide
func.func @isqrt$width(%a: tensor<4xi16>) -> tensor<4xi16> {
  %v = intvit.isqrt %a : tensor<4xi16> -> tensor<4xi16>
  func.return %v : tensor<4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.isqrt' op iterations = 3 is not enough for 64-bit inputs (needs >= 8)
func.func @isqrt$too_few_iterations(%a: tensor<4xui64>) -> tensor<4xui64> {
  %v = intvit.isqrt %a iterations 3 : tensor<4xui64> -> tensor<4xui64>
  func.return %v : tensor<4xui64>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.isqrt' op mode ivit always runs 10 iterations; drop 'iterations'
func.func @isqrt$ivit_iterations(%a: tensor<4xui64>) -> tensor<4xui64> {
  %v = intvit.isqrt %a mode ivit iterations 12 : tensor<4xui64> -> tensor<4xui64>
  func.return %v : tensor<4xui64>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op bias has 2 entries but axis 1 has 4 channels
func.func @layernorm$bias_length(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2] : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op result element type must be i32, got i16
func.func @layernorm$result_i16(%h: tensor<5x4xi16>) -> tensor<5x4xi16> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] : tensor<5x4xi16> -> tensor<5x4xi16>
  func.return %n : tensor<5x4xi16>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op input element type i32 is wider than the 16 bits allowed
func.func @layernorm$input_i32(%h: tensor<5x4xi32>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] : tensor<5x4xi32> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op const_channels has 2 entries but axis 1 has 4 channels
func.func @layernorm$const_length(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] const_channels [0, 1] : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op const_channels entries must be 0 or 1
func.func @layernorm$const_values(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] const_channels [0, 1, 2, 0] : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op isqrt_mode ivit always runs 10 iterations; drop 'isqrt_iterations'
func.func @layernorm$ivit_iterations(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] isqrt_mode ivit isqrt_iterations 10 : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op isqrt_iterations = 2 is not enough for the 64-bit variance (needs >= 8)
func.func @layernorm$few_iterations(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [1, 2, 3, 4] isqrt_iterations 2 : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.layernorm' op requires 'bias'
func.func @layernorm$missing_bias(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// A signed isqrt input has no integer root when negative: the type must say unsigned.
// CHECK: ops_invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'intvit.isqrt' op input element type i64 must be unsigned (ui32 or ui64): a square root of a negative value has no integer result
func.func @isqrt$signed(%a: tensor<4xi64>) -> tensor<4xi64> {
  %v = intvit.isqrt %a : tensor<4xi64> -> tensor<4xi64>
  func.return %v : tensor<4xi64>
}

// -----
// Too large a scale: 1/s rounds to 0 in float32, x0 would be 0 and the exponent divides by it.
// CHECK: ops_invalid.mlir:[[# @LINE + 2]]:3: error: 'intvit.shiftmax' op scale must be finite and in [2^-64, 2^64], got 1e+46
func.func @shiftmax$huge_scale(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 1.0e+46 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// CHECK: ops_invalid.mlir:[[# @LINE + 2]]:3: error: 'intvit.shiftgelu' op scale must be finite and in [2^-64, 2^64], got 1e+300
func.func @shiftgelu$huge_scale(%g: tensor<5x8xi8>) -> tensor<5x8xi16> {
  %y = intvit.shiftgelu %g scale 1.0e+300 bits 16 : tensor<5x8xi8> -> tensor<5x8xi16>
  func.return %y : tensor<5x8xi16>
}

// -----
// CHECK: ops_invalid.mlir:[[# @LINE + 2]]:3: error: 'intvit.dequantize' op scale must be finite and in [2^-64, 2^64], got 1e-30
func.func @dequantize$tiny_scale(%x: tensor<4xi8>) -> tensor<4xf32> {
  %y = intvit.dequantize %x scale 1.0e-30 : tensor<4xi8> -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----
// K = 131073 products of int8 x int8 reach 131073 * 16384 > 2^31 - 1.
// CHECK: ops_invalid.mlir:[[# @LINE + 2]]:3: error: 'intvit.matmul' op the int32 accumulator can overflow: K = 131073 products of i8 x int8 weights plus the bias span [-2130722688, 2147500032], outside [-2^31, 2^31 - 1] (K <= 131071 fits)
func.func @matmul$accumulator_overflow(%a: tensor<1x131073xi8>, %w: tensor<131073x1xi8>) -> tensor<1x1xi32> {
  %y = intvit.matmul %a, %w : tensor<1x131073xi8>, tensor<131073x1xi8> -> tensor<1x1xi32>
  func.return %y : tensor<1x1xi32>
}

// -----
// A constant bias counts: 64 uint8 x int8 products are small, a bias of 2^31 - 100 is not.
// CHECK: ops_invalid.mlir:[[# @LINE + 3]]:3: error: 'intvit.matmul' op the int32 accumulator can overflow: K = 64 products of ui8 x int8 weights plus the bias span [-2088960, 2149556188], outside [-2^31, 2^31 - 1] (K <= 0 fits)
func.func @matmul$bias_overflow(%a: tensor<2x64xui8>, %w: tensor<64x2xi8>) -> tensor<2x2xi32> {
  %b = arith.constant dense<[0, 2147483548]> : tensor<2xi32>
  %y = intvit.matmul %a, %w, %b : tensor<2x64xui8>, tensor<64x2xi8>, tensor<2xi32> -> tensor<2x2xi32>
  func.return %y : tensor<2x2xi32>
}
