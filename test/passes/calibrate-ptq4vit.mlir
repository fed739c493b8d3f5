// RUN: %python -c "import numpy as np; np.save('%t.npy', np.random.default_rng(0).standard_normal((3, 1, 8)).astype(np.float32))"
// RUN: intvit-opt %s -p 'calibrate{inputs="%t.npy" method=ptq4vit weight-bits=6 act-bits=6}' | filecheck %s
// RUN: intvit-opt %s -p 'calibrate{inputs="%t.npy" method=ptq4vit}' | filecheck %s --check-prefix=A8
// RUN: not intvit-opt %s -p 'calibrate{inputs="%t.npy" method=hessian}' 2>&1 | filecheck %s --check-prefix=METHOD
// RUN: not intvit-opt %s -p 'calibrate{inputs="%t.npy" method=ptq4vit weight-bits=5}' 2>&1 | filecheck %s --check-prefix=WBITS
// RUN: not intvit-opt %s -p 'calibrate{inputs="%t.npy" method=ptq4vit act-bits=2}' 2>&1 | filecheck %s --check-prefix=ABITS
// PTQ4ViT's search writes its steps on every GEMM: per-operand activation steps and twin ratios for
// the activation width, per-channel weight steps and the Hessian-guided distance for 4, 6 and 8 bits.

// METHOD: calibrate: unknown method 'hessian' (one of minmax, percentile, ptq4vit)
// WBITS: calibrate: weight-bits must be 4, 6 or 8, got 5
// ABITS: calibrate: act-bits must be 4, 6 or 8, got 2

// CHECK-LABEL: func.func @main
// CHECK: torch.aten.linear {{.*}}intvit.absmax = array<f64: {{.*}}>, intvit.ptq4vit_bits = 6 : i64, intvit.ptq4vit_act = array<f64: {{.*}}>, intvit.ptq4vit_twin = array<i64: 0, 0, 0>, intvit.ptq4vit_w4 = array<f64: {{.*}}, {{.*}}, {{.*}}, {{.*}}>, intvit.ptq4vit_w6 = array<f64: {{.*}}>, intvit.ptq4vit_w8 = array<f64: {{.*}}>, intvit.sensitivity = array<f64: [[D4:.*]], [[D6:.*]], [[D8:.*]]>}
// The second GEMM's input comes from the first: its step is searched too (the image's is not: 0).
// CHECK: torch.aten.linear {{.*}}intvit.ptq4vit_act = array<f64: {{(0\.0*[1-9][0-9]*|[1-9][0-9.e+-]*)}}, 0.000000e+00, 0.000000e+00>
// A8: intvit.ptq4vit_bits = 8 : i64
func.func @main(%arg0: !torch.vtensor<[1,8],f32>) -> !torch.vtensor<[1,3],f32> {
  %w0 = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0, 0.3, -0.7, 0.2, 0.9], [-1.0, 0.75, 0.0, 0.5, 0.1, 0.1, -0.4, 0.6], [0.3, 0.3, -0.3, -0.3, 0.8, -0.2, 0.05, 0.4], [0.6, -0.9, 0.2, 0.1, -0.5, 0.3, 0.7, -0.1]]> : tensor<4x8xf32>) : !torch.vtensor<[4,8],f32>
  %b0 = torch.vtensor.literal(dense<0.1> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %w1 = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3]]> : tensor<3x4xf32>) : !torch.vtensor<[3,4],f32>
  %b1 = torch.vtensor.literal(dense<[0.1, -0.2, 0.3]> : tensor<3xf32>) : !torch.vtensor<[3],f32>
  %0 = torch.aten.linear %arg0, %w0, %b0 : !torch.vtensor<[1,8],f32>, !torch.vtensor<[4,8],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[1,4],f32>
  %1 = torch.aten.linear %0, %w1, %b1 : !torch.vtensor<[1,4],f32>, !torch.vtensor<[3,4],f32>, !torch.vtensor<[3],f32> -> !torch.vtensor<[1,3],f32>
  func.return %1 : !torch.vtensor<[1,3],f32>
}
