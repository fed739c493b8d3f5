// Every op family the hls-cpp target emits, in one entry (one g++ build for all of them):
// test_hls_csim.py runs it in C simulation on random and extreme inputs against the golden model.
func.func @ops(%x32: tensor<3x8xi32>, %x8: tensor<3x8xi8>, %x16: tensor<3x8xi16>, %v: tensor<6xui64>,
               %f: tensor<3x8xf32>, %b8: tensor<2x3x8xi8>, %c8: tensor<2x8x4xi8>)
    -> (tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi16>,
        tensor<3x8xi8>, tensor<3x8xi16>, tensor<3x8xi16>,
        tensor<3x5xi32>, tensor<3x5xi32>, tensor<2x3x4xi32>, tensor<2x3x3xi32>,
        tensor<3x8xui8>, tensor<3x8xui16>, tensor<3x8xi8>, tensor<3x8xui8>,
        tensor<3x8xi16>, tensor<3x8xi16>, tensor<3x8xi32>, tensor<6xui64>, tensor<3x8xi8>, tensor<3x8xf32>,
        tensor<8x3xi8>, tensor<2x8xi8>, tensor<4x8xi8>,
        tensor<3x6xi32>, tensor<3x6xi32>, tensor<3x6xi32>, tensor<3x6xi32>) {
  %r0 = intvit.requant %x32 multiplier [1518500250] shift [40] bits 8 : tensor<3x8xi32> -> tensor<3x8xi8>
  %r1 = intvit.requant %x32 multiplier [1518500250] shift [40] bits 8 rounding half_up : tensor<3x8xi32> -> tensor<3x8xi8>
  %r2 = intvit.requant %x32 multiplier [1518500250] shift [40] bits 8 rounding half_away : tensor<3x8xi32> -> tensor<3x8xi8>
  %r3 = intvit.requant %x32 multiplier [1518500250] shift [40] bits 8 rounding double_round : tensor<3x8xi32> -> tensor<3x8xi8>
  %r4 = intvit.requant %x32 multiplier [1518500250] shift [40] bits 8 rounding floor : tensor<3x8xi32> -> tensor<3x8xi8>
  %r5 = intvit.requant %x32 multiplier [1073741824, 1288490189, 2147483647, 1500000000, 1073741825, 1999999999, 1234567890, 1111111111] shift [31, 33, 20, 45, 62, 1, 30, 36] bits 16 rounding double_round : tensor<3x8xi32> -> tensor<3x8xi16>
  %r6 = intvit.requant %x16 multiplier [1073741824, 1288490189, 2000000000] shift [10, 12, 14] axis 0 bits 8 rounding half_even : tensor<3x8xi16> -> tensor<3x8xi8>
  %a0 = intvit.add %x16, %x16 lhs_multiplier 1987631880 lhs_shift 31 rhs_multiplier 2131868774 rhs_shift 32 bits 16 : tensor<3x8xi16>, tensor<3x8xi16> -> tensor<3x8xi16>
  %a1 = intvit.add %x16, %r5 lhs_multiplier 1245722540 lhs_shift 30 rhs_multiplier 1975008665 rhs_shift 31 bits 16 rounding half_up : tensor<3x8xi16>, tensor<3x8xi16> -> tensor<3x8xi16>
  %w = arith.constant dense<[[100, -128, 127, 50, 1, 2, 3, 4], [1, -2, 3, 4, -5, 6, -7, 8], [7, -8, 0, 1, 127, 127, -128, -128], [0, 0, 0, 0, 0, 0, 0, 0], [-1, -1, -1, -1, -1, -1, -1, -1]]> : tensor<5x8xi8>
  %bias = arith.constant dense<[-37, 100, 5, 2147000000, -2147000000]> : tensor<5xi32>
  %m0 = intvit.matmul %x8, %w, %bias transpose_rhs : tensor<3x8xi8>, tensor<5x8xi8>, tensor<5xi32> -> tensor<3x5xi32>
  %wk = arith.constant dense<[[1, 2, 3, 4, 5], [-1, -2, -3, -4, -5], [127, 0, -128, 0, 1], [9, 9, 9, 9, 9], [-128, -128, -128, -128, -128], [3, 1, 4, 1, 5], [2, 7, 1, 8, 2], [0, 1, 0, 1, 0]]> : tensor<8x5xi8>
  %m1 = intvit.matmul %x8, %wk : tensor<3x8xi8>, tensor<8x5xi8> -> tensor<3x5xi32>
  %m2 = intvit.matmul %b8, %c8 : tensor<2x3x8xi8>, tensor<2x8x4xi8> -> tensor<2x3x4xi32>
  %m3 = intvit.matmul %b8, %b8 transpose_rhs : tensor<2x3x8xi8>, tensor<2x3x8xi8> -> tensor<2x3x3xi32>
  %s0 = intvit.shiftmax %x8 scale 0.08 bits 8 : tensor<3x8xi8> -> tensor<3x8xui8>
  %s1 = intvit.shiftmax %x8 scale 0.0001 bits 16 : tensor<3x8xi8> -> tensor<3x8xui16>
  %s2 = intvit.shiftmax %x8 scale 0.5 bits 8 saturate : tensor<3x8xi8> -> tensor<3x8xi8>
  %s3 = intvit.shiftmax %x8 scale 0.1 axis 0 bits 8 : tensor<3x8xi8> -> tensor<3x8xui8>
  %g0 = intvit.shiftgelu %x8 scale 0.05 bits 16 : tensor<3x8xi8> -> tensor<3x8xi16>
  %g1 = intvit.shiftgelu %x8 scale 0.3 bits 16 paper_shifts : tensor<3x8xi8> -> tensor<3x8xi16>
  %n0 = intvit.layernorm %x16 bias [102740719, -82158755, 13642071, 70479279, 21316618, -61633646, 0, 5] const_channels [0, 0, 0, 1, 0, 0, 0, 0] : tensor<3x8xi16> -> tensor<3x8xi32>
  %q0 = intvit.isqrt %v : tensor<6xui64> -> tensor<6xui64>
  %z0 = intvit.quantize %f scale 0.025 bits 8 : tensor<3x8xf32> -> tensor<3x8xi8>
  %d0 = intvit.dequantize %a0 scale 0.001 : tensor<3x8xi16> -> tensor<3x8xf32>
  %e0 = tensor.empty() : tensor<8x3xi8>
  %t0 = linalg.transpose ins(%x8 : tensor<3x8xi8>) outs(%e0 : tensor<8x3xi8>) permutation = [1, 0]
  %sl = tensor.extract_slice %x8[1, 0] [2, 8] [1, 1] : tensor<3x8xi8> to tensor<2x8xi8>
  %e1 = tensor.empty() : tensor<4x8xi8>
  %i0 = tensor.insert_slice %sl into %e1[0, 0] [2, 8] [2, 1] : tensor<2x8xi8> into tensor<4x8xi8>
  %wp = arith.constant dense<[[100, -128, 127, 50, 1, 2, 3, 4], [1, -2, 3, 4, -5, 6, -7, 7], [7, -8, 0, 1, -1, 5, -6, 3], [0, 0, 0, 0, 0, 0, 0, 0], [-1, -1, -1, -1, -1, -1, -1, -1], [-128, 127, -128, 127, 64, -64, 33, -17]]> : tensor<6x8xi8>
  %bp = arith.constant dense<[-37, 100, 5, 7, -9, 1000]> : tensor<6xi32>
  %p1 = intvit.matmul %x8, %wp, %bp transpose_rhs packing #intvit.packing<row_bits = [8, 4, 4, 4, 4, 8], split8 = true, factor = 1> : tensor<3x8xi8>, tensor<6x8xi8>, tensor<6xi32> -> tensor<3x6xi32>
  %p2 = intvit.matmul %x8, %wp, %bp transpose_rhs packing #intvit.packing<row_bits = [8, 4, 4, 4, 4, 8], split8 = true, factor = 2> : tensor<3x8xi8>, tensor<6x8xi8>, tensor<6xi32> -> tensor<3x6xi32>
  %a6 = intvit.requant %x32 multiplier [1518500250] shift [36] bits 6 : tensor<3x8xi32> -> tensor<3x8xi8>
  %p3 = intvit.matmul %a6, %wp, %bp transpose_rhs packing #intvit.packing<row_bits = [8, 4, 4, 4, 4, 8], split8 = true, factor = 3> : tensor<3x8xi8>, tensor<6x8xi8>, tensor<6xi32> -> tensor<3x6xi32>
  %p4 = intvit.matmul %a6, %wp, %bp transpose_rhs packing #intvit.packing<row_bits = [8, 4, 4, 4, 4, 8], split8 = true, factor = 4> : tensor<3x8xi8>, tensor<6x8xi8>, tensor<6xi32> -> tensor<3x6xi32>
  func.return %r0, %r1, %r2, %r3, %r4, %r5, %r6, %a0, %a1, %m0, %m1, %m2, %m3, %s0, %s1, %s2, %s3, %g0, %g1, %n0, %q0, %z0, %d0, %t0, %sl, %i0, %p1, %p2, %p3, %p4
    : tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi16>,
      tensor<3x8xi8>, tensor<3x8xi16>, tensor<3x8xi16>,
      tensor<3x5xi32>, tensor<3x5xi32>, tensor<2x3x4xi32>, tensor<2x3x3xi32>,
      tensor<3x8xui8>, tensor<3x8xui16>, tensor<3x8xi8>, tensor<3x8xui8>,
      tensor<3x8xi16>, tensor<3x8xi16>, tensor<3x8xi32>, tensor<6xui64>, tensor<3x8xi8>, tensor<3x8xf32>,
      tensor<8x3xi8>, tensor<2x8xi8>, tensor<4x8xi8>,
      tensor<3x6xi32>, tensor<3x6xi32>, tensor<3x6xi32>, tensor<3x6xi32>
}
