// A dense layer: int8 activations times constant int8 weights stored [n, k] (transpose_rhs),
// plus a per-channel int32 bias that initializes the accumulator.  m = 97, n = 100, k = 128
// (1.2 M MACs: threaded with --threads 2): AMX takes it (K a multiple of 64) with full 32 x 32
// blocks and row and column edge tiles; VNNI with 6 x 4 register tiles and tails.
func.func @dense(%x: tensor<97x128xi8>) -> tensor<97x100xi32> {
  %w = arith.constant dense<3> : tensor<100x128xi8>
  %bias = arith.constant dense<[-300, -293, -286, -279, -272, -265, -258, -251, -244, -237, -230, -223, -216, -209, -202, -195, -188, -181, -174, -167, -160, -153, -146, -139, -132, -125, -118, -111, -104, -97, -90, -83, -76, -69, -62, -55, -48, -41, -34, -27, -20, -13, -6, 1, 8, 15, 22, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92, 99, 106, 113, 120, 127, 134, 141, 148, 155, 162, 169, 176, 183, 190, 197, 204, 211, 218, 225, 232, 239, 246, 253, 260, 267, 274, 281, 288, 295, 302, 309, 316, 323, 330, 337, 344, 351, 358, 365, 372, 379, 386, 393]> : tensor<100xi32>
  %e = tensor.empty() : tensor<97x100xi32>
  %init = linalg.generic {indexing_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>],
                          iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<100xi32>) outs(%e : tensor<97x100xi32>) {
  ^bb0(%b: i32, %o: i32):
    linalg.yield %b : i32
  } -> tensor<97x100xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<97x128xi8>, tensor<100x128xi8>) outs(%init : tensor<97x100xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %0 = arith.extsi %a : i8 to i32
    %1 = arith.extsi %b : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<97x100xi32>
  return %r : tensor<97x100xi32>
}
