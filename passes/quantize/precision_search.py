"""Mixed precision by search: weight widths per layer (4/6/8 bits) or per output channel
(Quasar-ViT 4/8-bit rows) under a budget of model bytes or of accelerator cycles.

Each GEMM with a constant weight carries, from `calibrate{method=ptq4vit}`, the Hessian-guided
output distance `sum((O^ - O)^2 (dL/dO)^2)`: `intvit.sensitivity = array<f64: d4, d6, d8>` for
the whole layer at each width, and `intvit.row_distance4/8` per output channel (a channel's
output depends on its own weight row only, so the layer's distance splits by channel exactly).
Treating the distances as additive across layers (PTQ4ViT's and HAWQ's assumption), the search
is a multiple-choice knapsack: one option per layer, least summed distance, summed cost within
the budget.
  * `granularity=layer`: the options are the widths 4, 6, 8;
  * `granularity=row`: the options are "the n8 channels with the largest distance saved by 8 bits
    get 8 bits, the rest 4", n8 = 0..N (all rows of a layer cost the same, so for a fixed n8 no
    other choice of rows has a smaller distance).
Costs: bytes (packed weights, `ceil(K bits / 8)` per row, plus the int32 bias, which no width
changes), or cycles of a latency model the caller passes (the HLS target's Quasar-ViT model,
`intvit import/eval --fps-budget`: an 8-bit or 6-bit row is two 4-bit multiplications).  The
dynamic program runs over the budget in units of the costs' gcd, which is exact for bytes (while
units x options stays within MAX_WORK: odd row sizes can make the gcd 1); cycle costs, and
larger byte problems, are rounded up to 1/RESOLUTION of the budget (never over it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
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
RESOLUTION = 20000  # budget units of a cycle budget's dynamic program
MAX_WORK = 400_000_000  # budget units x options: beyond it a byte budget is solved as cycles are

# (m, n, f, heads, fraction of rows at 8 bits) -> cycles of that GEMM on the accelerator
CycleModel = Callable[[int, int, int, int, float], int]


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
    m: int = 1  # activation rows (tokens times batch): the GEMM is [m, cols] x [cols, rows]

    def bytes(self, bits: int) -> int:
        return math.ceil(self.rows * self.cols * bits / 8) + (4 * self.rows if self.bias else 0)


def layer_bytes(rows: int, cols: int, bits: int, bias: bool) -> int:
    return math.ceil(rows * cols * bits / 8) + (4 * rows if bias else 0)


def row_bytes(cols: int, bits: int) -> int:
    return math.ceil(cols * bits / 8)


def _literal_shape(op: Operation, index: int) -> list[int] | None:
    if len(op.operands) <= index:
        return None
    owner = op.operands[index].owner
    if not isinstance(owner, Operation) or owner.name != "torch.vtensor.literal":
        return None
    return [int(s) for s in getattr(op.operands[index].type, "sizes", [])]


def _sizes(op: Operation, index: int) -> list[int]:
    return [int(s) for s in getattr(op.operands[index].type, "sizes", [])]


def _activation_rows(op: Operation, weight: list[int]) -> int:
    """How many activation rows meet the weight: tokens times batch (patches for a conv)."""
    x = _sizes(op, 0)
    if op.name in ("torch.aten.conv2d", "torch.aten.convolution"):
        return x[0] * (x[2] // weight[2]) * (x[3] // weight[3]) if len(x) == 4 and len(weight) == 4 else 1
    return math.prod(x[:-1]) if x else 1


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
                               dict(zip(WIDTHS, values)), _activation_rows(op, shape)))
    return found


def activation_gemms(module: ModuleOp) -> list[tuple[int, int, int, int]]:
    """(m, n, f, heads) of every activation x activation GEMM (attention): a fixed cost."""
    from intvit.passes.quantize.rules import GEMM_OPS

    found = []
    for op in module.walk():
        if op.name not in GEMM_OPS or _literal_shape(op, 1) is not None or len(op.operands) < 2:
            continue
        a, b = _sizes(op, 0), _sizes(op, 1)
        if len(a) >= 2 and len(b) >= 2:
            found.append((a[-2], b[-1], a[-1], math.prod(a[:-2])))
    return found


# -- options per layer ----------------------------------------------------------------------------
@dataclass
class Options:
    """One layer's options: their distance, fraction of 8-bit rows and bytes.  Option j is a
    width (granularity=layer: WIDTHS[j]) or, with `order`, 8 bits for the rows order[:j]."""
    distance: np.ndarray
    w8: np.ndarray
    bytes: np.ndarray
    order: np.ndarray | None = None

    def label(self, j: int):
        """What option j records: its bits, or its row_bits array."""
        if self.order is None:
            return WIDTHS[j]
        bits = np.full(len(self.order), 4)
        bits[self.order[:j]] = 8
        return bits


def layer_options(layer: Candidate) -> Options:
    return Options(np.array([layer.distance[b] for b in WIDTHS]),
                   np.array([0.0 if b == 4 else 1.0 for b in WIDTHS]),  # 6 bits: two nibbles, as 8
                   np.array([layer.bytes(b) for b in WIDTHS]))


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


def row_options(layer: Candidate, dist: dict[int, np.ndarray]) -> Options:
    gain = dist[4] - dist[8]
    order = np.argsort(-gain, kind="stable")  # ties: the lower channel first
    saved = np.concatenate([[0.0], np.cumsum(gain[order])])
    n8 = np.arange(layer.rows + 1)
    size = layer.rows * row_bytes(layer.cols, 4) + n8 * (row_bytes(layer.cols, 8) - row_bytes(layer.cols, 4)) \
        + (4 * layer.rows if layer.bias else 0)
    return Options(dist[4].sum() - saved, n8 / layer.rows, size, order)


def options_for(layers: list[Candidate], granularity: str) -> list[Options]:
    return [row_options(lay, row_distances(lay)) if granularity == "row" else layer_options(lay) for lay in layers]


# -- the multiple-choice knapsack -----------------------------------------------------------------
def solve_choices(costs: list[np.ndarray], distances: list[np.ndarray], budget: int,
                  exact: bool = True) -> list[int]:
    """One option per layer, least summed distance with summed cost <= budget (costs integers).
    `exact`: units of the gcd of the costs above each layer's cheapest (while units x options
    stays within MAX_WORK); else costs rounded up to 1/RESOLUTION of the slack (feasible,
    near-optimal)."""
    floor = sum(int(c.min()) for c in costs)
    if budget < floor:
        raise SearchError(f"the budget ({budget}) is below the cheapest assignment ({floor})")
    extra = [np.asarray(c, dtype=np.int64) - int(c.min()) for c in costs]
    slack = budget - floor
    unit = math.gcd(*[int(v) for e in extra for v in e]) or 1
    options = sum(len(e) for e in extra)
    if exact and (slack // unit) * options <= MAX_WORK:
        units = [e // unit for e in extra]
    else:  # rounded up: never over budget; optimal for a budget smaller by < 1 unit per layer
        unit = max(1, math.ceil(slack / RESOLUTION))
        units = [-(-e // unit) for e in extra]
    capacity = int(min(slack // unit, sum(int(u.max()) for u in units)))
    best = np.zeros(capacity + 1)  # least distance of the layers so far within c units
    picks = []
    for u, d in zip(units, distances):
        new = np.full(capacity + 1, np.inf)
        pick = np.zeros(capacity + 1, dtype=np.int32)
        for j in range(len(u)):
            w = int(u[j])
            if w > capacity:
                continue
            trial = best[:capacity + 1 - w] + d[j]
            better = trial < new[w:]  # ties keep the earlier (cheaper) option: deterministic
            new[w:] = np.where(better, trial, new[w:])
            pick[w:] = np.where(better, j, pick[w:])
        best = new
        picks.append(pick)
    chosen, c = [], capacity
    for u, pick in zip(reversed(units), reversed(picks)):
        j = int(pick[c])
        chosen.append(j)
        c -= int(u[j])
    return chosen[::-1]


def within_bytes(opts: list[Options], budget: int) -> list[int]:
    """`solve_choices` priced in bytes, refusing a budget below the all-4-bit model."""
    try:
        return solve_choices([o.bytes for o in opts], [o.distance for o in opts], budget)
    except SearchError:
        raise SearchError(f"size budget {budget} bytes is below the all-4-bit model "
                          f"({sum(int(o.bytes.min()) for o in opts)} bytes)") from None


def _solved(opts: list[Options], budget: int) -> tuple[list, int, float]:
    chosen = within_bytes(opts, budget)
    return ([o.label(j) for o, j in zip(opts, chosen)], sum(int(o.bytes[j]) for o, j in zip(opts, chosen)),
            float(sum(o.distance[j] for o, j in zip(opts, chosen))))


def solve(layers: list[Candidate], budget: int) -> tuple[dict[int, int], int, float]:
    """Per-layer widths, bytes <= budget: (layer index -> bits, bytes, distance)."""
    bits, size, distance = _solved(options_for(layers, "layer"), budget)
    return dict(enumerate(bits)), size, distance


def solve_rows(layers: list[Candidate], dist: list[dict[int, np.ndarray]],
               budget: int) -> tuple[list[np.ndarray], int, float]:
    """Per-row widths (4/8), bytes <= budget: (row bits per layer, bytes, distance)."""
    return _solved([row_options(lay, d) for lay, d in zip(layers, dist)], budget)


# -- recording ---------------------------------------------------------------------------------------
def record(layers: list[Candidate], opts: list[Options], chosen: list[int], granularity: str,
           cycles: list[np.ndarray] | None = None) -> list[dict]:
    report = []
    for i, (layer, o, j) in enumerate(zip(layers, opts, chosen)):
        entry: dict = {"layer": layer.name, "shape": [layer.rows, layer.cols], "bytes": int(o.bytes[j]),
                       "distance": float(o.distance[j])}
        if granularity == "row":
            bits = o.label(j)
            layer.op.attributes[ROW_BITS] = DenseArrayBase.from_list(i64, bits.tolist())
            entry.update(rows_8bit=int((bits == 8).sum()), rows_4bit=int((bits == 4).sum()))
        else:
            layer.op.attributes[WEIGHT_BITS] = IntegerAttr(o.label(j), i64)
            entry["weight_bits"] = o.label(j)
        if cycles is not None:
            entry["cycles"] = int(cycles[i][j])
        report.append(entry)
    return report


def _searched(module: ModuleOp) -> list[Candidate]:
    layers = candidates(module)
    if not layers:
        raise SearchError(f"no GEMM carries {SENSITIVITY}: run calibrate{{method=ptq4vit}} first")
    return layers


def assign(module: ModuleOp, budget: int, granularity: str = "layer") -> list[dict]:
    """Choose, within `budget` bytes, and record `intvit.weight_bits` (per layer) or
    `intvit.row_bits` (per output channel) on every searched GEMM; returns the assignment."""
    layers = _searched(module)
    opts = options_for(layers, granularity)
    return record(layers, opts, within_bytes(opts, budget), granularity)


def assign_for_cycles(module: ModuleOp, cycle_budget: int, model: CycleModel,
                      granularity: str = "row") -> tuple[list[dict], int]:
    """Choose within `cycle_budget` cycles of `model` (attention GEMMs included, at 8 bits);
    returns the assignment and the model's total cycles for it."""
    layers = _searched(module)
    opts = options_for(layers, granularity)
    fixed = sum(model(m, n, f, heads, 1.0) for m, n, f, heads in activation_gemms(module))
    cycles = [np.array([model(lay.m, lay.rows, lay.cols, 1, float(w8)) for w8 in o.w8], dtype=np.int64)
              for lay, o in zip(layers, opts)]
    try:
        chosen = solve_choices(cycles, [o.distance for o in opts], cycle_budget - fixed, exact=False)
    except SearchError:
        fastest = fixed + sum(int(c.min()) for c in cycles)
        raise SearchError(f"the FPS budget needs at most {cycle_budget} cycles per frame; the fastest "
                          f"assignment (all 4-bit) takes {fastest}") from None
    total = fixed + sum(int(c[j]) for c, j in zip(cycles, chosen))
    return record(layers, opts, chosen, granularity, cycles), total


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
