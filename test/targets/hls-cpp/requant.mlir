// The requant family: per tensor, per channel (a [OUTER, CH, INNER] view), every rounding mode,
// and the residual add; (m, e) tables go to parameters.h.
// RUN: rm -rf %t.prj && intvit compile %s --target hls-cpp -o %t.prj
// RUN: cat %t.prj/firmware/intvit_requants.cpp | filecheck %s
// RUN: cat %t.prj/firmware/parameters.h | filecheck %s --check-prefix=PARAMS

// CHECK-LABEL: void intvit_requants(const ap_int<32> in0[24], const ap_int<16> in1[24], ap_int<8> out0[24], ap_int<8> out1[24], ap_int<16> out2[24])
// CHECK: intvit_nnet::requant<ap_int<32>, ap_int<8>, 1, 1, 24, 8, intvit_nnet::HALF_EVEN>(in0, [[A:v[0-9]+]], [[M:m[0-9]+]], [[E:e[0-9]+]]);
// CHECK: intvit_nnet::requant<ap_int<16>, ap_int<8>, 1, 3, 8, 6, intvit_nnet::DOUBLE_ROUND>(in1, [[B:v[0-9]+]],
// CHECK: intvit_nnet::add<ap_int<16>, ap_int<16>, ap_int<16>, 24, 16, intvit_nnet::FLOOR>(in1, in1, [[C:v[0-9]+]], 1987631880, 31, 2131868774, 32);
// CHECK: intvit_nnet::copy<ap_int<8>, ap_int<8>, 24>([[A]], out0);
// PARAMS-LABEL: #define INTVIT_PARAMETERS_H_
// PARAMS: static const int32_t m{{[0-9]+}}[1] = {1518500250};  // requant multipliers
// PARAMS: static const uint8_t e{{[0-9]+}}[1] = {40};  // requant shifts
// PARAMS: static const int32_t m{{[0-9]+}}[3] = {1073741824, 1288490189, 2000000000};
// PARAMS: static const uint8_t e{{[0-9]+}}[3] = {10, 40, 62};
func.func @requants(%x: tensor<3x8xi32>, %h: tensor<3x8xi16>) -> (tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi16>) {
  %a = intvit.requant %x multiplier [1518500250] shift [40] bits 8 : tensor<3x8xi32> -> tensor<3x8xi8>
  %b = intvit.requant %h multiplier [1073741824, 1288490189, 2000000000] shift [10, 40, 62] axis 0 bits 6 rounding double_round : tensor<3x8xi16> -> tensor<3x8xi8>
  %c = intvit.add %h, %h lhs_multiplier 1987631880 lhs_shift 31 rhs_multiplier 2131868774 rhs_shift 32 bits 16 rounding floor : tensor<3x8xi16>, tensor<3x8xi16> -> tensor<3x8xi16>
  func.return %a, %b, %c : tensor<3x8xi8>, tensor<3x8xi8>, tensor<3x8xi16>
}
