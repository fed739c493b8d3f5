// RUN: not intvit-opt %s -p 'assign-precision{policy=search budget-bits=6 granularity=row}' 2>&1 | filecheck %s
// RUN: not intvit-opt %s -p 'quantize-to-intvit' 2>&1 | filecheck %s --check-prefix=QUANT
// A row search needs per-channel distances (the layer sensitivity alone is not enough), and
// quantize-to-intvit refuses row widths that are not Quasar-ViT's 4/8 or do not match the channels.

// CHECK: assign-precision: torch.aten.linear: intvit.row_distance4 needs 4 values (one per output channel): run calibrate{method=ptq4vit} first
// CHECK-NOT: Traceback
// QUANT: intvit.row_bits needs 4 entries (one per output channel), each 4 or 8
// QUANT-NOT: Traceback
func.func @no_row_distances(%arg0: !torch.vtensor<[1,8],f32>) -> !torch.vtensor<[1,4],f32> attributes {intvit.arg_absmax = array<f64: 2.0>} {
  %w0 = torch.vtensor.literal(dense<0.5> : tensor<4x8xf32>) : !torch.vtensor<[4,8],f32>
  %b0 = torch.vtensor.literal(dense<0.1> : tensor<4xf32>) : !torch.vtensor<[4],f32>
  %0 = torch.aten.linear %arg0, %w0, %b0 {intvit.absmax = array<f64: 8.0>, intvit.sensitivity = array<f64: 10.0, 1.0, 0.1>, intvit.row_bits = array<i64: 8, 6, 4, 4>} : !torch.vtensor<[1,8],f32>, !torch.vtensor<[4,8],f32>, !torch.vtensor<[4],f32> -> !torch.vtensor<[1,4],f32>
  func.return %0 : !torch.vtensor<[1,4],f32>
}
