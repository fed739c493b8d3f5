// RUN: intvit-opt %s -p 'assign-precision{policy=search budget-bits=6 granularity=row}' | filecheck %s
// RUN: intvit-opt %s -p 'assign-precision{policy=search size-budget=48 granularity=row}' | filecheck %s --check-prefix=B48
// RUN: intvit-opt %s -p 'assign-precision{policy=search budget-bits=6 granularity=layer}' | filecheck %s --check-prefix=LAYER
// RUN: intvit-opt %s -p 'assign-precision{policy=search budget-bits=6 granularity=row}' | intvit-opt -p 'quantize-to-intvit{act-bits=6}' | filecheck %s --check-prefix=QUANT
// RUN: not intvit-opt %s -p 'assign-precision{policy=search budget-bits=6 granularity=channel}' 2>&1 | filecheck %s --check-prefix=GRAN
// RUN: not intvit-opt %s -p 'assign-precision{policy=search size-budget=43 granularity=row}' 2>&1 | filecheck %s --check-prefix=SMALL
// Mixed precision by search per output channel (Quasar-ViT 4/8-bit rows): intvit.row_distance4/8
// are each channel's distance at 4 and 8 bits (calibrate{method=ptq4vit}); the search upgrades
// rows to 8 bits where the distance saved per byte is largest, exactly (0/1 knapsack).
// Bytes: %0 rows 4 (4-bit) or 8 (8-bit) + 16 bias; %1 rows 2 or 4 + 8 bias; all-4 = 44, all-6 = 54.

// GRAN: assign-precision: granularity must be layer (4/6/8-bit layers) or row (Quasar-ViT 4/8-bit rows), got 'channel'
// SMALL: assign-precision: size budget 43 bytes is below the all-4-bit model (44 bytes)

// 10 bytes over all-4: rows 0 and 2 of %0 (gains 9.9, 4.9 for 4 bytes each) and row 0 of %1
// (gain 3 for 2 bytes) beat any other mix.
// CHECK-LABEL: func.func @two_layers
// CHECK: torch.aten.linear {{.*}}intvit.row_bits = array<i64: 8, 4, 8, 4>
// CHECK: torch.aten.linear {{.*}}intvit.row_bits = array<i64: 8, 4>
// 4 bytes over all-4: row 0 of %0 (9.9) beats both rows of %1 (3.01).
// B48: torch.aten.linear {{.*}}intvit.row_bits = array<i64: 8, 4, 4, 4>
// B48: torch.aten.linear {{.*}}intvit.row_bits = array<i64: 4, 4>
// granularity=layer (the default) reads only intvit.sensitivity.
// LAYER: torch.aten.linear {{.*}}intvit.weight_bits = 6 : i64
// LAYER-NOT: intvit.row_bits =
// The rows reach the integer program as the packing every backend runs.
// QUANT: intvit.matmul {{.*}} packing #intvit.packing<row_bits = [8, 4, 8, 4], split8 = true, factor = 2>
// QUANT-SAME: intvit.act_bits = 6 : i64
// QUANT: intvit.matmul {{.*}} packing #intvit.packing<row_bits = [8, 4], split8 = true, factor = 2>
func.func @two_layers(%arg0: !torch.vtensor<[1,8],f32>) -> !torch.vtensor<[1,2],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w0 = torch.vtensor.literal(dense<[[0.5, -0.5, 0.25, 0.1, 0.0, 0.3, -0.2, 0.05], [0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4], [1.0, 0.5, 0.25, 0.125, 0.0625, 0.0, -1.0, 0.7], [0.01, 0.02, -0.03, 0.04, 0.05, 0.06, -0.07, 0.08]]> : tensor<4x8xf32>) : !torch.vtensor<[4,8],f32>
  %b0 = torch.vtensor.literal(dense<0.1> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %w1 = torch.vtensor.literal(dense<[[-0.25, 0.5, 0.75, -1.0], [0.3, 0.2, -0.1, 0.05]]> : tensor<2x4xf32>) : !torch.vtensor<[2,4],f32>
  %b1 = torch.vtensor.literal(dense<0.2> : tensor<2xf32>) : !torch.vtensor<[2],f32>
  %0 = torch.aten.linear %arg0, %w0, %b0 {intvit.absmax = array<f64: 8.0>, intvit.sensitivity = array<f64: 10.0, 1.0, 0.1>, intvit.row_distance4 = array<f64: 10.0, 1.0, 5.0, 0.5>, intvit.row_distance8 = array<f64: 0.1, 0.1, 0.1, 0.1>} : !torch.vtensor<[1,8],f32>, !torch.vtensor<[4,8],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[1,4],f32>
  %1 = torch.aten.linear %0, %w1, %b1 {intvit.absmax = array<f64: 4.0>, intvit.sensitivity = array<f64: 0.01, 0.01, 0.0>, intvit.row_distance4 = array<f64: 3.0, 0.01>, intvit.row_distance8 = array<f64: 0.0, 0.0>} : !torch.vtensor<[1,4],f32>, !torch.vtensor<[2,4],f32>, !torch.vtensor<[2],f32> -> !torch.vtensor<[1,2],f32>
  func.return %1 : !torch.vtensor<[1,2],f32>
}
