// Non-GEMM generics that are not row chains, each its own 16-lane kernel:
// a per-channel requant on [4, 37] (37 = 2 x 16 + 5: a masked tail), a table lookup on [37],
// a division on [37] (the masked-off lanes must not divide by zero), a row sum, and a
// requant on [64, 130] (8320 elements: threaded with --threads 2).
#id = affine_map<(r, c) -> (r, c)>
#row = affine_map<(r, c) -> (r)>
#col = affine_map<(r, c) -> (c)>
#v = affine_map<(i) -> (i)>
func.func @ops(%x: tensor<4x37xi32>, %t: tensor<37xi32>, %a: tensor<37xi64>, %b: tensor<37xi64>,
               %big: tensor<64x130xi32>) -> (tensor<4x37xi8>, tensor<37xi32>, tensor<37xi64>, tensor<4xi64>, tensor<64x130xi8>) {
  %mult = arith.constant dense<[1073741824, 1073749743, 1073757662, 1073765581, 1073773500, 1073781419, 1073789338, 1073797257, 1073805176, 1073813095, 1073821014, 1073828933, 1073836852, 1073844771, 1073852690, 1073860609, 1073868528, 1073876447, 1073884366, 1073892285, 1073900204, 1073908123, 1073916042, 1073923961, 1073931880, 1073939799, 1073947718, 1073955637, 1073963556, 1073971475, 1073979394, 1073987313, 1073995232, 1074003151, 1074011070, 1074018989, 1074026908]> : tensor<37xi32>
  %table = arith.constant dense<[-100, -63, -26, 11, 48, 85, -78, -41, -4, 33, 70, -93, -56, -19, 18, 55, 92, -71, -34, 3, 40, 77, -86, -49, -12, 25, 62, 99, -64, -27, 10, 47, 84, -79, -42, -5, 32, 69, -94, -57, -20, 17, 54, 91, -72, -35, 2, 39, 76, -87, -50, -13, 24, 61, 98, -65, -28, 9, 46, 83, -80, -43, -6, 31]> : tensor<64xi32>
  %e1 = tensor.empty() : tensor<4x37xi8>
  %rq = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mult : tensor<4x37xi32>, tensor<37xi32>) outs(%e1 : tensor<4x37xi8>) {
  ^bb0(%v: i32, %m: i32, %o: i8):
    %w = arith.extsi %v : i32 to i64
    %mw = arith.extsi %m : i32 to i64
    %p = arith.muli %w, %mw : i64
    %sh = arith.constant 38 : i64
    %q = arith.shrsi %p, %sh : i64
    %lo = arith.constant -128 : i64
    %hi = arith.constant 127 : i64
    %c1 = arith.maxsi %q, %lo : i64
    %c2 = arith.minsi %c1, %hi : i64
    %r = arith.trunci %c2 : i64 to i8
    linalg.yield %r : i8
  } -> tensor<4x37xi8>
  %e2 = tensor.empty() : tensor<37xi32>
  %lk = linalg.generic {indexing_maps = [#v, #v], iterator_types = ["parallel"]}
      ins(%t : tensor<37xi32>) outs(%e2 : tensor<37xi32>) {
  ^bb0(%v: i32, %o: i32):
    %k = arith.constant 63 : i32
    %i = arith.andi %v, %k : i32
    %j = arith.index_cast %i : i32 to index
    %l = tensor.extract %table[%j] : tensor<64xi32>
    linalg.yield %l : i32
  } -> tensor<37xi32>
  %e3 = tensor.empty() : tensor<37xi64>
  %dv = linalg.generic {indexing_maps = [#v, #v, #v], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<37xi64>, tensor<37xi64>) outs(%e3 : tensor<37xi64>) {
  ^bb0(%p: i64, %q: i64, %o: i64):
    %d = arith.divsi %p, %q : i64
    linalg.yield %d : i64
  } -> tensor<37xi64>
  %zero = arith.constant 0 : i64
  %e4 = tensor.empty() : tensor<4xi64>
  %s0 = linalg.fill ins(%zero : i64) outs(%e4 : tensor<4xi64>) -> tensor<4xi64>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x37xi32>) outs(%s0 : tensor<4xi64>) {
  ^bb0(%v: i32, %s: i64):
    %w = arith.extsi %v : i32 to i64
    %n = arith.addi %s, %w : i64
    linalg.yield %n : i64
  } -> tensor<4xi64>
  %e5 = tensor.empty() : tensor<64x130xi8>
  %bq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%big : tensor<64x130xi32>) outs(%e5 : tensor<64x130xi8>) {
  ^bb0(%v: i32, %o: i8):
    %sh = arith.constant 8 : i32
    %q = arith.shrsi %v, %sh : i32
    %r = arith.trunci %q : i32 to i8
    linalg.yield %r : i8
  } -> tensor<64x130xi8>
  return %rq, %lk, %dv, %sum, %bq : tensor<4x37xi8>, tensor<37xi32>, tensor<37xi64>, tensor<4xi64>, tensor<64x130xi8>
}
