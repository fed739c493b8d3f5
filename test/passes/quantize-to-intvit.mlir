// RUN: intvit-opt %s --split-input-file -p quantize-to-intvit | filecheck %s
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{rounding=half_up}' | filecheck %s --check-prefix=UP
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{softmax_bits=16}' | filecheck %s --check-prefix=SM16
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{isqrt=ivit}' | filecheck %s --check-prefix=IVIT
// compat=ivit: I-ViT's isqrt and ShiftGELU's float32 constant together.
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{compat=ivit}' | filecheck %s --check-prefix=COMPAT
// MLIR-style dashed option names are accepted too:
// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{softmax-bits=16}' | filecheck %s --check-prefix=SM16

// A linear layer: int8 input, per-channel int8 weights, int32 bias, per-channel requant of the
// accumulator to the int16 output, dequantized logits.
// CHECK-LABEL: func.func @linear$per_channel
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>) -> tensor<1x3xf32>
// CHECK: %[[Q:.*]] = intvit.quantize %[[X]] scale {{.*}} bits 8 : tensor<1x4xf32> -> tensor<1x4xi8>
// CHECK: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<3x4xi8>
// CHECK: %[[B:.*]] = arith.constant dense_resource<{{.*}}> : tensor<3xi32>
// CHECK: %[[ACC:.*]] = intvit.matmul %[[Q]], %[[W]], %[[B]] transpose_rhs : tensor<1x4xi8>, tensor<3x4xi8>, tensor<3xi32> -> tensor<1x3xi32>
// CHECK: %[[R:.*]] = intvit.requant %[[ACC]] multiplier [{{[0-9]+}}, {{[0-9]+}}, {{[0-9]+}}] shift [{{.*}}] axis 1 bits 16 : tensor<1x3xi32> -> tensor<1x3xi16>
// CHECK: %[[F:.*]] = intvit.dequantize %[[R]] scale {{.*}} : tensor<1x3xi16> -> tensor<1x3xf32>
// CHECK: func.return %[[F]]
// UP-LABEL: func.func @linear$per_channel
// UP: intvit.requant {{.*}} rounding half_up
func.func @linear$per_channel(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3]]> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b = torch.vtensor.literal(dense<[0.1, -0.2, 0.3]> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}

