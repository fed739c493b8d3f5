// RUN: not intvit-opt %s --split-input-file -p quantize-to-intvit 2>&1 | filecheck %s
// RUN: not intvit-opt %s -p 'quantize-to-intvit{softmax_bits=12}' 2>&1 | filecheck %s --check-prefix=OPT
// RUN: not intvit-opt %s -p 'quantize-to-intvit{compat=ivt}' 2>&1 | filecheck %s --check-prefix=COMPAT

// CHECK: quantize-to-intvit-invalid.mlir:{{[0-9]+}}:{{[0-9]+}}: error: quantize-to-intvit: {{.*}}: value has no calibrated range: run the `calibrate` pass first
// CHECK-NOT: Traceback
// OPT: quantize-to-intvit: softmax_bits must be 8 or 16, got 12
// COMPAT: quantize-to-intvit: compat must be none or ivit, got ivt
func.func @not_calibrated(%arg0: !torch.vtensor<[1,4],f32>) -> !torch.vtensor<[1,3],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<0.5> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b = torch.vtensor.literal(dense<0.1> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w, %b : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %0 : !torch.vtensor<[1,3],f32>
}
