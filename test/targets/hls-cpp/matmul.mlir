// The matmul family: dense (nn.Linear layout), batched (attention), and Quasar-ViT's packed
// row-wise mixed precision: an 8-bit row becomes two nibble rows (shift 4 and 0), rows padded to
// the packing factor; factor 3 packs three nibbles per DSP48E2 with lanes 11 bits apart.
// RUN: rm -rf %t.prj && intvit compile %s --target hls-cpp -o %t.prj
// RUN: cat %t.prj/firmware/intvit_gemms.cpp | filecheck %s
// RUN: cat %t.prj/firmware/parameters.h | filecheck %s --check-prefix=PARAMS
// RUN: cat %t.prj/firmware/weights/nib*.h | filecheck %s --check-prefix=NIB

// CHECK-LABEL: void intvit_gemms(
// CHECK: intvit_nnet::dense<ap_int<8>, int8_t, int32_t, ap_int<32>, 3, 4, 2, true>(in0, w{{[0-9]+}}, w{{[0-9]+}}, v{{[0-9]+}});
// CHECK: intvit_nnet::batch_matmul<ap_int<8>, ap_int<8>, ap_int<32>, 2, 3, 4, 3, true>(in1, in1, v{{[0-9]+}});
// CHECK: intvit_nnet::requant<ap_int<32>, ap_int<8>, 1, 1, 12, 6, intvit_nnet::HALF_EVEN>
// CHECK: intvit_nnet::dense_packed<ap_int<8>, int32_t, ap_int<32>, 3, 4, 3, 2, 3, 11>(v{{[0-9]+}}, nib{{[0-9]+}}, chan{{[0-9]+}}, nshift{{[0-9]+}}, zero_bias{{[0-9]+}}, v{{[0-9]+}});
// PARAMS: static const uint16_t chan{{[0-9]+}}[3] = {0, 0, 1};  // output channel of each 4-bit row
// PARAMS: static const uint8_t nshift{{[0-9]+}}[3] = {4, 0, 0};  // 4: high nibble of an 8-bit weight
// NIB: // 3 4-bit rows of a [2, 4] weight (1 4-bit channels)
// NIB: static const int8_t nib{{[0-9]+}}[12] = {-8, 7, 0, -1, 0, 15, 1, 15, 7, -8, 0, 1};
func.func @gemms(%x: tensor<3x4xi8>, %b: tensor<2x3x4xi8>, %acc: tensor<3x4xi32>) -> (tensor<3x2xi32>, tensor<2x3x3xi32>, tensor<3x2xi32>) {
  %w = arith.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8]]> : tensor<2x4xi8>
  %bias = arith.constant dense<[10, -10]> : tensor<2xi32>
  %y = intvit.matmul %x, %w, %bias transpose_rhs : tensor<3x4xi8>, tensor<2x4xi8>, tensor<2xi32> -> tensor<3x2xi32>
  %z = intvit.matmul %b, %b transpose_rhs : tensor<2x3x4xi8>, tensor<2x3x4xi8> -> tensor<2x3x3xi32>
  %a6 = intvit.requant %acc multiplier [1518500250] shift [36] bits 6 : tensor<3x4xi32> -> tensor<3x4xi8>
  %wp = arith.constant dense<[[-128, 127, 1, -1], [7, -8, 0, 1]]> : tensor<2x4xi8>
  %p = intvit.matmul %a6, %wp transpose_rhs packing #intvit.packing<row_bits = [8, 4], split8 = true, factor = 3> : tensor<3x4xi8>, tensor<2x4xi8> -> tensor<3x2xi32>
  func.return %y, %z, %p : tensor<3x2xi32>, tensor<2x3x3xi32>, tensor<3x2xi32>
}
