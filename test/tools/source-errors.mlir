// Source text that is not MLIR a parser can read: bytes that are not UTF-8, nesting deeper than
// the parser's recursion; both located, from intvit-opt and intvit compile.
// RUN: printf 'func.func @f(%%x: tensor<4xi32>) -> tensor<4xi32> {\n  func.return %%x : tensor<4xi32> // caf\351\n}\n' > %t.latin1.mlir
// RUN: not intvit-opt %t.latin1.mlir 2>&1 | filecheck %s --check-prefix=UTF8
// RUN: not intvit compile %t.latin1.mlir -o %t.so 2>&1 | filecheck %s --check-prefix=UTF8
// UTF8: latin1.mlir:2:39: error: byte 0xe9 at byte offset 88 is not UTF-8 (invalid continuation byte); MLIR source must be UTF-8
// RUN: %python -c "print('func.func @f() {\n' + '\"test.op\"() ({' * 2000 + '}) : () -> ()' * 2000 + '\n  func.return\n}')" > %t.deep.mlir
// RUN: not intvit-opt %t.deep.mlir --allow-unregistered-dialect 2>&1 | filecheck %s --check-prefix=DEEP
// RUN: not intvit compile %t.deep.mlir -o %t.so 2>&1 | filecheck %s --check-prefix=DEEP
// DEEP: deep.mlir:2:{{[0-9]+}}: error: regions nested too deeply for the parser (Python recursion limit {{[0-9]+}})
// DEEP-NOT: Traceback
