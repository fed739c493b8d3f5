// a packing factor 3 matmul fed by 8-bit activations (test/targets/hls-cpp/invalid.mlir)
func.func @f(%x: tensor<1x4xi32>) -> tensor<1x2xi32> {
  %a = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<1x4xi32> -> tensor<1x4xi8>
  %w = arith.constant dense<1> : tensor<2x4xi8>
  // the next line is line 6
  %y = intvit.matmul %a, %w transpose_rhs packing #intvit.packing<row_bits = [4, 8], split8 = true, factor = 3> : tensor<1x4xi8>, tensor<2x4xi8> -> tensor<1x2xi32>
  func.return %y : tensor<1x2xi32>
}
