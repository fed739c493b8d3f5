"""Mixed precision by search: per-layer weight widths (4, 6 or 8 bits) under a model-size budget.

Each GEMM with a constant weight carries `intvit.sensitivity = array<f64: d4, d6, d8>` from
`calibrate{method=ptq4vit}`: the Hessian-guided output distance `sum((O^ - O)^2 (dL/dO)^2)` of
that layer at each weight width, an estimate of the loss increase the layer's quantization
causes.  Treating those increases as additive, the best assignment under a byte budget is a
multiple-choice knapsack, solved exactly by dynamic programming over the Pareto frontier of
(bytes, distance) partial assignments (one frontier point per distinct size; a handful of
layers times three widths keeps it small).  Size counts packed weights (`N K bits / 8` bytes,
rounded up per layer) and the int32 biases, which no width changes.

`granularity=row` chooses per output channel instead, between Quasar-ViT's 4-bit and 8-bit rows
(the `#intvit.packing` row mix every backend runs): `intvit.row_distance4/8` give each channel's
distance at either width (the distance splits by channel exactly), so under the byte budget the
best mix is a 0/1 knapsack over "upgrade this row to 8 bits" (cost: the row's extra bytes,
value: its distance saved), solved exactly by dynamic programming in units of the costs' gcd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation

WIDTHS = (4, 6, 8)
ROW_WIDTHS = (4, 8)
SENSITIVITY = "intvit.sensitivity"
WEIGHT_BITS = "intvit.weight_bits"
ROW_BITS = "intvit.row_bits"
GRANULARITIES = ("layer", "row")


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


def row_bytes(cols: int, bits: int) -> int:
    return math.ceil(cols * bits / 8)


def row_distances(layer: Candidate) -> dict[int, np.ndarray]:
    found = {}
    for bits in ROW_WIDTHS:
        attr = layer.op.attributes.get(f"intvit.row_distance{bits}")
        values = np.asarray(list(attr.get_values()) if attr is not None else [], dtype=np.float64)  # type: ignore[union-attr]
        if values.shape != (layer.rows,):
            raise SearchError(f"{layer.op.name}: intvit.row_distance{bits} needs {layer.rows} values (one per "
                              f"output channel): run calibrate{{method=ptq4vit}} first")
        found[bits] = values
    return found


def solve_rows(layers: list[Candidate], dist: list[dict[int, np.ndarray]],
               budget: int) -> tuple[list[np.ndarray], int, float]:
    """Per layer, the bits of each row (4 or 8) with total bytes <= budget and least total
    distance (`dist[i][bits]`: layer i's per-row distances): exact 0/1 knapsack over 8-bit
    upgrades of an all-4-bit start."""
    base = sum(lay.rows * row_bytes(lay.cols, 4) + (4 * lay.rows if lay.bias else 0) for lay in layers)
    if budget < base:
        raise SearchError(f"size budget {budget} bytes is below the all-4-bit model ({base} bytes)")
    cost = np.concatenate([np.full(lay.rows, row_bytes(lay.cols, 8) - row_bytes(lay.cols, 4)) for lay in layers])
    gain = np.concatenate([d[4] - d[8] for d in dist])
    unit = math.gcd(*cost.tolist()) or 1
    weights = cost // unit
    capacity = int(min((budget - base) // unit, weights.sum()))  # a budget past all-8-bit buys nothing more
    best = np.zeros(capacity + 1)
    taken = []  # per item, bit-packed: did the optimum for each capacity take it
    for w, g in zip(weights.tolist(), gain.tolist()):
        trial = np.full(capacity + 1, -np.inf)
        if w <= capacity:
            trial[w:] = best[:capacity + 1 - w] + g
        take = trial > best  # ties keep the row at 4 bits: deterministic
        best = np.where(take, trial, best)
        taken.append(np.packbits(take))
    upgrade = np.zeros(len(weights), dtype=bool)
    c = capacity
    for i in range(len(weights) - 1, -1, -1):
        if np.unpackbits(taken[i], count=capacity + 1)[c]:
            upgrade[i] = True
            c -= int(weights[i])
    bits, start = [], 0
    for lay in layers:
        bits.append(np.where(upgrade[start:start + lay.rows], 8, 4))
        start += lay.rows
    size = base + int(cost[upgrade].sum())
    total = float(sum(np.where(b == 8, d[8], d[4]).sum() for b, d in zip(bits, dist)))
    return bits, size, total


def assign_rows(layers: list[Candidate], budget: int) -> list[dict]:
    chosen, _, _ = solve_rows(layers, [row_distances(lay) for lay in layers], budget)
    report = []
    for layer, bits in zip(layers, chosen):
        layer.op.attributes[ROW_BITS] = DenseArrayBase.from_list(i64, bits.tolist())
        eight = int((bits == 8).sum())
        report.append({"layer": layer.name, "shape": [layer.rows, layer.cols], "rows_8bit": eight,
                       "rows_4bit": layer.rows - eight,
                       "bytes": sum(row_bytes(layer.cols, int(b)) for b in bits) + (4 * layer.rows if layer.bias else 0)})
    return report


def assign(module: ModuleOp, budget: int, granularity: str = "layer") -> list[dict]:
    """Choose and record `intvit.weight_bits` (per layer) or `intvit.row_bits` (per output
    channel) on every searched GEMM; returns the assignment."""
    layers = candidates(module)
    if not layers:
        raise SearchError(f"no GEMM carries {SENSITIVITY}: run calibrate{{method=ptq4vit}} first")
    if granularity == "row":
        return assign_rows(layers, budget)
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
