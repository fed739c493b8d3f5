// I-LayerNorm's shape of computation on [4, 40] int16 (numerics simplified): the row sum,
// the mean, the sum of squares around it, a per-row factor, the normalized output: seven
// generics over the same rows.
#id = affine_map<(r, c) -> (r, c)>
#row = affine_map<(r, c) -> (r)>
#col = affine_map<(r, c) -> (c)>
#r1 = affine_map<(r) -> (r)>
func.func @layernorm(%x: tensor<4x40xi16>) -> tensor<4x40xi32> {
  %zero = arith.constant 0 : i64
  %e1 = tensor.empty() : tensor<4xi64>
  %s0 = linalg.fill ins(%zero : i64) outs(%e1 : tensor<4xi64>) -> tensor<4xi64>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x40xi16>) outs(%s0 : tensor<4xi64>) {
  ^bb0(%v: i16, %s: i64):
    %w = arith.extsi %v : i16 to i64
    %t = arith.addi %s, %w : i64
    linalg.yield %t : i64
  } -> tensor<4xi64>
  %e2 = tensor.empty() : tensor<4xi64>
  %mean = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xi64>) outs(%e2 : tensor<4xi64>) {
  ^bb0(%s: i64, %o: i64):
    %c = arith.constant 40 : i64
    %m = arith.divsi %s, %c : i64
    linalg.yield %m : i64
  } -> tensor<4xi64>
  %e3 = tensor.empty() : tensor<4xi64>
  %q0 = linalg.fill ins(%zero : i64) outs(%e3 : tensor<4xi64>) -> tensor<4xi64>
  %ssq = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : tensor<4x40xi16>, tensor<4xi64>) outs(%q0 : tensor<4xi64>) {
  ^bb0(%v: i16, %m: i64, %s: i64):
    %w = arith.extsi %v : i16 to i64
    %d = arith.subi %w, %m : i64
    %d2 = arith.muli %d, %d : i64
    %t = arith.addi %s, %d2 : i64
    linalg.yield %t : i64
  } -> tensor<4xi64>
  %e4 = tensor.empty() : tensor<4xi64>
  %inv = linalg.generic {indexing_maps = [#r1, #r1], iterator_types = ["parallel"]}
      ins(%ssq : tensor<4xi64>) outs(%e4 : tensor<4xi64>) {
  ^bb0(%s: i64, %o: i64):
    %one = arith.constant 1099511627776 : i64
    %c = arith.constant 1 : i64
    %d = arith.addi %s, %c : i64
    %f = arith.divsi %one, %d : i64
    linalg.yield %f : i64
  } -> tensor<4xi64>
  %eo = tensor.empty() : tensor<4x40xi32>
  %out = linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mean, %inv : tensor<4x40xi16>, tensor<4xi64>, tensor<4xi64>) outs(%eo : tensor<4x40xi32>) {
  ^bb0(%v: i16, %m: i64, %f: i64, %o: i32):
    %w = arith.extsi %v : i16 to i64
    %d = arith.subi %w, %m : i64
    %p = arith.muli %d, %f : i64
    %r = arith.trunci %p : i64 to i32
    linalg.yield %r : i32
  } -> tensor<4x40xi32>
  return %out : tensor<4x40xi32>
}
