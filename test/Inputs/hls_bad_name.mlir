// an entry name that is not a C++ identifier after sanitizing (test/targets/hls-cpp/invalid.mlir)
func.func @"f$__x"(%x: tensor<4xi32>) -> tensor<4xi8> {
  %y = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %y : tensor<4xi8>
}
