// RUN: intvit-opt %s --split-input-file | filecheck %s
// RUN: intvit-opt %s --split-input-file --print-op-generic | intvit-opt --split-input-file | filecheck %s
// PTQ4ViT's twin uniform quantization is `intvit.requant ... twin T`: round trip, custom and generic.

// Post-Shiftmax: an unsigned input, 6-bit code, coarse step 2^2 times the fine one, decoded into i8.
// CHECK-LABEL: func.func @twin$softmax
// CHECK: intvit.requant %{{.*}} multiplier [1073741824] shift [30] bits 6 twin 2 : tensor<4x17xui8> -> tensor<4x17xi8>{{$}}
func.func @twin$softmax(%p: tensor<4x17xui8>) -> tensor<4x17xi8> {
  %t = intvit.requant %p multiplier [1073741824] shift [30] bits 6 twin 2 : tensor<4x17xui8> -> tensor<4x17xi8>
  func.return %t : tensor<4x17xi8>
}

// -----
// Post-ShiftGELU: a signed int16 input; keywords in any order; `twin 0` is the default (elided).
// CHECK-LABEL: func.func @twin$gelu
// CHECK: intvit.requant %{{.*}} multiplier [1500000000] shift [35] bits 4 twin 4 rounding half_up : tensor<8xi16> -> tensor<8xi8>{{$}}
// CHECK: intvit.requant %{{.*}} multiplier [1500000000] shift [35] bits 6 : tensor<8xi16> -> tensor<8xi8>{{$}}
func.func @twin$gelu(%g: tensor<8xi16>) -> (tensor<8xi8>, tensor<8xi8>) {
  %t = intvit.requant %g twin 4 bits 4 rounding half_up multiplier [1500000000] shift [35] : tensor<8xi16> -> tensor<8xi8>
  %u = intvit.requant %g multiplier [1500000000] shift [35] bits 6 twin 0 : tensor<8xi16> -> tensor<8xi8>
  func.return %t, %u : tensor<8xi8>, tensor<8xi8>
}
