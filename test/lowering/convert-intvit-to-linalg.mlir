// RUN: intvit-opt %s --split-input-file -p convert-intvit-to-linalg | filecheck %s
// RUN: intvit-opt %s --split-input-file -p convert-intvit-to-linalg,expand-intvit-helpers,verify-integer-only | filecheck %s --check-prefix=FULL

// FULL-NOT: = intvit.
// FULL-NOT: intvit_helper.apply_scale

// CHECK-LABEL: func.func @requant$per_tensor
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xi32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x8xi8>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4x8xi32>) outs(%[[INIT]] : tensor<4x8xi8>)
// CHECK: ^bb0(%[[X:.*]]: i32, %{{.*}}: i8):
// CHECK: %[[W:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK: %[[M:.*]] = arith.constant 1518500250 : i64
// CHECK: %[[E:.*]] = arith.constant 40 : i64
// CHECK: %[[S:.*]] = intvit_helper.apply_scale %[[W]], %[[M]], %[[E]] rounding half_up : i64, i64, i64 -> i64
// CHECK: %[[LO:.*]] = arith.maxsi %[[S]], %{{.*}} : i64
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : i64
// CHECK: %[[T:.*]] = arith.trunci %[[HI]] : i64 to i8
// CHECK: linalg.yield %[[T]] : i8
// CHECK: func.return %[[R]]
func.func @requant$per_tensor(%a: tensor<4x8xi32>) -> tensor<4x8xi8> {
  %r = intvit.requant %a multiplier [1518500250] shift [40] bits 8 rounding half_up : tensor<4x8xi32> -> tensor<4x8xi8>
  func.return %r : tensor<4x8xi8>
}

// -----
// Per-channel (m, e) tables are constant i32 tensors indexed by the channel dimension,
// sign-extended in the body (a 32 x 32 -> 64 product for the backend).
// CHECK-LABEL: func.func @requant$per_channel
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xi32>)
// CHECK: %[[MT:.*]] = arith.constant dense<[1073741824, 1288490189]> : tensor<2xi32>
// CHECK: %[[ET:.*]] = arith.constant dense<[31, 35]> : tensor<2xi32>
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]{{.*}} ins(%[[A]], %[[MT]], %[[ET]] : tensor<3x2xi32>, tensor<2xi32>, tensor<2xi32>)
// CHECK: ^bb0(%[[X:.*]]: i32, %[[M32:.*]]: i32, %[[E32:.*]]: i32, %{{.*}}: i16):
// CHECK: %[[W:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK: %[[M:.*]] = arith.extsi %[[M32]] : i32 to i64
// CHECK: %[[E:.*]] = arith.extsi %[[E32]] : i32 to i64
// CHECK: intvit_helper.apply_scale %[[W]], %[[M]], %[[E]] : i64, i64, i64 -> i64
func.func @requant$per_channel(%a: tensor<3x2xi32>) -> tensor<3x2xi16> {
  %r = intvit.requant %a multiplier [1073741824, 1288490189] shift [31, 35] bits 16 : tensor<3x2xi32> -> tensor<3x2xi16>
  func.return %r : tensor<3x2xi16>
}

// -----
// CHECK-LABEL: func.func @add$residual
// CHECK-SAME: (%[[A:.*]]: tensor<4xi16>, %[[B:.*]]: tensor<4xi16>)
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<4xi16>, tensor<4xi16>)
// CHECK: ^bb0(%[[X:.*]]: i16, %[[Y:.*]]: i16, %{{.*}}: i16):
// CHECK: %[[WX:.*]] = arith.extsi %[[X]] : i16 to i64
// CHECK: %[[SX:.*]] = intvit_helper.apply_scale %[[WX]], %{{.*}}, %{{.*}} : i64, i64, i64 -> i64
// CHECK: %[[WY:.*]] = arith.extsi %[[Y]] : i16 to i64
// CHECK: %[[SY:.*]] = intvit_helper.apply_scale %[[WY]], %{{.*}}, %{{.*}} : i64, i64, i64 -> i64
// CHECK: %[[SUM:.*]] = arith.addi %[[SX]], %[[SY]] : i64
// CHECK: arith.maxsi %[[SUM]]
func.func @add$residual(%a: tensor<4xi16>, %b: tensor<4xi16>) -> tensor<4xi16> {
  %s = intvit.add %a, %b lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1610612736 rhs_shift 31 bits 16 : tensor<4xi16>, tensor<4xi16> -> tensor<4xi16>
  func.return %s : tensor<4xi16>
}

