"""Mixed precision by search: per-layer weight widths (4, 6 or 8 bits) under a model-size budget.

Each GEMM with a constant weight carries `intvit.sensitivity = array<f64: d4, d6, d8>` from
`calibrate{method=ptq4vit}`: the Hessian-guided output distance `sum((O^ - O)^2 (dL/dO)^2)` of
that layer at each weight width, an estimate of the loss increase the layer's quantization
causes.  Treating those increases as additive, the best assignment under a byte budget is a
multiple-choice knapsack, solved exactly by dynamic programming over the Pareto frontier of
(bytes, distance) partial assignments (one frontier point per distinct size; a handful of
layers times three widths keeps it small).  Size counts packed weights (`N K bits / 8` bytes,
rounded up per layer) and the int32 biases, which no width changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.dialects.builtin import IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation

WIDTHS = (4, 6, 8)
SENSITIVITY = "intvit.sensitivity"
WEIGHT_BITS = "intvit.weight_bits"


class SearchError(ValueError):
    pass


@dataclass(frozen=True)
class Candidate:
    op: Operation
    name: str
    rows: int  # output channels
    cols: int  # inputs per channel
    bias: bool
    distance: dict[int, float]

    def bytes(self, bits: int) -> int:
        return math.ceil(self.rows * self.cols * bits / 8) + (4 * self.rows if self.bias else 0)


def layer_bytes(rows: int, cols: int, bits: int, bias: bool) -> int:
    return math.ceil(rows * cols * bits / 8) + (4 * rows if bias else 0)


def _literal_shape(op: Operation, index: int) -> list[int] | None:
    if len(op.operands) <= index:
        return None
    owner = op.operands[index].owner
    if not isinstance(owner, Operation) or owner.name != "torch.vtensor.literal":
        return None
    return [int(s) for s in getattr(op.operands[index].type, "sizes", [])]


def candidates(module: ModuleOp) -> list[Candidate]:
    """The GEMMs of the calibrated torch IR that carry a sensitivity, in program order."""
    found = []
    for op in module.walk():
        attr = op.attributes.get(SENSITIVITY)
        shape = _literal_shape(op, 1)
        if attr is None or not shape:
            continue
        values = list(attr.get_values())  # type: ignore[union-attr]
        if len(values) != len(WIDTHS):
            raise SearchError(f"{op.name}: {SENSITIVITY} needs {len(WIDTHS)} values (bits {WIDTHS})")
        rows = shape[-1] if op.name in ("torch.aten.matmul", "torch.aten.mm") else shape[0]
        cols = math.prod(shape) // rows
        bias = _literal_shape(op, 2) is not None
        found.append(Candidate(op, f"{len(found)}:{op.name.rsplit('.', 1)[-1]}", rows, cols, bias,
                               dict(zip(WIDTHS, values))))
    return found


def solve(layers: list[Candidate], budget: int) -> tuple[dict[int, int], int, float]:
    """Min total distance with total bytes <= budget: (layer index -> bits, bytes, distance)."""
    frontier: list[tuple[int, float, tuple[int, ...]]] = [(0, 0.0, ())]
    for layer in layers:
        grown = [(size + layer.bytes(b), dist + layer.distance[b], chosen + (b,))
                 for size, dist, chosen in frontier for b in WIDTHS]
        grown = [g for g in grown if g[0] <= budget]
        grown.sort(key=lambda g: (g[0], g[1], g[2]))
        frontier = []
        for g in grown:  # keep a point only if it beats every smaller one
            if not frontier or g[1] < frontier[-1][1]:
                frontier.append(g)
        if not frontier:
            need = sum(lay.bytes(min(WIDTHS)) for lay in layers)
            raise SearchError(f"size budget {budget} bytes is below the all-4-bit model ({need} bytes)")
    size, dist, chosen = min(frontier, key=lambda g: (g[1], g[0]))
    return dict(enumerate(chosen)), size, dist


def assign(module: ModuleOp, budget: int) -> list[dict]:
    """Choose and record `intvit.weight_bits` on every searched GEMM; returns the assignment."""
    layers = candidates(module)
    if not layers:
        raise SearchError(f"no GEMM carries {SENSITIVITY}: run calibrate{{method=ptq4vit}} first")
    chosen, _, _ = solve(layers, budget)
    report = []
    for i, layer in enumerate(layers):
        bits = chosen[i]
        layer.op.attributes[WEIGHT_BITS] = IntegerAttr(bits, i64)
        report.append({"layer": layer.name, "shape": [layer.rows, layer.cols], "weight_bits": bits,
                       "bytes": layer.bytes(bits), "distance": layer.distance[bits]})
    return report


def uniform_bytes(module: ModuleOp, bits: int) -> int:
    """The size of the model with every searched GEMM at `bits` (a budget of 'all-W6')."""
    return sum(layer.bytes(bits) for layer in candidates(module))


def module_weight_bytes(module: ModuleOp) -> int:
    """The size of an intvit module's GEMM weights at their recorded widths, plus biases."""
    from intvit.dialects import intvit as iv
    from xdsl.dialects import arith

    total = 0
    for op in module.walk():
        if not isinstance(op, iv.MatmulOp) or not isinstance(op.rhs.owner, arith.ConstantOp):
            continue
        shape = list(op.rhs.type.get_shape())  # type: ignore[union-attr]
        rows = shape[0] if op.prop("transpose_rhs") else shape[-1]
        attr = op.attributes.get(WEIGHT_BITS)
        bits = int(attr.value.data) if attr is not None else 8  # type: ignore[union-attr]
        if op.packing is not None:
            row_bits = list(op.packing.row_bits.get_values())
            total += sum(math.ceil(math.prod(shape) // rows * b / 8) for b in row_bits)
        else:
            total += math.ceil(math.prod(shape) * bits / 8)
        total += 4 * rows if op.bias is not None else 0
    return total
