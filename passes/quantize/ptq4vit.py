"""PTQ4ViT (Yuan et al., ECCV 2022) for `calibrate{method=ptq4vit}`: Hessian-guided scales and
twin uniform quantization, searched per GEMM on the float torch IR.

Per GEMM layer `O = f(X, W)` the search minimizes `sum((O^ - O)^2 * (dL/dO)^2)` over the
calibration images (the diagonal-Hessian approximation of the task-loss change), with `L` the
cross-entropy of the float model against its own top-1 class (the soft-target cross-entropy has
zero gradient at the float point).  Candidates are `[alpha, beta] * max / 2^(k-1)`, `n` of them,
per tensor for activations and per output channel for weights; activation and weight steps are
searched in alternating rounds.  Twin uniform quantization (`intvit.requant ... twin T`):
  * post-Shiftmax: a flag and `k-1` value bits; the coarse step is PTQ4ViT's `1/2^(k-1)`, the
    fine step `2^-T` of it; T = 0 is the plain unsigned k-bit code;
  * post-ShiftGELU: negatives on the fine step, non-negatives on the coarse one (searched);
and `T` is limited so that the decoded value fits the int8 GEMM input (`k - 1 + T <= 7`).
The result is recorded as attributes on each GEMM (see `quantize_to_intvit.py`), including
`intvit.sensitivity = array<f64: d4, d6, d8>` (the searched distance per weight width), which
`assign-precision{policy=search}` reads, and `intvit.row_distance4/8` (per output channel, for
`granularity=row`).  No randomness: the same images give the same scales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, f64, i64
from xdsl.ir import Block, Operation, SSAValue

from intvit.passes.quantize.rules import GEMM_OPS, MOVEMENT_OPS
from intvit.passes.torch_eval import evaluate_traced, run_op

WIDTHS = (4, 6, 8)
SOFTMAX_OPS = {"torch.aten.softmax.int", "torch.aten._softmax"}


@dataclass(frozen=True)
class SearchConfig:
    weight_bits: int = 8
    act_bits: int = 8
    rounds: int = 2
    alpha: float = 0.5
    beta: float = 1.2
    candidates: int = 100
    seed: int = 0  # the images are chosen by the caller's seed; the search itself is deterministic
    all_widths: bool = True  # also search 4/6/8-bit weights for the sensitivities of policy=search


@dataclass
class Layer:
    op: Operation
    args: list  # operands, activations stacked over the images on axis 0
    out: torch.Tensor
    g2: torch.Tensor  # (dL/dO)^2
    weight: int | None  # index of the constant operand
    w_axis: int = 0  # output-channel axis of the weight
    o_axis: int = -1  # output-channel axis of O
    acts: list[tuple[int, str]] = field(default_factory=list)  # (operand, signed|softmax|gelu)


def source_kind(value: SSAValue) -> str | None:
    """What an activation operand is, looking through data movement: None for the image."""
    while isinstance(value.owner, Operation) and value.owner.name in MOVEMENT_OPS and value.owner.operands:
        value = value.owner.operands[0]
    if isinstance(value.owner, Block):
        return None
    if value.owner.name in SOFTMAX_OPS:
        return "softmax"
    return "gelu" if value.owner.name == "torch.aten.gelu" else "signed"


def collect(fn: func.FuncOp, samples: Sequence[Sequence[np.ndarray]], progress: bool) -> list[Layer]:
    """Each GEMM's operands, float output and squared output gradient over the samples."""
    per_op: dict[Operation, list] = {}
    iterator = samples
    if progress:
        from tqdm import tqdm

        iterator = tqdm(samples, desc="ptq4vit gradients", unit="img", leave=False)
    for sample in iterator:
        results, kept = evaluate_traced(fn, list(sample), lambda op: op.name in GEMM_OPS)
        logits = results[0].reshape(-1, results[0].shape[-1])
        torch.nn.functional.cross_entropy(logits, logits.argmax(-1).detach()).backward()
        for op, (args, out) in kept.items():
            per_op.setdefault(op, []).append(
                ([a.detach() if isinstance(a, torch.Tensor) else a for a in args], out.detach(), out.grad ** 2))
    return [_layer(op, items) for op, items in per_op.items()]


def _layer(op: Operation, items: list) -> Layer:
    rhs = op.operands[1].owner if len(op.operands) > 1 else None
    weight = 1 if isinstance(rhs, Operation) and rhs.name == "torch.vtensor.literal" else None
    args = []
    for i, first in enumerate(items[0][0]):
        tensor_operand = isinstance(first, torch.Tensor) and i != weight and i < len(op.operands) \
            and not (isinstance(op.operands[i].owner, Operation) and op.operands[i].owner.name == "torch.vtensor.literal")
        args.append(torch.cat([it[0][i] for it in items]) if tensor_operand else first)
    acts = [(i, source_kind(op.operands[i])) for i in range(min(2, len(op.operands))) if i != weight
            and isinstance(args[i], torch.Tensor) and args[i].dim() >= 2 and i < len(op.operands)]
    conv = op.name in ("torch.aten.conv2d", "torch.aten.convolution")
    return Layer(op, args, torch.cat([it[1] for it in items]), torch.cat([it[2] for it in items]), weight,
                 w_axis=0 if op.name in ("torch.aten.linear",) or conv else -1, o_axis=1 if conv else -1,
                 acts=[(i, k) for i, k in acts if k is not None])


