"""`intvit.matmul` -> one GEMM `linalg.generic` (i8 x i8 -> i32 via extsi/extui, as xDSL's
`linalg.matmul` rejects mixed widths), initialized with the bias broadcast or zeros.

The Quasar-ViT packing annotation is carried as attributes on the GEMM generic
(`intvit.row_bits`, `intvit.split8`, `intvit.packing_factor`) for backends to read; the
arithmetic stays exact int8 x int8 (a 4-bit row simply holds values in [-8, 7]).
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, UnitAttr, i8, i32, i64

from intvit.dialects import intvit as iv
from intvit.lowering.builders import Body, dims_map, identity_map, parallel
from intvit.lowering.patterns.common import Ctx, shape_of


def lower_matmul(ctx: Ctx, op: iv.MatmulOp):
    ls, rs, out_shape = shape_of(op.lhs), shape_of(op.rhs), shape_of(op.output)
    rank = len(out_shape)  # iteration space: batch..., m, n, k
    k_dim = rank
    batch = list(range(rank - 2))
    m_dim, n_dim = rank - 2, rank - 1
    lhs_map = dims_map(rank + 1, [*batch, m_dim, k_dim])
    rhs_batch = batch if len(rs) == len(ls) else []
    rhs_dims = [n_dim, k_dim] if op.prop("transpose_rhs") else [k_dim, n_dim]
    rhs_map = dims_map(rank + 1, [*rhs_batch, *rhs_dims])
    out_map = dims_map(rank + 1, [*batch, m_dim, n_dim])
    lhs_unsigned = ctx.operand_unsigned(op.lhs)

    init = ctx.lw.empty(out_shape, i32)
    if op.bias is not None:
        init = ctx.lw.generic([op.bias], [init], [dims_map(rank, [n_dim]), identity_map(rank)],
                              parallel(rank), lambda b, bias, _out: [bias])[0]
    else:
        init = ctx.lw.generic([], [init], [identity_map(rank)], parallel(rank),
                              lambda b, _out: [b.const(0, i32)])[0]

    def body(b: Body, a, w, acc):
        prod = b.mul(b.ext(a, lhs_unsigned, i32), b.ext(w, False, i32))
        return [b.add(acc, prod)]

    attrs = {"intvit.gemm": UnitAttr()}
    if op.packing is not None:
        attrs["intvit.row_bits"] = DenseArrayBase.from_list(i8, list(op.packing.row_bits.get_values()))
        attrs["intvit.split8"] = op.packing.split8
        attrs["intvit.packing_factor"] = IntegerAttr(op.packing.factor.data, i64)
    return ctx.lw.generic([op.lhs, op.rhs], [init], [lhs_map, rhs_map, out_map],
                          parallel(rank + 1, [k_dim]), body, attrs)[0]


def populate_matmul(table: dict) -> None:
    table[iv.MatmulOp] = lower_matmul



