// An integer op the target does not translate (math.absi in a generic body).
func.func @main(%x: tensor<4xi32>) -> tensor<4xi32> {
  %e = tensor.empty() : tensor<4xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xi32>) outs(%e : tensor<4xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = math.absi %a : i32
    linalg.yield %r : i32
  } -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}