# -- fake quantizers: the float image of what the integer program computes ----------------------
def uniform(x: torch.Tensor, step, lo: int, hi: int) -> torch.Tensor:
    return torch.clamp(torch.round(x / step), lo, hi) * step


def twin(x: torch.Tensor, fine: float, ratio: int, bits: int, kind: str) -> torch.Tensor:
    """golden.twin_requant in float: `fine`, `2^ratio * fine` steps, `bits - 1` value bits each."""
    limit = (1 << (bits - 1)) - 1
    f = torch.round(x / fine)
    coarse = torch.clamp(torch.round(x / (fine * 2**ratio)), 0, limit) * 2**ratio
    use_fine = f <= limit if kind == "softmax" else x < 0
    return torch.where(use_fine, torch.clamp(f, -limit, limit), coarse) * fine


def max_twin(bits: int) -> int:
    return max(0, 8 - bits)  # decoded (2^(k-1) - 1) << T must fit int8


@dataclass
class LayerState:
    act: dict[int, tuple[float, int]]  # operand -> (step, twin ratio); step 0: the minmax default
    w_step: torch.Tensor | None


class LayerSearch:
    """The alternating search for one layer at one (weight, activation) width."""

    def __init__(self, layer: Layer, weight_bits: int, act_bits: int, cfg: SearchConfig):
        self.layer, self.wb, self.ab, self.cfg = layer, weight_bits, act_bits, cfg
        self.grid = torch.linspace(cfg.alpha, cfg.beta, cfg.candidates, dtype=torch.float64)
        self.cache: dict[int, tuple[object, torch.Tensor]] = {}  # operand -> (its step, its fake-quant)

    def cached(self, index: int, key, make) -> torch.Tensor:
        """Each candidate changes one operand: the others' fake-quantized values are reused."""
        hit = self.cache.get(index)
        if hit is None or (hit[0] is not key and not (isinstance(key, tuple) and hit[0] == key)):
            hit = (key, make())
            self.cache[index] = hit
        return hit[1]

    def quantize_act(self, index: int, kind: str, step: float, ratio: int) -> torch.Tensor:
        x = self.layer.args[index]
        if kind == "softmax":
            if self.ab == 8:
                return uniform(x, 2.0**-7, 0, 128)  # Shiftmax's own 8-bit output feeds the GEMM
            if step == 0:
                return uniform(x, float(x.max()) / ((1 << self.ab) - 1), 0, (1 << self.ab) - 1)
            return twin(x, step, ratio, self.ab, kind)
        if ratio:
            return twin(x, step, ratio, self.ab, kind)
        lim = 1 << (self.ab - 1)
        return uniform(x, step or float(x.abs().max()) / (lim - 1), -lim, lim - 1)

    def output(self, state: LayerState, override: dict[int, torch.Tensor] | None = None) -> torch.Tensor:
        args = list(self.layer.args)
        for index, kind in self.layer.acts:
            args[index] = self.cached(index, state.act[index], lambda: self.quantize_act(index, kind, *state.act[index]))
        if self.layer.weight is not None:
            w = args[self.layer.weight]
            shape = [1] * w.dim()
            shape[self.layer.w_axis] = -1
            lim = 1 << (self.wb - 1)
            args[self.layer.weight] = self.cached(
                self.layer.weight, state.w_step,
                lambda: uniform(w.double(), state.w_step.reshape(shape), -lim, lim - 1).to(w.dtype))
        for index, value in (override or {}).items():
            args[index] = value
        return run_op(self.layer.op, args)[0]

    def distance(self, out: torch.Tensor, per_channel: bool = False) -> torch.Tensor:
        err = (out - self.layer.out) ** 2 * self.layer.g2
        if not per_channel:
            return err.double().sum()
        axis = self.layer.o_axis % err.dim()
        return err.transpose(axis, -1).reshape(-1, err.shape[axis]).double().sum(0)

    def act_candidates(self, index: int, kind: str) -> list[tuple[float, int]]:
        x = self.layer.args[index]
        top = 2.0 ** (self.ab - 1)
        if kind == "softmax":
            if self.ab == 8:
                return [(0.0, 0)]
            return [(0.0, 0)] + [(1.0 / top / 2**t, t) for t in range(1, max_twin(self.ab) + 1)]
        steps = (self.grid * float(x.abs().max() if kind == "signed" else x.max()) / top).tolist()
        ratios = range(max_twin(self.ab) + 1) if kind == "gelu" and self.ab < 8 else [0]
        return [(s / 2**t, t) for t in ratios for s in steps if s > 0]

    def search_act(self, state: LayerState, index: int, kind: str) -> None:
        best = (float(self.distance(self.output(state))), state.act[index])
        for cand in self.act_candidates(index, kind):
            state.act[index] = cand
            d = float(self.distance(self.output(state)))
            if d < best[0]:
                best = (d, cand)
        state.act[index] = best[1]

    def search_weight(self, state: LayerState) -> None:
        w = self.layer.args[self.layer.weight].double()
        axis = self.layer.w_axis % w.dim()
        wmax = w.abs().transpose(axis, 0).reshape(w.shape[axis], -1).amax(1).clamp_min(1e-12)
        best_d = self.distance(self.output(state), per_channel=True)
        best = state.w_step.clone()
        for ratio in self.grid:
            state.w_step = ratio * wmax / 2.0 ** (self.wb - 1)
            d = self.distance(self.output(state), per_channel=True)
            better = d < best_d
            best = torch.where(better, state.w_step, best)
            best_d = torch.where(better, d, best_d)
        state.w_step = best

    def run(self) -> tuple[LayerState, float]:
        layer = self.layer
        state = LayerState({i: (0.0, 0) for i, _ in layer.acts}, None)
        if layer.weight is not None:
            w = layer.args[layer.weight].double()
            axis = layer.w_axis % w.dim()
            wmax = w.abs().transpose(axis, 0).reshape(w.shape[axis], -1).amax(1).clamp_min(1e-12)
            state.w_step = wmax / (2.0 ** (self.wb - 1) - 1)
        for _ in range(self.cfg.rounds):
            for index, kind in layer.acts:
                self.search_act(state, index, kind)
            if layer.weight is not None:
                self.search_weight(state)
        return state, float(self.distance(self.output(state)))


