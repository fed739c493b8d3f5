"""`intvit eval --report DIR`: how far every quantized tensor is from its FP32 counterpart.

Each intvit op that `quantize-to-intvit` tagged with `intvit.ref` (passes/quantize/provenance.py:
the torch value it stands for and the float value of one integer step) is compared, on every
evaluated image, with that torch value computed in float by PyTorch's ATen kernels on the
torch-dialect module (`passes/torch_eval.py`, the calibration evaluator), while the golden
interpreter records the op's integer result (`run_module(listeners=...)`).  Per tensor:

  * SQNR = 10 log10(sum x^2 / sum (x - q s)^2) and cosine(x, q s), over all images together;
  * the scale and bit width, the representable float range [lo s, hi s] (per channel where the
    scale is), and the clipping rate: the fraction of FP32 values outside that range;
  * a sample of FP32 values for the histograms.
`report_render.py` draws the plots and writes report.md / report.html / report.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import DictionaryAttr, IntegerType, ModuleOp, Signedness, TensorType
from xdsl.interpreter import Interpreter
from xdsl.ir import Operation

from intvit.passes.quantize.provenance import REF, torch_values
from intvit.runtime.interpreter import run_module
from intvit.passes.torch_eval import evaluate as torch_evaluate

SAMPLE_VALUES = 200_000  # per tensor, over all images: enough for a smooth log histogram


@dataclass
class QuantRange:
    label: str
    lo: np.ndarray  # float bounds, one per channel of the last axis (or one)
    hi: np.ndarray


@dataclass
class TensorError:
    """One quantized tensor: its identity, its representation, and the error sums."""

    key: int  # position of the intvit op in the function (unique)
    name: str
    op: str
    shape: list[int]
    bits: int
    unsigned: bool
    scale: np.ndarray
    ranges: list[QuantRange]  # the representable range, or PTQ4ViT's twin ranges
    is_output: bool = False
    signal: float = 0.0
    noise: float = 0.0
    dot: float = 0.0
    quant_energy: float = 0.0
    clipped: int = 0
    count: int = 0
    fp_min: float = np.inf
    fp_max: float = -np.inf
    samples: list[np.ndarray] = field(default_factory=list)

    @property
    def sqnr_db(self) -> float:
        if self.noise == 0.0:
            return float("inf")
        return float(10.0 * np.log10(self.signal / self.noise)) if self.signal > 0 else float("-inf")

    @property
    def cosine(self) -> float:
        denom = np.sqrt(self.signal * self.quant_energy)
        return float(self.dot / denom) if denom > 0 else float("nan")

    @property
    def clip_rate(self) -> float:
        return self.clipped / self.count if self.count else 0.0

    @property
    def bounds(self) -> tuple[float, float]:
        """The whole representable float interval (all channels, all ranges)."""
        return (float(min(r.lo.min() for r in self.ranges)), float(max(r.hi.max() for r in self.ranges)))

    def add(self, fp: np.ndarray, ints: np.ndarray, rng: np.random.Generator, per_image: int) -> None:
        x = fp.astype(np.float64)
        q = ints.astype(np.float64) * self.scale
        self.signal += float(np.sum(x * x))
        self.noise += float(np.sum((x - q) ** 2))
        self.dot += float(np.sum(x * q))
        self.quant_energy += float(np.sum(q * q))
        lo, hi = self.bounds_per_channel()
        self.clipped += int(np.count_nonzero((x < lo) | (x > hi)))
        self.count += x.size
        self.fp_min, self.fp_max = min(self.fp_min, float(x.min())), max(self.fp_max, float(x.max()))
        flat = x.ravel()
        take = flat if flat.size <= per_image else rng.choice(flat, per_image, replace=False)
        self.samples.append(take.astype(np.float32))

    def bounds_per_channel(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.minimum.reduce([r.lo for r in self.ranges])
        hi = np.maximum.reduce([r.hi for r in self.ranges])
        return lo, hi


def integer_range(op: Operation) -> tuple[int, int, int, bool]:
    """(lo, hi, bits, unsigned) of the op's result codes: the op's `bits` where it has one (a
    6-bit value may live in an i8 container), else the element type's width."""
    typ = op.results[0].type
    assert isinstance(typ, TensorType) and isinstance(typ.element_type, IntegerType)
    unsigned = typ.element_type.signedness.data == Signedness.UNSIGNED
    bits_attr = op.properties.get("bits")
    bits = int(bits_attr.value.data) if bits_attr is not None else typ.element_type.width.data
    return (0, (1 << bits) - 1, bits, True) if unsigned else (-(1 << (bits - 1)), (1 << (bits - 1)) - 1, bits, False)


