// RUN: intvit-opt %s --split-input-file -p canonicalize-intvit | filecheck %s

// CHECK-LABEL: func.func @identity$dropped
// CHECK-SAME: (%[[A:.*]]: tensor<4xi8>)
// CHECK-NEXT: func.return %[[A]] : tensor<4xi8>
func.func @identity$dropped(%a: tensor<4xi8>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [1073741824] shift [30] bits 8 : tensor<4xi8> -> tensor<4xi8>
  func.return %0 : tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @outer_identity$merged_min_bits
// CHECK-SAME: (%[[A:.*]]: tensor<4xi32>)
// CHECK-NEXT: %[[R:.*]] = intvit.requant %[[A]] multiplier [1518500250] shift [37] bits 6 rounding floor : tensor<4xi32> -> tensor<4xi8>
// CHECK-NEXT: func.return %[[R]]
func.func @outer_identity$merged_min_bits(%a: tensor<4xi32>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [1518500250] shift [37] bits 8 rounding floor : tensor<4xi32> -> tensor<4xi8>
  %1 = intvit.requant %0 multiplier [1073741824] shift [30] bits 6 : tensor<4xi8> -> tensor<4xi8>
  func.return %1 : tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @inner_identity$skipped
// CHECK-SAME: (%[[A:.*]]: tensor<4xi8>)
// CHECK-NEXT: %[[R:.*]] = intvit.requant %[[A]] multiplier [1288490189] shift [33] bits 4 : tensor<4xi8> -> tensor<4xi8>
// CHECK-NEXT: func.return %[[R]]
func.func @inner_identity$skipped(%a: tensor<4xi8>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [1073741824] shift [30] bits 16 : tensor<4xi8> -> tensor<4xi16>
  %1 = intvit.requant %0 multiplier [1288490189] shift [33] bits 4 : tensor<4xi16> -> tensor<4xi8>
  func.return %1 : tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @floor_shifts$merged
// CHECK-SAME: (%[[A:.*]]: tensor<4xi32>)
// CHECK-NEXT: %[[R:.*]] = intvit.requant %[[A]] multiplier [1073741824] shift [35] bits 16 rounding floor : tensor<4xi32> -> tensor<4xi16>
// CHECK-NEXT: func.return %[[R]]
func.func @floor_shifts$merged(%a: tensor<4xi32>) -> tensor<4xi16> {
  %0 = intvit.requant %a multiplier [1073741824] shift [32] bits 32 rounding floor : tensor<4xi32> -> tensor<4xi32>
  %1 = intvit.requant %0 multiplier [1073741824] shift [33] bits 16 rounding floor : tensor<4xi32> -> tensor<4xi16>
  func.return %1 : tensor<4xi16>
}

// -----
// Negative section: chains that are not exact to fold stay as they are.
// CHECK-LABEL: func.func @identity_that_clamps$kept
// CHECK: intvit.requant %{{.*}} multiplier [1073741824] shift [30] bits 8 : tensor<4xi16> -> tensor<4xi8>
func.func @identity_that_clamps$kept(%a: tensor<4xi16>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [1073741824] shift [30] bits 8 : tensor<4xi16> -> tensor<4xi8>
  func.return %0 : tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @double_rounding$kept
// CHECK: %[[R0:.*]] = intvit.requant %{{.*}} shift [32] bits 32 : tensor<4xi32> -> tensor<4xi32>
// CHECK: intvit.requant %[[R0]] multiplier [1073741824] shift [33] bits 16 : tensor<4xi32> -> tensor<4xi16>
func.func @double_rounding$kept(%a: tensor<4xi32>) -> tensor<4xi16> {
  %0 = intvit.requant %a multiplier [1073741824] shift [32] bits 32 : tensor<4xi32> -> tensor<4xi32>
  %1 = intvit.requant %0 multiplier [1073741824] shift [33] bits 16 : tensor<4xi32> -> tensor<4xi16>
  func.return %1 : tensor<4xi16>
}

// -----
// CHECK-LABEL: func.func @per_channel_floor$kept
// CHECK: %[[R0:.*]] = intvit.requant %{{.*}} multiplier [1073741824, 1073741824] shift [32, 33] bits 32 rounding floor
// CHECK: intvit.requant %[[R0]]
func.func @per_channel_floor$kept(%a: tensor<4x2xi32>) -> tensor<4x2xi16> {
  %0 = intvit.requant %a multiplier [1073741824, 1073741824] shift [32, 33] bits 32 rounding floor : tensor<4x2xi32> -> tensor<4x2xi32>
  %1 = intvit.requant %0 multiplier [1073741824] shift [33] bits 16 rounding floor : tensor<4x2xi32> -> tensor<4x2xi16>
  func.return %1 : tensor<4x2xi16>
}

// -----
// CHECK-LABEL: func.func @shift_sum_too_large$kept
// CHECK: %[[R0:.*]] = intvit.requant %{{.*}} shift [60] bits 32 rounding floor
// CHECK: intvit.requant %[[R0]] multiplier [1073741824] shift [40] bits 8 rounding floor
func.func @shift_sum_too_large$kept(%a: tensor<4xi32>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [1073741824] shift [60] bits 32 rounding floor : tensor<4xi32> -> tensor<4xi32>
  %1 = intvit.requant %0 multiplier [1073741824] shift [40] bits 8 rounding floor : tensor<4xi32> -> tensor<4xi8>
  func.return %1 : tensor<4xi8>
}

// -----
// CHECK-LABEL: func.func @identity_type_change$kept
// CHECK: intvit.requant %{{.*}} multiplier [1073741824] shift [30] bits 8 : tensor<4xi8> -> tensor<4xi16>
func.func @identity_type_change$kept(%a: tensor<4xi8>) -> tensor<4xi16> {
  %0 = intvit.requant %a multiplier [1073741824] shift [30] bits 8 : tensor<4xi8> -> tensor<4xi16>
  func.return %0 : tensor<4xi16>
}