// -----
// Attention scores: the constant factor folds into the scale (no op), Shiftmax reads int8.
// CHECK-LABEL: func.func @softmax$scaled
// CHECK: %[[Q:.*]] = intvit.quantize %{{.*}} bits 8
// CHECK-NOT: intvit.requant
// CHECK: %[[P:.*]] = intvit.shiftmax %[[Q]] scale {{.*}} bits 8 : tensor<2x4xi8> -> tensor<2x4xui8>
// CHECK: %[[P16:.*]] = intvit.requant %[[P]] multiplier [{{[0-9]+}}] shift [{{[0-9]+}}] bits 16 : tensor<2x4xui8> -> tensor<2x4xi16>
// SM16-LABEL: func.func @softmax$scaled
// SM16: intvit.shiftmax %{{.*}} bits 16 : tensor<2x4xi8> -> tensor<2x4xui16>
func.func @softmax$scaled(%arg0: !torch.vtensor<[2,4],f32>) -> !torch.vtensor<[2,4],f32> attributes {intvit.arg_absmax = array<f64: 8.0>} {
  %s = torch.constant.float 5.000000e-01
  %0 = torch.aten.mul.Scalar %arg0, %s {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[2,4],f32>, !torch.float -> !torch.vtensor<[2,4],f32>
  %dim = torch.constant.int -1
  %none = torch.constant.none
  %1 = torch.aten.softmax.int %0, %dim, %none {intvit.absmax = array<f64: 1.0>} : !torch.vtensor<[2,4],f32>, !torch.int, !torch.none -> !torch.vtensor<[2,4],f32>
  func.return %1 : !torch.vtensor<[2,4],f32>
}

// -----
// CHECK-LABEL: func.func @gelu
// CHECK: %[[Q:.*]] = intvit.quantize %{{.*}} bits 8
// CHECK: %[[G:.*]] = intvit.shiftgelu %[[Q]] scale {{.*}} bits 16 : tensor<3x8xi8> -> tensor<3x8xi16>
// CHECK: intvit.dequantize %[[G]]
// IVIT-LABEL: func.func @gelu
// IVIT-NOT: ivit_constant
// COMPAT-LABEL: func.func @gelu
// COMPAT: intvit.shiftgelu %{{.*}} scale {{.*}} bits 16 ivit_constant : tensor<3x8xi8> -> tensor<3x8xi16>
func.func @gelu(%arg0: !torch.vtensor<[3,8],f32>) -> !torch.vtensor<[3,8],f32> attributes {intvit.arg_absmax = array<f64: 3.0>} {
  %str = torch.constant.str "none"
  %0 = torch.aten.gelu %arg0, %str {intvit.absmax = array<f64: 3.0>} : !torch.vtensor<[3,8],f32>, !torch.str -> !torch.vtensor<[3,8],f32>
  func.return %0 : !torch.vtensor<[3,8],f32>
}

// -----
// LayerNorm reads the int16 residual stream; its per-channel output scale goes into a requant.
// CHECK-LABEL: func.func @layer_norm$residual
// CHECK: %[[Q:.*]] = intvit.quantize %{{.*}} bits 16 : tensor<1x5x4xf32> -> tensor<1x5x4xi16>
// CHECK: %[[N:.*]] = intvit.layernorm %[[Q]] bias [{{.*}}] const_channels [0, 0, 1, 0] : tensor<1x5x4xi16> -> tensor<1x5x4xi32>
// CHECK: intvit.requant %[[N]] multiplier [{{.*}}] shift [{{.*}}] axis 2 bits 16
// IVIT-LABEL: func.func @layer_norm$residual
// IVIT: intvit.layernorm {{.*}} isqrt_mode ivit
// COMPAT-LABEL: func.func @layer_norm$residual
// COMPAT: intvit.layernorm {{.*}} isqrt_mode ivit
func.func @layer_norm$residual(%arg0: !torch.vtensor<[1,5,4],f32>) -> !torch.vtensor<[1,5,4],f32> attributes {intvit.arg_absmax = array<f64: 6.0>} {
  %int4 = torch.constant.int 4
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %g = torch.vtensor.literal(dense<[1.0, 0.5, 0.0, 2.0]> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %b = torch.vtensor.literal(dense<[0.0, 0.1, 0.25, -0.1]> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %eps = torch.constant.float 9.9999999999999995E-7
  %false = torch.constant.bool false
  %0 = torch.aten.layer_norm %arg0, %shape, %g, %b, %eps, %false {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[1,5,4],f32>, !torch.list<int>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,5,4],f32>
  func.return %0 : !torch.vtensor<[1,5,4],f32>
}

// -----
// A residual add: both inputs int16 with their own (m, e) to the output scale.
// CHECK-LABEL: func.func @add$residual
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: %[[QA:.*]] = intvit.quantize %[[A]] scale {{.*}} bits 16
// CHECK: %[[QB:.*]] = intvit.quantize %[[B]] scale {{.*}} bits 16
// CHECK: intvit.add %[[QA]], %[[QB]] lhs_multiplier {{[0-9]+}} lhs_shift {{[0-9]+}} rhs_multiplier {{[0-9]+}} rhs_shift {{[0-9]+}} bits 16
func.func @add$residual(%a: !torch.vtensor<[2,3],f32>, %b: !torch.vtensor<[2,3],f32>) -> !torch.vtensor<[2,3],f32> attributes {intvit.arg_absmax = array<f64: 1.0, 3.0>} {
  %one = torch.constant.int 1
  %0 = torch.aten.add.Tensor %a, %b, %one {intvit.absmax = array<f64: 3.5>} : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>, !torch.int -> !torch.vtensor<[2,3],f32>
  func.return %0 : !torch.vtensor<[2,3],f32>
}