// -----
// The GEMM: bias broadcast into the init, i8 x i8 -> i32 through extsi, K reduced last.
// CHECK-LABEL: func.func @matmul$linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x8xi8>, %[[W:.*]]: tensor<16x8xi8>, %[[B:.*]]: tensor<16xi32>)
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]{{.*}} ins(%[[B]] : tensor<16xi32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[W]] : tensor<2x5x8xi8>, tensor<16x8xi8>) outs(%[[INIT]] : tensor<2x5x16xi32>) attrs = {intvit.gemm}
// CHECK: ^bb0(%[[L:.*]]: i8, %[[R:.*]]: i8, %[[ACC:.*]]: i32):
// CHECK: %[[LW:.*]] = arith.extsi %[[L]] : i8 to i32
// CHECK: %[[RW:.*]] = arith.extsi %[[R]] : i8 to i32
// CHECK: %[[P:.*]] = arith.muli %[[LW]], %[[RW]] : i32
// CHECK: %[[SUM:.*]] = arith.addi %[[ACC]], %[[P]] : i32
// CHECK: linalg.yield %[[SUM]] : i32
// CHECK: func.return %[[Y]]
func.func @matmul$linear_bias(%x: tensor<2x5x8xi8>, %w: tensor<16x8xi8>, %b: tensor<16xi32>) -> tensor<2x5x16xi32> {
  %y = intvit.matmul %x, %w, %b transpose_rhs : tensor<2x5x8xi8>, tensor<16x8xi8>, tensor<16xi32> -> tensor<2x5x16xi32>
  func.return %y : tensor<2x5x16xi32>
}

// -----
// Shiftmax output (ui8) feeding attn @ V: storage becomes signless i8, read with extui.
// CHECK-LABEL: func.func @matmul$unsigned_lhs_batched
// CHECK: %[[P:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x5x5xi8>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>]{{.*}} ins(%[[P]], %{{.*}} : tensor<1x2x5x5xi8>, tensor<1x2x5x8xi8>)
// CHECK: ^bb0(%[[L:.*]]: i8, %[[R:.*]]: i8, %{{.*}}: i32):
// CHECK: arith.extui %[[L]] : i8 to i32
// CHECK: arith.extsi %[[R]] : i8 to i32
func.func @matmul$unsigned_lhs_batched(%s: tensor<1x2x5x5xi8>, %v: tensor<1x2x5x8xi8>) -> tensor<1x2x5x8xi32> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<1x2x5x5xi8> -> tensor<1x2x5x5xui8>
  %y = intvit.matmul %p, %v : tensor<1x2x5x5xui8>, tensor<1x2x5x8xi8> -> tensor<1x2x5x8xi32>
  func.return %y : tensor<1x2x5x8xi32>
}

// -----
// The Quasar-ViT packing annotation survives as attributes on the GEMM generic.
// CHECK-LABEL: func.func @matmul$packing
// CHECK: linalg.generic {{.*}} attrs = {intvit.gemm, intvit.row_bits = array<i8: 4, 8>, intvit.split8 = true, intvit.packing_factor = 2 : i64}
func.func @matmul$packing(%x: tensor<3x4xi8>, %w: tensor<2x4xi8>) -> tensor<3x2xi32> {
  %y = intvit.matmul %x, %w transpose_rhs packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 2> : tensor<3x4xi8>, tensor<2x4xi8> -> tensor<3x2xi32>
  func.return %y : tensor<3x2xi32>
}

