// an op without an HLS kernel (test/targets/hls-cpp/invalid.mlir)
func.func @f(%x: tensor<4xi32>) -> tensor<4xi32> {
  %y = arith.addi %x, %x : tensor<4xi32>
  func.return %y : tensor<4xi32>
}