PARALLEL_OUTPUTS = 1 << 20  # a layer output (all images) this large is searched with every thread


def search_function(fn: func.FuncOp, samples: Sequence[Sequence[np.ndarray]], cfg: SearchConfig,
                    progress: bool = False) -> None:
    """Annotate every GEMM of `fn` with PTQ4ViT's searched steps (and per-width sensitivities)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a ViT's per-image ops are small: threads only add fork/join
    try:
        search_layers(collect(fn, samples, progress), cfg, progress, threads)
    finally:
        torch.set_num_threads(threads)


def search_layers(layers: list[Layer], cfg: SearchConfig, progress: bool = False, threads: int = 1) -> None:
    iterator = layers
    if progress:
        from tqdm import tqdm

        iterator = tqdm(layers, desc="ptq4vit search", unit="layer", leave=False)
    with torch.no_grad():
        for layer in iterator:
            # a DeiT layer over the images is a large GEMM per candidate; the digits ViT's are tiny
            torch.set_num_threads(threads if layer.out.numel() >= PARALLEL_OUTPUTS else 1)
            record(layer, cfg)


def record(layer: Layer, cfg: SearchConfig) -> None:
    op = layer.op
    widths = (WIDTHS if cfg.all_widths else (cfg.weight_bits,)) if layer.weight is not None else (cfg.weight_bits,)
    results = {b: LayerSearch(layer, b, cfg.act_bits, cfg).run() for b in widths}
    state = results[cfg.weight_bits if cfg.weight_bits in results else widths[0]][0]
    count = len(op.operands)
    steps = [state.act.get(i, (0.0, 0))[0] for i in range(count)]
    ratios = [state.act.get(i, (0.0, 0))[1] for i in range(count)]
    op.attributes["intvit.ptq4vit_bits"] = IntegerAttr(cfg.act_bits, i64)
    op.attributes["intvit.ptq4vit_act"] = DenseArrayBase.from_list(f64, steps)
    op.attributes["intvit.ptq4vit_twin"] = DenseArrayBase.from_list(i64, ratios)
    if layer.weight is not None:
        for b, (st, _) in results.items():
            op.attributes[f"intvit.ptq4vit_w{b}"] = DenseArrayBase.from_list(f64, st.w_step.tolist())
        if cfg.all_widths:
            op.attributes["intvit.sensitivity"] = DenseArrayBase.from_list(f64, [results[b][1] for b in WIDTHS])
            for b, distances in row_distances(layer, cfg, state, results).items():
                op.attributes[f"intvit.row_distance{b}"] = DenseArrayBase.from_list(f64, distances)


def row_distances(layer: Layer, cfg: SearchConfig, state: LayerState, results: dict) -> dict[int, list[float]]:
    """Per output channel, the distance with that channel's weights at 4 and at 8 bits (Quasar-ViT
    rows), under the activation steps the layer will use: a channel's output depends on its own
    weight row only, so the distance splits by channel and the channels' choices add up."""
    out = {}
    for bits in (4, 8):
        search = LayerSearch(layer, bits, cfg.act_bits, cfg)
        mixed = LayerState(dict(state.act), results[bits][0].w_step)
        out[bits] = search.distance(search.output(mixed), per_channel=True).tolist()
    return out
