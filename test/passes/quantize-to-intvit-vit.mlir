// A whole (tiny) ViT through quantize-to-intvit: the rules for patch embedding, cls token, position
// embedding, head split, attention, MLP and classifier, threaded through SSA values.
// RUN: intvit-opt %inputs/tiny_vit_calibrated.mlir -p quantize-to-intvit | filecheck %s
// RUN: intvit-opt %inputs/tiny_vit_calibrated.mlir -p quantize-to-intvit,convert-intvit-to-linalg,expand-intvit-helpers,verify-integer-only | filecheck %s --check-prefix=LOWERED

// CHECK: func.func @main(%[[IMG:.*]]: tensor<1x1x4x4xf32>) -> tensor<1x3xf32>
// CHECK: %[[Q:.*]] = intvit.quantize %[[IMG]] scale {{.*}} bits 8
// Patch embedding (conv, kernel == stride) as im2col reshapes + one GEMM:
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[Q]]
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[FLAT]] {{.*}} output_shape [1, 1, 2, 2, 2, 2]
// CHECK: %[[PT:.*]] = linalg.transpose ins(%[[SPLIT]]{{.*}} permutation = [0, 2, 4, 1, 3, 5]
// CHECK: %[[PF:.*]] = tensor.collapse_shape %[[PT]]
// CHECK: %[[PATCHES:.*]] = tensor.expand_shape %[[PF]] {{.*}} output_shape [1, 4, 4]
// CHECK: %[[PE:.*]] = intvit.matmul %[[PATCHES]], %{{.*}}, %{{.*}} transpose_rhs : tensor<1x4x4xi8>, tensor<8x4xi8>, tensor<8xi32> -> tensor<1x4x8xi32>
// CHECK: %[[PE16:.*]] = intvit.requant %[[PE]] multiplier [{{.*}}] shift [{{.*}}] axis 2 bits 16
// cls token (a constant quantized at the concatenation's scale) + patches, then the position add:
// CHECK: %[[CLS:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x1x8xi16>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x5x8xi16>
// CHECK: %[[C0:.*]] = tensor.insert_slice %[[CLS]] into %[[E]][0, 0, 0] [1, 1, 8]
// CHECK: %[[TOK:.*]] = tensor.insert_slice %{{.*}} into %[[C0]][0, 1, 0] [1, 4, 8]
// CHECK: %[[POS:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x5x8xi16>
// CHECK: %[[X0:.*]] = intvit.add %[[TOK]], %[[POS]] lhs_multiplier {{.*}} bits 16
// Block: LayerNorm on the int16 residual, qkv GEMM, head split by unbind:
// CHECK: %[[LN1:.*]] = intvit.layernorm %[[X0]]
// CHECK: %[[LN1Q:.*]] = intvit.requant %[[LN1]] {{.*}} bits 8
// CHECK: %[[QKV:.*]] = intvit.matmul %[[LN1Q]], %{{.*}}, %{{.*}} transpose_rhs : tensor<1x5x8xi8>, tensor<24x8xi8>
// CHECK: %[[HEADS:.*]] = linalg.transpose {{.*}} permutation = [2, 0, 3, 1, 4]
// CHECK: %[[QH:.*]] = tensor.extract_slice %[[HEADS]][0, 0, 0, 0, 0] [1, 1, 2, 5, 4]
// CHECK: %[[KH:.*]] = tensor.extract_slice %[[HEADS]][1, 0, 0, 0, 0] [1, 1, 2, 5, 4]
// CHECK: %[[VH:.*]] = tensor.extract_slice %[[HEADS]][2, 0, 0, 0, 0] [1, 1, 2, 5, 4]
// CHECK: %[[KT:.*]] = linalg.transpose ins(%[[KH]]{{.*}} permutation = [0, 1, 3, 2]
// CHECK: %[[S:.*]] = intvit.matmul %[[QH]], %[[KT]] : tensor<1x2x5x4xi8>, tensor<1x2x4x5xi8> -> tensor<1x2x5x5xi32>
// The 1/sqrt(head_dim) factor lives in this requant's (m, e); Shiftmax feeds attn @ V unsigned:
// CHECK: %[[S8:.*]] = intvit.requant %[[S]] multiplier [{{[0-9]+}}] shift [{{[0-9]+}}] bits 8
// CHECK: %[[P:.*]] = intvit.shiftmax %[[S8]] scale {{.*}} bits 8 : tensor<1x2x5x5xi8> -> tensor<1x2x5x5xui8>
// CHECK: %[[O:.*]] = intvit.matmul %[[P]], %[[VH]] : tensor<1x2x5x5xui8>, tensor<1x2x5x4xi8> -> tensor<1x2x5x4xi32>
// CHECK: %[[X1:.*]] = intvit.add %[[X0]], %{{.*}} {{.*}} bits 16
// MLP: fc1, ShiftGELU on int8, fc2, residual:
// CHECK: %[[G:.*]] = intvit.shiftgelu %{{.*}} bits 16 : tensor<1x5x16xi8> -> tensor<1x5x16xi16>
// CHECK: %[[GQ:.*]] = intvit.requant %[[G]] {{.*}} bits 8
// CHECK: intvit.matmul %[[GQ]], %{{.*}}, %{{.*}} transpose_rhs : tensor<1x5x16xi8>, tensor<8x16xi8>
// CHECK: %[[X2:.*]] = intvit.add %[[X1]], %{{.*}} bits 16
// Final norm, cls token (select), integer classifier head, dequantized logits:
// CHECK: %[[LNF:.*]] = intvit.layernorm %[[X2]]
// CHECK: %[[LNFQ:.*]] = intvit.requant %[[LNF]]
// CHECK: %[[CLSOUT:.*]] = tensor.extract_slice %[[LNFQ]][0, 0, 0] [1, 1, 8] [1, 1, 1] : tensor<1x5x8xi8> to tensor<1x8xi8>
// CHECK: %[[LOG:.*]] = intvit.matmul %[[CLSOUT]], %{{.*}}, %{{.*}} transpose_rhs : tensor<1x8xi8>, tensor<3x8xi8>, tensor<3xi32> -> tensor<1x3xi32>
// CHECK: %[[LOG16:.*]] = intvit.requant %[[LOG]] {{.*}} axis 1 bits 16 : tensor<1x3xi32> -> tensor<1x3xi16>
// CHECK: %[[OUT:.*]] = intvit.dequantize %[[LOG16]]
// CHECK: func.return %[[OUT]] : tensor<1x3xf32>

// LOWERED: func.func @main(%{{.*}}: tensor<1x1x4x4xf32>) -> tensor<1x3xf32>
// LOWERED-NOT: = intvit.
// LOWERED: dialect_resources