// -----
// Shiftmax on 8-bit input: row max, then iexp of (max - x) is one lookup per element in a 256-entry table
// into an i32 tensor that the row sum and the scaled output read (no second lookup), one division per row.
// CHECK-LABEL: func.func @shiftmax$rows
// CHECK-SAME: (%[[S:.*]]: tensor<3x4xi8>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[S]] : tensor<3x4xi8>)
// CHECK: arith.maxsi
// CHECK: %[[T:.*]] = arith.constant dense_resource<shiftmax_exp{{.*}}> : tensor<256xi32>
// CHECK: %[[E:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[S]], %[[MAX]] : tensor<3x4xi8>, tensor<3xi64>) outs(%{{.*}} : tensor<3x4xi32>)
// CHECK: ^bb0(%[[X:.*]]: i8, %[[M:.*]]: i64, %{{.*}}: i32):
// CHECK: %[[XE:.*]] = arith.extsi %[[X]] : i8 to i64
// CHECK: %[[D:.*]] = arith.subi %[[M]], %[[XE]] : i64
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : i64 to index
// CHECK: %[[EV:.*]] = tensor.extract %[[T]][%[[I]]] : tensor<256xi32>
// CHECK: linalg.yield %[[EV]] : i32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<3x4xi32>)
// CHECK: ^bb0(%[[EE:.*]]: i32, %[[ACC:.*]]: i64):
// CHECK: %[[EW:.*]] = arith.extui %[[EE]] : i32 to i64
// CHECK: arith.addi %[[ACC]], %[[EW]] : i64
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xi64>)
// CHECK: arith.divsi
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[MAX]], %[[F]] : tensor<3x4xi32>, tensor<3xi64>, tensor<3xi32>) outs(%{{.*}} : tensor<3x4xi8>)
// CHECK-NOT: tensor.extract
// CHECK-NOT: arith.floordivsi
func.func @shiftmax$rows(%s: tensor<3x4xi8>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 0.1 bits 8 : tensor<3x4xi8> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// Shiftmax on wider input computes iexp (shifts, exact quotient by x0) into an i64 tensor.
// CHECK-LABEL: func.func @shiftmax$wide
// CHECK-SAME: (%[[S:.*]]: tensor<3x4xi16>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[S]] : tensor<3x4xi16>)
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[S]], %[[MAX]] : tensor<3x4xi16>, tensor<3xi64>)
// CHECK: arith.floordivsi
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<3x4xi64>)
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<3xi64>)
// CHECK: arith.divsi
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[MAX]], %[[F]] : tensor<3x4xi64>, tensor<3xi64>, tensor<3xi32>) outs(%{{.*}} : tensor<3x4xi8>)
// CHECK-NOT: tensor.extract
func.func @shiftmax$wide(%s: tensor<3x4xi16>) -> tensor<3x4xui8> {
  %p = intvit.shiftmax %s scale 0.001 bits 8 : tensor<3x4xi16> -> tensor<3x4xui8>
  func.return %p : tensor<3x4xui8>
}

// -----
// ShiftGELU on int8: raw row max, then sigmoid = table[max + 128, x + 128] (no per-element division).
// CHECK-LABEL: func.func @shiftgelu
// CHECK-SAME: (%[[G:.*]]: tensor<2x8xi8>)
// CHECK: %[[T:.*]] = arith.constant dense_resource<shiftgelu_sigmoid{{.*}}> : tensor<256x256xi32>
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<2x8xi8>)
// CHECK: linalg.generic {{.*}} ins(%[[G]], %[[MAX]] : tensor<2x8xi8>, tensor<2xi64>) outs(%{{.*}} : tensor<2x8xi16>)
// CHECK: ^bb0(%[[X:.*]]: i8, %[[M:.*]]: i64, %{{.*}}: i16):
// CHECK: %[[XE:.*]] = arith.extsi %[[X]] : i8 to i64
// CHECK: %[[ROW:.*]] = arith.addi %[[M]], %{{.*}} : i64
// CHECK: %[[COL:.*]] = arith.addi %[[XE]], %{{.*}} : i64
// CHECK: %[[RI:.*]] = arith.index_cast %[[ROW]] : i64 to index
// CHECK: %[[CI:.*]] = arith.index_cast %[[COL]] : i64 to index
// CHECK: %[[SIG:.*]] = tensor.extract %[[T]][%[[RI]], %[[CI]]] : tensor<256x256xi32>
// CHECK: %[[SIG64:.*]] = arith.extsi %[[SIG]] : i32 to i64
// CHECK: %[[Y:.*]] = arith.muli %[[XE]], %[[SIG64]] : i64
// CHECK: arith.trunci %[[Y]] : i64 to i16
// CHECK-NOT: arith.divsi
func.func @shiftgelu(%g: tensor<2x8xi8>) -> tensor<2x8xi16> {
  %y = intvit.shiftgelu %g scale 0.05 bits 16 : tensor<2x8xi8> -> tensor<2x8xi16>
  func.return %y : tensor<2x8xi16>
}

