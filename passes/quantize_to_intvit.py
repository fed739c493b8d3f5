"""`quantize-to-intvit`: calibrated torch-dialect IR -> I-ViT integer dataflow in `intvit` IR.

Input: the function `import-torch` produced, each op annotated by `calibrate` with
`intvit.absmax = array<f64: ...>` (one entry per result; the function carries
`intvit.arg_absmax`).  Output: a function of builtin tensors whose body is `intvit` ops plus
upstream data movement (`tensor.expand_shape/collapse_shape/extract_slice/insert_slice`,
`linalg.transpose`) and integer constants (`dense_resource` blobs); floats appear only in the
boundary ops `intvit.quantize` (image in) and `intvit.dequantize` (logits out).

Bit widths follow NUMERICS.md: int8 GEMM inputs, int32 accumulators, int16 residual stream,
8-bit Shiftmax/ShiftGELU inputs.  Each torch value's scale is `absmax / (2^(b-1) - 1)` for the
bit width `b` its consumers demand (a backward pass over the graph computes that demand).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseArrayBase, ModuleOp, StringAttr, TensorType, f32
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from intvit.dialects import intvit as iv
from intvit.dialects.located_parser import location_of
from intvit.passes.quantize.provenance import Provenance
from intvit.passes.quantize.qtensor import Emitter, FConst, QTensor, QuantizeError, symmetric_scale, tensor_type
from intvit.passes.quantize.rules import GEMM_OPS, MOVEMENT_OPS, Rules
from intvit.runtime.golden import ROUNDING_MODES
from intvit.runtime.scales import ScaleError, quantize_multiplier
from intvit.passes.torch_eval import literal_array, op_attr, scalar_constant

ABSMAX = "intvit.absmax"
ARG_ABSMAX = "intvit.arg_absmax"
SOURCE = "intvit.source"  # "file.py:LINE" of the user's code, written by passes/torch_export.py
NONLINEAR_CONSUMERS = {"torch.aten.softmax.int", "torch.aten._softmax", "torch.aten.gelu"}
WIDTHS = (4, 6, 8)
# Per-op attributes that calibrate{method=ptq4vit} and assign-precision{policy=search} write on
# the GEMMs of the calibrated torch IR (see passes/quantize/ptq4vit.py):
WEIGHT_BITS = "intvit.weight_bits"    # i64: this layer's weight width (overrides the pass option)
ROW_BITS = "intvit.row_bits"          # i64 array: 4 or 8 per output channel (Quasar-ViT rows, packed)
PTQ4VIT_BITS = "intvit.ptq4vit_bits"  # i64: the activation width the searched scales are for
PTQ4VIT_ACT = "intvit.ptq4vit_act"    # f64 per operand: searched step (the fine step when twin); 0: none
PTQ4VIT_TWIN = "intvit.ptq4vit_twin"  # i64 per operand: twin ratio T (coarse step = 2^T fine step)
SIXTEEN_BIT_CONSUMERS = {"torch.aten.add.Tensor", "torch.aten.layer_norm", "func.return"}


def at_source(op: Operation, where: str, message: str) -> str:
    """`message` at the user's Python line when the exporter recorded one (`intvit.source`),
    followed by the op's place in the torch-dialect text; else at that place alone."""
    source = op.attributes.get(SOURCE)
    if isinstance(source, StringAttr):
        torch_place = f"{where}note: " if where else "note: "
        return f"{source.data}: error: {message}\n{torch_place}'{op.name}' in the torch dialect"
    return f"{where}error: {message}"


def torch_tensor_shape(typ) -> list[int] | None:
    """Static sizes of a `!torch.vtensor<[...],f32>` (or builtin tensor) type."""
    if isinstance(typ, TensorType):
        return list(typ.get_shape())
    sizes = getattr(typ, "sizes", None)
    if sizes is None:
        return None
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes):
        raise QuantizeError(f"dynamic shape {typ} is not supported: export with static shapes")
    return sizes


@dataclass(frozen=True)
class QuantizeOptions:
    rounding: str = "half_even"
    softmax_bits: int = 8
    isqrt: str = "exact"
    compat: str = "none"
    provenance: bool = False
    weight_bits: int = 8
    act_bits: int = 8


COMPAT_MODES = ("none", "ivit")


def int_attr(op: Operation, name: str) -> int | None:
    attr = op.attributes.get(name)
    return None if attr is None else int(attr.value.data)  # type: ignore[union-attr]


def array_attr(op: Operation, name: str) -> list | None:
    attr = op.attributes.get(name)
    return None if not isinstance(attr, DenseArrayBase) else list(attr.get_values())


