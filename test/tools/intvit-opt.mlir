// The intvit-opt CLI contract: located diagnostics, exit codes, no tracebacks, xdsl-opt flags.
// RUN: not intvit-opt %s 2>&1 | filecheck %s --check-prefix=VERIFY
// RUN: not intvit-opt %s -p nope 2>&1 | filecheck %s --check-prefix=PASS
// RUN: intvit-opt --help | filecheck %s --check-prefix=HELP
// RUN: not intvit-opt %inputs/does-not-exist.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// RUN: intvit-opt %inputs/mini_block.mlir -p canonicalize-intvit -o %t && filecheck %s --check-prefix=OUT < %t
// RUN: intvit-opt %inputs/unregistered.mlir --allow-unregistered-dialect | filecheck %s --check-prefix=UNREG
// RUN: not intvit-opt %inputs/unregistered.mlir 2>&1 | filecheck %s --check-prefix=NOUNREG
// RUN: xdsl-opt %inputs/mini_block.mlir -p canonicalize-intvit | filecheck %s --check-prefix=XDSL
// Stock xdsl-opt through the whole lowering: the lookup tables travel as dialect resources.
// RUN: xdsl-opt %inputs/mini_block.mlir -p convert-intvit-to-linalg,expand-intvit-helpers,verify-integer-only | filecheck %s --check-prefix=XDSLLOW
// RUN: echo 'func.func @f(%%a: tensor<4xi32>) { %%0 = intvit.requant %%a multiplier [12 shift }' | not intvit-opt 2>&1 | filecheck %s --check-prefix=PARSE

// VERIFY: intvit-opt.mlir:[[# @LINE + 5]]:3: error: 'intvit.requant' op multiplier 12 is outside [2^30, 2^31)
// VERIFY-NOT: Traceback
// PASS: intvit-opt: error: Unrecognized passes: ['nope']
// PASS-NOT: Traceback
func.func @bad(%a: tensor<4xi32>) -> tensor<4xi8> {
  %0 = intvit.requant %a multiplier [12] shift [31] bits 8 : tensor<4xi32> -> tensor<4xi8>
  func.return %0 : tensor<4xi8>
}

// HELP: intvit passes:
// HELP-DAG: canonicalize-intvit
// HELP-DAG: quantize-to-intvit
// HELP-DAG: convert-intvit-to-linalg
// HELP-DAG: verify-integer-only
// MISSING: intvit-opt: error: No such file or directory
// MISSING-NOT: Traceback
// OUT: func.func @main
// OUT: intvit.shiftgelu
// UNREG: "mystery.op"
// NOUNREG: unregistered
// NOUNREG-NOT: Traceback
// XDSL: intvit.layernorm
// XDSLLOW-NOT: intvit.
// XDSLLOW: linalg.generic
// XDSLLOW: dense_resource<shiftmax_exp
// XDSLLOW: dialect_resources: {
// XDSLLOW: shiftmax_exp{{.*}}: "0x
// PARSE: stdin:1:73: error: ']' expected in integer list
// PARSE-NOT: Traceback
