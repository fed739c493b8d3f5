// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{weight-bits=4 act-bits=6}' | filecheck %s
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{weight_bits=6 act_bits=4}' | filecheck %s --check-prefix=W6A4
// RUN: intvit-opt %s --split-input-file -p quantize-to-intvit | filecheck %s --check-prefix=DEFAULT
// RUN: not intvit-opt %s -p 'quantize-to-intvit{weight-bits=5}' 2>&1 | filecheck %s --check-prefix=BADW
// RUN: not intvit-opt %s -p 'quantize-to-intvit{act-bits=16}' 2>&1 | filecheck %s --check-prefix=BADA
// Bit widths: 4/6-bit values live in int8 containers; the requant/quantize `bits` saturates them.

// BADW: quantize-to-intvit: weight-bits must be 4, 6 or 8, got 5
// BADA: quantize-to-intvit: act-bits must be 4, 6 or 8, got 16

// CHECK-LABEL: func.func @linear$widths
// CHECK: %[[Q:.*]] = intvit.quantize %{{.*}} bits 6 : tensor<1x4xf32> -> tensor<1x4xi8>
// CHECK: intvit.matmul %[[Q]], %{{.*}} transpose_rhs {intvit.weight_bits = 4 : i64, intvit.act_bits = 6 : i64} : tensor<1x4xi8>, tensor<3x4xi8>, tensor<3xi32> -> tensor<1x3xi32>
// W6A4-LABEL: func.func @linear$widths
// W6A4: intvit.quantize %{{.*}} bits 4 : tensor<1x4xf32> -> tensor<1x4xi8>
// W6A4: intvit.matmul {{.*}} {intvit.weight_bits = 6 : i64, intvit.act_bits = 4 : i64}
// DEFAULT-LABEL: func.func @linear$widths
// DEFAULT: intvit.quantize %{{.*}} bits 8 : tensor<1x4xf32> -> tensor<1x4xi8>
// DEFAULT-NOT: intvit.weight_bits
func.func @linear$widths(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3]]> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b = torch.vtensor.literal(dense<[0.1, -0.2, 0.3]> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}

// -----
// A per-layer width (what assign-precision{policy=search} writes) overrides the pass option.
// CHECK-LABEL: func.func @linear$per_layer
// CHECK: intvit.matmul {{.*}} {intvit.weight_bits = 8 : i64, intvit.act_bits = 6 : i64}
// DEFAULT-LABEL: func.func @linear$per_layer
// DEFAULT: intvit.matmul {{.*}} {intvit.weight_bits = 8 : i64, intvit.act_bits = 8 : i64}
func.func @linear$per_layer(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<0.5> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b = torch.vtensor.literal(dense<0.1> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>, intvit.weight_bits = 8 : i64} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}

// -----
// Probabilities into a GEMM: an unsigned 6-bit code (a 7-bit signed saturation of values >= 0)
// by default; PTQ4ViT's searched twin code (`intvit.ptq4vit_twin`) at act-bits 6: `twin 2`,
// fine step 2^-7 (the Shiftmax output's own: multiplier 2^30, shift 30).
// CHECK-LABEL: func.func @attention$twin
// CHECK: %[[P:.*]] = intvit.shiftmax {{.*}} -> tensor<1x4x4xui8>
// CHECK: %[[T:.*]] = intvit.requant %[[P]] multiplier [1073741824] shift [30] bits 6 twin 2 : tensor<1x4x4xui8> -> tensor<1x4x4xi8>
// CHECK: intvit.matmul %[[T]], %{{.*}} {intvit.act_bits = 6 : i64}
// W6A4-LABEL: func.func @attention$twin
// W6A4: %[[P:.*]] = intvit.shiftmax
// W6A4: intvit.requant %[[P]] multiplier [{{[0-9]+}}] shift [{{[0-9]+}}] bits 5 : tensor<1x4x4xui8> -> tensor<1x4x4xi8>
// DEFAULT-LABEL: func.func @attention$twin
// DEFAULT: %[[P:.*]] = intvit.shiftmax
// DEFAULT-NEXT: intvit.matmul %[[P]]
func.func @attention$twin(%arg0: !torch.vtensor<[1,4,4],f32>, %arg1: !torch.vtensor<[1,4,2],f32>) -> !torch.vtensor<[1,4,2],f32> attributes {intvit.arg_absmax = array<f64: 4.0, 2.0>} {
  %dim = torch.constant.int -1
  %none = torch.constant.none
  %p = torch.aten.softmax.int %arg0, %dim, %none {intvit.absmax = array<f64: 1.0>} : !torch.vtensor<[1,4,4],f32>, !torch.int, !torch.none -> !torch.vtensor<[1,4,4],f32>
  %0 = torch.aten.matmul %p, %arg1 {intvit.absmax = array<f64: 2.0>, intvit.ptq4vit_bits = 6 : i64, intvit.ptq4vit_act = array<f64: 0.0078125, 0.0>, intvit.ptq4vit_twin = array<i64: 2, 0>} : !torch.vtensor<[1,4,4],f32>, !torch.vtensor<[1,4,2],f32> -> !torch.vtensor<[1,4,2],f32>
  func.return %0 : !torch.vtensor<[1,4,2],f32>
}
