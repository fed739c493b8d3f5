"""`assign-precision{ratio-4bit=0.5 policy=sensitivity|first factor=2 act-bits=8|6}`: Quasar-ViT row-wise 4/8-bit
weights.  Options (dashes or underscores): `ratio-4bit` in [0, 1], default 0 (all 8-bit: nothing
changes); `policy` `sensitivity` (default) or `first`; `factor`, the DSP packing factor recorded in
the annotation, in [1, 4], default 2; `act-bits` 8 (default) or 6: 6 requantizes the input of
every packed matmul to 6 bits, explicitly in the IR (W4A6/W8A6, `passes/act_bits.py`).

For every `intvit.matmul` whose rhs is a 2-D integer constant (`dense` or `dense_resource`), each
output channel (a row of the `[N, K]` weight with `transpose_rhs`, a column of `[K, N]` without)
gets 4 or 8 bits: `floor(ratio * N)` channels get 4 bits, chosen by `policy`:
  - `sensitivity`: the channels whose weights lose least at 4 bits.  A channel's error is
    `min_k ||w - 2^k * w4_k|| / ||w||` with `w4_k = sat4(RNE(w / 2^k))`, `k` in [0, 7] (the best
    power-of-two rescale, ties to the smaller `k`); ties between channels go to the lower index;
  - `first`: channels 0 .. n4-1 (deterministic, for tests and bring-up).
A 4-bit channel must hold values in [-8, 7], so its weights are REQUANTIZED to `w4_k` and the
factor 2^k moves into the following per-channel requant: the accumulator of that channel now
counts units of `2^k s_w s_x`, so its `(m, e)` becomes `(m, e - k)` (`k <= e - 1` keeps `e` in
[1, 62]) and its int32 bias becomes `RNE(bias / 2^k)`.  A per-tensor requant is expanded to per
channel.  Rounding `acc' * m / 2^(e-k)` equals rounding `(acc' << k) * m / 2^e`, so the new
program equals the old one with weights `w4 << k` and bias `RNE(bias/2^k) << k`, exactly (except
`double_round`, whose +-2^30 bump depends on `e > 31`).
Folding needs every user of the GEMM result to be an `intvit.requant` (per tensor, or per channel
along the last axis) and a constant bias; when a 4-bit channel needs `k > 0` and that does not
hold, the pass fails with a located diagnostic.  Weight and bias constants are copied (never
edited in place: they may be shared).  The result carries
`packing = #intvit.packing<row_bits = [...], split8 = true, factor = F>`.  `ratio-4bit=0` (the
default, or a layer too small to get one 4-bit channel) changes nothing and adds no annotation; a
matmul that already has `packing` is left as is (the pass is idempotent).

`policy=search size-budget=BYTES | budget-bits=4|6|8 [granularity=layer|row]` runs instead on the
calibrated torch IR (after `calibrate{method=ptq4vit}`): per-layer widths (4/6/8) or per-channel
4/8-bit rows that minimize PTQ4ViT's summed distances within the byte budget
(`passes/quantize/precision_search.py`); `quantize-to-intvit` then emits them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr, ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.dialects import intvit as iv
from intvit.dialects.syntax import set_props
from intvit.dialects.located_parser import location_of
from intvit.passes.act_bits import ACT_BITS, narrow_activations
from intvit.runtime.golden import rounding_shift, sat

POLICIES = ("sensitivity", "first", "search")
MAX_K = 7  # 2^7 * [-8, 7] covers [-1024, 896]: past int8's range, so a larger k never helps


def _constant(value: SSAValue) -> tuple[arith.ConstantOp, np.ndarray] | None:
    from intvit.dialects.resources import constant_array

    op = value.owner
    if not isinstance(op, arith.ConstantOp) or not isinstance(op.value, (DenseIntOrFPElementsAttr, DenseResourceAttr)):
        return None
    return op, np.asarray(constant_array(op.value, op.result.type, None), dtype=np.int64)


def _rne_shift(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """`RNE(x / 2^k)` per element, in exact integers (k = 0 leaves x unchanged)."""
    return np.where(k > 0, rounding_shift(x, np.maximum(k, 1), "half_even"), x)


def four_bit(rows: np.ndarray, max_k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the best `k` in [0, max_k], `w4 = sat4(RNE(w / 2^k))`, and the relative L2 error."""
    best_err = np.full(rows.shape[0], np.inf)
    best_k = np.zeros(rows.shape[0], dtype=np.int64)
    norm = np.sqrt((rows.astype(np.float64) ** 2).sum(axis=1))
    for k in range(MAX_K + 1):
        w4 = sat(_rne_shift(rows, np.full(rows.shape, k, dtype=np.int64)), 4)
        err = np.sqrt(((rows - (w4 << k)).astype(np.float64) ** 2).sum(axis=1))
        better = (err < best_err) & (k <= max_k)
        best_err = np.where(better, err, best_err)
        best_k = np.where(better, k, best_k)
    w4 = sat(_rne_shift(rows, np.broadcast_to(best_k[:, None], rows.shape)), 4)
    rel = np.where(norm > 0, best_err / np.where(norm > 0, norm, 1.0), 0.0)
    return best_k, w4, rel


