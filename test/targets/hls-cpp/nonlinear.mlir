// Shiftmax, ShiftGELU, I-LayerNorm, isqrt: x0 computed at compile time exactly as the golden
// model does (Shiftmax s = 0.08: x0 = floor(-12.5) = -13; ShiftGELU s = 0.05: ss = 0.0851,
// x0 = floor(-11.75...) = -12; paper shifts s = 0.3: x0 = floor(-3.33) = -4).
// RUN: rm -rf %t.prj && intvit compile %s --target hls-cpp -o %t.prj
// RUN: cat %t.prj/firmware/intvit_rows.cpp | filecheck %s
// RUN: cat %t.prj/firmware/parameters.h | filecheck %s --check-prefix=PARAMS

// CHECK-LABEL: void intvit_rows(
// CHECK: intvit_nnet::shiftmax<ap_int<8>, ap_uint<8>, 3, 8, 1, 8, false>(in0, v{{[0-9]+}}, -13);
// CHECK: intvit_nnet::shiftmax<ap_int<8>, ap_int<8>, 1, 3, 8, 8, true>(in0, v{{[0-9]+}}, -13);
// CHECK: intvit_nnet::shiftgelu<ap_int<8>, ap_int<16>, 3, 8, 1, false>(in0, v{{[0-9]+}}, -12);
// CHECK: intvit_nnet::shiftgelu<ap_int<8>, ap_int<16>, 3, 8, 1, true>(in0, v{{[0-9]+}}, -4);
// CHECK: intvit_nnet::layernorm<ap_int<16>, ap_int<32>, 3, 8, 1>(in1, v{{[0-9]+}}, ln_bias{{[0-9]+}}, ln_const{{[0-9]+}});
// CHECK: intvit_nnet::isqrt<ap_uint<64>, ap_uint<64>, 4>(in2, v{{[0-9]+}});
// PARAMS: static const int32_t ln_bias{{[0-9]+}}[8] = {1, -2, 3, -4, 5, -6, 7, -8};  // I-LayerNorm integer bias
// PARAMS: static const bool ln_const{{[0-9]+}}[8] = {0, 0, 0, 1, 0, 0, 0, 0};  // gamma == 0 channels
func.func @rows(%x: tensor<3x8xi8>, %h: tensor<3x8xi16>, %v: tensor<4xui64>) -> (tensor<3x8xui8>, tensor<3x8xi8>, tensor<3x8xi16>, tensor<3x8xi16>, tensor<3x8xi32>, tensor<4xui64>) {
  %s = intvit.shiftmax %x scale 0.08 bits 8 : tensor<3x8xi8> -> tensor<3x8xui8>
  %t = intvit.shiftmax %x scale 0.08 axis 0 bits 8 saturate : tensor<3x8xi8> -> tensor<3x8xi8>
  %g = intvit.shiftgelu %x scale 0.05 bits 16 : tensor<3x8xi8> -> tensor<3x8xi16>
  %p = intvit.shiftgelu %x scale 0.3 bits 16 paper_shifts : tensor<3x8xi8> -> tensor<3x8xi16>
  %n = intvit.layernorm %h bias [1, -2, 3, -4, 5, -6, 7, -8] const_channels [0, 0, 0, 1, 0, 0, 0, 0] : tensor<3x8xi16> -> tensor<3x8xi32>
  %q = intvit.isqrt %v : tensor<4xui64> -> tensor<4xui64>
  func.return %s, %t, %g, %p, %n, %q : tensor<3x8xui8>, tensor<3x8xi8>, tensor<3x8xi16>, tensor<3x8xi16>, tensor<3x8xi32>, tensor<4xui64>
}
