// RUN: intvit-opt %s -p 'assign-precision{policy=search budget-bits=6}' | filecheck %s
// RUN: intvit-opt %s -p 'assign-precision{policy=search size-budget=60}' | filecheck %s --check-prefix=B60
// RUN: not intvit-opt %s -p 'assign-precision{policy=search}' 2>&1 | filecheck %s --check-prefix=NOBUDGET
// RUN: not intvit-opt %s -p 'assign-precision{policy=search size-budget=60 budget-bits=6}' 2>&1 | filecheck %s --check-prefix=NOBUDGET
// RUN: not intvit-opt %s -p 'assign-precision{policy=search budget-bits=5}' 2>&1 | filecheck %s --check-prefix=BITS
// RUN: not intvit-opt %s -p 'assign-precision{policy=search size-budget=40}' 2>&1 | filecheck %s --check-prefix=SMALL
// RUN: intvit-opt %s -p 'assign-precision{policy=search budget-bits=6}' | intvit-opt -p 'quantize-to-intvit{weight-bits=6}' | filecheck %s --check-prefix=QUANT
// Mixed precision by search on the calibrated torch IR: per-layer weight widths that minimize the
// summed sensitivities (intvit.sensitivity = d4, d6, d8, from calibrate{method=ptq4vit}) within
// the byte budget.  Sizes (packed weights + int32 bias): %0 [4x8] 32/40/48 bytes, %1 [2x4] 12/14/16.

// NOBUDGET: assign-precision: policy=search needs exactly one of size-budget=BYTES (> 0) or budget-bits=4|6|8
// BITS: assign-precision: budget-bits must be 4, 6 or 8, got 5
// SMALL: assign-precision: size budget 40 bytes is below the all-4-bit model (44 bytes)

// Budget of the all-6-bit model (54 bytes): %1 costs nothing at 4 bits, so it takes 4 bits.
// CHECK-LABEL: func.func @two_layers
// CHECK: torch.aten.linear {{.*}}intvit.weight_bits = 6 : i64
// CHECK: torch.aten.linear {{.*}}intvit.weight_bits = 4 : i64
// 60 bytes buy 8 bits for the sensitive layer.
// B60: torch.aten.linear {{.*}}intvit.weight_bits = 8 : i64
// B60: torch.aten.linear {{.*}}intvit.weight_bits = 4 : i64
// The choice reaches the integer program.
// QUANT: intvit.matmul {{.*}} {intvit.weight_bits = 6 : i64, intvit.act_bits = 8 : i64}
// QUANT: intvit.matmul {{.*}} {intvit.weight_bits = 4 : i64, intvit.act_bits = 8 : i64}
func.func @two_layers(%arg0: !torch.vtensor<[1,8],f32>) -> !torch.vtensor<[1,2],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w0 = torch.vtensor.literal(dense<0.5> : tensor<4x8xf32>) : !torch.vtensor<[4,8],f32>
  %b0 = torch.vtensor.literal(dense<0.1> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %w1 = torch.vtensor.literal(dense<-0.25> : tensor<2x4xf32>) : !torch.vtensor<[2,4],f32>
  %b1 = torch.vtensor.literal(dense<0.2> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %0 = torch.aten.linear %arg0, %w0, %b0 {intvit.absmax = array<f64: 8.0>, intvit.sensitivity = array<f64: 10.0, 1.0, 0.1>} : !torch.vtensor<[1,8],f32>, !torch.vtensor<[4,8],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[1,4],f32>
  %1 = torch.aten.linear %0, %w1, %b1 {intvit.absmax = array<f64: 4.0>, intvit.sensitivity = array<f64: 0.01, 0.01, 0.0>} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[2,4],f32>, !torch.vtensor<[2],f32> -> !torch.vtensor<[1,2],f32>
  func.return %1 : !torch.vtensor<[1,2],f32>
}