// -----
// ShiftGELU on wider input: two iexp and a division per element.
// CHECK-LABEL: func.func @shiftgelu$wide
// CHECK-SAME: (%[[G:.*]]: tensor<2x8xi16>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<2x8xi16>)
// CHECK: linalg.generic {{.*}} ins(%[[G]], %[[MAX]] : tensor<2x8xi16>, tensor<2xi64>) outs(%{{.*}} : tensor<2x8xi32>)
// CHECK: arith.floordivsi
// CHECK: arith.divsi
// CHECK: arith.shrsi %{{.*}}, %{{.*}} : i64
// CHECK: arith.trunci %{{.*}} : i64 to i32
func.func @shiftgelu$wide(%g: tensor<2x8xi16>) -> tensor<2x8xi32> {
  %y = intvit.shiftgelu %g scale 0.05 bits 24 : tensor<2x8xi16> -> tensor<2x8xi32>
  func.return %y : tensor<2x8xi32>
}

// -----
// x0 at s = 0.008640353567898273: -69 from float32(s * 1.702) (ours), -68 from
// float32(s * float32(1.702)) (I-ViT's code, `ivit_constant`).
// CHECK-LABEL: func.func @shiftgelu$x0_ours
// CHECK: arith.constant -69 : i64
// CHECK-NOT: arith.constant -68 : i64
func.func @shiftgelu$x0_ours(%g: tensor<2x8xi16>) -> tensor<2x8xi32> {
  %y = intvit.shiftgelu %g scale 0.008640353567898273 bits 24 : tensor<2x8xi16> -> tensor<2x8xi32>
  func.return %y : tensor<2x8xi32>
}

// -----
// CHECK-LABEL: func.func @shiftgelu$x0_ivit_constant
// CHECK: arith.constant -68 : i64
// CHECK-NOT: arith.constant -69 : i64
func.func @shiftgelu$x0_ivit_constant(%g: tensor<2x8xi16>) -> tensor<2x8xi32> {
  %y = intvit.shiftgelu %g scale 0.008640353567898273 bits 24 ivit_constant : tensor<2x8xi16> -> tensor<2x8xi32>
  func.return %y : tensor<2x8xi32>
}

// -----
// isqrt without a named count: bit by bit, 32 unsigned compare/subtract steps, no division.
// CHECK-LABEL: func.func @isqrt
// CHECK-COUNT-32: arith.cmpi uge
// CHECK-NOT: arith.cmpi uge
// CHECK-NOT: arith.divui
// CHECK-NOT: scf.
func.func @isqrt(%v: tensor<4xui64>) -> tensor<4xui64> {
  %r = intvit.isqrt %v : tensor<4xui64> -> tensor<4xui64>
  func.return %r : tensor<4xui64>
}

// -----
// CHECK-LABEL: func.func @layernorm
// CHECK-SAME: (%[[H:.*]]: tensor<5x4xi16>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<5x4xi16>)
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<5xi64>)
// CHECK: %[[VAR:.*]] = linalg.generic {{.*}} ins(%[[H]], %[[MEAN]] : tensor<5x4xi16>, tensor<5xi64>)
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<5xi64>)
// CHECK: %[[BIAS:.*]] = arith.constant dense<[0, -7, 100, 2000]> : tensor<4xi64>
// CHECK: %[[KEEP:.*]] = arith.constant dense<[1, 1, 0, 1]> : tensor<4xi64>
// CHECK: linalg.generic {{.*}} ins(%[[H]], %[[MEAN]], %[[F]], %[[BIAS]], %[[KEEP]] : tensor<5x4xi16>, tensor<5xi64>, tensor<5xi64>, tensor<4xi64>, tensor<4xi64>)
func.func @layernorm(%h: tensor<5x4xi16>) -> tensor<5x4xi32> {
  %n = intvit.layernorm %h bias [0, -7, 100, 2000] const_channels [0, 0, 1, 0] : tensor<5x4xi16> -> tensor<5x4xi32>
  func.return %n : tensor<5x4xi32>
}

// -----
// The boundary ops keep their floats inside generics marked intvit.boundary.
// CHECK-LABEL: func.func @boundary
// CHECK: linalg.generic {{.*}} attrs = {intvit.boundary}
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.fptosi
// CHECK: linalg.generic {{.*}} attrs = {intvit.boundary}
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @boundary(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = intvit.quantize %x scale 0.25 bits 8 : tensor<4xf32> -> tensor<4xi8>
  %f = intvit.dequantize %q scale 0.25 : tensor<4xi8> -> tensor<4xf32>
  func.return %f : tensor<4xf32>
}

