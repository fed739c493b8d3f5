// Q K^T as the frontend writes it: K transposed by a copy, then a batched GEMM reading the copy.
func.func @scores(%q: tensor<2x37x64xi8>, %k: tensor<2x37x64xi8>) -> tensor<2x37x37xi32> {
  %e = tensor.empty() : tensor<2x64x37xi8>
  %kt = linalg.transpose ins(%k : tensor<2x37x64xi8>) outs(%e : tensor<2x64x37xi8>) permutation = [0, 2, 1]
  %z = arith.constant 0 : i32
  %ec = tensor.empty() : tensor<2x37x37xi32>
  %c = linalg.fill ins(%z : i32) outs(%ec : tensor<2x37x37xi32>) -> tensor<2x37x37xi32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>,
                                        affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<2x37x64xi8>, tensor<2x64x37xi8>) outs(%c : tensor<2x37x37xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.extsi %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<2x37x37xi32>
  return %s : tensor<2x37x37xi32>
}
