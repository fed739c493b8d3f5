// A generic that reads other rows' results (y[i, j] = x[i, j] - rowsum(x)[j]) must not join the
// row kernel of x, its init and its row sums.
func.func @f(%a: tensor<48x48xi32>) -> tensor<48x48xi64> {
  %e = tensor.empty() : tensor<48x48xi32>
  %x = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%a : tensor<48x48xi32>) outs(%e : tensor<48x48xi32>) {
  ^bb0(%v: i32, %o: i32):
    %one = arith.constant 1 : i32
    %w = arith.addi %v, %one : i32
    linalg.yield %w : i32
  } -> tensor<48x48xi32>
  %zero = arith.constant 0 : i64
  %es = tensor.empty() : tensor<48xi64>
  %z = linalg.fill ins(%zero : i64) outs(%es : tensor<48xi64>) -> tensor<48xi64>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                       iterator_types = ["parallel", "reduction"]} ins(%x : tensor<48x48xi32>) outs(%z : tensor<48xi64>) {
  ^bb0(%v: i32, %acc: i64):
    %w = arith.extsi %v : i32 to i64
    %t = arith.addi %acc, %w : i64
    linalg.yield %t : i64
  } -> tensor<48xi64>
  %e2 = tensor.empty() : tensor<48x48xi64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]} ins(%x, %s : tensor<48x48xi32>, tensor<48xi64>) outs(%e2 : tensor<48x48xi64>) {
  ^bb0(%p: i32, %q: i64, %o: i64):
    %w = arith.extsi %p : i32 to i64
    %d = arith.subi %w, %q : i64
    linalg.yield %d : i64
  } -> tensor<48x48xi64>
  return %y : tensor<48x48xi64>
}
