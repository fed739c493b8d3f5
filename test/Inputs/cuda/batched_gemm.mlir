// Batched integer GEMMs with leading (batch, head) dims, as attention lowers: Q K^T into a
// requant (fused epilogue), then ui8 Shiftmax probabilities x V (u8 x s8).
func.func @main(%q: tensor<2x3x17x16xi8>, %k: tensor<2x3x17x16xi8>, %s: tensor<2x3x17x17xi8>, %v: tensor<2x3x17x16xi8>) -> (tensor<2x3x17x17xi8>, tensor<2x3x17x16xi32>) {
  %a = intvit.matmul %q, %k transpose_rhs : tensor<2x3x17x16xi8>, tensor<2x3x17x16xi8> -> tensor<2x3x17x17xi32>
  %r = intvit.requant %a multiplier [1288490189] shift [40] bits 8 rounding half_up : tensor<2x3x17x17xi32> -> tensor<2x3x17x17xi8>
  %p = intvit.shiftmax %s scale 0.05 bits 8 : tensor<2x3x17x17xi8> -> tensor<2x3x17x17xui8>
  %o = intvit.matmul %p, %v : tensor<2x3x17x17xui8>, tensor<2x3x17x16xi8> -> tensor<2x3x17x16xi32>
  func.return %r, %o : tensor<2x3x17x17xi8>, tensor<2x3x17x16xi32>
}
