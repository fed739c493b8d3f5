// GEMMs and the elementwise consumers of their int32 accumulators:
// %acc -> a per-channel requant to int8 (the consumer every Dense layer has): fusable;
// %acc2 is also returned (two readers of C): its requant must not fuse;
// %acc3 -> `math.ctlz`, which the body translator does not know: must not fuse.
#id = affine_map<(m, n) -> (m, n)>
#col = affine_map<(m, n) -> (n)>
func.func @dense(%x: tensor<29x64xi8>, %y: tensor<7x24xi8>, %v: tensor<24x18xi8>)
    -> (tensor<29x50xi8>, tensor<7x18xi32>, tensor<7x18xi8>, tensor<7x18xi32>) {
  %w = arith.constant dense<5> : tensor<50x64xi8>
  %bias = arith.constant dense<[-300, -287, -274, -261, -248, -235, -222, -209, -196, -183, -170, -157, -144, -131, -118, -105, -92, -79, -66, -53, -40, -27, -14, -1, 12, 25, 38, 51, 64, 77, 90, 103, 116, 129, 142, 155, 168, 181, 194, 207, 220, 233, 246, 259, 272, 285, 298, 311, 324, 337]> : tensor<50xi32>
  %mult = arith.constant dense<[1073741824, 1073749743, 1073757662, 1073765581, 1073773500, 1073781419, 1073789338, 1073797257, 1073805176, 1073813095, 1073821014, 1073828933, 1073836852, 1073844771, 1073852690, 1073860609, 1073868528, 1073876447, 1073884366, 1073892285, 1073900204, 1073908123, 1073916042, 1073923961, 1073931880, 1073939799, 1073947718, 1073955637, 1073963556, 1073971475, 1073979394, 1073987313, 1073995232, 1074003151, 1074011070, 1074018989, 1074026908, 1074034827, 1074042746, 1074050665, 1074058584, 1074066503, 1074074422, 1074082341, 1074090260, 1074098179, 1074106098, 1074114017, 1074121936, 1074129855]> : tensor<50xi32>
  %e = tensor.empty() : tensor<29x50xi32>
  %init = linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<50xi32>) outs(%e : tensor<29x50xi32>) {
  ^bb0(%b: i32, %o: i32):
    linalg.yield %b : i32
  } -> tensor<29x50xi32>
  %acc = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<29x64xi8>, tensor<50x64xi8>) outs(%init : tensor<29x50xi32>) {
  ^bb0(%ai: i8, %bi: i8, %c: i32):
    %0 = arith.extsi %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %c, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<29x50xi32>
  %eo = tensor.empty() : tensor<29x50xi8>
  %q = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %mult : tensor<29x50xi32>, tensor<50xi32>) outs(%eo : tensor<29x50xi8>) {
  ^bb0(%a: i32, %m: i32, %o: i8):
    %aw = arith.extsi %a : i32 to i64
    %mw = arith.extsi %m : i32 to i64
    %p = arith.muli %aw, %mw : i64
    %sh = arith.constant 40 : i64
    %s = arith.shrsi %p, %sh : i64
    %r = arith.trunci %s : i64 to i8
    linalg.yield %r : i8
  } -> tensor<29x50xi8>
  %zero = arith.constant 0 : i32
  %e2 = tensor.empty() : tensor<7x18xi32>
  %z2 = linalg.fill ins(%zero : i32) outs(%e2 : tensor<7x18xi32>) -> tensor<7x18xi32>
  %acc2 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%y, %v : tensor<7x24xi8>, tensor<24x18xi8>) outs(%z2 : tensor<7x18xi32>) {
  ^bb0(%ai: i8, %bi: i8, %c: i32):
    %0 = arith.extsi %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %c, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<7x18xi32>
  %eo2 = tensor.empty() : tensor<7x18xi8>
  %q2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc2 : tensor<7x18xi32>) outs(%eo2 : tensor<7x18xi8>) {
  ^bb0(%a: i32, %o: i8):
    %r = arith.trunci %a : i32 to i8
    linalg.yield %r : i8
  } -> tensor<7x18xi8>
  %e3 = tensor.empty() : tensor<7x18xi32>
  %z3 = linalg.fill ins(%zero : i32) outs(%e3 : tensor<7x18xi32>) -> tensor<7x18xi32>
  %acc3 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%y, %v : tensor<7x24xi8>, tensor<24x18xi8>) outs(%z3 : tensor<7x18xi32>) {
  ^bb0(%ai: i8, %bi: i8, %c: i32):
    %0 = arith.extsi %ai : i8 to i32
    %1 = arith.extsi %bi : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %c, %2 : i32
    linalg.yield %3 : i32
  } -> tensor<7x18xi32>
  %eo3 = tensor.empty() : tensor<7x18xi32>
  %l = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc3 : tensor<7x18xi32>) outs(%eo3 : tensor<7x18xi32>) {
  ^bb0(%a: i32, %o: i32):
    %c = math.ctlz %a : i32
    linalg.yield %c : i32
  } -> tensor<7x18xi32>
  return %q, %acc2, %q2, %l : tensor<29x50xi8>, tensor<7x18xi32>, tensor<7x18xi8>, tensor<7x18xi32>
}