def quant_ranges(op: Operation, scale: np.ndarray) -> list[QuantRange]:
    """The float range(s) the op's result can represent.  A twin requant (PTQ4ViT, `twin T`: a
    flag bit picks a fine or a 2^T coarser step; its codes are in units of the fine step) has two:
    R1 = the fine step's range, R2 = the coarse one; otherwise one range from the bit width."""
    twin_attr = op.properties.get("twin")
    twin = int(twin_attr.value.data) if twin_attr is not None else 0

    def span(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        a, b = lo * scale, hi * scale  # a negative scale (a negated channel) swaps the ends
        return np.minimum(a, b), np.maximum(a, b)

    if twin:
        limit = (1 << (int(op.properties["bits"].value.data) - 1)) - 1  # type: ignore[union-attr]
        source = op.operands[0].type
        unsigned_in = isinstance(source, TensorType) and getattr(source.element_type, "signedness", None) is not None \
            and source.element_type.signedness.data == Signedness.UNSIGNED  # type: ignore[union-attr]
        fine = span(0.0, limit) if unsigned_in else span(-limit, 0.0)
        coarse = span(0.0, limit << twin)
        return [QuantRange("R1 fine (step s)", *fine), QuantRange(f"R2 coarse (step 2^{twin} s)", *coarse)]
    lo, hi, bits, unsigned = integer_range(op)
    return [QuantRange(f"{'u' if unsigned else 'i'}{bits} range", *span(lo, hi))]


def tagged_ops(module: ModuleOp) -> list[Operation]:
    return [op for op in module.walk() if isinstance(op.attributes.get(REF), DictionaryAttr)]


def _new_record(position: int, op: Operation, returned: set[int]) -> TensorError:
    ref = op.attributes[REF]
    assert isinstance(ref, DictionaryAttr)
    scale = np.asarray(ref.data["scale"].get_values(), dtype=np.float64)  # type: ignore[attr-defined]
    _, _, bits, unsigned = integer_range(op)
    value = int(ref.data["value"].value.data)  # type: ignore[attr-defined]
    return TensorError(position, ref.data["name"].data, op.name.removeprefix("intvit."),  # type: ignore[attr-defined]
                       list(op.results[0].type.get_shape()), bits, unsigned, scale,  # type: ignore[union-attr]
                       quant_ranges(op, scale), is_output=value in returned)


class _Recorder(Interpreter.Listener):
    def __init__(self, wanted: dict[Operation, TensorError]):
        self.wanted = wanted
        self.values: dict[Operation, np.ndarray] = {}

    def did_interpret_op(self, op: Operation, results) -> None:
        if op in self.wanted:
            self.values[op] = np.asarray(results[0])


def collect_errors(torch_module: ModuleOp, module: ModuleOp, images, labels: dict[int, str] | None = None,
                   progress: bool = False, seed: int = 0) -> list[TensorError]:
    """Run both models on `images` and accumulate the error of every tagged tensor."""
    ops = tagged_ops(module)
    if not ops:
        raise ValueError("the intvit module has no `intvit.ref` tags: import it with this version of "
                         "quantize-to-intvit to get a per-layer report")
    fn = next(o for o in torch_module.walk() if o.name == "func.func")
    block = fn.regions[0].blocks.first
    values = torch_values(block)
    returned = {values.index(v) for v in block.last_op.operands} if block.last_op else set()
    records = {op: _new_record(i, op, returned) for i, op in enumerate(ops)}
    if labels:
        for op, record in records.items():
            record.name = labels.get(int(op.attributes[REF].data["value"].value.data), record.name)  # type: ignore
    wanted = {int(op.attributes[REF].data["value"].value.data) for op in ops}  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    per_image = max(64, SAMPLE_VALUES // max(len(images), 1))
    iterator = images
    if progress:
        from tqdm import tqdm

        iterator = tqdm(images, desc="error report", unit="img", leave=False)
    index_of = {v: k for k, v in enumerate(values)}
    for x in iterator:
        floats: dict[int, np.ndarray] = {}

        def observe(value, result) -> None:
            k = index_of.get(value)
            if k in wanted and isinstance(result, np.ndarray):
                floats[k] = result

        torch_evaluate(fn, [x], observe)
        recorder = _Recorder(records)
        run_module(module, [x], listeners=[recorder])
        for op, record in records.items():
            k = int(op.attributes[REF].data["value"].value.data)  # type: ignore[attr-defined]
            fp, ints = floats[k], recorder.values[op]
            if fp.shape != ints.shape:
                raise ValueError(f"{record.name}: FP32 shape {list(fp.shape)} vs integer {list(ints.shape)}")
            record.add(fp, ints, rng, per_image)
    return sorted(records.values(), key=lambda r: r.key)


def module_labels(model, example: np.ndarray, torch_module: ModuleOp) -> dict[int, str]:
    """Torch value index -> the nn.Module path that computes it ("blocks.0.attn.qkv",
    "blocks.0.attn.softmax"), found by running the model once eagerly and logging each torch
    function with the module it ran in; the k-th call of a kind is the k-th ATen op of that kind
    in the exported graph.  A kind whose counts differ keeps the graph's own names."""
    import torch
    from torch.overrides import TorchFunctionMode

    stack: list[str] = []
    calls: dict[str, list[str]] = {}

    class Log(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            calls.setdefault(getattr(func, "__name__", "").strip("_"), []).append(stack[-1] if stack else "")
            return func(*args, **(kwargs or {}))

    def leave(module, args, output) -> None:  # a forward hook's return value would replace the output
        stack.pop()

    hooks = []
    for name, mod in model.named_modules():
        hooks.append(mod.register_forward_pre_hook(lambda m, a, name=name: stack.append(name) and None))
        hooks.append(mod.register_forward_hook(leave))
    try:
        with torch.no_grad(), Log():
            model(torch.from_numpy(np.ascontiguousarray(example)))
    finally:
        for h in hooks:
            h.remove()
    fn = next(o for o in torch_module.walk() if o.name == "func.func")
    block = fn.regions[0].blocks.first
    index_of = {v: k for k, v in enumerate(torch_values(block))}
    ops_by_kind: dict[str, list[Operation]] = {}
    for op in block.ops:
        if op.name.startswith("torch.aten.") and len(op.results) == 1:
            ops_by_kind.setdefault(op.name.split(".")[2], []).append(op)
    labels: dict[int, str] = {}
    for kind, ops in ops_by_kind.items():
        paths = calls.get(kind, [])
        if len(paths) != len(ops):
            continue
        seen: dict[str, int] = {}
        for op, path in zip(ops, paths):
            module_op = kind in ("linear", "layer_norm", "conv2d", "gelu") and path
            label = path if module_op else (f"{path}.{kind}" if path else kind)
            seen[label] = seen.get(label, 0) + 1
            labels[index_of[op.results[0]]] = label if seen[label] == 1 else f"{label}#{seen[label]}"
    return labels
