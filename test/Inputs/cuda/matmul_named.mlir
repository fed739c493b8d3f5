// A named linalg.matmul: the target takes the lowered intvit IR (generics), not named ops.
func.func @main(%a: tensor<4x8xi32>, %b: tensor<8x4xi32>) -> tensor<4x4xi32> {
  %e = tensor.empty() : tensor<4x4xi32>
  %c = linalg.matmul ins(%a, %b : tensor<4x8xi32>, tensor<8x4xi32>) outs(%e : tensor<4x4xi32>) -> tensor<4x4xi32>
  func.return %c : tensor<4x4xi32>
}