def _set_props(op: Operation, **values) -> None:
    props = set_props(op.SYNTAX, values)  # type: ignore[attr-defined]
    for name in values:
        if name in props:
            op.properties[name] = props[name]
        else:  # a default value is stored by omission
            op.properties.pop(name, None)


def _new_constant(before: Operation, old: arith.ConstantOp, array: np.ndarray, suffix: str) -> SSAValue:
    typ = old.result.type
    assert isinstance(typ, TensorType)
    if isinstance(old.value, DenseResourceAttr):
        from intvit.dialects.resources import numpy_dtype
        from intvit.dialects.resources import array_resource

        name = old.value.resource_handle.data + suffix
        attr = array_resource(name, array.astype(numpy_dtype(typ.element_type)), typ)
    else:
        attr = DenseIntOrFPElementsAttr.from_list(typ, [int(v) for v in array.reshape(-1)])
    new = arith.ConstantOp(attr, typ)
    new.location = old.location
    if old.result.name_hint:
        new.result.name_hint = old.result.name_hint + suffix
    before.parent_block().insert_op_before(new, before)  # type: ignore[union-attr]
    return new.result


def _erase_if_dead(op: arith.ConstantOp) -> None:
    if not op.result.uses:
        op.detach()
        op.erase()


def _fold_blocker(mm: iv.MatmulOp, users: list[Operation]) -> str | None:
    """Why the GEMM's users cannot absorb a per-channel 2^k, or None when they can."""
    if not users:
        return "its result is unused"
    rank = len(mm.output.type.get_shape())  # type: ignore[union-attr]
    for u in users:
        if not isinstance(u, iv.RequantOp):
            return f"its result feeds '{u.name}'"
        axis = u.prop("axis") % rank
        if len(u.prop("multiplier")) > 1 and axis != rank - 1:
            return f"its result feeds a requant per channel along axis {axis}, not the channel axis {rank - 1}"
    return None


def _rescale_bias(mm: iv.MatmulOp, k: int) -> None:
    """The matmul's constant bias replaced by `RNE(bias / 2^k)` (a copy; the old one erased if dead)."""
    found = _constant(mm.bias)
    if found is None:
        raise _fail(mm, "cannot rescale a non-constant bias")
    b_op, bias = found
    mm.operands[2] = _new_constant(mm, b_op, _rne_shift(bias, np.full(bias.shape, k, dtype=np.int64)), f"_a{k}")
    _erase_if_dead(b_op)


def _fail(op: Operation, why: str) -> PassFailedException:
    return PassFailedException(f"{location_of(op)}error: assign-precision: {why}")


