"""The target-independent analyses of bufferized IR (`intvit.lowering.analysis`): GEMM and init
matching read the indexing maps' structure, epilogue matching, transpose folding, and constant
weights as numpy arrays (dense elements and `dense_resource` blobs)."""

from __future__ import annotations

import numpy as np
import pytest

from intvit.lowering.analysis.constants import constant_value, module_globals, resource_blobs
from intvit.lowering.analysis.epilogue import match_epilogue
from intvit.lowering.analysis.gemm import find_init, match_gemm
from intvit.lowering.analysis.linalg import generic_ops, map_dims
from intvit.lowering.analysis.transpose import copy_permutation, fold_transposes

ir = pytest.importorskip("torch_mlir.ir")

MAC = """^bb0(%x: i8, %y: i8, %acc: i32):
    %0 = arith.extsi %x : i8 to i32
    %1 = arith.EXTB %y : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32"""


def gemm_func(b_map: str, b_type: str, ext_b: str = "extsi", a_map: str = "(d0, d2)") -> str:
    return f"""
memref.global "private" constant @w : memref<4x3xi8> = dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -2, -3]]>
memref.global "private" constant @r : memref<4x3xi8> = dense_resource<blob_w>
func.func @f(%a: memref<5x4xi8>, %b: {b_type}, %bias: memref<3xi32>, %s: memref<5x3xi32>, %o: memref<5x3xi8>) {{
  %c = memref.alloc() : memref<5x3xi32>
  linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}} ins(%bias : memref<3xi32>) outs(%c : memref<5x3xi32>) {{
  ^bb0(%x: i32, %y: i32):
    linalg.yield %x : i32
  }}
  linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2) -> {a_map}>, affine_map<(d0, d1, d2) -> {b_map}>,
                                   affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%a, %b : memref<5x4xi8>, {b_type}) outs(%c : memref<5x3xi32>) {{
  {MAC.replace("EXTB", ext_b)}
  }}
  linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                   affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}}
      ins(%c, %bias : memref<5x3xi32>, memref<3xi32>) outs(%o : memref<5x3xi8>) {{
  ^bb0(%x: i32, %y: i32, %z: i8):
    %0 = arith.addi %x, %y : i32
    %1 = arith.trunci %0 : i32 to i8
    linalg.yield %1 : i8
  }}
  memref.dealloc %c : memref<5x3xi32>
  return
}}
{{-# dialect_resources: {{ builtin: {{ blob_w: "0x01000000FF0102030405060708090A0B" }} }} #-}}
"""


def generics(module) -> list:
    return generic_ops(module)


def parse(text: str):
    ctx = ir.Context()
    return ctx, ir.Module.parse(text, ctx)


def test_map_dims_reads_structure():
    with ir.Context():
        attr = ir.Attribute.parse("affine_map<(d0, d1, d2) -> (d2, d0)>")
        assert map_dims(attr) == [2, 0]
        assert map_dims(ir.Attribute.parse("affine_map<(d0, d1) -> (d0 + 1, d1)>")) is None
        assert map_dims(ir.Attribute.parse("affine_map<(d0, d1) -> (0, d1)>")) is None
        assert map_dims(ir.Attribute.parse("affine_map<(d0)[s0] -> (d0)>")) is None
        assert map_dims(ir.Attribute.parse("affine_map<(d0, d1) -> ()>")) == []


@pytest.mark.parametrize("b_map, b_type, ext_b, b_nk", [
    ("(d2, d1)", "memref<4x3xi8>", "extsi", False),
    ("(d1, d2)", "memref<3x4xi8>", "extui", True),
])
def test_gemm_init_and_epilogue_match(b_map, b_type, ext_b, b_nk):
    ctx, module = parse(gemm_func(b_map, b_type, ext_b))
    with ctx:
        fill, gemm_op, consumer = generics(module)
        g = match_gemm(gemm_op)
        assert (g.m, g.n, g.k, g.batch, g.b_nk, g.a_unsigned, g.b_unsigned) == (5, 3, 4, (), b_nk, False, ext_b == "extui")
        assert match_gemm(fill) is None and match_gemm(consumer) is None
        c = gemm_op.operands[2]
        kind, init_op, bias = find_init(gemm_op, c)
        assert kind == "bias" and init_op == fill and bias == fill.operands[0]
        epi = match_epilogue(gemm_op, c, init_op)
        assert epi.op == consumer and epi.c_index == 0
        assert [(a.kind, a.dims) for a in epi.accesses] == [("vector", [0, 1]), ("vector", [1]), ("vector", [0, 1])]


def test_not_a_gemm():
    # A read through a map with an offset, or a k that is not the reduction: no match
    for text in (gemm_func("(d2, d1)", "memref<4x3xi8>", a_map="(d0, d2 floordiv 2)"),
                 gemm_func("(d0, d1)", "memref<5x3xi8>")):
        ctx, module = parse(text)
        with ctx:
            assert match_gemm(generics(module)[1]) is None


def test_constant_weights_from_dense_and_resource():
    text = gemm_func("(d2, d1)", "memref<4x3xi8>")
    ctx, module = parse(text)
    blobs = resource_blobs(text)
    assert blobs == {"blob_w": bytes([0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])}
    with ctx, ir.Location.unknown():
        globals_ = module_globals(module)
        fn = list(module.body.operations)[-1]
        block = fn.regions[0].blocks[0]
        with ir.InsertionPoint.at_block_begin(block):
            t = ir.MemRefType.get([4, 3], ir.IntegerType.get_signless(8))
            dense, resource = (ir.Operation.create("memref.get_global", results=[t], attributes={
                "name": ir.FlatSymbolRefAttr.get(name)}).result for name in ("w", "r"))
        np.testing.assert_array_equal(constant_value(globals_, dense, blobs),
                                      [[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -2, -3]])
        np.testing.assert_array_equal(constant_value(globals_, resource, blobs),
                                      [[-1, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])
        assert constant_value(globals_, block.arguments[0], blobs) is None  # not a global
        assert constant_value(globals_, resource, {}) is None               # blob missing


TRANSPOSE = """
func.func @f(%a: memref<5x4xi8>, %k: memref<3x4xi8>, %c: memref<5x3xi32>) {
  %t = memref.alloc() : memref<4x3xi8>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]} ins(%k : memref<3x4xi8>) outs(%t : memref<4x3xi8>) {
  ^bb0(%x: i8, %y: i8):
    linalg.yield %x : i8
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>,
                                   affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %t : memref<5x4xi8>, memref<4x3xi8>) outs(%c : memref<5x3xi32>) {
  MAC
  }
  memref.dealloc %t : memref<4x3xi8>
  return
}
""".replace("MAC", MAC.replace("EXTB", "extsi"))


def test_transpose_folds_into_its_gemm():
    ctx, module = parse(TRANSPOSE)
    with ctx:
        copy, gemm_op = generics(module)
        assert copy_permutation(copy) == [1, 0] and copy_permutation(gemm_op) is None
        assert not match_gemm(gemm_op).b_nk
        assert fold_transposes(module) == 1
        (gemm_op,) = generics(module)
        g = match_gemm(gemm_op)
        assert g.b_nk and (g.m, g.n, g.k) == (5, 3, 4)
        assert "affine_map<(d0, d1, d2) -> (d1, d2)>" in str(gemm_op.attributes["indexing_maps"])
        assert fold_transposes(module) == 0
