func.func @f(%a: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "mystery.op"(%a) : (tensor<4xi32>) -> tensor<4xi32>
  func.return %0 : tensor<4xi32>
}
