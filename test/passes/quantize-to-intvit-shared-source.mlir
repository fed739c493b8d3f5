// RUN: intvit-opt %s --split-input-file -p 'quantize-to-intvit{act-bits=6}' | filecheck %s
// PTQ4ViT's searched steps for GEMM operands that share one source (q, k, v of one projection).
// Different steps: the source is requantized once to int16 at its calibrated range
// (absmax 4.0 / 32767) and moved as int16; each operand is requantized to its own 6-bit step
// (the operand without movement straight from the accumulator: shift 37 is step 0.0625, the
// moved one from int16: (4.0 / 32767) / 0.125 = 1073774593 / 2^40).
// Equal steps: the source is requantized once, straight to that step.

// CHECK-LABEL: func.func @shared$different_steps
// CHECK: %[[ACC:.*]] = intvit.matmul {{.*}} -> tensor<2x4xi32>
// CHECK: %[[WIDE:.*]] = intvit.requant %[[ACC]] {{.*}} bits 16 {{.*}}: tensor<2x4xi32> -> tensor<2x4xi16>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[WIDE]]:tensor<2x4xi16>) outs(%{{.*}}:tensor<4x2xi16>) permutation = [1, 0]
// CHECK: %[[A:.*]] = intvit.requant %[[ACC]] {{.*}} shift [37, 37, 39, 39] axis 1 bits 6 : tensor<2x4xi32> -> tensor<2x4xi8>
// CHECK: %[[B:.*]] = intvit.requant %[[T]] multiplier [1073774593] shift [40] bits 6 : tensor<4x2xi16> -> tensor<4x2xi8>
// CHECK: intvit.matmul %[[A]], %[[B]] {intvit.act_bits = 6 : i64}
func.func @shared$different_steps(%arg0: !torch.vtensor<[2,4],f32>) -> !torch.vtensor<[2,2],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3], [0.2, -0.1, 0.4, 0.0]]> : tensor<4x4xf32>) : !torch.vtensor<[4,4],f32>
  %b = torch.vtensor.literal(dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %y = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[2,4],f32>, !torch.vtensor<[4,4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[2,4],f32>
  %yt = torch.aten.transpose.int %y, %int0, %int1 : !torch.vtensor<[2,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,2],f32>
  %0 = torch.aten.matmul %y, %yt {intvit.absmax = array<f64: 8.0>, intvit.ptq4vit_bits = 6 : i64, intvit.ptq4vit_act = array<f64: 0.0625, 0.125>, intvit.ptq4vit_twin = array<i64: 0, 0>} : !torch.vtensor<[2,4],f32>, !torch.vtensor<[4,2],f32> -> !torch.vtensor<[2,2],f32>
  func.return %0 : !torch.vtensor<[2,2],f32>
}

// -----
// CHECK-LABEL: func.func @shared$equal_steps
// CHECK: %[[ACC:.*]] = intvit.matmul {{.*}} -> tensor<2x4xi32>
// CHECK: %[[Q:.*]] = intvit.requant %[[ACC]] {{.*}} shift [38, 38, 40, 40] axis 1 bits 6 : tensor<2x4xi32> -> tensor<2x4xi8>
// CHECK: linalg.transpose ins(%[[Q]]:tensor<2x4xi8>)
// CHECK-NOT: bits 16
// CHECK: intvit.matmul {{.*}} {intvit.act_bits = 6 : i64}
func.func @shared$equal_steps(%arg0: !torch.vtensor<[2,4],f32>) -> !torch.vtensor<[2,2],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w = torch.vtensor.literal(dense<[[0.5, -0.25, 0.125, 1.0], [-1.0, 0.75, 0.0, 0.5], [0.3, 0.3, -0.3, -0.3], [0.2, -0.1, 0.4, 0.0]]> : tensor<4x4xf32>) : !torch.vtensor<[4,4],f32>
  %b = torch.vtensor.literal(dense<[0.1, -0.2, 0.3, 0.0]> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %y = torch.aten.linear %arg0, %w, %b {intvit.absmax = array<f64: 4.0>} : !torch.vtensor<[2,4],f32>, !torch.vtensor<[4,4],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[2,4],f32>
  %yt = torch.aten.transpose.int %y, %int0, %int1 : !torch.vtensor<[2,4],f32>, !torch.int, !torch.int -> !torch.vtensor<[4,2],f32>
  %0 = torch.aten.matmul %y, %yt {intvit.absmax = array<f64: 8.0>, intvit.ptq4vit_bits = 6 : i64, intvit.ptq4vit_act = array<f64: 0.125, 0.125>, intvit.ptq4vit_twin = array<i64: 0, 0>} : !torch.vtensor<[2,4],f32>, !torch.vtensor<[4,2],f32> -> !torch.vtensor<[2,2],f32>
  func.return %0 : !torch.vtensor<[2,2],f32>
}
