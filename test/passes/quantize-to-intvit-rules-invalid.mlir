// Negative section of the quantize-to-intvit rules: each case is one form with no integer rule.
// RUN: intvit-opt %s --split-input-file --verify-diagnostics -p quantize-to-intvit | filecheck %s

// CHECK: quantize-to-intvit-rules-invalid.mlir:[[# @LINE + 8]]:3: error: quantize-to-intvit: torch.aten.conv2d: only patch embeddings (kernel == stride, padding 0, dilation 1, groups 1) are supported, got kernel [2, 2] stride [1, 1] padding [0, 0]
func.func @conv$overlapping(%arg0: !torch.vtensor<[1,1,4,4],f32>) -> !torch.vtensor<[1,2,3,3],f32> attributes {intvit.arg_absmax = array<f64: 1.0>} {
  %w = torch.vtensor.literal(dense<0.5> : tensor<2x1x2x2xf32>) : !torch.vtensor<[2,1,2,2],f32>
  %b = torch.vtensor.literal(dense<0.0> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %int1 = torch.constant.int 1
  %int0 = torch.constant.int 0
  %s = torch.prim.ListConstruct %int1, %int1 : (!torch.int, !torch.int) -> !torch.list<int>
  %p = torch.prim.ListConstruct %int0, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %0 = torch.aten.conv2d %arg0, %w, %b, %s, %p, %s, %int1 {intvit.absmax = array<f64: 2.0>} : !torch.vtensor<[1,1,4,4],f32>, !torch.vtensor<[2,1,2,2],f32>, !torch.vtensor<[2],f32>, !torch.list<int>, !torch.list<int>, !torch.list<int>, !torch.int -> !torch.vtensor<[1,2,3,3],f32>
  func.return %0 : !torch.vtensor<[1,2,3,3],f32>
}

// -----
// CHECK: quantize-to-intvit-rules-invalid.mlir:[[# @LINE + 9]]:3: error: quantize-to-intvit: func.return: a negated channel (LayerNorm gamma < 0) reaches the output
func.func @layer_norm$negative_gamma_to_output(%arg0: !torch.vtensor<[2,4],f32>) -> !torch.vtensor<[2,4],f32> attributes {intvit.arg_absmax = array<f64: 3.0>} {
  %int4 = torch.constant.int 4
  %shape = torch.prim.ListConstruct %int4 : (!torch.int) -> !torch.list<int>
  %g = torch.vtensor.literal(dense<[1.0, -0.5, 2.0, 1.0]> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %b = torch.vtensor.literal(dense<0.0> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %eps = torch.constant.float 1.000000e-06
  %false = torch.constant.bool false
  %0 = torch.aten.layer_norm %arg0, %shape, %g, %b, %eps, %false {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[2,4],f32>, !torch.list<int>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.float, !torch.bool -> !torch.vtensor<[2,4],f32>
  func.return %0 : !torch.vtensor<[2,4],f32>
}

// -----
// CHECK: quantize-to-intvit-rules-invalid.mlir:[[# @LINE + 3]]:3: error: quantize-to-intvit: torch.aten.add.Tensor: broadcasting [1, 4] to [2, 4] is not supported
func.func @add$broadcast(%a: !torch.vtensor<[2,4],f32>, %b: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[2,4],f32> attributes {intvit.arg_absmax = array<f64: 1.0, 1.0>} {
  %one = torch.constant.int 1
  %0 = torch.aten.add.Tensor %a, %b, %one {intvit.absmax = array<f64: 2.0>} : !torch.vtensor<[2,4],f32>, !torch.vtensor<[1,4],f32>, !torch.int -> !torch.vtensor<[2,4],f32>
  func.return %0 : !torch.vtensor<[2,4],f32>
}

// -----
// CHECK: quantize-to-intvit-rules-invalid.mlir:[[# @LINE + 3]]:3: error: quantize-to-intvit: torch.aten.mul.Scalar: only a tensor times a positive constant is supported
func.func @scale$negative(%a: !torch.vtensor<[2,4],f32>) -> !torch.vtensor<[2,4],f32> attributes {intvit.arg_absmax = array<f64: 1.0>} {
  %c = torch.constant.float -2.000000e+00
  %0 = torch.aten.mul.Scalar %a, %c {intvit.absmax = array<f64: 2.0>} : !torch.vtensor<[2,4],f32>, !torch.float -> !torch.vtensor<[2,4],f32>
  func.return %0 : !torch.vtensor<[2,4],f32>
}
