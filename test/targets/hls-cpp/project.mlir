// The hls4ml project layout, the boundary (quantize/dequantize with hexadecimal float scales),
// the data movement kernels, and the --part/--clock-ns/--top options reaching build_prj.tcl.
// RUN: rm -rf %t.prj && intvit compile %s --target hls-cpp -o %t.prj --part xczu7ev-ffvc1156-2-e --clock-ns 5 --top vit_top --json | filecheck %s --check-prefix=JSON
// RUN: cat %t.prj/firmware/vit_top.cpp | filecheck %s
// RUN: cat %t.prj/build_prj.tcl | filecheck %s --check-prefix=TCL
// RUN: cat %t.prj/vit_top_test.cpp | filecheck %s --check-prefix=TB
// RUN: cat %t.prj/tb_data/tb_input_0.dat %t.prj/firmware/intvit_nnet/dsp_pack.h %t.prj/intvit.json | filecheck %s --check-prefix=FILES

// JSON: "target": "hls-cpp"
// JSON-SAME: "top": "vit_top", "entry": "intvit_vit_top_run", "part": "xczu7ev-ffvc1156-2-e", "clock_ns": 5.0
// CHECK-LABEL: void vit_top(const float in0[8], float out0[8]) {
// CHECK: #pragma HLS INTERFACE m_axi port = in0 offset = slave bundle = gmem0 depth = 8
// CHECK: #pragma HLS INTERFACE s_axilite port = return
// CHECK: #pragma HLS DATAFLOW
// CHECK: intvit_nnet::quantize<float, ap_int<8>, 8, 8>(in0, [[Q:v[0-9]+]], 0x1.999999999999ap-6);
// CHECK: intvit_nnet::transpose<ap_int<8>, ap_int<8>, 2, 8>([[Q]], [[T:v[0-9]+]], shape{{[0-9]+}}, perm{{[0-9]+}});
// CHECK: intvit_nnet::extract_slice<ap_int<8>, ap_int<8>, 2, 8, 4>([[T]], [[S:v[0-9]+]],
// CHECK: intvit_nnet::copy<ap_int<8>, ap_int<8>, 8>([[T]], [[I:v[0-9]+]]);
// CHECK: intvit_nnet::insert_slice<ap_int<8>, ap_int<8>, 2, 4, 8>([[S]], [[I]],
// CHECK: intvit_nnet::dequantize<ap_int<8>, float, 8>([[I]], [[D:v[0-9]+]], 0x1.0000000000000p-1f);
// CHECK: intvit_nnet::copy<float, float, 8>([[D]], out0);
// TCL: array set opt {csim 1 synth 1 cosim 0 export 0}
// TCL: set part "xczu7ev-ffvc1156-2-e"
// TCL: set clock_ns 5.0
// TCL: set_top vit_top
// TCL: create_clock -period $clock_ns -name default
// TCL: csynth_design
// TB: #include "firmware/vit_top.h"
// TB: vit_top(in0, out0);
// FILES: {{^-?[0-9.e+-]+( -?[0-9.e+-]+){7}$}}
// FILES: inline void unpack_lanes(pport_t p, lane_t lanes[L]) {
// FILES: "target": "hls-cpp"
func.func @main(%x: tensor<2x4xf32>) -> tensor<4x2xf32> {
  %q = intvit.quantize %x scale 0.025 bits 8 : tensor<2x4xf32> -> tensor<2x4xi8>
  %e = tensor.empty() : tensor<4x2xi8>
  %t = linalg.transpose ins(%q : tensor<2x4xi8>) outs(%e : tensor<4x2xi8>) permutation = [1, 0]
  %s = tensor.extract_slice %t[0, 0] [2, 2] [2, 1] : tensor<4x2xi8> to tensor<2x2xi8>
  %i = tensor.insert_slice %s into %t[1, 0] [2, 2] [1, 1] : tensor<2x2xi8> into tensor<4x2xi8>
  %d = intvit.dequantize %i scale 0.5 : tensor<4x2xi8> -> tensor<4x2xf32>
  func.return %d : tensor<4x2xf32>
}
