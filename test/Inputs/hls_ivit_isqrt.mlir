// hls-cpp refuses the I-ViT compatibility square root (test/targets/hls-cpp/invalid.mlir)
func.func @f(%x: tensor<4xui64>) -> tensor<4xui64> {
  %y = intvit.isqrt %x mode ivit : tensor<4xui64> -> tensor<4xui64>
  func.return %y : tensor<4xui64>
}
