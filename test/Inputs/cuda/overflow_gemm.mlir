// K = 140000: 140000 * 128 * 128 >= 2^31, the int32 accumulator could overflow.
func.func @main(%x: tensor<2x140000xi8>, %w: tensor<3x140000xi8>) -> tensor<2x3xi32> {
  %y = intvit.matmul %x, %w transpose_rhs : tensor<2x140000xi8>, tensor<3x140000xi8> -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}
