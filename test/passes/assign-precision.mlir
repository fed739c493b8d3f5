// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.5}' | filecheck %s
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=1.0}' | filecheck %s --check-prefix=ALL
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0.5 policy=first}' | filecheck %s --check-prefix=FIRST
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio_4bit=0.5 factor=3}' | filecheck %s --check-prefix=FACTOR
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=0}' | filecheck %s --check-prefix=NONE
// RUN: intvit-opt %s --split-input-file -p assign-precision | filecheck %s --check-prefix=NONE
// RUN: intvit-opt %s --split-input-file -p 'assign-precision{ratio-4bit=1.0},assign-precision{ratio-4bit=1.0}' | filecheck %s --check-prefix=ALL
// RUN: not intvit-opt %s -p 'assign-precision{ratio-4bit=2}' 2>&1 | filecheck %s --check-prefix=RATIO
// RUN: not intvit-opt %s -p 'assign-precision{policy=best}' 2>&1 | filecheck %s --check-prefix=POLICY
// RUN: not intvit-opt %s -p 'assign-precision{ratio-4bit=0.5 factor=5}' 2>&1 | filecheck %s --check-prefix=BADFACTOR

// RATIO: intvit-opt: error: assign-precision: ratio-4bit must be in [0, 1], got 2
// POLICY: intvit-opt: error: assign-precision: unknown policy 'best' (one of sensitivity, first, search)
// BADFACTOR: intvit-opt: error: assign-precision: factor must be in [1, 4], got 5
// FACTOR: packing #intvit.packing<row_bits = [8, 4, 8], split8 = true, factor = 3>
// NONE-NOT: packing
// NONE-NOT: _4bit

// Sensitivity: rows 1 and 2 already fit [-8, 7] (error 0), row 0 does not; at ratio 0.5 one row
// (floor(0.5 * 3)) gets 4 bits: the least sensitive, row 1.  `first` takes row 0 instead: its
// weights are requantized to sat4(RNE(w / 2^5)), its bias to RNE(bias / 2^5), and the per-tensor
// requant becomes per channel with e - 5 for that channel.
// CHECK-LABEL: func.func @linear$bias_per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xi8>)
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[100, -128, 127, 50], [1, -2, 3, 4], [7, -8, 0, 1]]> : tensor<3x4xi8>
// CHECK: %[[B:.*]] = arith.constant dense<[-37, 100, 5]> : tensor<3xi32>
// CHECK: %[[Y:.*]] = intvit.matmul %[[X]], %[[W]], %[[B]] transpose_rhs packing #intvit.packing<row_bits = [8, 4, 8], split8 = true, factor = 2>
// CHECK: intvit.requant %[[Y]] multiplier [1518500250] shift [40] bits 8
// FIRST-LABEL: func.func @linear$bias_per_tensor
// FIRST-SAME: (%[[X:.*]]: tensor<2x4xi8>)
// FIRST: %[[B:.*]] = arith.constant dense<[-1, 100, 5]> : tensor<3xi32>
// FIRST: %[[W:.*]] = arith.constant dense<{{\[}}[3, -4, 4, 2], [1, -2, 3, 4], [7, -8, 0, 1]]> : tensor<3x4xi8>
// FIRST: %[[Y:.*]] = intvit.matmul %[[X]], %[[W]], %[[B]] transpose_rhs packing #intvit.packing<row_bits = [4, 8, 8], split8 = true, factor = 2>
// FIRST: intvit.requant %[[Y]] multiplier [1518500250, 1518500250, 1518500250] shift [35, 40, 40] bits 8
// ALL-LABEL: func.func @linear$bias_per_tensor
// ALL: %[[B:.*]] = arith.constant dense<[-1, 100, 5]> : tensor<3xi32>
// ALL: %[[W:.*]] = arith.constant dense<{{\[}}[3, -4, 4, 2], [1, -2, 3, 4], [7, -8, 0, 1]]> : tensor<3x4xi8>
// ALL: %[[Y:.*]] = intvit.matmul %{{.*}}, %[[W]], %[[B]] transpose_rhs packing #intvit.packing<row_bits = [4, 4, 4], split8 = true, factor = 2>
// ALL: intvit.requant %[[Y]] multiplier [1518500250, 1518500250, 1518500250] shift [35, 40, 40] bits 8
// NONE-LABEL: func.func @linear$bias_per_tensor
// NONE: intvit.matmul %{{.*}}, %{{.*}}, %{{.*}} transpose_rhs : tensor<2x4xi8>
func.func @linear$bias_per_tensor(%x: tensor<2x4xi8>) -> tensor<2x3xi8> {
  %w = arith.constant dense<[[100, -128, 127, 50], [1, -2, 3, 4], [7, -8, 0, 1]]> : tensor<3x4xi8>
  %bias = arith.constant dense<[-37, 100, 5]> : tensor<3xi32>
  %y = intvit.matmul %x, %w, %bias transpose_rhs : tensor<2x4xi8>, tensor<3x4xi8>, tensor<3xi32> -> tensor<2x3xi32>
  %r = intvit.requant %y multiplier [1518500250] shift [40] bits 8 : tensor<2x3xi32> -> tensor<2x3xi8>
  func.return %r : tensor<2x3xi8>
}

