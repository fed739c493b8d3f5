// GEMMs on runtime operands (B packed on every call):
// @runtime: B [k, n] with K = 33 (a K tail) and a zero-filled accumulator (`linalg.fill`);
//           the attention scores of 2 heads (batched B, 1.2 M MACs: threaded per head and row
//           chunk with --threads 2), zero-filled;
//           an unsigned A (softmax probabilities) accumulating onto a C the caller passes.
func.func @runtime(%x: tensor<7x33xi8>, %b: tensor<33x20xi8>, %q: tensor<2x67x128xi8>, %k: tensor<2x128x67xi8>,
                   %p: tensor<9x16xi8>, %v: tensor<16x20xi8>, %c0: tensor<9x20xi32>)
    -> (tensor<7x20xi32>, tensor<2x67x67xi32>, tensor<9x20xi32>) {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<7x20xi32>
  %c = linalg.fill ins(%z : i32) outs(%e : tensor<7x20xi32>) -> tensor<7x20xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %b : tensor<7x33xi8>, tensor<33x20xi8>) outs(%c : tensor<7x20xi32>) {
  ^bb0(%ai: i8, %bi: i8, %acc: i32):
    %0 = arith.extsi %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<7x20xi32>
  %e2 = tensor.empty() : tensor<2x67x67xi32>
  %c2 = linalg.fill ins(%z : i32) outs(%e2 : tensor<2x67x67xi32>) -> tensor<2x67x67xi32>
  %s = linalg.generic {indexing_maps = [affine_map<(h, m, n, k) -> (h, m, k)>, affine_map<(h, m, n, k) -> (h, k, n)>,
                                        affine_map<(h, m, n, k) -> (h, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x67x128xi8>, tensor<2x128x67xi8>) outs(%c2 : tensor<2x67x67xi32>) {
  ^bb0(%ai: i8, %bi: i8, %acc: i32):
    %0 = arith.extsi %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<2x67x67xi32>
  %acc0 = arith.addi %c0, %c0 : tensor<9x20xi32>
  %u = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<9x16xi8>, tensor<16x20xi8>) outs(%acc0 : tensor<9x20xi32>) {
  ^bb0(%ai: i8, %bi: i8, %acc: i32):
    %0 = arith.extui %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<9x20xi32>
  return %r, %s, %u : tensor<7x20xi32>, tensor<2x67x67xi32>, tensor<9x20xi32>
}