// -----
// Other float types at the boundary: f16 in (extf to f64, exact), f16 and f64 out (the float32
// product rounded with truncf, widened with extf).  The clamp uses maxnumf/minnumf (NaN -> -2^(b-1)).
// CHECK-LABEL: func.func @boundary$f16_f64
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4xf16>) outs(%{{.*}} : tensor<4xi8>) attrs = {intvit.boundary}
// CHECK: ^bb0(%[[V:.*]]: f16, %{{.*}}: i8):
// CHECK: %[[W:.*]] = arith.extf %[[V]] : f16 to f64
// CHECK: %[[D:.*]] = arith.divf %[[W]], %{{.*}} : f64
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f64
// CHECK: %[[LO:.*]] = arith.maxnumf %[[R]], %{{.*}} : f64
// CHECK: %[[HI:.*]] = arith.minnumf %[[LO]], %{{.*}} : f64
// CHECK: %[[I:.*]] = arith.fptosi %[[HI]] : f64 to i64
// CHECK: arith.trunci %[[I]] : i64 to i8
// CHECK: linalg.generic {{.*}} ins(%[[Q]] : tensor<4xi8>) outs(%{{.*}} : tensor<4xf16>) attrs = {intvit.boundary}
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.truncf %[[P]] : f32 to f16
// CHECK: linalg.generic {{.*}} ins(%[[Q]] : tensor<4xi8>) outs(%{{.*}} : tensor<4xf64>) attrs = {intvit.boundary}
// CHECK: %[[P64:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.extf %[[P64]] : f32 to f64
func.func @boundary$f16_f64(%x: tensor<4xf16>) -> (tensor<4xf16>, tensor<4xf64>) {
  %q = intvit.quantize %x scale 0.25 bits 4 : tensor<4xf16> -> tensor<4xi8>
  %h = intvit.dequantize %q scale 0.25 : tensor<4xi8> -> tensor<4xf16>
  %d = intvit.dequantize %q scale 0.25 : tensor<4xi8> -> tensor<4xf64>
  func.return %h, %d : tensor<4xf16>, tensor<4xf64>
}

// -----
// A named iteration count on a 32-bit input: zero-extended to i64, exactly 7 min-form steps.
// CHECK-LABEL: func.func @isqrt$iterations_i32
// CHECK: ^bb0(%[[V:.*]]: i32, %{{.*}}: i32):
// CHECK: arith.extui %[[V]] : i32 to i64
// CHECK-COUNT-7: arith.minui
// CHECK-NOT: arith.minui
// CHECK: %[[T:.*]] = arith.trunci %{{.*}} : i64 to i32
// CHECK: linalg.yield %[[T]] : i32
func.func @isqrt$iterations_i32(%v: tensor<3xui32>) -> tensor<3xui32> {
  %r = intvit.isqrt %v iterations 7 : tensor<3xui32> -> tensor<3xui32>
  func.return %r : tensor<3xui32>
}

// -----
// The I-ViT compatibility mode: start at 2^16, ten plain steps (no min), division guarded.
// CHECK-LABEL: func.func @isqrt$ivit
// CHECK-SAME: (%[[V:.*]]: tensor<4xi64>) -> tensor<4xi64>
// CHECK: arith.constant 65536 : i64
// CHECK-COUNT-10: arith.divui
// CHECK-NOT: arith.divui
// CHECK-NOT: arith.minui
func.func @isqrt$ivit(%v: tensor<4xui64>) -> tensor<4xui64> {
  %r = intvit.isqrt %v mode ivit : tensor<4xui64> -> tensor<4xui64>
  func.return %r : tensor<4xui64>
}

// -----
// Packing on a [K, N] weight: one row_bits entry per output channel (a column).
// CHECK-LABEL: func.func @matmul$packing_kn
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xi8>, %[[W:.*]]: tensor<4x2xi8>)
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]{{.*}} ins(%[[X]], %[[W]] : tensor<3x4xi8>, tensor<4x2xi8>) {{.*}} attrs = {intvit.gemm, intvit.row_bits = array<i8: 8, 4>, intvit.split8 = false, intvit.packing_factor = 1 : i64}
func.func @matmul$packing_kn(%x: tensor<3x4xi8>, %w: tensor<4x2xi8>) -> tensor<3x2xi32> {
  %y = intvit.matmul %x, %w packing #intvit.packing<row_bits = [8, 4], split8 = false, factor = 1> : tensor<3x4xi8>, tensor<4x2xi8> -> tensor<3x2xi32>
  func.return %y : tensor<3x2xi32>
}
