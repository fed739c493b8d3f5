// RUN: not intvit-opt %s -p 'assign-precision{policy=search budget-bits=6}' 2>&1 | filecheck %s
// RUN: not intvit-opt %s -p 'assign-precision{policy=search size-budget=100}' 2>&1 | filecheck %s
// Without calibrate{method=ptq4vit} there is no sensitivity to search on: one diagnostic, no traceback.

// CHECK: assign-precision: no GEMM carries intvit.sensitivity: run calibrate{method=ptq4vit} first
// CHECK-NOT: Traceback
func.func @not_searched(%arg0: !torch.vtensor<[1,8],f32>) -> !torch.vtensor<[1,4],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w0 = torch.vtensor.literal(dense<0.5> : tensor<4x8xf32>) : !torch.vtensor<[4,8],f32>
  %b0 = torch.vtensor.literal(dense<0.1> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %0 = torch.aten.linear %arg0, %w0, %b0 {intvit.absmax = array<f64: 8.0>} : !torch.vtensor<[1,8],f32>, !torch.vtensor<[4,8],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[1,4],f32>
  func.return %0 : !torch.vtensor<[1,4],f32>
}
