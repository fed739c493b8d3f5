// K = 140000: 140000 * 128 * 128 >= 2^31, the int32 accumulator could overflow. Lowered IR: the
// intvit.matmul verifier already refuses the intvit form, so this checks the target's own bound.
builtin.module {
  func.func @main(%x: tensor<2x140000xi8>, %w: tensor<3x140000xi8>) -> tensor<2x3xi32> {
    %0 = tensor.empty() : tensor<2x3xi32>
    %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%0 : tensor<2x3xi32>) {
    ^bb0(%2: i32):
      %3 = arith.constant 0 : i32
      linalg.yield %3 : i32
    } -> tensor<2x3xi32>
    %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x140000xi8>, tensor<3x140000xi8>) outs(%1 : tensor<2x3xi32>) attrs =  {intvit.gemm} {
    ^bb0(%4: i8, %5: i8, %6: i32):
      %7 = arith.extsi %4 : i8 to i32
      %8 = arith.extsi %5 : i8 to i32
      %9 = arith.muli %7, %8 : i32
      %10 = arith.addi %6, %9 : i32
      linalg.yield %10 : i32
    } -> tensor<2x3xi32>
    func.return %y : tensor<2x3xi32>
  }
}