class Converter(Rules):
    min_gelu_scale = 1.0 / (255 * 1.702)

    def __init__(self, fn: Operation, options: QuantizeOptions):
        self.fn = fn
        self.options = options
        self.em = Emitter(rounding=options.rounding)
        self.block = fn.regions[0].blocks.first
        self._demand = self._demand_analysis()
        self.provenance = Provenance(self.block) if options.provenance else None
        self._searched, self.wide_sources = self._searched_sources()

    # -- calibration data --------------------------------------------------------------------
    def absmax(self, value: SSAValue) -> float:
        if isinstance(value.owner, Block):
            attr = self.fn.attributes.get(ARG_ABSMAX)
            index = value.index
        else:
            attr = value.owner.attributes.get(ABSMAX)
            index = value.index
        if not isinstance(attr, DenseArrayBase):
            raise QuantizeError("value has no calibrated range: run the `calibrate` pass first")
        return float(attr.get_values()[index])

    def scale_of(self, value: SSAValue, bits: int) -> float:
        if bits == self.options.act_bits and value in self._searched:
            return self._searched[value]
        return symmetric_scale(self.absmax(value), bits)

    # -- per-layer widths and searched scales (ptq4vit, assign-precision{policy=search}) -----------
    def weight_bits_of(self, op: Operation) -> int:
        bits = int_attr(op, WEIGHT_BITS)
        bits = self.options.weight_bits if bits is None else bits
        if bits not in WIDTHS:
            raise QuantizeError(f"{WEIGHT_BITS} = {bits}: weights are 4, 6 or 8 bits")
        return bits

    def row_bits_of(self, op: Operation, rows: int) -> np.ndarray | None:
        """Quasar-ViT 4/8-bit rows chosen by `assign-precision{policy=search granularity=row}`."""
        bits = array_attr(op, ROW_BITS)
        if bits is None:
            return None
        if len(bits) != rows or any(b not in (4, 8) for b in bits):
            raise QuantizeError(f"{ROW_BITS} needs {rows} entries (one per output channel), each 4 or 8")
        return np.asarray(bits, dtype=np.int64)

    def searched_act(self, op: Operation, index: int) -> tuple[float, int] | None:
        """The (step, twin ratio) PTQ4ViT chose for operand `index`, if it searched it at this width."""
        steps = array_attr(op, PTQ4VIT_ACT)
        if steps is None or int_attr(op, PTQ4VIT_BITS) != self.options.act_bits or not steps[index] > 0:
            return None
        twins = array_attr(op, PTQ4VIT_TWIN) or [0] * len(steps)
        return float(steps[index]), int(twins[index])

    def searched_weight_scales(self, op: Operation, bits: int) -> np.ndarray | None:
        scales = array_attr(op, f"intvit.ptq4vit_w{bits}")
        return None if scales is None else np.asarray(scales, dtype=np.float64)

    def _searched_sources(self) -> tuple[dict[SSAValue, float], set[SSAValue]]:
        """A searched uniform step applies where the operand's value is requantized: at its source
        (through data movement, which needs one per-tensor scale).  A source that several GEMM
        operands take at different steps (q, k, v of one projection) is instead moved as int16 at
        its calibrated range, and each operand is requantized to its own step after the movement:
        the rounding the search modelled, up to the int16 step (~1/1000 of a 6-bit one)."""
        found_steps: dict[SSAValue, set[float]] = {}
        for op in self.block.ops:
            if op.name not in GEMM_OPS:
                continue
            for index, operand in enumerate(op.operands):
                found = self.searched_act(op, index)
                if found is None or found[1]:
                    continue
                source = operand
                while isinstance(source.owner, Operation) and source.owner.name in MOVEMENT_OPS \
                        and source.owner.operands:
                    source = source.owner.operands[0]
                found_steps.setdefault(source, set()).add(found[0])
        steps = {source: next(iter(s)) for source, s in found_steps.items() if len(s) == 1}
        return steps, {source for source, s in found_steps.items() if len(s) > 1}

    def multiplier(self, ratio: float, op: Operation) -> tuple[int, int]:
        try:
            return quantize_multiplier(ratio, op.name)
        except ScaleError as err:
            raise QuantizeError(str(err)) from None

    # -- bit-width demand ------------------------------------------------------------------------
    def _demand_analysis(self) -> dict[SSAValue, int]:
        demand: dict[SSAValue, int] = {}
        for op in reversed(list(self.block.ops)):
            if op.name in MOVEMENT_OPS:
                want = max((demand.get(r, 0) for r in op.results), default=0)
                for v in op.operands:
                    demand[v] = max(demand.get(v, 0), want)
                continue
            want = 16 if op.name in SIXTEEN_BIT_CONSUMERS else 8 if op.name in NONLINEAR_CONSUMERS \
                else self.options.act_bits if op.name in GEMM_OPS else 8
            for v in op.operands:
                demand[v] = max(demand.get(v, 0), want)
        return demand

    def demand(self, value: SSAValue) -> int:
        return self._demand.get(value, 0) or 8

    # -- driver --------------------------------------------------------------------------------------
    def run(self) -> func.FuncOp:
        env: dict[SSAValue, Any] = {}
        in_types = []
        block = Block(arg_types=[self._arg_type(a) for a in self.block.args])
        for arg, new_arg in zip(self.block.args, block.args):
            bits = self.demand(arg)
            scale = self.scale_of(arg, bits)
            q = iv.QuantizeOp(new_arg, scale, bits, tensor_type(torch_tensor_shape(arg.type), bits))
            self.em.add(q)
            env[arg] = QTensor(q.output, np.array(scale), bits)
            if self.provenance:
                self.provenance.record_argument(arg, env)
            in_types.append(new_arg.type)
        for op in self.block.ops:
            try:
                first_new = len(self.em.ops)
                if op.name in ("func.return", "torch.return"):
                    outs = [self._output(op, env[v], v) for v in op.operands]
                    if self.provenance:
                        self.provenance.record(op, env, self.em.ops[first_new:])
                    self.em.add(func.ReturnOp(*outs))
                    break
                results = self._convert(op, [env[v] for v in op.operands])
                for res, value in zip(op.results, results, strict=True):
                    env[res] = value
                if self.provenance:
                    self.provenance.record(op, env, self.em.ops[first_new:])
            except (QuantizeError, ScaleError) as err:
                message = str(err)
                if message.startswith(op.name):  # rules often name their op already
                    message = message[len(op.name):].lstrip(": ")
                raise PassFailedException(at_source(op, location_of(op), f"quantize-to-intvit: {op.name}: {message}")) \
                    from None
        block.add_ops(self.em.ops)
        out_types = [o.type for o in self.em.ops[-1].operands]
        return func.FuncOp(self.fn.sym_name.data, (in_types, out_types), Region(block))

    def _arg_type(self, arg: SSAValue) -> TensorType:
        shape = torch_tensor_shape(arg.type)
        if shape is None:
            raise PassFailedException(f"error: quantize-to-intvit: argument of type {arg.type} is not a tensor")
        return TensorType(f32, shape)

    def _convert(self, op: Operation, args: list[Any]) -> list[Any]:
        if op.name == "torch.vtensor.literal":
            return [FConst(literal_array(op).astype(np.float64), self._literal_name(op))]
        if op.name.startswith("torch.constant."):
            return [scalar_constant(op)]
        return self.convert_op(op, args)

    @staticmethod
    def _literal_name(op: Operation) -> str:
        value = op_attr(op, "value")
        handle = getattr(value, "resource_handle", None)
        return handle.data if handle is not None else "literal"

    def _output(self, op: Operation, value: Any, torch_value: SSAValue) -> SSAValue:
        """Logits leave as float: requantize to one int16 scale (integer argmax), then dequantize."""
        if not isinstance(value, QTensor):
            raise QuantizeError("the function must return computed tensors")
        if value.sign is not None:
            raise QuantizeError("a negated channel (LayerNorm gamma < 0) reaches the output")
        if not (value.per_tensor and value.bits == 16 and not value.unsigned):
            value = self.em.requant(value, 16, self.scale_of(torch_value, 16), "output")
        dq = iv.DequantizeOp(value.value, float(value.scale), TensorType(f32, list(value.shape)))
        self.em.add(dq)
        return dq.output


