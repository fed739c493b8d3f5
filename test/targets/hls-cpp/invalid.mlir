// Refusals: a clear located message and a non-zero exit, nothing written.
// RUN: not intvit compile %inputs/hls_ivit_isqrt.mlir --target hls-cpp -o %t.a 2>&1 | filecheck %s --check-prefix=IVIT
// RUN: not intvit compile %inputs/hls_wide_packed.mlir --target hls-cpp -o %t.b 2>&1 | filecheck %s --check-prefix=WIDE
// RUN: not intvit compile %inputs/hls_wide_packed.mlir --target hls-cpp -o %t.c --part xc7z020clg400-1 2>&1 | filecheck %s --check-prefix=DSP48E1
// RUN: not intvit compile %s --target hls-cpp -o %t.d --clock-ns 0.1 2>&1 | filecheck %s --check-prefix=CLOCK
// RUN: not intvit compile %s --target hls-cpp -o %t.e --top 'for' 2>&1 | filecheck %s --check-prefix=TOP
// RUN: not intvit compile %s --target hls-cpp -o %t.f --part xc1234 2>&1 | filecheck %s --check-prefix=PART
// RUN: not intvit compile %inputs/hls_lowered.mlir --target hls-cpp -o %t.g 2>&1 | filecheck %s --check-prefix=OP
// RUN: not intvit compile %inputs/hls_bad_name.mlir --target hls-cpp -o %t.h 2>&1 | filecheck %s --check-prefix=NAME

// IVIT: hls_ivit_isqrt.mlir:3:3: error: hls-cpp: 'intvit.isqrt' uses isqrt mode 'ivit': the HLS kernels implement only 'exact'
// WIDE: hls_wide_packed.mlir:6:3: error: hls-cpp: 'intvit.matmul' packs factor 3, which takes activations of at most 6 bits, but its lhs holds 8-bit values (run assign-precision{act-bits=6}
// DSP48E1: error: hls-cpp: 'intvit.matmul' has packing factor 3, which needs DSP48E2 slices (27 x 18 -> 48 bits); part xc7z020clg400-1 has DSP48E1
// CLOCK: --clock-ns 0.1 is out of range for xczu9eg-ffvb1156-2-e: [1.29, 100] ns
// TOP: --top 'for' is not a valid C++ identifier: it is a C++ keyword
// PART: invalid choice: 'xc1234'
// OP: hls_lowered.mlir:3:3: error: hls-cpp: op 'arith.addi' has no HLS kernel (compile intvit IR, not lowered linalg IR)
// NAME: the entry function's name 'intvit_f$__x' (sanitized 'intvit_f___x') is not a valid C++ identifier: C++ reserves names with '__'
func.func @f(%x: tensor<4xi32>) -> tensor<4xi8> {
  %y = intvit.requant %x multiplier [1518500250] shift [36] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %y : tensor<4xi8>
}
