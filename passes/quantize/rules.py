"""One rule per torch op family: how it becomes I-ViT integer dataflow (NUMERICS.md).

Each rule receives the converted operands (`QTensor`, `FConst` or Python values) and returns the
converted results.  GEMM inputs are int8, accumulators int32 with per-channel scales, the
residual stream int16, Shiftmax/ShiftGELU read int8; the attention factor `head_dim^-0.5` is
folded into a scale (`mul.Scalar`), so it lands in the requant after `QK^T`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from xdsl.dialects.builtin import IntegerAttr, TensorType, i64
from xdsl.ir import Operation

from intvit.dialects import intvit as iv
from intvit.passes.quantize.qtensor import FConst, QTensor, QuantizeError, tensor_type
from intvit.runtime.scales import quantize_weights_per_channel

WEIGHT_BITS = "intvit.weight_bits"
ROW_PACKING_FACTOR = 2  # DSP packing recorded for searched Quasar-ViT rows: assign-precision's default

IDENTITY_OPS = {
    "torch.aten.clone", "torch.aten.contiguous", "torch.aten.detach", "torch.aten.alias",
    "torch.aten.lift_fresh_copy", "torch.aten.dropout", "torch.aten.identity",
}
RESHAPE_OPS = {"torch.aten.reshape", "torch.aten.view", "torch.aten.flatten.using_ints",
               "torch.aten.unflatten.int", "torch.aten._unsafe_view", "torch.aten.squeeze.dim",
               "torch.aten.unsqueeze"}
GEMM_OPS = {"torch.aten.linear", "torch.aten.matmul", "torch.aten.mm", "torch.aten.bmm",
            "torch.aten.conv2d", "torch.aten.convolution"}
MOVEMENT_OPS = RESHAPE_OPS | IDENTITY_OPS | {
    "torch.aten.permute", "torch.aten.transpose.int", "torch.aten.t", "torch.aten.select.int",
    "torch.aten.slice.Tensor", "torch.aten.unbind.int", "torch.aten.expand", "torch.aten.cat",
    "torch.prim.ListConstruct", "torch.prim.ListUnpack", "torch.aten.mul.Scalar",
    "torch.aten.div.Scalar",
}


def result_shape(op: Operation, i: int = 0) -> list[int]:
    sizes = getattr(op.results[i].type, "sizes", None)
    if sizes is None:
        typ = op.results[i].type
        if isinstance(typ, TensorType):
            return list(typ.get_shape())
        raise QuantizeError(f"result {i} of {op.name} is not a tensor")
    return [int(s) for s in sizes]


class Rules:
    """`Converter` mixin: `rule_<family>` methods, dispatched by op name in `convert_op`.

    `self` is the `quantize_to_intvit.Converter` these are mixed into (not imported here: the
    converter imports this module)."""

    em: Any

    def convert_op(self, op: Operation, args: list[Any]) -> list[Any]:
        name = op.name
        if name in IDENTITY_OPS:
            return [args[0]]
        if name in RESHAPE_OPS:
            return [self.movement(op, args[0], lambda v, q: self.em.reshape(v, result_shape(op)))]
        table = {
            "torch.prim.ListConstruct": lambda: [list(args)],
            "torch.prim.ListUnpack": lambda: list(args[0]),
            "torch.aten.linear": lambda: [self.rule_linear(op, *args[:3])],
            "torch.aten.matmul": lambda: [self.rule_matmul(op, args[0], args[1])],
            "torch.aten.mm": lambda: [self.rule_matmul(op, args[0], args[1])],
            "torch.aten.bmm": lambda: [self.rule_matmul(op, args[0], args[1])],
            "torch.aten.conv2d": lambda: [self.rule_conv2d(op, *args[:7])],
            "torch.aten.mul.Scalar": lambda: [self.rule_scale(op, args[0], args[1])],
            "torch.aten.div.Scalar": lambda: [self.rule_scale(op, args[0], 1.0 / args[1])],
            "torch.aten.add.Tensor": lambda: [self.rule_add(op, args[0], args[1], args[2])],
            "torch.aten.softmax.int": lambda: [self.rule_softmax(op, args[0], args[1])],
            "torch.aten._softmax": lambda: [self.rule_softmax(op, args[0], args[1])],
            "torch.aten.gelu": lambda: [self.rule_gelu(op, args[0])],
            "torch.aten.layer_norm": lambda: [self.rule_layernorm(op, *args[:4])],
            "torch.aten.permute": lambda: [self.rule_permute(op, args[0], args[1])],
            "torch.aten.transpose.int": lambda: [self.rule_transpose(op, *args[:3])],
            "torch.aten.t": lambda: [self.rule_transpose(op, args[0], 0, 1)],
            "torch.aten.select.int": lambda: [self.rule_select(op, *args[:3])],
            "torch.aten.slice.Tensor": lambda: [self.rule_slice(op, *args[:5])],
            "torch.aten.unbind.int": lambda: [self.rule_unbind(op, args[0], args[1])],
            "torch.aten.expand": lambda: [self.rule_expand(op, args[0])],
            "torch.aten.cat": lambda: [self.rule_cat(op, args[0], args[1])],
        }
        if name not in table:
            raise QuantizeError(f"unsupported torch op '{name}': no quantize-to-intvit rule")
        return table[name]()

    # -- GEMMs ---------------------------------------------------------------------------------
    def int8_input(self, op: Operation, x: Any, index: int) -> QTensor:
        """An 8-bit per-tensor input (Shiftmax, ShiftGELU, and every GEMM at act-bits 8)."""
        if isinstance(x, FConst):
            return self.em.quantized_constant(x, 8)
        if not isinstance(x, QTensor):
            raise QuantizeError(f"{op.name} operand {index} is not a tensor")
        if x.per_tensor and x.bits == 8:
            return x
        return self.em.requant(x, 8, self.scale_of(op.operands[index], 8), op.name)

    def gemm_input(self, op: Operation, x: Any, index: int) -> QTensor:
        """A GEMM input at act-bits (4, 6 or 8 bits in an int8 container), at PTQ4ViT's searched
        step, or twin-coded (decoded into int8) where the calibrator chose a twin ratio."""
        bits = self.options.act_bits
        searched = self.searched_act(op, index) if isinstance(x, QTensor) else None
        if searched is not None and searched[1]:
            return self.em.requant(x, bits, searched[0], op.name, twin=searched[1])
        if bits == 8 and searched is None:
            return self.int8_input(op, x, index)
        if isinstance(x, FConst):
            return self.em.quantized_constant(x, bits)
        if not isinstance(x, QTensor):
            raise QuantizeError(f"{op.name} operand {index} is not a tensor")
        if x.unsigned and searched is None:
            # Shiftmax's output is >= 0: a `bits`-bit unsigned code in [0, 2^bits - 1], which a
            # signed (bits + 1)-bit saturation of a non-negative value is exactly
            return self.em.requant(x, bits + 1, self.absmax(op.operands[index]) / ((1 << bits) - 1), op.name)
        scale = searched[0] if searched is not None else self.scale_of(op.operands[index], bits)
        if x.per_tensor and x.bits == bits and not x.unsigned and (searched is None or float(x.scale) == scale):
            return x
        return self.em.requant(x, bits, scale, op.name)

    def gemm(self, op: Operation, xq: QTensor, weight: np.ndarray, bias: np.ndarray | None,
             out_shape: list[int]) -> QTensor:
        """`xq [..., K] x weight[N, K]^T + bias`, weights per output channel."""
        if xq.sign is not None:  # channels stored negated (LayerNorm gamma < 0): flip W's columns
            weight = weight * xq.sign[None, :]
        row_bits = self.row_bits_of(op, weight.shape[0])
        bits = 8 if row_bits is not None else self.weight_bits_of(op)
        wq, w_scale = self.quantize_rows(op, weight, np.full(weight.shape[0], bits) if row_bits is None else row_bits)
        acc_scale = float(xq.scale) * np.asarray(w_scale, dtype=np.float64)
        w = self.em.int_constant(wq, bits, "weight")
        b = None
        if bias is not None:
            bq = np.rint(bias.astype(np.float64) / acc_scale)
            if np.any(np.abs(bq) >= 2**31):
                raise QuantizeError(f"{op.name}: bias does not fit int32 at scale s_x*s_w (overflow risk)")
            b = self.em.int_constant(bq, 32, "bias")
        packing = None if row_bits is None else iv.PackingAttr.get(row_bits.tolist(), True, ROW_PACKING_FACTOR)
        mm = iv.MatmulOp(xq.value, w, b, tensor_type(out_shape, 32), transpose_rhs=True, packing=packing)
        self.annotate_widths(op, mm, None if row_bits is not None else bits)
        self.em.add(mm)
        return QTensor(mm.output, acc_scale, 32, axis=len(out_shape) - 1)

    def quantize_rows(self, op: Operation, weight: np.ndarray, row_bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each output channel at its width, on PTQ4ViT's searched step for that width where the
        calibration searched it, else on its own absmax."""
        weight = weight.astype(np.float64)
        scale = np.zeros(weight.shape[0])
        for bits in np.unique(row_bits).tolist():
            searched = self.searched_weight_scales(op, bits)
            if searched is None or len(searched) != weight.shape[0]:
                searched = quantize_weights_per_channel(weight, bits, axis=0)[1]
            scale = np.where(row_bits == bits, searched, scale)
        lim = (1 << (row_bits - 1)) - 1
        wq = np.clip(np.rint(weight / scale[:, None]), -lim[:, None] - 1, lim[:, None]).astype(np.int64)
        return wq, scale

    def annotate_widths(self, op: Operation, mm: Operation, weight_bits: int | None) -> None:
        """Record the layer's widths on the matmul where they are not I-ViT's 8/8 (or were chosen
        per layer), so a reader of the IR sees the precision assignment."""
        explicit = WEIGHT_BITS in op.attributes
        if explicit or self.options.act_bits != 8 or (weight_bits or 8) != 8:
            if weight_bits is not None:
                mm.attributes[WEIGHT_BITS] = IntegerAttr(weight_bits, i64)
            mm.attributes["intvit.act_bits"] = IntegerAttr(self.options.act_bits, i64)

    def rule_linear(self, op: Operation, x: Any, w: Any, b: Any) -> QTensor:
        if not isinstance(w, FConst) or (b is not None and not isinstance(b, FConst)):
            raise QuantizeError("torch.aten.linear needs constant weight and bias")
        return self.gemm(op, self.gemm_input(op, x, 0), w.array, None if b is None else b.array,
                         result_shape(op))

    def rule_conv2d(self, op: Operation, x, w, b, stride, padding, dilation, groups) -> Any:
        """Patch embedding: kernel == stride, no padding, one group: im2col as reshapes + GEMM."""
        if not isinstance(w, FConst):
            raise QuantizeError("torch.aten.conv2d needs a constant weight")
        d, c, kh, kw = w.array.shape
        if list(stride) != [kh, kw] or any(padding) or any(v != 1 for v in dilation) or groups != 1:
            raise QuantizeError(
                f"torch.aten.conv2d: only patch embeddings (kernel == stride, padding 0, dilation 1, "
                f"groups 1) are supported, got kernel {[kh, kw]} stride {list(stride)} padding {list(padding)}"
            )
        xq = self.gemm_input(op, x, 0)
        bsz, _, h, wd = xq.shape
        hp, wp = h // kh, wd // kw
        if hp * kh != h or wp * kw != wd:
            raise QuantizeError(f"torch.aten.conv2d: image {h}x{wd} is not a multiple of the patch {kh}x{kw}")
        v = self.em.reshape(xq.value, [bsz, c, hp, kh, wp, kw])
        v = self.em.transpose(v, [0, 2, 4, 1, 3, 5])
        v = self.em.reshape(v, [bsz, hp * wp, c * kh * kw])
        patches = QTensor(v, xq.scale, xq.bits, unsigned=xq.unsigned)
        acc = self.gemm(op, patches, w.array.reshape(d, c * kh * kw), None if b is None else b.array,
                        [bsz, hp * wp, d])
        # Back to torch's NCHW layout; movement needs one per-tensor scale, so requantize first.
        bits = self.demand(op.results[0])
        out = self.em.requant(acc, bits, self.scale_of(op.results[0], bits), op.name)
        v = self.em.transpose(out.value, [0, 2, 1])
        return QTensor(self.em.reshape(v, [bsz, d, hp, wp]), out.scale, bits)

    def rule_matmul(self, op: Operation, a: Any, b: Any) -> QTensor:
        out_shape = result_shape(op)
        if isinstance(b, FConst):
            if b.array.ndim != 2:
                raise QuantizeError(f"{op.name}: a constant rhs must be 2-D")
            return self.gemm(op, self.gemm_input(op, a, 0), b.array.T, None, out_shape)
        aq = self.gemm_input(op, a, 0)
        bq = self.gemm_input(op, b, 1)
        if bq.unsigned:
            bits = self.options.act_bits
            bq = self.em.requant(bq, bits, self.scale_of(op.operands[1], bits), op.name)
        if aq.sign is not None or bq.sign is not None:
            raise QuantizeError(f"{op.name}: negated channels (LayerNorm gamma < 0) cannot feed an activation matmul")
        mm = iv.MatmulOp(aq.value, bq.value, None, tensor_type(out_shape, 32))
        self.annotate_widths(op, mm, None)
        self.em.add(mm)
        return QTensor(mm.output, np.array(float(aq.scale) * float(bq.scale)), 32)

    # -- elementwise and non-linear ----------------------------------------------------------
    def rule_scale(self, op: Operation, x: Any, factor: float) -> Any:
        """Multiplying by a positive constant only changes the scale: no op is emitted."""
        if isinstance(x, FConst):
            return FConst(x.array * factor, x.name)
        if not isinstance(x, QTensor) or not isinstance(factor, (int, float)) or not factor > 0:
            raise QuantizeError(f"{op.name}: only a tensor times a positive constant is supported")
        return QTensor(x.value, x.scale * factor, x.bits, x.axis, x.unsigned, x.sign)

    def residual_operand(self, op: Operation, x: Any, index: int, shape) -> QTensor:
        if isinstance(x, FConst):
            return self.em.quantized_constant(FConst(np.broadcast_to(x.array, shape).copy(), x.name), 16)
        if not isinstance(x, QTensor):
            raise QuantizeError(f"{op.name} operand {index} is not a tensor")
        if list(x.shape) != list(shape):
            raise QuantizeError(f"{op.name}: broadcasting {list(x.shape)} to {list(shape)} is not supported")
        if x.sign is not None:
            raise QuantizeError(f"{op.name}: negated channels (LayerNorm gamma < 0) cannot feed an add")
        if x.per_tensor and x.bits <= 16 and not x.unsigned:
            return x
        return self.em.requant(x, 16, self.scale_of(op.operands[index], 16), op.name)

    def rule_add(self, op: Operation, a: Any, b: Any, alpha: Any) -> Any:
        if alpha not in (1, 1.0):
            raise QuantizeError(f"{op.name}: alpha = {alpha} is not supported")
        if isinstance(a, FConst) and isinstance(b, FConst):
            return FConst(a.array + b.array, a.name)
        shape = result_shape(op)
        aq = self.residual_operand(op, a, 0, shape)
        bq = self.residual_operand(op, b, 1, shape)
        bits = 16
        out_scale = self.scale_of(op.results[0], bits)
        (ma, ea), (mb, eb) = (self.multiplier(float(q.scale) / out_scale, op) for q in (aq, bq))
        add = iv.AddOp(aq.value, bq.value, (ma, ea), (mb, eb), bits, tensor_type(shape, bits), self.em.rounding)
        self.em.add(add)
        return QTensor(add.output, np.array(out_scale), bits)

    def rule_softmax(self, op: Operation, x: Any, dim: int) -> QTensor:
        xq = self.int8_input(op, x, 0)
        bits = self.options.softmax_bits
        sm = iv.ShiftmaxOp(xq.value, float(xq.scale), bits, tensor_type(xq.shape, bits, unsigned=True), axis=dim)
        self.em.add(sm)
        return QTensor(sm.output, np.array(2.0 ** -(bits - 1)), bits, unsigned=True)

    def rule_gelu(self, op: Operation, x: Any) -> QTensor:
        # ShiftGELU needs 1/(1.702 s) <= 256: a finer calibrated scale is coarsened to that bound
        # in the same requant (one rounding, not two).
        target = max(self.scale_of(op.operands[0], 8), self.min_gelu_scale)
        if isinstance(x, QTensor) and x.per_tensor and x.bits == 8 and not x.unsigned \
                and float(x.scale) >= self.min_gelu_scale:
            xq = x
        elif isinstance(x, QTensor):
            xq = self.em.requant(x, 8, target, op.name)
        else:
            xq = self.int8_input(op, x, 0)
        scale = float(xq.scale)
        g = iv.ShiftgeluOp(xq.value, scale, 16, tensor_type(xq.shape, 16),
                           ivit_constant=self.options.compat == "ivit")
        self.em.add(g)
        return QTensor(g.output, np.array(scale * 2.0**-7), 16)

    def rule_layernorm(self, op: Operation, x: Any, shape: Any, gamma: Any, beta: Any) -> QTensor:
        if len(shape) != 1:
            raise QuantizeError("torch.aten.layer_norm: only normalization over the last axis is supported")
        c = int(shape[0])
        g = np.ones(c) if gamma is None else np.asarray(gamma.array, dtype=np.float64)
        bt = np.zeros(c) if beta is None else np.asarray(beta.array, dtype=np.float64)
        xq = self.residual_operand(op, x, 0, result_shape(op))
        unit = math.sqrt(c) / 2**30  # scale of yn = y * 2^30 / sqrt(var) (NUMERICS.md, I-LayerNorm)
        const = g == 0
        safe_g = np.where(const, 1.0, g)
        bias = np.where(const, np.rint(bt / unit), np.floor((bt / safe_g) / unit))
        if np.any(np.abs(bias) >= 2**30):
            worst = int(np.argmax(np.abs(bias)))
            raise QuantizeError(
                f"torch.aten.layer_norm: channel {worst}: beta/gamma = {bt[worst] / safe_g[worst]:.4g} "
                f"overflows the int32 output (|bias| >= 2^30; overflow risk)"
            )
        ln = iv.LayernormOp(xq.value, [int(v) for v in bias], tensor_type(xq.shape, 32),
                            const_channels=const.tolist(), isqrt_mode=self.options.isqrt)
        self.em.add(ln)
        sign = np.where(g < 0, -1.0, 1.0)
        scale = unit * np.where(const, 1.0, np.abs(g))
        return QTensor(ln.output, scale, 32, axis=len(xq.shape) - 1,
                       sign=sign if np.any(sign < 0) else None)

    # -- data movement ------------------------------------------------------------------------
    def movement(self, op: Operation, x: Any, emit, keeps_last_axis: bool = False) -> Any:
        """Apply `emit(value, q)` to a per-tensor integer value (requantizing accumulators first)."""
        if isinstance(x, FConst):
            raise QuantizeError(f"{op.name} on a constant is not supported")
        if not isinstance(x, QTensor):
            raise QuantizeError(f"{op.name} operand is not a tensor")
        if not x.per_tensor:
            bits = 16 if op.operands[0] in self.wide_sources else self.demand(op.results[0])
            x = self.em.requant(x, bits, self.scale_of(op.operands[0], bits), op.name)
        if x.sign is not None and not keeps_last_axis:
            raise QuantizeError(f"{op.name} moves negated channels (LayerNorm gamma < 0)")
        return QTensor(emit(x.value, x), x.scale, x.bits, None, x.unsigned, x.sign)

    def rule_permute(self, op: Operation, x: Any, dims: list[int]) -> Any:
        rank = len(dims)
        perm = [d % rank for d in dims]
        return self.movement(op, x, lambda v, q: self.em.transpose(v, perm), perm[-1] == rank - 1)

    def rule_transpose(self, op: Operation, x: Any, d0: int, d1: int) -> Any:
        rank = len(result_shape(op))
        perm = list(range(rank))
        perm[d0 % rank], perm[d1 % rank] = perm[d1 % rank], perm[d0 % rank]
        return self.movement(op, x, lambda v, q: self.em.transpose(v, perm), perm[-1] == rank - 1)

    def rule_select(self, op: Operation, x: Any, dim: int, index: int) -> Any:
        def emit(v, q):
            shape = list(q.shape)
            d = dim % len(shape)
            offsets = [0] * len(shape)
            offsets[d] = index % shape[d]
            sizes = shape.copy()
            sizes[d] = 1
            return self.em.extract(v, offsets, sizes, [1] * len(shape), result_shape(op))

        return self.movement(op, x, emit, keeps_last_axis=True)

    def rule_slice(self, op: Operation, x: Any, dim: int, start, end, step) -> Any:
        def emit(v, q):
            shape = list(q.shape)
            d = dim % len(shape)
            lo = 0 if start is None else (start % shape[d] if start < 0 else min(start, shape[d]))
            offsets = [0] * len(shape)
            offsets[d] = lo
            strides = [1] * len(shape)
            strides[d] = 1 if step is None else step
            return self.em.extract(v, offsets, result_shape(op), strides, result_shape(op))

        return self.movement(op, x, emit, keeps_last_axis=True)

    def rule_unbind(self, op: Operation, x: Any, dim: int) -> list[Any]:
        if not isinstance(x, QTensor):
            raise QuantizeError("torch.aten.unbind of a constant is not supported")
        if not x.per_tensor:  # requantize once, not once per part
            bits = self.demand(op.results[0])
            x = self.em.requant(x, bits, self.scale_of(op.operands[0], bits), op.name)
        count = x.shape[dim % len(x.shape)]
        parts = []
        for i in range(count):
            def emit(v, q, i=i):
                shape = list(q.shape)
                d = dim % len(shape)
                offsets = [0] * len(shape)
                offsets[d] = i
                sizes = shape.copy()
                sizes[d] = 1
                return self.em.extract(v, offsets, sizes, [1] * len(shape), shape[:d] + shape[d + 1:])

            parts.append(self.movement(op, x, emit, keeps_last_axis=True))
        return parts

    def rule_expand(self, op: Operation, x: Any) -> Any:
        shape = result_shape(op)
        if isinstance(x, FConst):
            return FConst(np.broadcast_to(x.array, shape).copy(), x.name)
        if isinstance(x, QTensor) and list(x.shape) == shape:
            return x
        raise QuantizeError("torch.aten.expand of a computed tensor is not supported (only constants)")

    def rule_cat(self, op: Operation, items: list[Any], dim: int) -> QTensor:
        shape = result_shape(op)
        bits = self.demand(op.results[0])
        scale = self.scale_of(op.results[0], bits)
        values = []
        for item in items:
            if isinstance(item, FConst):
                values.append(self.em.quantized_constant(item, bits, scale).value)
            elif isinstance(item, QTensor):
                if item.sign is not None:
                    raise QuantizeError("torch.aten.cat of negated channels (LayerNorm gamma < 0)")
                if not (item.per_tensor and item.bits == bits and float(item.scale) == scale and not item.unsigned):
                    item = self.em.requant(item, bits, scale, op.name)
                values.append(item.value)
            else:
                raise QuantizeError("torch.aten.cat operand is not a tensor")
        return QTensor(self.em.concat(values, dim % len(shape), shape), np.array(scale), bits)
