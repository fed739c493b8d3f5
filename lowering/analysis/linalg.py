"""Reading a `linalg.generic`'s structure: indexing maps as dimension lists, iterator kinds,
and how each operand is accessed relative to the innermost dimension."""

from __future__ import annotations

from dataclasses import dataclass, field


def map_dims(attr) -> list[int] | None:
    """`affine_map<(d0, d1, d2) -> (d0, d2)>` -> [0, 2]; None unless every result is a plain
    dimension (a projected permutation or broadcast; no constants, sums or symbols)."""
    from torch_mlir import ir

    amap = ir.AffineMapAttr(attr).value
    if amap.n_symbols:
        return None
    dims = []
    for expr in amap.results:
        if not isinstance(expr, ir.AffineDimExpr):
            return None
        dims.append(expr.position)
    return dims


def dims_map_attr(n_dims: int, dims: list[int]):
    """The inverse of `map_dims`: an `AffineMapAttr` `(d0..d{n-1}) -> (d{dims[0]}, ...)`."""
    from torch_mlir import ir

    return ir.AffineMapAttr.get(ir.AffineMap.get(n_dims, 0, [ir.AffineDimExpr.get(d) for d in dims]))


def indexing_dims(op) -> list[list[int] | None]:
    """`map_dims` of each of a generic's indexing maps, in operand order."""
    from torch_mlir import ir

    return [map_dims(m) for m in ir.ArrayAttr(op.attributes["indexing_maps"])]


def iterator_kinds(op) -> list[str]:
    """"parallel" / "reduction" per loop of a generic."""
    from torch_mlir import ir

    return ["reduction" if "reduction" in str(it) else "parallel" for it in ir.ArrayAttr(op.attributes["iterator_types"])]


def output_count(op) -> int:
    from torch_mlir import ir

    return list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[1]


@dataclass
class Access:
    """One operand of a generic: how a kernel reads or writes it."""

    type: str                # memref type text, or the scalar type of a non-memref input
    kind: str                # "vector": map ends with the inner dim; "row": map lacks it; "scalar": not a memref
    dims: list[int] = field(default_factory=list)


def generic_ops(module) -> list:
    """Every `linalg.generic` of an upstream module, in walk order (collected first, so a
    caller may rewrite them while iterating)."""
    from torch_mlir import ir

    found = []

    def visit(op):
        if op.name == "linalg.generic":
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found
