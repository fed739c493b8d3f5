// A miniature I-ViT attention + MLP step over 5 tokens of width 8, used by the README's
// first command and by the `intvit run` tests: float in, integers through, float logits out.
func.func @main(%x: tensor<5x8xf32>) -> tensor<5x4xf32> {
  %wq = arith.constant dense<[[3, -7, 12, 0, 5, -2, 9, -11], [-4, 8, 1, 6, -9, 10, -3, 2], [7, 7, -7, -7, 2, 2, -2, -2], [1, -1, 1, -1, 1, -1, 1, -1], [0, 5, 10, 15, 20, 25, 30, 35], [-35, -30, -25, -20, -15, -10, -5, 0], [11, -13, 17, -19, 23, -29, 31, -37], [2, 4, 8, 16, 32, 64, 127, -128]]> : tensor<8x8xi8>
  %bq = arith.constant dense<[10, -20, 30, -40, 50, -60, 70, -80]> : tensor<8xi32>
  %w2 = arith.constant dense<[[5, -3, 2, 7, -8, 1, 0, 4], [-6, 9, -1, 3, 2, -7, 8, -2], [4, 4, 4, 4, -4, -4, -4, -4], [12, -12, 6, -6, 3, -3, 1, -1]]> : tensor<4x8xi8>
  %q = intvit.quantize %x scale 0.025 bits 8 : tensor<5x8xf32> -> tensor<5x8xi8>
  %ln = intvit.layernorm %q bias [0, 100, -100, 2000, -2000, 30000, -30000, 7] : tensor<5x8xi8> -> tensor<5x8xi32>
  %lq = intvit.requant %ln multiplier [1518500250] shift [53] bits 8 : tensor<5x8xi32> -> tensor<5x8xi8>
  %acc = intvit.matmul %lq, %wq, %bq transpose_rhs : tensor<5x8xi8>, tensor<8x8xi8>, tensor<8xi32> -> tensor<5x8xi32>
  %s8 = intvit.requant %acc multiplier [1288490189] shift [40] bits 8 rounding half_up : tensor<5x8xi32> -> tensor<5x8xi8>
  %p = intvit.shiftmax %s8 scale 0.08 bits 8 : tensor<5x8xi8> -> tensor<5x8xui8>
  %g = intvit.shiftgelu %s8 scale 0.05 bits 16 : tensor<5x8xi8> -> tensor<5x8xi16>
  %g8 = intvit.requant %g multiplier [1431655765] shift [38] bits 8 : tensor<5x8xi16> -> tensor<5x8xi8>
  %r = intvit.add %g8, %lq lhs_multiplier 1073741824 lhs_shift 30 rhs_multiplier 1610612736 rhs_shift 31 bits 8 : tensor<5x8xi8>, tensor<5x8xi8> -> tensor<5x8xi8>
  %logits = intvit.matmul %r, %w2 transpose_rhs : tensor<5x8xi8>, tensor<4x8xi8> -> tensor<5x4xi32>
  %out = intvit.dequantize %logits scale 0.001 : tensor<5x4xi32> -> tensor<5x4xf32>
  func.return %out : tensor<5x4xf32>
}