@dataclass(frozen=True)
class QuantizeToIntvitPass(ModulePass):
    """Calibrated torch IR -> intvit integer dataflow (I-ViT: int8 GEMMs, int16 residual)."""

    name = "quantize-to-intvit"

    rounding: str = "half_even"
    softmax_bits: int = 8
    isqrt: str = "exact"
    # "ivit": match I-ViT's code bit for bit where it differs from ours: I-LayerNorm's isqrt
    # (isqrt=ivit) and ShiftGELU's float32 1.702 (the op's `ivit_constant`).
    compat: str = "none"
    provenance: bool = False  # tag results with the torch value they stand for (`intvit.ref`)
    weight_bits: int = 8
    act_bits: int = 8

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from intvit.dialects.resources import declare_resource_dialect

        declare_resource_dialect(ctx)
        if self.rounding not in ROUNDING_MODES:
            raise PassFailedException(f"quantize-to-intvit: unknown rounding '{self.rounding}'")
        if self.softmax_bits not in (8, 16):
            raise PassFailedException(f"quantize-to-intvit: softmax_bits must be 8 or 16, got {self.softmax_bits}")
        if self.isqrt not in ("exact", "ivit"):
            raise PassFailedException(f"quantize-to-intvit: isqrt must be exact or ivit, got {self.isqrt}")
        if self.compat not in COMPAT_MODES:
            raise PassFailedException(f"quantize-to-intvit: compat must be none or ivit, got {self.compat}")
        for what, bits in (("weight-bits", self.weight_bits), ("act-bits", self.act_bits)):
            if bits not in WIDTHS:
                raise PassFailedException(f"quantize-to-intvit: {what} must be 4, 6 or 8, got {bits}")
        isqrt = "ivit" if self.compat == "ivit" else self.isqrt
        options = QuantizeOptions(self.rounding, self.softmax_bits, isqrt, self.compat, self.provenance,
                                  self.weight_bits, self.act_bits)
        for fn in [f for f in op.ops if isinstance(f, func.FuncOp)]:
            new = Converter(fn, options).run()
            op.body.block.insert_op_before(new, fn)
            op.body.block.erase_op(fn)
