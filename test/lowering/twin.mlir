// RUN: intvit-opt %s -p convert-intvit-to-linalg | filecheck %s
// RUN: intvit-opt %s -p convert-intvit-to-linalg,expand-intvit-helpers,verify-integer-only | filecheck %s --check-prefix=FULL
// The twin requant lowers to one elementwise generic: both roundings, a compare, a select.

// CHECK-LABEL: func.func @twin$softmax
// CHECK: linalg.generic
// CHECK: arith.extui
// CHECK: intvit_helper.apply_scale
// CHECK: intvit_helper.apply_scale
// CHECK: arith.shli
// CHECK: arith.cmpi sle
// CHECK: arith.select
// CHECK: arith.trunci {{.*}} : i64 to i8
// FULL-LABEL: func.func @twin$softmax
// FULL-NOT: intvit
// FULL: arith.select
func.func @twin$softmax(%p: tensor<4x17xui8>) -> tensor<4x17xi8> {
  %t = intvit.requant %p multiplier [1073741824] shift [30] bits 6 twin 2 : tensor<4x17xui8> -> tensor<4x17xi8>
  func.return %t : tensor<4x17xi8>
}

// CHECK-LABEL: func.func @twin$gelu
// CHECK: arith.extsi
// CHECK: arith.cmpi slt
// CHECK: arith.select
func.func @twin$gelu(%g: tensor<8xi16>) -> tensor<8xi8> {
  %t = intvit.requant %g multiplier [1500000000] shift [35] bits 4 twin 4 : tensor<8xi16> -> tensor<8xi8>
  func.return %t : tensor<8xi8>
}