@dataclass(frozen=True)
class AssignPrecisionPass(ModulePass):
    """Quasar-ViT row-wise mixed precision: 4-bit weight rows, rescale folded into the requant."""

    name = "assign-precision"

    ratio_4bit: float | int = 0.0
    policy: str = "sensitivity"
    factor: int = 2
    act_bits: int = 8
    size_budget: int = 0
    budget_bits: int = 0
    granularity: str = "layer"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from intvit.dialects.resources import declare_resource_dialect

        declare_resource_dialect(ctx)
        if self.policy not in POLICIES:
            raise PassFailedException(f"assign-precision: unknown policy '{self.policy}' (one of {', '.join(POLICIES)})")
        if self.policy == "search":
            self.search(op)
            return
        if not (isinstance(self.ratio_4bit, (int, float)) and 0.0 <= self.ratio_4bit <= 1.0):
            raise PassFailedException(f"assign-precision: ratio-4bit must be in [0, 1], got {self.ratio_4bit}")
        if not 1 <= self.factor <= 4:
            raise PassFailedException(f"assign-precision: factor must be in [1, 4], got {self.factor}")
        if self.act_bits not in ACT_BITS:
            raise PassFailedException(f"assign-precision: act-bits must be 6 or 8, got {self.act_bits}")
        if self.ratio_4bit == 0 and self.act_bits == 8:
            return
        for mm in [o for o in op.walk() if isinstance(o, iv.MatmulOp)]:
            if self.ratio_4bit > 0:
                self.assign(mm)
        if self.act_bits == 6:
            narrow_activations(op, _fail, _set_props, _rescale_bias)

    def search(self, module: ModuleOp) -> None:
        """Per-layer weight widths on the calibrated torch IR (passes/quantize/precision_search.py)."""
        from intvit.passes.quantize.precision_search import GRANULARITIES, SearchError, assign, uniform_bytes

        if self.granularity not in GRANULARITIES:
            raise PassFailedException(f"assign-precision: granularity must be layer (4/6/8-bit layers) or row "
                                      f"(Quasar-ViT 4/8-bit rows), got '{self.granularity}'")
        if (self.size_budget > 0) == (self.budget_bits > 0):
            raise PassFailedException("assign-precision: policy=search needs exactly one of size-budget=BYTES "
                                      "(> 0) or budget-bits=4|6|8 (the size of the all-N-bit model)")
        if self.budget_bits and self.budget_bits not in (4, 6, 8):
            raise PassFailedException(f"assign-precision: budget-bits must be 4, 6 or 8, got {self.budget_bits}")
        try:
            budget = self.size_budget or uniform_bytes(module, self.budget_bits)
            assign(module, budget, self.granularity)
        except SearchError as err:
            raise PassFailedException(f"assign-precision: {err}") from None

    def assign(self, mm: iv.MatmulOp) -> None:
        found = _constant(mm.rhs)
        if mm.packing is not None or found is None or found[1].ndim != 2:
            return  # annotated already, or an activation x activation GEMM
        w_op, w = found
        transpose = bool(mm.prop("transpose_rhs"))
        rows = w if transpose else w.T
        n = rows.shape[0]
        n4 = math.floor(self.ratio_4bit * n + 1e-9)
        if n4 == 0:
            return
        users = [u.operation for u in mm.output.uses]
        blocker = _fold_blocker(mm, users)
        max_k = np.full(n, MAX_K, dtype=np.int64)
        if blocker is None:  # the requant shift must stay >= 1 after absorbing 2^k
            for u in users:
                max_k = np.minimum(max_k, np.broadcast_to(np.asarray(u.prop("shift"), dtype=np.int64), (n,)) - 1)
        k, w4, rel = four_bit(rows, max_k)
        order = np.argsort(rel, kind="stable") if self.policy == "sensitivity" else np.arange(n)
        is4 = np.zeros(n, dtype=bool)
        is4[order[:n4]] = True
        k = np.where(is4, k, 0)
        new_rows = np.where(is4[:, None], w4, rows)

        if np.any(k > 0):
            if blocker is not None:
                raise _fail(mm, f"cannot fold the 2^k rescale of the 4-bit weight rows into a requant: {blocker} "
                                f"(every user must be an intvit.requant, per tensor or per channel along the last axis)")
            if mm.bias is not None:
                found_b = _constant(mm.bias)
                if found_b is None:
                    raise _fail(mm, "cannot rescale a non-constant bias for 4-bit weight rows")
                b_op, bias = found_b
                mm.operands[2] = _new_constant(mm, b_op, _rne_shift(bias, k), "_4bit")
                _erase_if_dead(b_op)
            for u in users:
                mults = np.broadcast_to(np.asarray(u.prop("multiplier"), dtype=np.int64), (n,))
                shifts = np.broadcast_to(np.asarray(u.prop("shift"), dtype=np.int64), (n,)) - k
                pairs = list(zip(mults.tolist(), shifts.tolist(), strict=True))
                if len(set(pairs)) == 1:
                    pairs = pairs[:1]
                _set_props(u, multiplier=[m for m, _ in pairs], shift=[e for _, e in pairs],
                           axis=-1 if len(pairs) > 1 else u.prop("axis"))
        if np.any(new_rows != rows):
            mm.operands[1] = _new_constant(mm, w_op, new_rows if transpose else new_rows.T, "_4bit")
            _erase_if_dead(w_op)
        _set_props(mm, packing=iv.PackingAttr.get(np.where(is4, 4, 8).tolist(), True, self.factor))