// -----
// [K, N] layout: a channel is a column.  Weights come from a dense_resource blob and go back into
// a new blob; a per-channel requant absorbs 2^4 in the 4-bit channel (column 0 at ratio 0.5: its
// relative error 0.071 is below column 1's 0.083).
// CHECK-LABEL: func.func @matmul$kn_resource
// CHECK: %[[W:.*]] = arith.constant dense_resource<wq_4bit> : tensor<4x2xi8>
// CHECK: %[[Y:.*]] = intvit.matmul %{{.*}}, %[[W]] packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 2>
// CHECK: intvit.requant %[[Y]] multiplier [1518500250, 1073741824] shift [36, 33] bits 8 rounding floor
// CHECK: wq_4bit: "0x01000000067F0080000100F0"
// ALL-LABEL: func.func @matmul$kn_resource
// ALL: intvit.requant %{{.*}} multiplier [1518500250, 1073741824] shift [36, 29] bits 8 rounding floor
// ALL: wq_4bit: "0x01000000060700F8000000FF"
// NONE-LABEL: func.func @matmul$kn_resource
// NONE: wq: "0x01000000647F0380FF0105F0"
func.func @matmul$kn_resource(%x: tensor<3x4xi8>) -> tensor<3x2xi8> {
  %w = arith.constant dense_resource<wq> : tensor<4x2xi8>
  %y = intvit.matmul %x, %w : tensor<3x4xi8>, tensor<4x2xi8> -> tensor<3x2xi32>
  %r = intvit.requant %y multiplier [1518500250, 1073741824] shift [40, 33] bits 8 rounding floor : tensor<3x2xi32> -> tensor<3x2xi8>
  func.return %r : tensor<3x2xi8>
}
{-#
  dialect_resources: {
    builtin: {
      wq: "0x01000000647F0380FF0105F0"
    }
  }
#-}

// -----
// A result feeding two requants: both absorb 2^k (row 0 = [64, -64] is exactly 2^4 * [4, -4]).
// CHECK-LABEL: func.func @matmul$two_requants
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}[4, -4], [3, 2]]> : tensor<2x2xi8>
// CHECK: %[[Y:.*]] = intvit.matmul %{{.*}}, %[[W]] transpose_rhs packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 2>
// CHECK: intvit.requant %[[Y]] multiplier [1073741824, 1073741824] shift [29, 33] bits 8
// CHECK: intvit.requant %[[Y]] multiplier [1073741824, 1200000000] shift [27, 32] bits 16
// FIRST-LABEL: func.func @matmul$two_requants
// FIRST: packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 2>
// ALL-LABEL: func.func @matmul$two_requants
// ALL: packing #intvit.packing<row_bits = [4, 4], split8 = true, factor = 2>
func.func @matmul$two_requants(%x: tensor<1x2xi8>) -> (tensor<1x2xi8>, tensor<1x2xi16>) {
  %w = arith.constant dense<[[64, -64], [3, 2]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<1x2xi8>, tensor<2x2xi8> -> tensor<1x2xi32>
  %a = intvit.requant %y multiplier [1073741824] shift [33] bits 8 : tensor<1x2xi32> -> tensor<1x2xi8>
  %b = intvit.requant %y multiplier [1073741824, 1200000000] shift [31, 32] bits 16 : tensor<1x2xi32> -> tensor<1x2xi16>
  func.return %a, %b : tensor<1x2xi8>, tensor<1x2xi16>
}

// -----
// A shift of 3 lets the requant absorb at most 2^2: row 0 = [64, 60] then saturates to 4 * [7, 7]
// instead of 16 * [4, 4] (the choice of k respects e - k >= 1).
// ALL-LABEL: func.func @matmul$small_shift
// ALL: %[[W:.*]] = arith.constant dense<7> : tensor<1x2xi8>
// ALL: intvit.matmul %{{.*}}, %[[W]] transpose_rhs packing #intvit.packing<row_bits = [4], split8 = true, factor = 2>
// ALL: intvit.requant %{{.*}} multiplier [1073741824] shift [1] bits 8
func.func @matmul$small_shift(%x: tensor<1x2xi8>) -> tensor<1x1xi8> {
  %w = arith.constant dense<[[64, 60]]> : tensor<1x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<1x2xi8>, tensor<1x2xi8> -> tensor<1x1xi32>
  %r = intvit.requant %y multiplier [1073741824] shift [3] bits 8 : tensor<1x1xi32> -> tensor<1x1xi8>
  func.return %r : tensor<1x1xi8>
}

// -----
// Activation x activation GEMMs (Q K^T, attn V) have no constant weights: untouched.
// CHECK-LABEL: func.func @matmul$activations
// CHECK-NOT: packing
// ALL-LABEL: func.func @matmul$activations
// ALL-NOT: packing
func.func @matmul$activations(%q: tensor<2x4xi8>, %k: tensor<3x4xi8>) -> tensor<2x3xi32> {
  %s = intvit.matmul %q, %k transpose_rhs : tensor<2x4xi8>, tensor<3x4xi8> -> tensor<2x3xi32>
  func.return %s : tensor<2x3xi32>
}

// -----
// An existing annotation is kept (idempotence: running the pass twice changes nothing more).
// CHECK-LABEL: func.func @matmul$annotated
// CHECK: arith.constant dense<{{\[}}[100, 100], [1, 1]]>
// ALL-LABEL: func.func @matmul$annotated
// ALL: arith.constant dense<{{\[}}[100, 100], [1, 1]]>
// ALL: packing #intvit.packing<row_bits = [8, 8], split8 = true, factor = 2>
func.func @matmul$annotated(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = arith.constant dense<[[100, 100], [1, 1]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs packing #intvit.packing<row_bits = [8, 8], split8 = true, factor = 2> : tensor<1x2xi8>, tensor<2x2xi8> -> tensor<1x2xi32>
  func.return %y : tensor<1x2xi32>
}

// -----
// Rows that already fit [-8, 7] need no rescale (k = 0), so no requant has to follow the GEMM,
// and the weights are not copied.
// ALL-LABEL: func.func @matmul$fits_int4
// ALL: %[[W:.*]] = arith.constant dense<{{\[}}[7, -8], [-3, 5]]> : tensor<2x2xi8>
// ALL: intvit.matmul %{{.*}}, %[[W]] transpose_rhs packing #intvit.packing<row_bits = [4, 4], split8 = true, factor = 2>
func.func @matmul$fits_int4(%x: tensor<1x2xi8>) -> tensor<1x2xi32> {
  %w = arith.constant dense<[[7, -8], [-3, 5]]> : tensor<2x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<1x2xi8>, tensor<2x2xi8> -> tensor<1x2xi32>
  func.return %y : tensor<1x2xi32>
}

// -----
// A weight with another user is copied, not edited: the other user keeps the 8-bit values.
// ALL-LABEL: func.func @matmul$shared_weight
// ALL-SAME: (%[[X:.*]]: tensor<1x2xi8>)
// ALL: %[[W:.*]] = arith.constant dense<{{\[}}[64, 32]]> : tensor<1x2xi8>
// ALL: %[[W4:.*]] = arith.constant dense<{{\[}}[4, 2]]> : tensor<1x2xi8>
// ALL: intvit.matmul %[[X]], %[[W4]] transpose_rhs packing
// ALL: func.return %{{.*}}, %[[W]] :
func.func @matmul$shared_weight(%x: tensor<1x2xi8>) -> (tensor<1x1xi8>, tensor<1x2xi8>) {
  %w = arith.constant dense<[[64, 32]]> : tensor<1x2xi8>
  %y = intvit.matmul %x, %w transpose_rhs : tensor<1x2xi8>, tensor<1x2xi8> -> tensor<1x1xi32>
  %r = intvit.requant %y multiplier [1073741824] shift [31] bits 8 : tensor<1x1xi32> -> tensor<1x1xi8>
  func.return %r, %w : tensor<1x1xi8>, tensor<1x2xi8>
}
