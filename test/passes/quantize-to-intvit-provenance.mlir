// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{provenance=true}' | filecheck %s
// RUN: intvit-opt %s --split-input-file -p quantize-to-intvit | filecheck %s --check-prefix=OFF
// RUN: intvit-opt %inputs/tiny_vit_calibrated.mlir -p 'quantize-to-intvit{provenance=true}' | filecheck %s --check-prefix=VIT
// RUN: not intvit-opt %s -p 'quantize-to-intvit{provenance=maybe}' 2>&1 | filecheck %s --check-prefix=BAD

// `provenance=true` tags every intvit result that stands for a torch value: its position in
// the torch function (arguments, then op results), a name, and the float value of one integer
// step (per output channel for the accumulator).  Off by default: the IR is unchanged.
// CHECK-LABEL: func.func @linear$tags
// CHECK: intvit.quantize %{{.*}} scale {{.*}} bits 8 {intvit.ref = {value = 0 : i64, name = "input", scale = array<f64: 0.015748031496062992>}}
// CHECK: intvit.matmul {{.*}} {intvit.ref = {value = 3 : i64, name = "linear_0", scale = array<f64: {{[^,]+}}, {{[^,]+}}, {{[^,]+}}>}}
// CHECK: intvit.requant {{.*}} bits 16 {intvit.ref = {value = 3 : i64, name = "linear_0", scale = array<f64: 0.00012207{{[0-9]*}}>}}
// CHECK: intvit.dequantize
// CHECK-NOT: intvit.ref
// OFF-LABEL: func.func @linear$tags
// OFF-NOT: intvit.ref
func.func @linear$tags(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3]]> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b = torch.vtensor.literal(dense<[0.1, -0.2, 0.3]> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}

// -----
// LayerNorm with a negative gamma stores that channel negated: its scale entry is negative,
// and so is the GEMM input requant's (a per-tensor scale times the channel signs).
// CHECK-LABEL: func.func @layer_norm$negative_gamma
// CHECK: intvit.layernorm {{.*}} {intvit.ref = {value = 7 : i64, name = "layer_norm_0", scale = array<f64: 1.317{{[0-9]*}}e-09, -2.634{{[0-9]*}}e-09>}}
// CHECK: intvit.requant {{.*}} bits 8 {intvit.ref = {value = 7 : i64, name = "layer_norm_0", scale = array<f64: 0.0236{{[0-9]*}}, -0.0236{{[0-9]*}}>}}
// CHECK: intvit.matmul {{.*}} {intvit.ref = {value = 10 : i64, name = "linear_0"
func.func @layer_norm$negative_gamma(%arg0: !torch.vtensor<[1,2],f32>) -> !torch.vtensor<[1,2],f32> attributes {intvit.arg_absmax = array<f64: 6.0>} {
  %shape_i = torch.constant.int 2
  %shape = torch.prim.ListConstruct %shape_i : (!torch.int) -> !torch.list<int>
  %g = torch.vtensor.literal(dense<[1.0, -2.0]> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %bt = torch.vtensor.literal(dense<[0.0, 0.5]> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %eps = torch.constant.float 1.000000e-06
  %false = torch.constant.bool false
  %0 = torch.aten.layer_norm %arg0, %shape, %g, %bt, %eps, %false {intvit.absmax = array<f64: 3.0>} : !torch.vtensor<[1,2],f32>, !torch.list<int>, !torch.vtensor<[2],f32>, !torch.vtensor<[2],f32>, !torch.float, !torch.bool -> !torch.vtensor<[1,2],f32>
  %w = torch.vtensor.literal(dense<[[1.0, 0.5], [0.25, -1.0]]> : tensor<2x2xf32>) : !torch.vtensor<[2,2],f32>
  %b = torch.vtensor.literal(dense<[0.0, 0.0]> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %1 = torch.aten.linear %0, %w, %b {intvit.absmax = array<f64: 2.0>} : !torch.vtensor<[1,2],f32>, !torch.vtensor<[2,2],f32>, !torch.vtensor<[2],f32> -> !torch.vtensor<[1,2],f32>
  func.return %1 : !torch.vtensor<[1,2],f32>
}

// The patch embedding requantizes the conv accumulator in token layout [1, N, D], then moves it
// to NCHW and back (flatten, transpose): the moves compose to the identity, so the requant stands
// for the transpose's value; the accumulator itself (a different layout from the conv) is not tagged.
// VIT-LABEL: func.func @main
// VIT: intvit.quantize {{.*}}name = "input"
// VIT: %[[ACC:.*]] = intvit.matmul
// VIT-NOT: intvit.ref
// VIT-SAME: -> tensor<1x4x8xi32>
// VIT-NEXT: intvit.requant %[[ACC]] {{.*}}name = "transpose_0"
// VIT: intvit.shiftmax {{.*}}name = "softmax_0"
// VIT: intvit.shiftgelu {{.*}}name = "gelu_0"

// BAD: Incompatible types: given ('maybe',), expected <class 'bool'>
