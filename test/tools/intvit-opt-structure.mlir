// RUN: intvit-opt %s --split-input-file --verify-diagnostics | filecheck %s
// RUN: echo 'func.func @f() {}' > %t.decl.mlir
// RUN: not intvit compile %t.decl.mlir -o %t.so 2>&1 | filecheck %s --check-prefix=COMPILE
// Structural errors xDSL reports without a place (or accepts) get the op's file:line:col.

// `{}` is no body: xDSL would print a public declaration that upstream MLIR then rejects
// inside its own text ("-":2:3).
// CHECK: intvit-opt-structure.mlir:[[# @LINE + 3]]:1: error: 'func.func' op @f has no body; a public function needs a block ending in func.return (a declaration is written `func.func private @f(...)`)
// COMPILE: decl.mlir:1:1: error: 'func.func' op @f has no body
// COMPILE-NOT: "-":
func.func @f() {}

// -----
// CHECK: intvit-opt-structure.mlir:[[# @LINE + 1]]:1: error: Operation func.func contains empty block in single-block region that expects at least a terminator
"func.func"() <{sym_name = "empty", function_type = () -> ()}> ({
^bb0:
}) : () -> ()

// -----
// CHECK: intvit-opt-structure.mlir:[[# @LINE + 1]]:1: error: 'func.func' op block 1 of its region is empty; every block needs a terminator
func.func @empty_second_block(%x: tensor<4xi32>) -> tensor<4xi32> {
  func.return %x : tensor<4xi32>
^bb1:
}

// -----
// CHECK: intvit-opt-structure.mlir:[[# @LINE + 4]]:1: error: Redefinition of symbol "g"
func.func @g(%x: tensor<4xi32>) -> tensor<4xi32> {
  func.return %x : tensor<4xi32>
}
func.func @g(%x: tensor<4xi32>) -> tensor<4xi32> {
  func.return %x : tensor<4xi32>
}

// -----
// A declaration that says so is fine.
// CHECK-LABEL: func.func private @declared
func.func private @declared(tensor<4xi32>) -> tensor<4xi32>
